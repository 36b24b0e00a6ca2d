"""Limits written in sentences: "must not exceed 4.5 mm/s", "shall not fall below 1 MΩ".

A sentence states a limit when a modal verb binds a quantity ("The distance between the hubs must
be between 3 and 4 millimetres") or an event does ("Replace the wear rings when the clearance
reaches 0.90 mm"). The parameter is the noun phrase before the verb; "it" takes the subject of the
sentence before ("The condenser approach is ... At full load it must not exceed 4 F"). A sentence
that begins with an instruction is also the action to take. Ranges stated for new parts ("0.35-0.45
mm when new") are assembly sizes, not operating limits, and are skipped.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Final

from edge.events import SourceRef
from edge.knowledge.limit_headers import AS_DESIGNED
from edge.knowledge.limit_text import (
    Bounds,
    beyond,
    bound_in_name,
    is_band,
    parse_bounds,
    protective_points,
)
from edge.knowledge.records import Limit
from edge.knowledge.terms import codes_in_text
from edge.knowledge.units import dimension

NEW_ONLY: Final = re.compile(
    r"\bwhen new\b|\bnew condition\b|\bas new\b|" + AS_DESIGNED, re.IGNORECASE
)
"""Sizes of a new part, or as designed ("the design radial clearance is 0.80 ± 0.10 mm"): what
it is built to, not the limit it is worn or run to (a design pressure or load is a limit)."""


_MODAL: Final = re.compile(
    r"\b(?:must|shall|should)\s+(?:not\s+|never\s+)?(?:be\b|[a-z]+(?<!be)(?=\s))"
    r"|\bmay\s+(?:not\s+)?(?:be|exceed|fall|stay|remain|reach|drop|lie|rise|run|operate)\b"
    r"|\b(?:is|are)\s+(?:not\s+)?(?:permitted|allowed)\b"
    r"|\b(?:is|are)\s+not\s+to\s+(?:exceed|be|fall)\b",  # "is NOT TO EXCEED 30 PERCENT"
    re.IGNORECASE,
)
"""A modal verb binding a quantity. After must/shall/should any verb may ("must trip at a pull of
no more than 125 N", "shall not rise above 90 °C"): the sentence states a limit only if what
follows has a bound (see :func:`~edge.knowledge.limit_text.parse_bounds`)."""
_EVENT: Final = re.compile(
    r"\b(?:when|before|if|once)\s+(?:the\s+|it\s+)?([a-z0-9][\w\s\-]{0,60}?)\s+"
    r"(reaches|exceeds|falls below|drops below|rises above|(?:falls|drops|rises) to|"
    r"is above|is below|is less than|is more than|"
    r"(?:is|are|has|have)\s+worn(?:\s+down)?\s+to|wears?\s+(?:down\s+)?to|"
    r"(?:measures?|shows?|reads?|gives?)\s+(?:more|less|lower|higher)\s+than)\b",
    re.IGNORECASE,
)
_EVENT_SIDE: Final = re.compile(
    r",?\s*\bor\s+(?:less|more|lower|higher|below|above)\b"
    r"|^\s*(?:(?:less|lower|more|higher)\s+than|below|above|under|over)\s+(?=[-+\u2212]?\d)",
    re.I,
)
"""How an event repeats its own side ("when it has worn to 60 mm or less", "has worn to less
than 6 mm"): the limit is the figure it crosses, on the side the event's verb says."""
_INSTRUCTED: Final = re.compile(
    r"^(?:replace|renew|change|re-?tension|re-?adjust|adjust|regrind|discard|scrap|overhaul)\s+"
    r"(?:the|each|every|all|any)\s+(?P<object>[a-z][\w\s\-]{0,40}?)\s+"
    r"(?:when|before|if|once)\s",
    re.IGNORECASE,
)
"""An instruction whose object an event's "it" stands for: "Replace the blade when it has worn
to 60 mm"."""
_NO_SUBJECT: Final = re.compile(
    r"^no\s+(?:single\s+|one\s+|individual\s+)?(?:reading|value|measurement|result)s?$",
    re.IGNORECASE,
)
"""A subject that negates its sentence: "No single reading shall be less than 12.6 mm" says
that every reading shall not be (a minimum of what the sentence before measures)."""
_NORMALLY: Final = re.compile(
    r"\b(?:(?:is|are)\s+(?:normally|nominally|usually)|(?:normally|usually)\s+(?:reads?|runs?|"
    r"shows?|stays?|operates?))\s+(?=(?:between\s+)?[-+\u2212]?\d[^.;]*?"
    r"(?:\d\s*(?:[\u2013\u2014]|-|\bto\b|\band\b)\s*[-+\u2212]?\d|±|\+/-))"
    r"|\b(?:is|are)\s+(?=[-+\u2212]?\d+(?:\.\d+)?\s*(?:±|\+/-))",
    re.IGNORECASE,
)
"""A quantity stated as a band it normally keeps ("is normally 25 TO 45 DEG C", "normally reads 75
TO 95 DEG C") or as a value with its tolerance ("the closing time is 9.0 +/- 0.5 S"): a limit
without a modal verb. A single figure is no band ("is normally 25 °C", "is 230 V")."""
_FORBIDDEN_WITH: Final = re.compile(
    r"\b(?:(?:must|shall|should|may)\s+not\s+be\s+(?P<done>[a-z]+)|(?:do\s+not|never)\s+"
    r"(?P<verb>[a-z]+))\b"
    r"[^.;]*?\b(?:with|when|while|if)\s+(?:the\s+)?(?P<subject>[a-z][\w\s\-]{0,60}?)\s+"
    r"(?:is\s+|are\s+)?(?P<side>below|under|lower than|less than|above|over|higher than|"
    r"more than|exceeding)\s+(?P<bound>[-+\u2212]?\d[^;]*)",
    re.IGNORECASE,
)
""""The drive must not be started with the gearbox oil below −15 °C", "Do not energise the
transformer when the top-oil temperature is below −25 °C": what is forbidden past a value bounds
the quantity named after "with" / "when" (below: a minimum; above: a maximum), when doing what is
forbidden ("gearbox oil temperature when starting": a reading taken to start the drive)."""
_PROTECTS: Final = re.compile(
    r"^(?:the\s+)?(?P<subject>[\w\s\-]{1,40}?)\s+(?:alarms?|trips?|warns?|shuts?\s+(?:down|off)|"
    r"cuts?\s+(?:out|back))\b(?=.*\d)",
    re.IGNORECASE,
)
"""A sentence saying where something protects the machine: "49S alarms at 115 DEG C"."""
_NAMED_BY_KIND: Final = frozenset(("temperature", "pressure", "voltage", "current"))
"""Kinds of quantity whose name is the word for them: "the gearbox oil below −15 °C" is the
gearbox oil temperature, as the manual's table of limits calls it."""
_LOW_EVENT: Final = re.compile(r"below|less|lower|worn|wears?|falls|drops", re.IGNORECASE)
"""Events that cross a minimum: a value falling, a part worn down to what must remain."""
_ACCEPTED: Final = re.compile(
    r"^(?P<where>.*?),?\s*(?:values?|readings?|levels?)\s+(?P<bound>(?:of\s+)?(?:up to|below|under|"
    r"above|over|at least|not more than|not less than)\s+[^,;]*?\d[^,;]*?)\s+(?:is|are)\s+"
    r"(?:acceptable|permissible|permitted|allowed)\b",
    re.IGNORECASE,
)
""""At the compression element, values up to 4.5 mm/s are acceptable": the quantity is the one
the sentence before limits ("The vibration velocity at the motor bearings must not ..."), at the
place this one names."""
_ASIDE: Final = re.compile(
    r",\s*(?:measured|taken|read|tested|checked|corrected|with|at|when|after|during)\b"
    r"(?:[^,]|,(?=\d))*,?\s*$",
    re.IGNORECASE,
)
_PRONOUN: Final = re.compile(r"^(?:it|they|this|these|that|the value|the reading)$", re.IGNORECASE)
_LEADING: Final = re.compile(
    r"^(?:the|a|an|its|their|at\s.*?,?\s*(?:the)?|in\s.*?,\s*(?:the)?)\s+", re.I
)
_CLAUSE: Final = re.compile(r";\s+|,\s+(?:that is|i\.e\.)\s+|\s+and\s+(?=(?:must|shall)\b)")
"""Where a sentence holds two statements (see :func:`prose_limits`)."""
_SUBJECT_WORDS: Final = 6
_CONDITION: Final = re.compile(r"\s(?:under|with|during|while|when|after|before)\s", re.IGNORECASE)
_LABELLED: Final = re.compile(
    r"^(?:\(?(?:\d{1,2}|[a-z])[.)]\s+)?"  # a list item's number: "(3) ", "b. "
    r"(?P<label>[A-Z][^:;.]{2,80}?):\s+(?P<value>(?:(?i:max\.|min\.|maximum|minimum|"
    r"not (?:less|more) than|not (?:below|above|under|over)|up to|not to exceed|"
    r"no (?:more|less) than|at (?:least|most))|[≤≥<>]|[-+\u2212]?\d"
    r"|[a-z]+(?: [a-z]+)?\s+[-+\u2212]?\d).*)$"
)
"""A line that names a quantity and gives its value: "Suction pressure, normal: 118–128 psig",
"Manifold pressure, natural gas: high fire 3.5 ± 0.3 in. w.c.; low fire 1.8 ± 0.2 in. w.c."."""
_NEXT_LABEL: Final = re.compile(r"(?<=[.!?])\s+(?=[A-Z][^:;.]{2,80}?:\s)")
"""Where a sentence after a labelled figure starts the next label ("... 0.10 MM. TIR at the
coupling: ..."); "max. 2.0 in." runs on."""
_KEEP: Final = re.compile(
    r"^(?:keep|maintain)\s+(?P<subject>[a-z][\w\s\-]{0,60}?)\s+(?P<bound>(?:between|below|above|"
    r"under|over|at or below|at or above|at least|not (?:below|above))\s+[-+\u2212]?\d.*)$",
    re.IGNORECASE,
)
"""An instruction to hold a quantity within a bound: "Keep the cabinet temperature between +15 °C
and +25 °C", "Maintain the suction pressure above 2 bar"."""
_CONDITION_FIRST: Final = re.compile(r"^(?P<condition>[a-z]+(?: [a-z]+)?)\s+(?=[-+\u2212]?\d)")
_FROM_REFERENCE: Final = re.compile(
    r"\bfrom (?:the )?(?:mean|average|set[- ]?point|set value|nominal)(?: of(?: \w+){1,3})?",
    re.IGNORECASE,
)
_BRACKETED: Final = re.compile(r"\((?:[^()\s]+\s+){2,}[^()]*\)")
"""A bracket of three words or more: an explanation, not a tag ("(26SA-C)")."""
SENTENCE: Final = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


def _subject(before: str) -> str:
    """The noun phrase a limit sentence is about: "The voltage at the terminals must ..."."""
    # "The rotor insulation resistance, measured at 500 V DC, must ...": the aside set off by
    # commas says how, not what.
    before = _ASIDE.sub("", before)
    clause = re.split(r"[;:]|,\s+(?:and|but|so|while)\s+|\band\s+(?=the\s)", before)[-1]
    last = clause.split()[-1] if clause.split() else ""
    if _PRONOUN.match(last):
        return last  # "At full load it": the sentence before says what "it" is
    clause = re.sub(
        r"^.*?\b(?:at|with|after|during|in|when|if|once|before|while)\b(?:[^,]|,(?=\d))*,\s*",
        "",
        clause.strip(),
        flags=re.IGNORECASE,
    )
    # "At operating temperature the viscosity": the subject follows the leading phrase.
    clause = re.sub(
        r"^(?:at|in|with|after|during|for|on|under|below|above)\s.*?\s(?=the\s)",
        "",
        clause,
        flags=re.IGNORECASE,
    )
    clause = _LEADING.sub("", clause.strip())
    subject = " ".join(clause.split()).strip(" ,")
    label = before.rsplit(":", 1)[0] if ":" in before else ""
    if label and _PRONOUN.match(f"the {subject}"):
        # "Main circuit, each phase against earth, 5 kV DC: the value must not be less than
        # 1 GΩ": the label names what "the value" is.
        return _LEADING.sub("", label.split(",")[0].strip())
    return subject


def prose_limits(
    text: str, *, component: str | None, source: SourceRef, context: str = ""
) -> list[Limit]:
    """Limits stated in sentences ("must not exceed 4.5 mm/s"); the sentence is the action."""
    found: list[Limit] = []
    previous = ""
    for paragraph in text.split("\n"):
        labelled = _labelled_limits(" ".join(paragraph.split()), component, source, context)
        if labelled:
            found.extend(labelled)
            continue
        named_before: list[str] = []  # the codes of the paragraph's sentences so far
        for sentence in SENTENCE.split(" ".join(paragraph.split())):
            # "The air gap is 0.3-0.5 mm when new; readjust when it reaches 0.8 mm": the sizes
            # of new parts are no limit, the clause after them is.
            # "... exceeds 2 %, that is when 20 links measure more than 323.9 mm": two limits.
            # "The disc is 40 mm thick when new and must not be thinner than 37 mm": likewise.
            for clause in _CLAUSE.split(sentence):
                if not re.search(r"\d", clause) or NEW_ONLY.search(clause):
                    previous = clause
                    continue
                if found and (marked := _points_added(found[-1], clause)) is not None:
                    found[-1] = marked  # "49S alarms at 115 DEG C and trips ... at 125 DEG C"
                    previous = clause
                    continue
                limit = _sentence_limit(clause, previous, component, source, context)
                if limit is not None:
                    # The codes of the whole sentence ("checked at terminal X2 and must ..."), or
                    # of the paragraph it goes on ("Relay 64F measures the insulation of the
                    # field circuit. Stage 1 alarms when the resistance falls to 20 KILOHMS").
                    own = codes_in_text(sentence) or named_before
                    found.append(replace(limit, codes=tuple(dict.fromkeys(own))))
                previous = clause
            named_before += codes_in_text(sentence)
    return found


def _points_added(limit: Limit, sentence: str) -> Limit | None:
    """``limit`` with the protective points of the sentence after it, when it is about it.

    "The hottest stator RTD, 49S, normally reads 75 TO 95 DEG C. 49S alarms at 115 DEG C and
    trips the unit at 125 DEG C.": the second sentence names what the first limits (its tag, or
    the words of its name) and where the machine protects itself beyond that band.
    """
    said = _PROTECTS.match(sentence)
    if said is None:
        return None
    subject = said.group("subject").lower()
    named = set(codes_in_text(sentence)) & set(limit.codes) or subject in limit.parameter.lower()
    if not named:
        return None
    band = Bounds(limit.minimum, limit.maximum, limit.unit)
    marks = [
        p.threshold(band)
        for p in protective_points(sentence[said.end("subject") :], limit.unit)
        if p.text_unit == limit.unit and beyond(p, band)
    ]
    return replace(limit, thresholds=(*limit.thresholds, *marks)) if marks else None


def _labelled_limits(
    line: str, component: str | None, source: SourceRef, context: str
) -> list[Limit]:
    """Limits of a "Quantity: value" line, one per ";" clause.

    A clause's condition (a word or two before its figure: "high fire", "low fire") joins the
    quantity's name.
    """
    # "TIR at the journal: NOT TO EXCEED 0.10 MM. TIR at the coupling: NOT TO EXCEED 0.05 MM":
    # a line of labelled figures, one per sentence.
    first, *rest = _NEXT_LABEL.split(line)
    found = _labelled_segment(first, component, source, context, line)
    if not found:
        return []  # a label later in a paragraph is a sentence's, read with the others
    return found + [
        limit
        for segment in rest
        for limit in _labelled_segment(segment, component, source, context, line)
    ]


def _labelled_segment(
    segment: str, component: str | None, source: SourceRef, context: str, line: str
) -> list[Limit]:
    m = _LABELLED.match(segment)
    if m is None:
        return []
    label = m.group("label").strip()
    out = []
    for clause in m.group("value").split(";"):
        clause = clause.strip()
        condition = _CONDITION_FIRST.match(clause)
        if condition and parse_bounds(f"{condition.group('condition')} 1") is not None:
            condition = None  # "not below 1 MΩ": the words say which bound, not when
        name = f"{label}, {condition.group('condition')}" if condition else label
        bounds = parse_bounds(
            clause[condition.end() :] if condition else clause, bound=bound_in_name(label)
        )
        if bounds is not None:
            out.append(bounds.limit(component or "", name, source, f"{context} {line}".strip(), ""))
    return out


def _sentence_limit(
    sentence: str, previous: str, component: str | None, source: SourceRef, context: str
) -> Limit | None:
    accepted = _ACCEPTED.search(sentence)
    if accepted is not None:
        return _accepted(accepted, sentence, previous, component, source, context)
    if keep := _KEEP.match(sentence):
        bounds = parse_bounds(keep.group("bound"))
        if bounds is None:
            return None
        subject = _LEADING.sub("", keep.group("subject").strip())
        return _build(subject, previous, bounds, sentence, component, source, context, modal=True)
    forbidden = _FORBIDDEN_WITH.search(sentence)
    if forbidden is not None:
        low = forbidden.group("side").lower() in ("below", "under", "lower than", "less than")
        bounds = parse_bounds(forbidden.group("bound"), bound="min" if low else "max")
        if bounds is not None and (bounds.minimum if low else bounds.maximum) is not None:
            subject = _LEADING.sub("", forbidden.group("subject").strip())
            kind = dimension(bounds.unit)
            if kind in _NAMED_BY_KIND and kind not in subject.lower():
                subject = f"{subject} {kind}"  # "gearbox oil" below −15 °C: its temperature
            limit = _build(
                subject, previous, bounds, sentence, component, source, context, modal=True
            )
            doing = _gerund(forbidden.group("verb") or forbidden.group("done"))
            return limit and replace(limit, parameter=f"{limit.parameter} when {doing}")
    modal = _MODAL.search(sentence) or _NORMALLY.search(sentence)
    event = _EVENT.search(sentence)
    if modal is not None and event is None:
        subject = _subject(sentence[: modal.start()])
        predicate = sentence[modal.start() :]
        if _NO_SUBJECT.match(subject):
            subject = ""  # what the sentence before measures
            predicate = re.sub(r"^(\w+)\s+", r"\1 not ", predicate)
    elif event is not None:
        # "A battery should be recharged before the specific gravity falls below 1.14 kg/l":
        # the quantity is the event's subject, not the sentence's.
        # "when the clearance reaches 0.90 mm": the event is the limit crossed, so its verb
        # says which bound ("falls below" a minimum, "reaches" a maximum).
        subject = _LEADING.sub("", event.group(1).strip())
        instructed = _INSTRUCTED.match(sentence)
        if _PRONOUN.match(subject) and modal is not None and modal.start() < event.start():
            # "The brake linings must be replaced when they are worn to 1.5 mm".
            subject = _subject(sentence[: modal.start()])
        elif _PRONOUN.match(subject) and instructed is not None:
            subject = instructed.group("object")
        low = _LOW_EVENT.search(event.group(2)) is not None
        predicate = _EVENT_SIDE.sub("", sentence[event.end(2) :])
        found = parse_bounds(re.split(r";|,\s", predicate)[0], bound="min" if low else "max")
        if found is None:
            return None
        return _build(subject, previous, found, sentence, component, source, context, modal=False)
    else:
        return None
    predicate = re.split(r";|,\s+(?:and|but|or)\s+|\s+and\s+(?=the\s)", predicate)[0]
    bounds = parse_bounds(predicate)
    if bounds is None:
        return None
    limit = _build(subject, previous, bounds, sentence, component, source, context, modal=True)
    reference = _FROM_REFERENCE.search(predicate)
    if limit and reference and is_band(bounds.minimum, bounds.maximum):
        # "... must not deviate by more than ± 50 °C from the mean of all cylinders": the band
        # is the quantity's deviation, not the quantity.
        limit = replace(limit, parameter=f"{limit.parameter} deviation {reference.group(0)}")
    return limit


def _gerund(verb: str) -> str:
    """The -ing form of a verb as a manual forbids it: "started" -> "starting"."""
    verb = verb.lower()
    if verb.endswith("ed") and len(verb) > 3:
        verb = verb[:-2]  # "operated" -> "operat", "stopped" -> "stopp"
    elif verb.endswith("e") and not verb.endswith("ee"):
        verb = verb[:-1]
    return f"{verb}ing"


def _accepted(
    found: re.Match[str],
    sentence: str,
    previous: str,
    component: str | None,
    source: SourceRef,
    context: str,
) -> Limit | None:
    bounds = parse_bounds(found.group("bound"))
    quantity = _subject(_MODAL.split(previous)[0]) if _MODAL.search(previous) else ""
    quantity = re.split(r"\s+(?:at|on|of|in)\s+", quantity)[0]
    where = _LEADING.sub("", found.group("where").strip()).strip(" ,")
    where = re.sub(r"^(?:at|on|in|for)\s+(?:the\s+)?", "", where, flags=re.IGNORECASE)
    if bounds is None or not quantity:
        return None
    subject = f"{quantity} at the {where}" if where else quantity
    return _build(subject, previous, bounds, sentence, component, source, context, modal=True)


def _build(
    subject: str,
    previous: str,
    bounds: Bounds,
    sentence: str,
    component: str | None,
    source: SourceRef,
    context: str,
    *,
    modal: bool,
) -> Limit | None:
    if not subject or _PRONOUN.match(subject):
        subject = _subject(re.split(r"\s+(?:is|are|was|means)\s+", previous)[0])
        subject = subject or re.sub(r"^\d+(?:\.\d+)*\s+", "", context)
    if len(subject.split()) > _SUBJECT_WORDS:
        # "The temperature rise across a blower (discharge temperature TIT-1n2 minus intake
        # temperature TIT-102)": long brackets say how it is worked out, not what it is called
        # (a short one names its tag: "Sump oil temperature (26QG)").
        subject = " ".join(_BRACKETED.sub(" ", subject).split())
    if len(subject.split()) > _SUBJECT_WORDS:
        # "The girder deflection at mid-span under the rated load of 20 t must not exceed
        # 30 mm": what follows "under", "with", "during" says when it is measured, not what.
        subject = _CONDITION.split(subject)[0].strip(" ,")
    if not subject or len(subject.split()) > 10:
        return None
    action = sentence[:1].upper() + sentence[1:] if re.match(r"^[A-Za-z]+\s", sentence) else ""
    action = "" if modal else action
    if action and not re.search(r"[.!?]$", action):
        action += "."  # a clause of a longer sentence is said as a sentence of its own
    parameter = subject[0].upper() + subject[1:]
    return bounds.limit(component or "", parameter, source, f"{context} {sentence}".strip(), action)
