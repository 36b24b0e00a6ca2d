"""Which limit a spoken reading is about: by its words and by its unit's dimension.

"The main motor is pulling 61 amps at full load" has to find M1's "Current at full load | up to
55 A" among every limit of every manual on the device. A limit is described by its parameter,
its component (ID, name and aliases: "main motor" fits "Main drive motor"), and the words around
it (caption, section, the sentence it came from). A reading's words are compared with each:

* a word of the parameter counts most, a code in it (``TT11``, ``VT 75``) more still;
* a word of the component's name counts a little less, a word of the context a little;
* an ID said aloud brings its component's name along ("TT-101A" is "pump bearing temperature");
* a word said after "no" or "without" counts against limits that have it ("no glycol");
* of limits that tie, one that holds only under a condition the reading does not say ("at
  start", "passivation period") yields to one that always holds: "gearbox oil is at 96 degrees"
  is the sump's; and one whose words come in the order said ("HV to LV and tank") wins over
  one with the same words in another ("LV winding to HV winding and tank");
* the unit said keeps only limits of the same dimension ("degrees" only temperatures).

Spoken synonyms are few and general (amps/pulling -> current, delta p -> differential/drop,
room/outside -> ambient). Limits that score the same are a true tie for the caller to ask about.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

from edge.knowledge.abbreviations import spelled
from edge.knowledge.components import ranged_ids
from edge.knowledge.limit_text import is_band
from edge.knowledge.numbers import code_figures, find_numbers, stated_values
from edge.knowledge.records import Limit
from edge.knowledge.spoken import written
from edge.knowledge.terms import STOPWORDS, non_joined, ordinals_spelled, stem
from edge.knowledge.units import convert, dimension

PARAMETER_WEIGHT: Final = 1.0
CODE_WEIGHT: Final = 2.0
COMPONENT_WEIGHT: Final = 0.8
CONTEXT_WEIGHT: Final = 0.25
IMPLIED_SHARE: Final = 0.5
"""Share of a weight that a word only implied by the unit earns ("pressure" for bar)."""
FIGURE_WEIGHT: Final = 1.0
"""Per figure said besides the value that the limit's name states ("TX-9/1000", "8 mm ropes")."""
NAMED_BONUS: Final = 1.5
"""The reading names this limit's component (by its ID or its full name)."""
DOCUMENT_CODE_BONUS: Final = 1.0
"""The reading says an ID the limit's manual defines ("P-101B", "TT11") or names its machine
("on the skid"): it is that machine."""
MACHINE_AT_BONUS: Final = 2.0
"""For a limit of the machine being worked on, when the reading names none: twice what naming a
machine earns (a technician reads the gauges of the machine they stand at, and its manual often
words the parameter otherwise: "vibration velocity at the motor bearings" against another's
"drive motor vibration velocity"). At a machine the readings tool ranks only its limits (see
:func:`edge.tools.readings.at_the_machine`), so this weighs only when the reading also says a tag
that just another machine's manual defines: that machine's limit wins by its tag, or by two words
more."""
DOCUMENT_WORD_WEIGHT: Final = 0.15
"""Per word of the reading that the limit's manual uses anywhere ("truck", "separator")."""
OPERATING_BONUS: Final = 0.2
"""A limit from an operating-limits table or section rather than a trip setting in prose."""
SAME_UNIT_BONUS: Final = 0.1
UNITLESS_BONUS: Final = 1.0
"""A value said without a unit, against a limit printed without one: as much as a word said."""
COVERAGE_WEIGHT: Final = 0.3
NEGATED_WEIGHT: Final = 1.5
PREFERRED_BONUS: Final = 0.3
SCALE_WEIGHT: Final = 1.0
"""Taken off per decade a reading lies beyond :data:`SCALE_SLACK` of a limit's bounds."""
SCALE_SLACK: Final = 3.0
"""A reading within this factor of a limit may be about it (a bad reading can be far out)."""
UNITLESS_SCALE_SLACK: Final = 10.0
"""The same for a value said without its unit, against the limit in the manual's unit."""
SETTING_WEIGHT: Final = 1.0
"""Taken off a setting's limit ("set pressure") when the reading says nothing set or tested."""
TIE: Final = 0.05
"""Scores closer than this to the best are a tie."""

# Spoken word -> the word manuals use (one canonical word, so a synonym never counts twice).
_SYNONYMS: Final[dict[str, str]] = {
    "temp": "temperature",
    "temps": "temperature",
    "entering": "inlet",
    "leaving": "outlet",
    "hot": "temperature",
    "pres": "pressure",
    "press": "pressure",
    "rpm": "speed",
    "revs": "speed",
    "vib": "vibration",
    "vibrations": "vibration",
    "vibes": "vibration",
    "amps": "current",
    "amp": "current",
    "pulling": "current",
    "drawing": "current",
    "draw": "current",
    "volts": "voltage",
    "megger": "insulation",
    "meggers": "insulation",
    "megohm": "insulation",
    "megohms": "insulation",
    "drop": "differential",
    "delta": "differential",
    "difference": "differential",
    "diff": "differential",
    "dp": "differential",
    "room": "ambient",
    "outside": "ambient",
    "outdoors": "ambient",
    "outdoor": "ambient",
    "yard": "ambient",
    "weather": "ambient",
    "tank": "reservoir",
    "fluid": "oil",
    "lining": "pad",
    "pads": "pad",
    "deflects": "deflection",
    "deflect": "deflection",
    "runout": "run-out",
}
_FLOW_SAID: Final = (
    (re.compile(r"\b(?:going|coming|flowing)\s+in(?:to)?\b", re.IGNORECASE), "inlet"),
    (re.compile(r"\b(?:coming|going|flowing)\s+(?:out|off)(?:\s+of)?\b", re.IGNORECASE), "outlet"),
)
"""How a technician says where a flow is read: "water going into the engine" is at its inlet,
"air coming off the aftercooler" at its outlet."""
_SIDES: Final = tuple(
    (stem(a), stem(b))
    for a, b in (
        ("inlet", "outlet"),
        ("suction", "discharge"),
        ("supply", "return"),
        ("upstream", "downstream"),
    )
)
"""The two ends of a flow. A reading taken at one end is not about a limit named for the other:
"cooling water coming in at 90 °F" is no limit on the cooling water outlet temperature."""
OTHER_SIDE_WEIGHT: Final = 2.0
"""Taken off a limit named for the other end of the flow than the reading says (two words'
worth: the words the two share, "cooling water temperature", do not make it the same one)."""
_DIFFERENCE_WORDS: Final = frozenset(
    {"ris", "differential", "approach", "superheat", "subcool", "split", "spread", "gain"}
)
"""Stems of the words that make a temperature said in degrees a difference ("rise", "delta")."""
_DIFFERENCE_LIMIT: Final = _DIFFERENCE_WORDS | {"differenc", "delta", "drop"}
"""Stems of the words that make a limit in degrees one on a difference ("flow/return
difference")."""
_DEVIATION_SAID: Final = re.compile(
    r"\b(?:above|over|below|under|off|from|than)\s+(?:the\s+)?(?:set(?:[\s-]?point)?\b|setpoint"
    r"|set value|mean|average|nominal)\b|\bdeviat",
    re.IGNORECASE,
)
"""Words that make a reading a deviation from a reference ("eight degrees under set", "8 % under
the average tension"): it is judged by a deviation band ("± 10", "± 5 % from the mean")."""
DEVIATION: Final = stem("deviation")
"""The stem a reading said as a deviation carries among its words."""
_ALSO_MEANS: Final = {stem("drive"): stem("traction")}
"""Words a technician says that may stand for another the manual prints: a truck's drive motor
is its traction motor. Only the reading gains the second word; a manual's "main drive motor"
stays a drive motor, not a traction motor."""
_SETTING: Final = frozenset(stem(w) for w in ("set", "setting", "setpoint"))
"""A parameter that is a setting: a safety valve's set pressure, a switch's setting."""
_SETTING_SAID: Final = frozenset(
    stem(w)
    for w in (
        *("set", "setting", "setpoint", "adjusted", "valve", "relief", "switch", "bench", "test"),
        *("opens", "opened", "lifts", "lifted", "blows", "blowing", "blew", "pops", "popped"),
        *("cracks", "cracked", "trips", "tripped", "operates", "operated", "picks", "picked"),
    )
)
"""Words of a reading of a setting: the valve or switch, or its being tested ("SV1 lifted at
11.9 bar"). "Intercooler gauge shows 1.5 bar" reads the pressure, not the safety valve's set
pressure printed beside it."""
_LETTER_SAID: Final = re.compile(r"(?<![\w'-])([b-hj-z])(?![\w'-])")
"""A letter said as a word; never "a" or "I", which are words of their own."""
_VARIANT_LETTER: Final = re.compile(r"\b[A-Z]+-?\d+[-/ ]([A-Z])\b")
"""The letter that ends a variant's code: "RR16-S", "GP30-L"."""
_IGNORED: Final = frozenset(
    {"reading", "reads", "read", "shows", "showing", "says", "measured", "measures", "measure",
     "measuring",
     "about", "only", "level", "value", "sitting", "getting", "currently", "right", "now"}
)  # fmt: skip
_WORD: Final = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z\-]*(?![\w])")
"""Words, not the letters of codes ("TT" of "TT11", "TT-101A")."""
_NEGATION: Final = re.compile(r"\b(?:no|without|not)\s+(\w+)", re.IGNORECASE)
_CODE: Final = re.compile(
    r"\b([A-Za-z]{1,5})[\s-]?(\d{1,4}[A-Za-z]?)\b|\b([A-Za-z]{1,5}\d+[A-Za-z]?(?:-\w+)?)\b"
    r"|\b(\d{2}[A-Z]{2,4}\d?)\b"  # a device number with its suffix: "38TGB"
)


def words(text: str) -> set[str]:
    """Stems of the content words of ``text``, synonyms as the word manuals use."""
    return set(ordered_words(text))


def ordered_words(text: str) -> tuple[str, ...]:
    """The stems :func:`words` gives, in the order they come, each once."""
    out: dict[str, None] = {}
    for pattern, word in _FLOW_SAID:
        text = pattern.sub(f" {word} ", text)
    for raw in _WORD.findall(ordinals_spelled(non_joined(text))):
        word = raw.lower().strip("-")
        # "Top-oil temperature" is said "top oil temperature": the parts count, and the whole.
        for part in (word, *word.split("-")) if "-" in word else (word,):
            if part in STOPWORDS or part in _IGNORED or len(part) < 2:
                continue
            out[stem(_SYNONYMS.get(part, part))] = None
    return tuple(out)


def codes(text: str) -> set[str]:
    """Codes written or said in ``text``, normalised: "TT-101A" and "tt 101a" -> "tt101a"."""
    found: set[str] = set()
    for m in _CODE.finditer(text):
        if m.group(4):
            found.add(m.group(4).lower())
        elif m.group(3):
            found.add(re.sub(r"[\s\-]", "", m.group(3)).lower())
        elif m.group(1).lower() in STOPWORDS:
            continue  # "to 0.5 bar", "at 45 N": words before numbers, not codes
        elif m.group(1).isupper() or not text[m.end(1) : m.start(2)]:
            found.add(f"{m.group(1)}{m.group(2)}".lower())  # "TT 11", "tt11"
    return found | {c.lower() for c in ranged_ids(text)}  # "VS1–VS4" holds VS3


_WORD_BEFORE: Final = re.compile(r"\b([a-z]{3,})\s+$")


def initial_codes(text: str) -> set[str]:
    """Tags a word and a number said may stand for: "zone three" is Z3, "motor two" M2.

    Manuals tag the parts of a series by the initial of their kind ("Z1 ... Z5", "M1", "P2");
    the technician says the word. A verb or a plural before the number ("reads 21", "pulling 40")
    names no part.
    """
    found = set()
    for mention in find_numbers(text):
        before = _WORD_BEFORE.search(text[: mention.start].lower())
        if not (before and mention.value.is_integer() and 1 <= mention.value <= 99):
            continue
        word = before.group(1)
        if word not in STOPWORDS | _IGNORED and not word.endswith(("s", "ing", "ed")):
            found.add(f"{word[0]}{int(mention.value)}")
    return found


@dataclass(frozen=True, slots=True)
class Described:
    """A limit and the words that describe it."""

    limit: Limit
    parameter: frozenset[str]
    codes: frozenset[str]
    component: frozenset[str]
    context: frozenset[str]
    document_codes: frozenset[str] = frozenset()
    """IDs the limit's manual defines, normalised."""
    document_words: frozenset[str] = frozenset()
    """Every word the limit's manual uses."""
    names: frozenset[str] = frozenset()
    """The words of the component's name (its first name, as its manual prints it)."""
    condition: frozenset[str] = frozenset()
    """The words of a condition the parameter holds under ("at start" -> start), if any."""
    order: tuple[str, ...] = ()
    """The parameter's words in the order printed."""
    figures: frozenset[float] = frozenset()
    """The figures its name states, its models' codes included ("TX-9/1000", "8 mm ropes")."""
    variants: frozenset[str] = frozenset()
    """The letters that end its variants' codes ("RR16-S": "s")."""


_CONDITION: Final = re.compile(
    r"(?:,|\b(?:at|during|when|while|before|after|until|under|with)\b)\s*([A-Za-z0-9][^,;()]*)",
    re.IGNORECASE,
)
"""A condition a parameter's name qualifies it by: after a comma or a word of circumstance."""
_DEFAULT_CONDITION: Final = frozenset(
    stem(w)
    for w in ("normal", "operation", "operating", "service", "running", "continuous", "rated")
)
"""Words of the condition a reading is taken under unless it says otherwise."""


def condition_words(parameter: str) -> frozenset[str]:
    """The words of the conditions ``parameter`` holds under, bar the usual ones.

    "Gearbox oil temperature at start" -> {start}; "pH, passivation period (first 8 weeks)" ->
    {passivation, period}; "pH, normal operation" and "Oil pressure at rated speed" -> none: that
    is where a reading comes from unless it says otherwise.
    """
    found: set[str] = set()
    for m in _CONDITION.finditer(parameter):
        said = words(m.group(1))
        if said and not said & _DEFAULT_CONDITION:
            found |= said
    return frozenset(found)


def initials(name: str) -> set[str]:
    """Initials of each run of two or three content words of ``name``.

    "Voltage transformers" -> "vt"; "high-pressure cylinder" -> "hp", "pc", "hpc".
    """
    parts = [w for w in re.findall(r"[A-Za-z]+", name) if len(w) > 2 and w.lower() not in STOPWORDS]
    return {
        "".join(w[0] for w in parts[i : i + n]).lower()
        for n in (2, 3)
        for i in range(len(parts) - n + 1)
    }


def normal_code(code: str) -> str:
    """A code as matched: lower case, no spaces or hyphens ("TT-101A" -> "tt101a")."""
    return re.sub(r"[\s\-]", "", code).lower()


def describe(
    limit: Limit,
    component_names: Mapping[str, Sequence[str]],
    document_codes: frozenset[str] = frozenset(),
    document_words: frozenset[str] = frozenset(),
    abbreviations: Mapping[str, str] | None = None,
) -> Described:
    """The words of ``limit`` (``component_names``: ID -> name and aliases).

    ``abbreviations``: what the manual's own abbreviations stand for ("TGB": turbine guide
    bearing); their words describe the limit too, since a technician says them either way.
    """
    names = component_names.get(limit.component_id, ())
    known = abbreviations or {}
    parameter = words(spelled(limit.parameter, known))
    component = words(spelled(" ".join(names), known))
    # "The VT on H02", "the HP valve": a technician says a name by its initials.
    component |= initials(names[0] if names else "") | initials(limit.parameter)
    if limit.component_id:
        component.add(normal_code(limit.component_id))
    return Described(
        limit,
        frozenset(parameter),
        frozenset(codes(limit.parameter) | {normal_code(c) for c in limit.codes}),
        frozenset(component - parameter),
        frozenset(words(limit.context) - parameter - component),
        document_codes,
        document_words,
        frozenset(words(names[0])) if names else frozenset(),
        condition_words(limit.parameter),
        ordered_words(limit.parameter),
        frozenset(stated_values(limit.parameter) | code_figures(limit.parameter)),
        frozenset(v.lower() for v in _VARIANT_LETTER.findall(limit.parameter)),
    )


@dataclass(frozen=True, slots=True)
class Candidate:
    """A limit and how well a reading names it."""

    limit: Limit
    score: float
    matched: tuple[str, ...] = field(default=())
    off_scale: float = 0.0
    """What the value's scale took off ``score`` (see :func:`decades_off`)."""
    unsaid_condition: bool = False
    """The limit holds under a condition the reading does not say ("at start")."""
    order: int = 0
    """Pairs of the parameter's words said in its order, less those said the other way round."""


@dataclass(frozen=True, slots=True)
class Said:
    """What a reading says, for matching."""

    words: frozenset[str]
    codes: frozenset[str]
    negated: frozenset[str]
    named: str | None = None
    """The component the reading names by ID or full name, if any."""
    implied: frozenset[str] = frozenset()
    """Words its unit implies ("pressure" for bar): they match a parameter, never name a part."""
    machines: frozenset[str] = frozenset()
    """Titles of the manuals whose machine the reading names ("on the skid", "the chiller")."""
    machine: str | None = None
    """Title of the manual of the machine being worked on (from the conversation), if known."""
    spoken: frozenset[str] = frozenset()
    """The words said, without those a tag brings along (its component's name)."""
    figures: frozenset[float] = frozenset()
    """Figures said besides the value ("on the thousand kilo car"): a limit per model or size
    whose name states one is that model's."""
    letters: frozenset[str] = frozenset()
    """Letters said alone ("on the s mast", "RR sixteen H"): a limit per variant whose code ends
    in one ("RR16-S") is that variant's."""
    order: tuple[str, ...] = ()
    """The words said, in order."""
    initials: frozenset[str] = frozenset()
    """Tags the words may stand for ("zone three": z3, see :func:`initial_codes`): they match a
    limit's tag, never name a machine the way a tag said does."""


def said(
    transcript: str,
    component_names: Mapping[str, Sequence[str]],
    named: str | None = None,
) -> Said:
    """The words and codes of a reading; IDs said aloud bring their component's name along."""
    # "GB-101" as written, or said letter by letter ("G B one oh one").
    as_written = written(transcript)
    found_codes = {normal_code(c) for c in codes(transcript) | codes(as_written)}
    if named and normal_code(named) in {normal_code(t) for t in as_written.split()}:
        # An ID the manuals define, said as printed, though not shaped like most IDs: a device
        # number with one letter ("49S reads 119") is a code where "12V" would be a unit.
        found_codes.add(normal_code(named))
    own = words(transcript)
    own |= {_ALSO_MEANS[w] for w in own if w in _ALSO_MEANS}
    if _DEVIATION_SAID.search(transcript):
        own = own | {DEVIATION}
    spoken = set(own)
    by_code = {normal_code(cid): cid for cid in component_names}
    for code in found_codes:
        if code in by_code:
            spoken |= words(" ".join(component_names[by_code[code]]))
    negated = {
        stem(_SYNONYMS.get(w, w)) for w in (m.lower() for m in _NEGATION.findall(transcript))
    }
    return Said(
        frozenset(spoken - negated),
        frozenset(found_codes),
        frozenset(negated),
        named,
        spoken=frozenset(own - negated),
        figures=frozenset(stated_values(as_written) | code_figures(as_written)),
        letters=frozenset(_LETTER_SAID.findall(transcript.lower())),
        order=ordered_words(transcript),
        initials=frozenset(initial_codes(transcript) - found_codes),
    )


def without_value(reading: Said, value_words: str) -> Said:
    """``reading`` without the words of its value and unit.

    "Three point two" names no measuring *point*; "mm" is in the text of every limit in
    millimetres, and the unit is matched on its own (:func:`unit_fits`).
    """
    drop = words(value_words)
    figures = reading.figures - stated_values(written(value_words))
    return replace(
        reading, words=reading.words - drop, spoken=reading.spoken - drop, figures=figures
    )


_DIMENSION_WORDS: Final = {
    "pressure": "pressure",
    "temperature": "temperature",
    "current": "current",
    "voltage": "voltage",
    "rotation": "speed",
    "flow": "flow",
    "resistance": "insulation",
}
"""A unit says what was measured: "2800 psi" is a pressure even when the word is not said."""


_VAGUE: Final = frozenset(stem(w) for w in (*_DIMENSION_WORDS.values(), "speed", "level", "value"))
"""One-word parameters that say only what kind of quantity was measured."""


def with_unit(reading: Said, unit: str | None) -> Said:
    """``reading`` with the quantity its unit measures added to its words."""
    implied = _DIMENSION_WORDS.get(dimension(unit) or "") if unit else None
    if implied is None or implied == "temperature" and reading.words & _DIFFERENCE_WORDS:
        # Degrees of superheat or of a rise measure a difference, not a temperature.
        return reading
    return replace(reading, implied=frozenset({stem(implied)}))


def _hits(word: str, field: frozenset[str]) -> bool:
    """``word`` is in ``field``, or abbreviates a word of it ("evap" for "evaporator")."""
    return word in field or (len(word) >= 4 and any(w.startswith(word) for w in field))


def unit_fits(limit: Limit, unit: str | None) -> bool:
    """Whether a reading in ``unit`` can be compared with ``limit`` (no unit: any limit)."""
    if unit is None:
        return True
    wanted, have = dimension(unit), dimension(limit.unit)
    if wanted is None or have is None:
        return unit.lower() == limit.unit.lower()
    return wanted == have


def rank(
    reading: Said,
    described: Sequence[Described],
    unit: str | None,
    *,
    prefer: str | None = None,
    value: float | None = None,
) -> list[Candidate]:
    """Limits a reading may be about, best first; only those whose unit fits.

    Each word of the reading counts once, where it weighs most: in the parameter, in the
    component's name, in the words around the limit. Then the tie-breakers: the component or
    the manual the reading names, the manual's own words, an operating-limits table, the unit,
    and the scale of the ``value`` read (391 V is no battery's 27.6 V).
    """
    out: list[Candidate] = []
    differs = bool(reading.words & _DIFFERENCE_WORDS)
    for d in described:
        if not unit_fits(d.limit, unit):
            continue
        if d.limit.unit == "K" and unit in ("°C", "°F") and not differs:
            # "110 Fahrenheit in the UPS room" is a temperature, not a rise of 110 degrees: a
            # limit in kelvin (a difference) takes degrees only when the words say a difference.
            continue
        if unit == "K" and d.limit.unit != "K" and not _on_a_difference(d):
            # And the other way round: "36 K across the boiler" is no boiler room's temperature.
            continue
        if is_band(d.limit.minimum, d.limit.maximum) and DEVIATION not in reading.words:
            # "Exhaust after cylinder 4 is 455 °C" is no deviation of ± 50 °C from the mean.
            continue
        score = 0.0
        matched: list[str] = []
        for word in reading.words | reading.implied | reading.codes | reading.initials:
            for where, weight in (
                (d.codes, CODE_WEIGHT),
                (d.parameter, PARAMETER_WEIGHT),
                (d.component, COMPONENT_WEIGHT),
                (d.context, CONTEXT_WEIGHT),
            ):
                if _hits(word, where):
                    # A word only the unit implies weighs less than one said: "counterbalance
                    # ... 48 bar" is about the counterbalance, not any "pressure" limit.
                    implied = word in reading.implied and word not in reading.words
                    score += weight * (IMPLIED_SHARE if implied else 1.0)
                    matched.append(word)
                    break
        if len(d.parameter) > 1 or not d.parameter <= _VAGUE:
            # A vague one-word parameter ("Pressure") earns no coverage; "pH" does.
            covered = sum(
                1
                for w in d.parameter
                if any(_hits(r, frozenset({w})) for r in reading.words | reading.implied)
            )
            score += COVERAGE_WEIGHT * covered / len(d.parameter)
        score -= NEGATED_WEIGHT * len(reading.negated & (d.parameter | d.context))
        score -= OTHER_SIDE_WEIGHT * _other_side(reading.words, d.parameter)
        score += FIGURE_WEIGHT * len(reading.figures & d.figures)
        if reading.letters & d.variants:
            score += FIGURE_WEIGHT
        if d.limit.component_id and (
            normal_code(d.limit.component_id) in reading.codes | reading.initials
            or (d.names and d.names <= reading.spoken)
            or d.limit.component_id == reading.named
        ):
            # Its ID, every word of its name as its manual names it, or the component the
            # manuals resolve the words to (an ID two manuals share has one name per manual).
            # Only words said count: "bar" implies a pressure, it names no "pressure filter",
            # and the "temperature sensor" a tag brings along names no other sensor.
            score += NAMED_BONUS
        if reading.codes & d.document_codes or (
            d.limit.source is not None and d.limit.source.document in reading.machines
        ):
            score += DOCUMENT_CODE_BONUS
        elif (
            reading.machine is not None
            and not reading.machines
            and d.limit.source is not None
            and d.limit.source.document == reading.machine
        ):
            score += MACHINE_AT_BONUS
        score += DOCUMENT_WORD_WEIGHT * len(reading.words & d.document_words)
        if re.search(r"limit|permissib|operating", d.limit.context, re.IGNORECASE):
            score += OPERATING_BONUS
        if unit is not None and unit == d.limit.unit:
            score += SAME_UNIT_BONUS
        elif unit is None and dimension(d.limit.unit) is None:
            # "pH on the tower water is six point seven": a value said with no unit fits a limit
            # printed with none (a pH, a ratio, a count) better than the water's temperature.
            score += UNITLESS_BONUS
        if prefer and d.limit.component_id == prefer:
            score += PREFERRED_BONUS
        if d.parameter & _SETTING and not reading.words & _SETTING_SAID:
            score -= SETTING_WEIGHT
        off_scale = SCALE_WEIGHT * _off_scale(d.limit, value, unit)
        unsaid = bool(d.condition) and not d.condition & (reading.words | reading.implied)
        order = _in_order(reading.order, d.order)
        out.append(
            Candidate(d.limit, score - off_scale, tuple(sorted(matched)), off_scale, unsaid, order)
        )
    out.sort(key=lambda c: -c.score)
    return out


def _other_side(said: frozenset[str], parameter: frozenset[str]) -> int:
    """How many ends of a flow the reading says while the parameter names only the other one."""
    return sum(
        1
        for one, other in (*_SIDES, *((b, a) for a, b in _SIDES))
        if one in said and other in parameter and one not in parameter
    )


def _on_a_difference(d: Described) -> bool:
    """Whether ``d``'s words say its limit is on a temperature difference ("flow/return")."""
    return bool((d.parameter | d.context) & _DIFFERENCE_LIMIT)


def _in_order(said: Sequence[str], printed: Sequence[str]) -> int:
    """Pairs of ``printed``'s words that ``said`` has in the same order, less the pairs reversed."""
    at = {w: i for i, w in enumerate(printed)}
    places = [at[w] for w in said if w in at]
    return sum(1 if b > a else -1 for a, b in zip(places, places[1:], strict=False))


def decades_off(
    limit: Limit, value: float | None, unit: str | None, *, slack: float = SCALE_SLACK
) -> float:
    """How many powers of ten ``value`` lies beyond ``slack`` of ``limit``'s bounds.

    Zero when it is within that factor, or when a ratio means nothing: no value, a scale with an
    offset (temperatures), a value or bounds of zero. Sizes are compared, not signs: a vacuum of
    −1.5 to −1.0 inH2O is no 760 of anything.
    """
    if not value or unit is None or dimension(unit) == "temperature":
        return 0.0
    bounds = [b for b in (limit.minimum, limit.maximum) if b is not None]
    said = [convert(b, limit.unit, unit) for b in bounds]
    sizes = [abs(b) for b in said if b]
    if not sizes:
        return 0.0
    nearest = min(abs(math.log10(abs(value) / b)) for b in sizes)
    return max(0.0, nearest - math.log10(slack))


def _off_scale(limit: Limit, value: float | None, unit: str | None) -> float:
    """:func:`decades_off` of a value said with or without its unit.

    "Idle is sitting at 760" is no manifold pressure of 4.4–5.8 psi: a bare figure is most likely
    in the unit of the gauge, which the manual prints, so it is measured against the limit in
    that unit, with more slack (it may yet be in another unit of the kind).
    """
    if unit is not None:
        return decades_off(limit, value, unit)
    return decades_off(limit, value, limit.unit or None, slack=UNITLESS_SCALE_SLACK)


def same_limit(a: Limit, b: Limit) -> bool:
    """The same bounds from one manual twice (a table and a sentence), or from two copies."""
    same_bounds = (a.unit, a.minimum, a.maximum) == (b.unit, b.minimum, b.maximum)
    same_document = (
        a.source is not None and b.source is not None and (a.source.document == b.source.document)
    )
    return same_bounds and (same_document or a.parameter.lower() == b.parameter.lower())


def best(candidates: Sequence[Candidate], *, by_words: bool = False) -> list[Candidate]:
    """The top candidates that tie (one when there is a clear winner), duplicates dropped.

    Of a tie, those that hold under a condition the reading does not say are dropped when any
    other holds always, and then those whose words were said less in their order.
    ``by_words``: as the words alone rank them, the value's scale left out.
    """
    if not candidates:
        return []

    def score(c: Candidate) -> float:
        return c.score + c.off_scale if by_words else c.score

    ordered = sorted(candidates, key=lambda c: -score(c)) if by_words else list(candidates)
    top = score(ordered[0])
    tied: list[Candidate] = []
    for c in ordered:
        if score(c) < top - TIE:
            break
        if not any(same_limit(c.limit, t.limit) for t in tied):
            tied.append(c)
    tied = [c for c in tied if not c.unsaid_condition] or tied
    most = max(c.order for c in tied)
    return [c for c in tied if c.order == most]
