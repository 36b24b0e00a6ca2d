"""The numbers and units of a spoken reading, taken only from what the technician said.

"VT 75 main motor is at 140 amps": 75 belongs to the model name, 140 is the reading, amps its
unit. A number glued to letters ("M24", "E-117", "TT11") or following a capitalised name ("VT 75",
"HX 30") is part of a name, not a reading. "Degrees" alone names no scale: it is read in the
limit's own scale (a chiller manual in Fahrenheit, a pump manual in Celsius).
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, replace
from typing import Final

from edge.errors import ToolError
from edge.knowledge.numbers import NumberMention, find_numbers, reading_numbers
from edge.knowledge.records import Limit
from edge.knowledge.units import format_number, normalize_unit

_LOGGER = logging.getLogger(__name__)

_SIZE_WORDS: Final = frozenset({"a", "an", "for", "the"})
"""Words before a number that make it a size naming a part ("for the three quarter inch
bolts"), not a value read off one."""
_BARE_DEGREES: Final = frozenset({"degree", "degrees", "deg"})
_SCALES: Final = frozenset({"c", "f", "celsius", "fahrenheit", "centigrade", "°c", "°f"})
_MIL: Final = frozenset({"mil", "mils"})
"""A thousandth of an inch in the US, but a millimetre to most trades elsewhere ("two and a half
mil of play"): the value is read both ways, and the ranking by each limit's scale decides (the
readings tool keeps the millimetre reading only when it fits clearly better). "Thou" is never a
millimetre."""


@dataclass(frozen=True, slots=True)
class SpokenValue:
    """A number said in a reading and the unit said after it."""

    mention: NumberMention
    unit: str | None
    """Canonical unit said after the number, None when none was said."""
    scale_said: bool = True
    """False for a bare "degrees": the temperature scale is the limit's."""
    unit_words: str = ""
    """The words the unit was said in ("millimetres per second")."""
    short: bool = False
    """Said as a shortfall against something else ("two percent slower than the steps")."""
    deviation: bool = False
    """Said as a deviation from a reference: the value is the reading less the reference said
    beside it ("455 with the mean at 395" is +60)."""

    def against(self, limit: Limit) -> float:
        """The value as ``limit`` reads it: a shortfall is negative where the limit is signed.

        "Running two percent slower than the steps" is −2 % of a handrail speed of 0 to +2 %
        relative to the steps; against "deviation max. 5 %" it is a deviation of 2 %.
        """
        value = self.mention.value
        signed = limit.minimum is not None and limit.minimum <= 0
        return -value if self.short and value > 0 and signed else value

    @property
    def words(self) -> str:
        """The value and its unit as said: they tell the size, not which limit."""
        return f"{self.mention.text} {self.unit_words}".strip()


def unit_after(transcript: str, mention: NumberMention) -> str | None:
    """The unit said right after a number, if any."""
    return _unit_after(transcript, mention)[0]


def _unit_after(transcript: str, mention: NumberMention) -> tuple[str | None, str, int]:
    """The unit said right after a number (None if none), its words, and where they end."""
    # Up to five words ("twelve times in the last hour"), after an "of a" if one comes first.
    words = list(re.finditer(r"[^\s,;.?!]+|%", transcript[mention.end :]))[:7]
    # "Point zero nine of a millimetre": the unit after "of a".
    skip = 2 if [w.group().lower() for w in words[:2]] in (["of", "a"], ["of", "an"]) else 0
    for size in (5, 4, 3, 2, 1):
        if len(words) >= skip + size:
            said = " ".join(word.group() for word in words[skip : skip + size])
            unit = normalize_unit(said)
            if unit is not None:
                return unit, said, mention.end + words[skip + size - 1].end()
    return None, "", mention.end


def spoken_values(transcript: str) -> list[SpokenValue]:
    """Every reading number with the unit said after it.

    A number said in "mil" comes twice, in thousandths of an inch and then in millimetres; one
    in bare "degrees" as a temperature and then as an angle; one in "pounds" as a mass, then as
    a force, then as a pressure; one in "inches" as a length, then as inches of water.
    """
    out = []
    for mention in reading_numbers(transcript):
        unit, unit_words, unit_end = _unit_after(transcript, mention)
        words = re.findall(r"[^\s,;.?!]+", transcript[mention.end :].lower())[:2]
        bare = (
            bool(words)
            and words[0] in _BARE_DEGREES
            and (len(words) < 2 or words[1] not in _SCALES)
        )
        after = transcript[unit_end:].lower()
        short = bool(unit == "%" and _SHORT.match(after) or _BELOW_REFERENCE.match(after))
        out.append(
            SpokenValue(mention, unit, scale_said=not bare, unit_words=unit_words, short=short)
        )
        if unit == "mil" and words and words[0] in _MIL:
            out.append(SpokenValue(mention, "mm", unit_words=unit_words))
        if bare:
            # "Blade three is pitched at fifteen point four degrees": an angle, when the words
            # name a limit in degrees of angle better than any temperature.
            out.append(SpokenValue(mention, "°", unit_words=unit_words))
        if unit == "lb":
            # "Only takes 17 pounds to deflect": pounds of force, when a force limit fits;
            # "suction dropped to 52 pounds": pounds per square inch, when a pressure one does.
            out.append(SpokenValue(mention, "lbf", unit_words=unit_words))
            out.append(SpokenValue(mention, "psi", unit_words=unit_words))
        if unit == "in" and words and words[0].startswith("inch"):
            # "Low fire manifold reads 1.4 inches": inches of water, when a gas pressure fits.
            out.append(SpokenValue(mention, "inH2O", unit_words=unit_words))
    return out


_SHORT: Final = re.compile(r"\s*(?:slower|lower|less|under|below|short|behind)\b")
"""Words after a percentage that make it a shortfall ("two percent slower than the steps")."""
_BELOW_REFERENCE: Final = re.compile(
    r"\s*(?:under|below|less than|lower than|short of)\s+(?:the\s+)?"
    r"(?:set\b|setpoint|set point|set value|mean|average|nominal)"
)
"""Words after any value that make it a deviation below a reference ("eight degrees under
set")."""
_READ_OFF: Final = re.compile(
    r"(?:\b(?:reads|reading|shows|showing|says|saying|indicates|indicating|measures|measured"
    r"|measuring|measure|came (?:out|back) at"
    r"|comes out at|mics?(?: out)? at|miked(?: out)? at"
    r"|(?:sitting|running|down|up) (?:at|to)"
    r"|(?:dropped|dropping|fell|falling|fallen|gone|went|rose|rising|risen|climbed|climbing"
    r"|jumped|crept|sagged|sagging|dipped|dipping)(?: (?:down|up))? to)"
    r"|(?:\bis|\bare|\bwas|(?<!\S)'s)(?: (?:at|only|now|about|around|down to|up to))?)$"
)
"""Words that read a value off an instrument, right before a number said with no unit: a verb
("AE-04 reads 8.1") or a statement of what something is now ("gearbox oil is minus fifteen",
"the pH is down to seven point nine"). Only statements get here: a question that says a number
("is 8 too high?") asks the manuals."""


def states_a_value(transcript: str) -> bool:
    """Whether ``transcript`` says a value read off something.

    With its unit ("pulling 245 amps", "at 92 degrees"), or read off with none ("AE-04 reads
    8.1").
    A size that names a part is no value read off it: "for a 16 millimetre tube", "torque for
    24 mm bolts".
    """
    for value in spoken_values(transcript):
        if value.unit is not None and not _is_size(transcript, value):
            return True
        if _read_off(transcript, value):
            return True  # "AE-04 reads 8.1", "the PI came out at 1.05": a pH, a ratio
    return False


def _words_before(transcript: str, value: SpokenValue) -> list[str]:
    """The last three words said before ``value``."""
    return re.findall(r"[a-z]+|'s", transcript[: value.mention.start].lower())[-3:]


def _read_off(transcript: str, value: SpokenValue) -> bool:
    """Whether ``value``, said with no unit, is read off something ("AE-04 reads 8.1")."""
    return value.unit is None and bool(_READ_OFF.search(" ".join(_words_before(transcript, value))))


def _is_size(transcript: str, value: SpokenValue) -> bool:
    """Whether ``value`` is a size that names a part ("the 24 volt supply", "the 8 mil ropes")."""
    before = _words_before(transcript, value)
    return value.unit is not None and bool(before) and before[-1] in _SIZE_WORDS


def _read_in_sizes_unit(transcript: str, values: list[SpokenValue]) -> list[SpokenValue]:
    """A value read off with no unit after a part named by its size, in the size's unit.

    "The twenty four volt control supply is down to twenty point nine": 20.9 V, not 24 V;
    "the eight mil ropes are measuring seven point four": 7.4 mm.
    """
    sizes = [v for v in values if _is_size(transcript, v)]
    if not sizes or any(v.unit is not None and v not in sizes for v in values):
        return []  # a value said with its unit is the reading
    for value in values:
        if value.mention.start > sizes[0].mention.start and _read_off(transcript, value):
            # Each way the size's unit was heard ("mil": thou, then millimetres).
            first = [v for v in sizes if v.mention.start == sizes[0].mention.start]
            return [replace(v, mention=value.mention) for v in first]
    return []


def as_float(value: object) -> float | None:
    """A number the LLM proposed, as a float (None for anything else)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        found = find_numbers(value)
        return found[0].value if len(found) == 1 else None
    return None


def candidates(given: object, transcript: str) -> list[SpokenValue]:
    """The values that may be the reading, best first.

    The LLM's ``given`` value counts only when the transcript holds it. Otherwise numbers said
    with a unit come first, in the order said (the reading, then its conditions: "118 bar at
    about twenty degrees").

    Raises:
        ToolError: no number was said, or several and none with a unit.
    """
    values = spoken_values(transcript)
    if not values:
        raise ToolError(
            "reading-no-value", "I did not catch the value. Say it again with its unit."
        )
    against = from_reference(transcript, values)
    if against is not None:
        return [against]
    wanted = as_float(given)
    if wanted is not None:
        said = [v for v in values if abs(v.mention.value - wanted) < 1e-9]
        if said:
            return said
        _LOGGER.info(
            "LLM value %r is not in the transcript %r; reading it myself", given, transcript
        )
    with_unit = [v for v in values if v.unit is not None]
    read = _read_in_sizes_unit(transcript, values)
    if read:
        return read
    if with_unit:
        # "The 24 volt supply reads 22 volts", "the safety valve on the ten bar opened at 168
        # psi": the size names the part (or the model), the other value is read.
        read_values = [v for v in with_unit if not _is_size(transcript, v)]
        return read_values or with_unit
    if len(values) == 1:
        return values
    read_off = [v for v in values if _read_off(transcript, v)]
    if len(read_off) == 1:
        # "Discharge temp on blower two is 138", "49S reads 119": the number said after the verb
        # is the reading; the one before it names the part.
        return read_off
    heard = ", ".join(format_number(v.mention.value) for v in values)
    raise ToolError("reading-value-unclear", f"I heard {heard}. Which one is the reading?")


_REFERENCE_BEFORE: Final = re.compile(
    r"(?:\b(?:mean|average|nominal)\b(?:\s+[a-z]+){0,5}?\s+(?:is|at|of|was|=)"
    r"|\bset(?:[\s-]?point| value)?\s+(?:is|was|at|to|=)(?:\s+(?:at|to))?)\s*$"
)
"""Words before the number a reading is compared with: "the average of all of them is 395",
"with the mean at 398", "zone four is set at 240"."""


def from_reference(transcript: str, values: list[SpokenValue]) -> SpokenValue | None:
    """The deviation a reading states against a reference said beside it, if it states one.

    "Cylinder 4 exhaust is 455 and the average of all of them is 395": +60 from the mean;
    "zone four is set at two forty and it's reading two fifty six": +16 from set. The reading is
    the other number nearest the reference in size (not the "4" of "cylinder 4").
    """
    lowered = transcript.lower()
    references = [v for v in values if _REFERENCE_BEFORE.search(lowered[: v.mention.start])]
    if len(references) != 1 or references[0].mention.value <= 0:
        return None
    reference = references[0]
    others = [
        v for v in values if v.mention.start != reference.mention.start and v.mention.value > 0
    ]
    if not others:
        return None
    reading = min(others, key=lambda v: abs(math.log(v.mention.value / reference.mention.value)))
    if abs(math.log(reading.mention.value / reference.mention.value)) > math.log(2):
        return None  # not the same quantity
    difference = round(reading.mention.value - reference.mention.value, 6)
    mention = replace(reading.mention, value=difference, text=format_number(difference))
    return SpokenValue(
        mention,
        reading.unit or reference.unit,
        scale_said=reading.scale_said and reference.scale_said,
        unit_words=reading.unit_words or reference.unit_words,
        deviation=True,
    )


def choose_value(given: object, transcript: str) -> NumberMention:
    """The reading's number as the technician said it (the first candidate)."""
    return candidates(given, transcript)[0].mention


def said_unit(transcript: str, mention: NumberMention, given: object) -> str | None:
    """The unit spoken after the value; else the LLM's, if the transcript says it anywhere."""
    after = unit_after(transcript, mention)
    if after is not None:
        return after
    llm_unit = normalize_unit(str(given)) if isinstance(given, str) else None
    if llm_unit is None:
        return None
    words = re.findall(r"[^\s,;]+", transcript)
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            if normalize_unit(" ".join(words[i : i + size])) == llm_unit:
                return llm_unit
    return None


def value_text(mention: NumberMention) -> str:
    """The value as said, for speech: digits as said, words as digits."""
    text = mention.text.replace(",", "")
    return text if re.fullmatch(r"-?\d+(\.\d+)?", text) else format_number(mention.value)
