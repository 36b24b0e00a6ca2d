"""Blocks to chunks along the manual's own structure.

* A numbered procedure is one chunk (its steps are never split from each other).
* A table is one chunk; a long table is split into row groups with the header repeated, and a table
  with a component column is split per component, so "gearbox limits" is its own chunk.
* Paragraphs of one section are grouped up to about :data:`TEXT_WORDS` words.
* Every chunk is bounded whatever the input (:mod:`edge.knowledge.split`): long paragraphs are
  cut at sentence ends, then between words, then inside words; a table or procedure too large
  for one chunk is split into smaller row groups or read as text; titles are clipped.
* Every chunk keeps its title path, its page and the component IDs it concerns: the component of
  its section heading ``(YAW-BRK)`` first, then those written in it.
* The paragraph just before a table or procedure is kept with it as its ``intro`` (captions,
  "WARNING: ..." lines), and used for retrieval and for the spoken explanation. A manual that
  prints its captions under its tables (Word allows either) has each caption joined to the table
  above it instead, not to the next one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from edge.knowledge.components import ComponentIndex, heading_component
from edge.knowledge.records import Block, Chunk, ChunkKind, ParsedDocument
from edge.knowledge.split import CHUNK_CHARS, CHUNK_WORDS, clip, fits, pieces
from edge.knowledge.table_headers import joined_header
from edge.knowledge.table_layout import TABLE_CAPTION
from edge.knowledge.table_steps import procedure_rows

TEXT_WORDS: Final = CHUNK_WORDS
"""Target size of a text chunk; MiniLM reads 256 word pieces, so chunks stay well below."""
TABLE_ROWS: Final = 10
"""Most data rows in one table chunk."""
STRUCTURED_CHARS: Final = 2 * CHUNK_CHARS
"""Most characters in a table or procedure chunk; larger ones are split (or read as text)."""
TITLE_CHARS: Final = 200
"""Section titles are clipped to this (each chunk carries its title path)."""
_HEADING_NUMBER: Final = re.compile(r"^\d+(?:\.\d+)*\s+")


@dataclass(frozen=True, slots=True)
class ChunkedDocument:
    """Chunks of a document, with the intro paragraph of each table or procedure chunk."""

    chunks: tuple[Chunk, ...]
    intros: tuple[str, ...]
    """Per chunk: the paragraph that introduces it (empty for text chunks)."""
    section_components: dict[tuple[str, ...], str] = field(default_factory=dict)
    """Component of each section path, where a heading names one."""


def chunk_document(doc: ParsedDocument, index: ComponentIndex) -> ChunkedDocument:
    """Split ``doc`` into chunks; ``index`` knows the components (this and earlier manuals)."""
    out = _Chunker(index, captions_below=captions_below(doc.blocks))
    for block in doc.blocks:
        out.add(block)
    out.flush_text()
    return ChunkedDocument(tuple(out.chunks), tuple(out.intros), out.section_components)


def captions_below(blocks: Sequence[Block]) -> bool:
    """Whether a manual prints its table captions under its tables rather than over them.

    A manual keeps to one side. A caption with a table just before it and none just after votes
    for below, one with a table only just after it for above; one between two tables says
    nothing (it could be either's).
    """
    below = above = 0
    for i, block in enumerate(blocks):
        if block.kind != "paragraph" or not TABLE_CAPTION.match(block.text):
            continue
        after_table = i > 0 and blocks[i - 1].kind == "table"
        before_table = i + 1 < len(blocks) and blocks[i + 1].kind == "table"
        below += after_table and not before_table
        above += before_table and not after_table
    return below > above


class _Chunker:
    def __init__(self, index: ComponentIndex, *, captions_below: bool = False) -> None:
        self.index = index
        self.captions_below = captions_below
        self.last_table: list[int] = []
        """Chunks of the table just read, while nothing else has followed it."""
        self.stack: list[tuple[int, str, str | None]] = []  # (level, title, component)
        self.chunks: list[Chunk] = []
        self.intros: list[str] = []
        self.paragraphs: list[tuple[str, int | None]] = []
        self.section_components: dict[tuple[str, ...], str] = {}

    @property
    def section(self) -> tuple[str, ...]:
        return tuple(title for _, title, _ in self.stack)

    @property
    def component(self) -> str | None:
        return next((c for _, _, c in reversed(self.stack) if c), None)

    def add(self, block: Block) -> None:
        under_table = self.captions_below and self.last_table and block.kind == "paragraph"
        if under_table and TABLE_CAPTION.match(block.text):
            # The caption under a table names it (a lead-in paragraph above stays its intro).
            for i in self.last_table:
                self.intros[i] = "\n".join(filter(None, (block.text, self.intros[i])))
            self.last_table = []
            return
        first = len(self.chunks)
        self._add(block)
        made = range(first, len(self.chunks)) if block.kind == "table" else range(0)
        self.last_table = [i for i in made if self.chunks[i].kind != "text"]

    def _add(self, block: Block) -> None:
        if block.kind == "heading":
            self.flush_text()
            if block.level <= 1:
                return  # the document title is not part of section paths
            while self.stack and self.stack[-1][0] >= block.level:
                self.stack.pop()
            title = clip(block.text, TITLE_CHARS)
            found = heading_component(title)
            if found is None:
                # "3.3 Yaw brake caliper bolt torque" is about the yaw brake without saying its ID.
                found = self.index.resolve(_HEADING_NUMBER.sub("", title))
            self.stack.append((block.level, title, found.id if found else None))
            if self.component:
                self.section_components[self.section] = self.component
        elif block.kind == "paragraph":
            if block.text:
                self.paragraphs.append((block.text, block.page))
        elif block.kind == "list":
            # Bullets read as a paragraph: "- item" lines joined into sentences.
            text = " ".join(i if i.endswith((".", ":", ";")) else i + "." for i in block.items)
            self.paragraphs.append((text, block.page))
        elif block.kind == "steps":
            text = "\n".join(f"{n}. {item}" for n, item in enumerate(block.items, start=1))
            if len(text) > STRUCTURED_CHARS:  # not a procedure anyone reads aloud: keep it as text
                self.paragraphs.extend((item, block.page) for item in block.items)
                return
            intro, page = self._take_intro(block.page)
            self._emit("steps", text, page, intro, items=block.items)
        elif block.kind == "table" and (steps := procedure_rows(block.rows)):
            # "Step | Action" with the steps numbered down the first column: a procedure set as a
            # table, read out step by step like any other.
            self.add(Block("steps", items=steps, page=block.page))
        elif block.kind == "table" and all(len(row) <= 1 for row in block.rows):
            # A ruled box of one column is a note, not a table: "CAUTION" over the lines of its
            # text, which read as one paragraph (a row per printed line would cut sentences).
            text = " ".join(" ".join(row).strip() for row in block.rows if row and row[0].strip())
            if text:
                self.paragraphs.append((text, block.page))
        elif block.kind == "table":
            intro, page = self._take_intro(block.page)
            for group in self._table_groups(joined_header(block.rows)):
                text = "\n".join(" | ".join(cells) for cells in group)
                if len(text) > STRUCTURED_CHARS:  # one row larger than a chunk: read it as text
                    self.paragraphs.append((" ".join(" ".join(r) for r in group[1:]), page))
                    self.flush_text()
                    continue
                col = self._component_column(group)
                owner = {r[col].strip() for r in group[1:]} if col is not None else set()
                only = owner.pop() if len(owner) == 1 else None
                self._emit("table", text, page, intro, rows=group, group_component=only)

    def _take_intro(self, page: int | None) -> tuple[str, int | None]:
        """The paragraph just before a table or procedure becomes its intro (if it is short)."""
        if not self.paragraphs or not fits(self.paragraphs[-1][0]):
            self.flush_text()
            return "", page
        text, intro_page = self.paragraphs.pop()
        self.flush_text()
        return text, intro_page if intro_page is not None else page

    def _component_column(self, rows: tuple[tuple[str, ...], ...]) -> int | None:
        """The column of component IDs (the ID table's names column is not one)."""
        for i, h in enumerate(rows[0]):
            if h.strip().lower() in ("component", "component id"):
                values = [r[i].strip() for r in rows[1:] if r[i].strip()]
                if values and all(self.index.has(v) for v in values):
                    return i
        return None

    def _table_groups(self, rows: tuple[tuple[str, ...], ...]) -> list[tuple[tuple[str, ...], ...]]:
        header, body = rows[0], list(rows[1:])
        comp_col = self._component_column(rows)
        header_chars = _row_chars(header)
        groups: list[list[tuple[str, ...]]] = []
        chars = 0
        for row in body:
            same = comp_col is not None and groups and groups[-1][-1][comp_col] == row[comp_col]
            room = chars + _row_chars(row) <= STRUCTURED_CHARS
            if groups and len(groups[-1]) < TABLE_ROWS and (comp_col is None or same) and room:
                groups[-1].append(row)
                chars += _row_chars(row)
            else:
                groups.append([row])
                chars = header_chars + _row_chars(row)
        return [(header, *g) for g in groups] or [(header,)]

    def flush_text(self) -> None:
        """Group the pending paragraphs of the current section into text chunks."""
        parts: list[tuple[str, int | None]] = []
        for text, page in self.paragraphs:
            if len(text.split()) > TEXT_WORDS * 1.5 or len(text) > CHUNK_CHARS:
                parts.extend((s, page) for s in pieces(text))
            else:
                parts.append((text, page))
        self.paragraphs = []
        current: list[str] = []
        first_page: int | None = None
        words = chars = 0
        for text, page in parts:
            n, c = len(text.split()), len(text) + 1
            if current and (words + n > TEXT_WORDS or chars + c > CHUNK_CHARS):
                self._emit("text", "\n".join(current), first_page, "")
                current, words, chars = [], 0, 0
            if not current:
                first_page = page
            current.append(text)
            words += n
            chars += c
        if current:
            self._emit("text", "\n".join(current), first_page, "")

    def _emit(
        self,
        kind: ChunkKind,
        text: str,
        page: int | None,
        intro: str,
        *,
        items: tuple[str, ...] = (),
        rows: tuple[tuple[str, ...], ...] = (),
        group_component: str | None = None,
    ) -> None:
        primary = group_component or self.component
        mentioned = self.index.ids_in(f"{intro}\n{text}")
        components = tuple(dict.fromkeys([c for c in (primary, *mentioned) if c]))
        self.chunks.append(
            Chunk(
                kind=kind,
                section=self.section,
                text=text,
                page=page,
                components=components,
                rows=rows,
                items=items,
            )
        )
        self.intros.append(intro)


def _row_chars(row: tuple[str, ...]) -> int:
    return sum(len(cell) + 3 for cell in row)
