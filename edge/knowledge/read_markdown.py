"""Markdown manuals to blocks: ATX headings, pipe tables, numbered steps, bullets, paragraphs."""

from __future__ import annotations

import re
from typing import Final

from edge.knowledge.records import Block

_HEADING: Final = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_STEP: Final = re.compile(r"^\s{0,3}(\d{1,3})[.)]\s+(.+)$")
_BULLET: Final = re.compile(r"^\s{0,3}[-*+]\s+(.+)$")
_TABLE_RULE: Final = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
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
        if not line.strip():
            i += 1
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


def _items(
    lines: list[str], i: int, blocks: list[Block], marker: re.Pattern[str], kind: str
) -> int:
    items: list[str] = []
    while i < len(lines):
        line = lines[i]
        if m := marker.match(line):
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
