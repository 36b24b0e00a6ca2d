"""Data types of the manuals store: parsed blocks, chunks, search hits, components and limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from edge.events import SourceRef

BlockKind = Literal["heading", "paragraph", "table", "steps", "list"]
ChunkKind = Literal["text", "table", "steps"]

SECTION_SEPARATOR = " > "
"""Joins the titles of a section path, e.g. ``"3 Yaw system > 3.2 Yaw brake (YAW-BRK)"``."""


@dataclass(frozen=True, slots=True)
class Block:
    """One structural element of a manual, as a reader found it."""

    kind: BlockKind
    """Heading, paragraph, table, numbered steps or a bullet list."""
    text: str = ""
    """Heading title or paragraph text (whitespace collapsed)."""
    level: int = 0
    """Heading depth: 1 for the document title, 2 for chapters, 3 for sections ..."""
    rows: tuple[tuple[str, ...], ...] = ()
    """Table cells, the header row first."""
    items: tuple[str, ...] = ()
    """Steps or list items, without their numbers or bullets."""
    page: int | None = None
    """1-based page where the block starts, when the source has pages."""


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """A manual turned into blocks by one of the readers."""

    title: str
    """Document title (first top-level heading, else the file name)."""
    format: str
    """``"pdf"``, ``"markdown"``, ``"html"``, ``"text"`` or ``"docx"``."""
    blocks: tuple[Block, ...]
    """Content in reading order."""
    pages: int | None = None
    """Number of pages, for paged formats."""


@dataclass(frozen=True, slots=True)
class Chunk:
    """A retrievable piece of a manual: one table, one procedure, or a few paragraphs."""

    kind: ChunkKind
    """What it holds; decides how an answer quotes it."""
    section: tuple[str, ...]
    """Title path from the chapter down (the document title is not included)."""
    text: str
    """The chunk as plain text (tables as ``a | b | c`` lines, steps numbered)."""
    page: int | None = None
    """1-based page where the chunk starts, when the source has pages."""
    components: tuple[str, ...] = ()
    """Component IDs it is about: the section's component first, then those mentioned."""
    rows: tuple[tuple[str, ...], ...] = ()
    """For tables: cells, header first."""
    items: tuple[str, ...] = ()
    """For procedures: the steps, in order."""

    @property
    def section_path(self) -> str:
        """The title path as one string."""
        return SECTION_SEPARATOR.join(self.section)


@dataclass(frozen=True, slots=True)
class Component:
    """A piece of equipment the manuals describe."""

    id: str
    """Identifier as printed in the manual, e.g. ``"YAW-BRK"``."""
    name: str
    """Plain name, e.g. ``"Yaw brake"``."""
    aliases: tuple[str, ...] = ()
    """Other names technicians use, e.g. ``("brake calipers",)``."""


@dataclass(frozen=True, slots=True)
class Threshold:
    """Where a machine protects itself beyond a limit's normal band ("alarm 80", "shutdown 90")."""

    name: str
    """What happens there, as the manual's column says it (``"alarm"``, ``"shutdown"``)."""
    side: Literal["above", "below"]
    """Which side of the normal band it lies on."""
    value: float
    """In the limit's unit."""
    text: str
    """The value as printed."""


@dataclass(frozen=True, slots=True)
class Limit:
    """An operating range from a manual: the value must lie within [minimum, maximum]."""

    component_id: str
    """Component the limit belongs to."""
    parameter: str
    """Parameter as the manual names it, e.g. ``"Oil sump temperature"``."""
    unit: str
    """Canonical unit (see :mod:`edge.knowledge.units`), e.g. ``"°C"``."""
    minimum: float | None
    """Lowest allowed value, in ``unit``; None when the manual gives no minimum."""
    maximum: float | None
    """Highest allowed value, in ``unit``; None when the manual gives no maximum."""
    minimum_text: str = ""
    """The minimum exactly as printed (so speech quotes the manual, not a float)."""
    maximum_text: str = ""
    """The maximum exactly as printed."""
    source: SourceRef | None = None
    """Where the limit is written."""
    text: str = ""
    """The limit as printed ("max. 2 bar (29 psi)", "must not exceed 4.5 mm/s")."""
    context: str = ""
    """Words around it (the table's caption, the sentence): they help match a spoken reading."""
    action: str = ""
    """What the manual says to do when the limit is crossed, when it says so."""
    thresholds: tuple[Threshold, ...] = ()
    """The machine's own alarm and shutdown points beyond the band, when the manual gives them."""
    codes: tuple[str, ...] = ()
    """Codes printed with it besides its component's (the row's test point "MP7", the terminal
    its sentence names "X2"): a reading that says one of them means this limit."""


@dataclass(frozen=True, slots=True)
class Hit:
    """A chunk returned by a search, with how well it matched."""

    chunk_id: int
    """Row id of the chunk in the store."""
    document: str
    """Title of the document."""
    section: tuple[str, ...]
    """Title path of the chunk."""
    page: int | None
    """1-based page, when the source has pages."""
    kind: ChunkKind
    """Text, table or steps."""
    text: str
    """The chunk text."""
    score: float
    """Fused rank score (higher is better); only comparable within one search."""
    similarity: float
    """Cosine similarity of the question and the chunk vectors (-1..1)."""
    keyword: bool = False
    """True when the keyword index matched the chunk too."""
    codes_matched: tuple[str, ...] = ()
    """Codes from the question (``M24``, ``E-117``) that the chunk contains, normalised."""
    components: tuple[str, ...] = ()
    """Component IDs of the chunk."""
    rows: tuple[tuple[str, ...], ...] = ()
    """For tables: cells, header first."""
    items: tuple[str, ...] = ()
    """For procedures: the steps."""
    intro: str = ""
    """Paragraph introducing a table or procedure (caption or warning)."""
    row_similarities: tuple[float, ...] = ()
    """For tables: cosine similarity of the question to each data row."""
    coverage: float = 0.0
    """Share of the question's content words that occur in the chunk (0..1)."""
    doc_id: int = 0
    """Row id of the document."""

    @property
    def source(self) -> SourceRef:
        """Citation of this chunk."""
        return SourceRef(self.document, SECTION_SEPARATOR.join(self.section), self.page)


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A manual in the store."""

    doc_id: int
    """Row id."""
    title: str
    """Document title."""
    path: str
    """File it was read from (absolute)."""
    format: str
    """Reader used."""
    sha256: str
    """Content hash; re-ingesting the same bytes does nothing."""
    pages: int | None
    """Pages, for paged formats."""
    chunks: int
    """Chunks stored."""
    ingested_at: float
    """Unix time of ingestion."""
    reading: int = 0
    """Version of the reading that stored it (see :data:`edge.knowledge.ingest.READING`)."""


IngestStatus = Literal["added", "updated", "unchanged", "duplicate", "failed"]


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    """What happened to one file given to ``edge ingest``."""

    path: str
    """The file."""
    status: IngestStatus
    """Added, replaced, left alone, skipped as a copy of another file, or failed."""
    title: str = ""
    """Document title, when read."""
    chunks: int = 0
    """Chunks stored."""
    pages: int | None = None
    """Pages read, for paged formats."""
    message: str = ""
    """Why it failed, or which document it duplicates."""
    components: tuple[str, ...] = field(default_factory=tuple)
    """Component IDs the document defines or covers."""
    limits: int = 0
    """Operating limits extracted."""
