"""Plain-text layout conventions: rules, star boxes, ASCII-art tables and dot leaders.

Manuals written as plain text draw their structure with characters:

* rules (``=====``, ``-----``, ``*****``, ``+----+----+``) separate parts and mean nothing;
* safety messages sit in star boxes (``*  WARNING  Hazardous voltage ...  *``);
* tables are drawn with ``|`` and ``+--+`` (a cell wrapped onto the next line leaves the other
  cells of that line empty);
* specification lists use dot leaders (``Operating weight ........ 11,800 lb``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

_RULE: Final = re.compile(r"^[=\-*+_~#|.\s]{3,}$")
_LEADER: Final = re.compile(r"^(\S.*?\S)\s*\.{3,}\s*(\S.*)$")
_PAGE_NUMBER: Final = re.compile(r"^\d{1,4}$")
_SECTION_NUMBER: Final = re.compile(r"^\d+(?:\.\d+)*\s")


def is_rule(stripped: str) -> bool:
    """A line drawn only with rule characters (at least three of them)."""
    return bool(_RULE.match(stripped)) and any(c not in " |." for c in stripped)


def unbox(line: str) -> str:
    """The text inside a star-box line (``*  DANGER ...  *`` -> ``DANGER ...``), else the line."""
    stripped = line.strip()
    if len(stripped) > 2 and stripped[0] == "*" and stripped[-1] == "*" and not is_rule(stripped):
        return " " * (len(line) - len(line.lstrip())) + stripped[1:-1].strip()
    return line


def is_box_line(stripped: str) -> bool:
    """A line of an ASCII-art table: a ``+---+`` border or a ``| a | b |`` row."""
    return stripped.startswith("|") or (stripped.startswith("+-") and is_rule(stripped))


def box_rows(lines: Sequence[str]) -> list[tuple[str, ...]]:
    """Rows of an ASCII-art table, header first; wrapped cells joined to the row above."""
    rows: list[list[str]] = []
    for line in lines:
        stripped = line.strip()
        if not stripped.startswith("|"):
            continue
        cells = [" ".join(c.split()) for c in stripped.strip("|").split("|")]
        wrapped = not cells[0] or (cells[0][:1].islower() and not all(cells))
        if len(rows) > 1 and wrapped and len(cells) == len(rows[-1]):
            for k, cell in enumerate(cells):
                if cell:
                    rows[-1][k] = f"{rows[-1][k]} {cell}".strip()
        else:
            rows.append(cells)
    width = max((len(r) for r in rows), default=0)
    return [tuple(r + [""] * (width - len(r))) for r in rows]


def rule_columns(line: str) -> list[int]:
    """Start columns of the dash runs of a rule under a header ("-----  ------- ----")."""
    starts = [m.start() for m in re.finditer(r"[-=]+", line)]
    return starts if len(starts) >= 2 and is_rule(line.strip()) else []


def leader(stripped: str) -> tuple[str, str] | None:
    """(name, value) of a dot-leader line, else None."""
    m = _LEADER.match(stripped)
    return (m.group(1), m.group(2).strip()) if m else None


def is_contents(entries: Sequence[tuple[str, str]]) -> bool:
    """Leader lines that list sections and their page numbers: a table of contents."""
    return all(_PAGE_NUMBER.match(v) and _SECTION_NUMBER.match(k + " ") for k, v in entries)
