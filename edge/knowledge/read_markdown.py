"""Markdown manuals to blocks: ATX headings, pipe tables, numbered steps, bullets, paragraphs.

Blockquotes (``> **WARNING** ...`` admonitions) are read as paragraphs without their markers;
thematic breaks (``---``) are dropped; a list nested in an item (bullets under a step, sub-items
under a bullet) joins that item's text, so each step keeps everything it says.
"""

from __future__ import annotations

import re
from typing import Final

from edge.knowledge.records import Block

_HEADING: Final = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_STEP: Final = re.compile(r"^\s{0,3}(\d{1,3})[.)]\s+(.+)$")
_BULLET: Final = re.compile(r"^\s{0,3}[-*+]\s+(.+)$")
_TABLE_RULE: Final = re.compile(r"^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_THEMATIC_BREAK: Final = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_QUOTE: Final = re.compile(r"^\s{0,3}>\s?")
_LINK: Final = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS: Final = re.compile(r"(\*\*|__|\*|`)")


def clean_inline(text: str) -> str:
    """Drop inline Markdown (emphasis, code ticks, link targets) and collapse whitespace."""
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS.sub("", text)
    return " ".join(text.split())


def parse_markdown(source: str) -> list[Block]:
    """Split Markdown ``source`` into blocks in reading order."""
    blocks: list[Block] = []
    lines = source.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip() or _THEMATIC_BREAK.match(line):
            i += 1
            continue
        if _QUOTE.match(line):
            i = _quote(lines, i, blocks)
            continue
        if m := _HEADING.match(line):
            blocks.append(Block("heading", clean_inline(m.group(2)), level=len(m.group(1))))
            i += 1
        elif line.lstrip().startswith("|"):
            i = _table(lines, i, blocks)
        elif _STEP.match(line):
            i = _items(lines, i, blocks, _STEP, "steps")
        elif _BULLET.match(line):
            i = _items(lines, i, blocks, _BULLET, "list")
        else:
            i = _paragraph(lines, i, blocks)
    return blocks


def _table(lines: list[str], i: int, blocks: list[Block]) -> int:
    rows: list[tuple[str, ...]] = []
    while i < len(lines) and lines[i].lstrip().startswith("|"):
        line = lines[i].strip()
        i += 1
        if _TABLE_RULE.match(line):
            continue
        # Escaped pipes (\|) stay inside a cell.
        cells = re.split(r"(?<!\\)\|", line.strip("|"))
        rows.append(tuple(clean_inline(c.replace("\\|", "|")) for c in cells))
    if rows:
        width = max(len(r) for r in rows)
        blocks.append(Block("table", rows=tuple(r + ("",) * (width - len(r)) for r in rows)))
    return i


def _quote(lines: list[str], i: int, blocks: list[Block]) -> int:
    """A blockquote (an admonition box) as one paragraph."""
    parts: list[str] = []
    while i < len(lines) and _QUOTE.match(lines[i]):
        parts.append(_QUOTE.sub("", lines[i], count=1).strip())
        i += 1
    text = clean_inline(" ".join(p for p in parts if p))
    if text:
        blocks.append(Block("paragraph", text))
    return i


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())


def _items(
    lines: list[str], i: int, blocks: list[Block], marker: re.Pattern[str], kind: str
) -> int:
    items: list[str] = []
    base = _indent(lines[i])
    while i < len(lines):
        line = lines[i]
        sub = _STEP.match(line) or _BULLET.match(line)
        if items and sub and _indent(line) > base:
            # A sub-item joins its parent item: "Visual checks: tyres; forks; chains".
            text = sub.group(sub.lastindex or 1)
            glue = " " if items[-1].rstrip().endswith((":", ".", ";")) else "; "
            items[-1] = items[-1].rstrip() + glue + text.strip()
        elif m := marker.match(line):
            items.append(m.group(2) if kind == "steps" else m.group(1))
        elif line.strip() and line.startswith((" ", "\t")) and items:
            items[-1] += " " + line.strip()  # continuation of a wrapped item
        else:
            break
        i += 1
    blocks.append(
        Block("steps" if kind == "steps" else "list", items=tuple(clean_inline(t) for t in items))
    )
    return i


def _paragraph(lines: list[str], i: int, blocks: list[Block]) -> int:
    parts: list[str] = []
    while i < len(lines):
        line = lines[i]
        if (
            not line.strip()
            or _QUOTE.match(line)
            or _THEMATIC_BREAK.match(line)
            or _HEADING.match(line)
            or line.lstrip().startswith("|")
            or _STEP.match(line)
            or _BULLET.match(line)
        ):
            break
        parts.append(line.strip())
        i += 1
    blocks.append(Block("paragraph", clean_inline(" ".join(parts))))
    return i
