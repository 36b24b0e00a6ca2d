"""Components: found in the manuals (ID tables, ``(ID)`` in headings) and recognised in speech.

A technician says "the yaw brake", "brake calipers" or "YAW-BRK"; all resolve to ``YAW-BRK``.
Matching is on whole words, tolerant of plurals, hyphens and split compounds ("gear box").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from edge.knowledge.records import Component

_ID: Final = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$")
_DEVICE: Final = re.compile(r"^\d{2}[A-Z]{1,4}\d?$")
"""A protective device's function number with its letter suffix ("26Q", "49W", "38UGB")."""
_DEVICE_NUMBER: Final = re.compile(r"^device\s*(?:no\.?|number|#)$", re.IGNORECASE)
"""A column of device numbers ("DEVICE NO."), beside the devices' names."""
_HEADING_ID: Final = re.compile(r"\(([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*)\)\s*$")
_HEADING_NUMBER: Final = re.compile(r"^\d+(?:\.\d+)*\s+")
_ID_HEADERS: Final = (
    "id",
    "component id",
    "tag",
    "identifier",
    "code id",
    "desig",
    "designation",
    "ref",
    "symbol",
    "item",
)
_NAME_HEADERS: Final = ("component", "name", "component name", "description", "device", "equipment")
_POINT_HEADERS: Final = ("measuring point", "measurement", "sensor", "instrument", "signal")
"""Names of measuring points: beside them a "Code" column holds the points' codes ("PT-101");
elsewhere a "Code" column holds fault codes, which name no part."""
_ALIAS_HEADERS: Final = ("also called", "aliases", "alias", "other names", "synonyms")

DESIGNATION: Final = re.compile(r"[A-Z]{1,3}-?\d{1,3}[A-Z]?")
"""A reference designation ("M1", "Y2", "K10", "TT-03"): numbered within one machine's documents,
so the same one names different parts in different manuals."""


def heading_component(title: str) -> Component | None:
    """The component a heading introduces, e.g. ``"3.2 Yaw brake (YAW-BRK)"``."""
    m = _HEADING_ID.search(title)
    if not m or len(m.group(1)) < 2:
        return None
    name = _HEADING_NUMBER.sub("", title[: m.start()]).strip(" -:")
    if not name:
        return None
    if name.isupper():
        name = name.capitalize()  # "HYDRAULIC TORQUE WRENCH" reads better as a sentence
    return Component(m.group(1), name)


def table_components(rows: Sequence[Sequence[str]]) -> list[Component]:
    """Components listed in a table with an ID column and a name column (else none)."""
    if len(rows) < 2:
        return []
    header = [_header_word(h) for h in rows[0]]
    id_col = next((i for i, h in enumerate(header) if h in _ID_HEADERS), None)
    if id_col is None:
        id_col = next((i for i, h in enumerate(rows[0]) if _DEVICE_NUMBER.match(h.strip())), None)
    name_col = next((i for i, h in enumerate(header) if h in _NAME_HEADERS and i != id_col), None)
    if name_col is None:
        name_col = next((i for i, h in enumerate(header) if h in _POINT_HEADERS), None)
        if id_col is None and name_col is not None:
            id_col = next((i for i, h in enumerate(header) if h == "code"), None)
    if id_col is None or name_col is None:
        return []
    alias_col = next((i for i, h in enumerate(header) if h in _ALIAS_HEADERS), None)
    found: list[Component] = []
    for row in rows[1:]:
        # "P-101A / P-101B | Centrifugal pump": two components of one description.
        ids = id_list(row[id_col])
        name = row[name_col].strip()
        if not name or not ids or not all(_ID.match(c) or _DEVICE.match(c) for c in ids):
            continue
        aliases: tuple[str, ...] = ()
        if alias_col is not None:
            aliases = tuple(a.strip() for a in re.split(r"[,;/]", row[alias_col]) if a.strip())
        found.extend(Component(cid, name, aliases) for cid in ids)
    return found


CODE_START: Final = r"(?<!\w)(?<!\w-)"
"""Where a printed code may start: not inside a word or a hyphenated code. A sign before it is
no part of it: IEC 81346 prints reference designations as "-Q0" (a product), "=H01" (a
function, here a panel) and "+H1" (a location)."""
_DESIGNATION_SIGN: Final = re.compile(r"^[-+=\u2212]+(?=[A-Z])")
_QUALIFIED: Final = re.compile(r"(.+?)\s*\(([^()]+)\)")
"""An ID cell with what it applies to in brackets: "-Q0 (VB-24/630)"."""

_ID_RANGE: Final = re.compile(
    r"\b([A-Z]+-?)(\d+)\s*(?:[\u2013\u2014-]|\u2026|\.{3}|\bto\b)\s*\1(\d+)\b"
)
"""A range of IDs: "FAN1–FAN4", "TE-701 … TE-709", "M1 to M4"."""
MAX_RANGE: Final = 24
"""Most IDs one range stands for ("FAN1–FAN4" is four)."""


def ranged_ids(text: str) -> list[str]:
    """The IDs every range in ``text`` stands for ("transmitters VS1–VS4": VS1 to VS4)."""
    found: list[str] = []
    for span in _ID_RANGE.finditer(text):
        if 0 < int(span[3]) - int(span[2]) < MAX_RANGE:
            found += [f"{span[1]}{n}" for n in range(int(span[2]), int(span[3]) + 1)]
    return found


def id_list(cell: str) -> list[str]:
    """The IDs an ID cell names: "P-101A / P-101B" is two, "FAN1–FAN4" four, "TT-101A/B/C" three.

    IEC 81346 signs are dropped ("-F1, -F2" is F1 and F2); what a bracket says the row applies
    to comes last, whole ("-Q0 (VB-24/630)": Q0, then "VB-24/630").
    """
    qualified = _QUALIFIED.fullmatch(cell.strip())
    if qualified:
        return [*id_list(qualified[1]), qualified[2].strip()]
    found: list[str] = []
    for part in re.split(r"\s*[/,;&]\s*|\s+and\s+", cell.strip()):
        part = _DESIGNATION_SIGN.sub("", part.strip())
        span = _ID_RANGE.fullmatch(part)
        if span and 0 < int(span[3]) - int(span[2]) < MAX_RANGE:
            found += [f"{span[1]}{n}" for n in range(int(span[2]), int(span[3]) + 1)]
        elif found and _SUFFIX_ONLY.fullmatch(part) and _SUFFIXED.fullmatch(found[-1]):
            # "PDT-105A/B/C": the pumps' B and C, not two IDs of one letter.
            found.append(found[-1][: -len(part)] + part)
        elif part:
            found.append(part)
    return found


_SUFFIX_ONLY: Final = re.compile(r"[A-Z]")
_SUFFIXED: Final = re.compile(r".*\d[A-Z]")
"""An ID ending in a letter after its number ("P-101A"): the letters after it are siblings."""


def _header_word(cell: str) -> str:
    """A column header as a plain word: "Ref.", "Tag No.", "Item #" -> "ref", "tag", "item"."""
    word = re.sub(r"[.:#]", " ", cell.lower())
    return re.sub(r"\s+(?:no|number)$", "", " ".join(word.split()))


def merge(components: Iterable[Component]) -> list[Component]:
    """One entry per ID: the first name wins, aliases (and later names) are pooled."""
    merged: dict[str, Component] = {}
    for c in components:
        if c.id not in merged:
            merged[c.id] = c
            continue
        old = merged[c.id]
        known = {old.name.lower(), *(a.lower() for a in old.aliases)}
        extra = []
        for alias in (c.name, *c.aliases):
            if alias.lower() not in known:
                known.add(alias.lower())
                extra.append(alias)
        aliases = (*old.aliases, *extra)
        merged[c.id] = Component(old.id, old.name, aliases)
    return sorted(merged.values(), key=lambda c: c.id)


def _phrase_pattern(phrase: str) -> str:
    words = re.findall(r"[a-z0-9]+", phrase.lower())
    if not words:
        return ""
    # Optional plural on each word; words may be split by spaces or hyphens or be joined.
    return r"[\s\-]*".join(re.escape(w) + r"(?:e?s)?" for w in words)


@dataclass(frozen=True, slots=True)
class _Pattern:
    component_id: str
    regex: re.Pattern[str]
    weight: int


class ComponentIndex:
    """Finds components named in free text. Immutable; safe to share between threads."""

    def __init__(self, components: Sequence[Component]) -> None:
        self.components = tuple(components)
        patterns: list[_Pattern] = []
        for c in self.components:
            spellings = {c.id, c.id.replace("-", " "), c.name, *c.aliases}
            for phrase in spellings:
                body = _phrase_pattern(phrase)
                if body:
                    regex = re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])", re.IGNORECASE)
                    patterns.append(_Pattern(c.id, regex, len(phrase)))
        self._patterns = tuple(patterns)
        self._by_id = {c.id: c for c in self.components}

    def has(self, component_id: str) -> bool:
        """True when ``component_id`` is exactly a known ID."""
        return component_id in self._by_id

    def get(self, component_id: str) -> Component | None:
        """The component with this ID (case-insensitive), if known."""
        hit = self._by_id.get(component_id.strip().upper())
        if hit is None:
            return self.resolve(component_id)
        return hit

    def resolve(self, text: str) -> Component | None:
        """The component named in ``text``: the earliest mention wins, then the longest."""
        best: tuple[int, int, str] | None = None
        for p in self._patterns:
            m = p.regex.search(text)
            if m:
                key = (m.start(), -(m.end() - m.start()), p.component_id)
                if best is None or key < best:
                    best = key
        return self._by_id[best[2]] if best else None

    def ids_in(self, text: str) -> list[str]:
        """Component IDs written verbatim in manual text, in order."""
        found: dict[str, None] = {}
        for m in re.finditer(rf"{CODE_START}[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*(?![\w-])", text):
            if m.group() in self._by_id:
                found.setdefault(m.group(), None)
        return list(found)


_ASIDE: Final = re.compile(r"[,;:]|\s\(|\s(?:with|incl\.|including)\s|\s[–—-]\s")


def spoken_name(name: str) -> str:
    """A component's name as said in a sentence: its head, without the description after it.

    ID tables describe as much as they name ("Main bearing, spherical roller bearing in cast
    housing, with automatic lubrication unit AL1"); a warning says "main bearing".
    """
    return in_sentence(_ASIDE.split(name.strip(), maxsplit=1)[0].strip() or name.strip())


def in_sentence(label: str) -> str:
    """A label inside a sentence: "Caliper halves" -> "caliper halves"; "HPU filter" as is."""
    label = label.strip()
    first = label.split(" ", 1)[0]
    return label[:1].lower() + label[1:] if first[1:].islower() or len(first) == 1 else label
