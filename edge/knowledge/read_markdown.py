"""Markdown manuals to blocks: headings, pipe tables, numbered steps, bullets, paragraphs.

Headings are ATX (``## 3.2 Charging``) or setext (a line underlined with ``===`` or ``---``);
pipe tables may leave out their outer pipes (``Tag | Component`` over ``--- | ---``), as GitHub
allows; raw HTML blocks (a ``<table>`` with its ``<caption>``) are read as the HTML reader reads
them. Blockquotes (``> **WARNING** ...``) and MkDocs admonitions (``!!! warning "Hot surfaces"``
over an indented body) are read as paragraphs without their markers, the admonition's kind and
title first ("WARNING: Hot surfaces. The discharge lines ..."); footnote markers (``[^1]``) are
dropped from the text and each footnote is a paragraph "Note 1: ..."; thematic breaks (``---``
after a blank line) are dropped; a list nested in an item (bullets under a step, sub-items under
a bullet) joins that item's text, so each step keeps everything it says.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Final

from edge.knowledge.read_html import parse_html
from edge.knowledge.records import Block

_HEADING: Final = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_STEP: Final = re.compile(r"^\s{0,3}(\d{1,3})[.)]\s+(.+)$")
_BULLET: Final = re.compile(r"^\s{0,3}[-*+]\s+(.+)$")
_TABLE_RULE: Final = re.compile(r"^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_THEMATIC_BREAK: Final = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_QUOTE: Final = re.compile(r"^\s{0,3}>\s?")
_SETEXT: Final = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_ADMONITION: Final = re.compile(r'^\s{0,3}[!?]{3}\+?\s*(\w+)(?:\s+"([^"]*)")?\s*$')
_FOOTNOTE: Final = re.compile(r"^\s{0,3}\[\^(\w+)\]:\s*(.*)$")
_FOOTNOTE_MARK: Final = re.compile(r"\[\^\w+\]")
_HTML_BLOCK: Final = re.compile(r"^\s{0,3}<(table|div|figure|dl|section|aside)\b", re.IGNORECASE)
_LINK: Final = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS: Final = re.compile(r"(\*\*|__|\*|`)")


def clean_inline(text: str) -> str:
    """Drop inline Markdown (emphasis, code ticks, link targets) and collapse whitespace."""
    text = _FOOTNOTE_MARK.sub("", text)
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
        elif _is_table(lines, i):
            i = _table(lines, i, blocks)
        elif _setext(lines, i):
            level = 1 if lines[i + 1].strip().startswith("=") else 2
            blocks.append(Block("heading", clean_inline(line), level=level))
            i += 2
        elif m := _ADMONITION.match(line):
            i = _admonition(lines, i, m, blocks)
        elif m := _FOOTNOTE.match(line):
            i = _paragraph(lines, i, blocks, first=f"Note {m.group(1)}: {m.group(2)}")
        elif m := _HTML_BLOCK.match(line):
            i = _html(lines, i, m.group(1).lower(), blocks)
        elif _STEP.match(line):
            i = _items(lines, i, blocks, _STEP, "steps")
        elif _BULLET.match(line):
            i = _items(lines, i, blocks, _BULLET, "list")
        else:
            i = _paragraph(lines, i, blocks)
    return _chapters_below_title(blocks)


_NUMBERED: Final = re.compile(r"^(?:(?:section|chapter|part)\s+)?\d", re.IGNORECASE)


def _chapters_below_title(blocks: list[Block]) -> list[Block]:
    """Chapters one level below the title when both are top-level headings.

    A manual that underlines its title and its chapters alike with ``===`` (or writes both as
    ``#``) has one level-1 heading per chapter; the chunker reads level 1 as the document's title
    only, so each chapter moves one level down, as does the whole tree under it. A first heading
    with a number ("Section 1 - General") is a chapter too.
    """
    tops = [i for i, b in enumerate(blocks) if b.kind == "heading" and b.level == 1]
    if len(tops) < 2:
        return blocks
    title = tops[0] if not _NUMBERED.match(blocks[tops[0]].text) else None
    return [
        replace(b, level=b.level + 1) if b.kind == "heading" and i != title else b
        for i, b in enumerate(blocks)
    ]


def _is_table(lines: list[str], i: int) -> bool:
    """A pipe table starts here: a row with outer pipes, or one over a delimiter row."""
    if lines[i].lstrip().startswith("|"):
        return True
    return (
        "|" in lines[i]
        and i + 1 < len(lines)
        and "|" in lines[i + 1]
        and bool(_TABLE_RULE.match(lines[i + 1].strip()))
    )


def _setext(lines: list[str], i: int) -> bool:
    """A one-line setext heading: text over a line of ``=`` or ``-``."""
    return (
        i + 1 < len(lines)
        and bool(_SETEXT.match(lines[i + 1]))
        and not (_STEP.match(lines[i]) or _BULLET.match(lines[i]) or _QUOTE.match(lines[i]))
    )


def _table(lines: list[str], i: int, blocks: list[Block]) -> int:
    rows: list[tuple[str, ...]] = []
    outer = lines[i].lstrip().startswith("|")
    while i < len(lines) and (
        lines[i].lstrip().startswith("|") if outer else "|" in lines[i] and lines[i].strip()
    ):
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


def _admonition(lines: list[str], i: int, m: re.Match[str], blocks: list[Block]) -> int:
    """A MkDocs admonition, its kind and title first: "WARNING: Hot surfaces. Let it cool ..."."""
    head = m.group(1).upper() + (f": {m.group(2)}." if m.group(2) else ":")
    parts: list[str] = []
    i += 1
    while i < len(lines) and (
        lines[i].startswith(("    ", "\t")) or not lines[i].strip() and _more_indented(lines, i)
    ):
        parts.append(lines[i].strip())
        i += 1
    blocks.append(Block("paragraph", clean_inline(" ".join([head, *parts]))))
    return i


def _more_indented(lines: list[str], i: int) -> bool:
    """A blank line inside an indented body: the next line with text is indented too."""
    rest = next((line for line in lines[i:] if line.strip()), "")
    return rest.startswith(("    ", "\t"))


def _html(lines: list[str], i: int, tag: str, blocks: list[Block]) -> int:
    """A raw HTML block, from its opening ``tag`` to the line that closes it."""
    end = i
    while end < len(lines) and f"</{tag}" not in lines[end].lower():
        end += 1
    blocks.extend(parse_html("\n".join(lines[i : end + 1]))[1])
    return end + 1


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


def _paragraph(lines: list[str], i: int, blocks: list[Block], first: str | None = None) -> int:
    """A paragraph from line ``i`` (read as ``first`` when given) to the next block."""
    parts = [lines[i].strip() if first is None else first]
    i += 1
    while i < len(lines):
        line = lines[i]
        if (
            not line.strip()
            or _QUOTE.match(line)
            or _THEMATIC_BREAK.match(line)
            or _HEADING.match(line)
            or _is_table(lines, i)
            or _setext(lines, i)
            or _ADMONITION.match(line)
            or _FOOTNOTE.match(line)
            or _HTML_BLOCK.match(line)
            or _STEP.match(line)
            or _BULLET.match(line)
        ):
            break
        parts.append(line.strip())
        i += 1
    blocks.append(Block("paragraph", clean_inline(" ".join(parts))))
    return i
