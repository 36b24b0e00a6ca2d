"""Ingest manuals: read, chunk, embed and store each file in its own transaction.

Unchanged files (same path, same bytes, read by this version of the reading) are skipped before
any parsing; a copy of a stored file under another name is skipped as a duplicate; a changed file
replaces its old chunks atomically.
A file that cannot be read, is larger than the limits allow, or fails anywhere on the way is
reported by name and skipped: nothing is written before all of it is read and embedded, and the
write is one transaction, so the store is left exactly as it was.

Embedding is the long part. Texts are sorted by length (a batch pads to its longest text) and
embedded in slices, reporting progress after each.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

from edge.engines.base import Embedder
from edge.errors import KnowledgeError
from edge.knowledge.chunker import ChunkedDocument, chunk_document
from edge.knowledge.components import (
    DESIGNATION,
    ComponentIndex,
    heading_component,
    merge,
    table_components,
)
from edge.knowledge.limits import document_limits
from edge.knowledge.progress import Progress, ProgressCallback, Stage
from edge.knowledge.readers import SUFFIXES, LimitError, ReadError, read_document
from edge.knowledge.records import (
    SECTION_SEPARATOR,
    Chunk,
    Component,
    DocumentInfo,
    IngestOutcome,
    Limit,
    ParsedDocument,
)
from edge.knowledge.store import Store
from edge.knowledge.tables import row_sentences
from edge.knowledge.terms import codes_in_text, normalize_code

_LOGGER = logging.getLogger(__name__)

EMBED_SLICE: Final = 64
"""Texts per call to the embedder between two progress reports."""
READING: Final = 3
"""Version of what reading a manual stores (blocks, chunks, components, limits). Bump it with a
change to the readers or the extraction that changes what a stored manual holds: a manual stored
by an older reading is read again by the next ingest (``edge-ingest.timer`` runs one an hour),
so an updated device does not keep answering from what the old code made of its manuals."""


@dataclass(frozen=True, slots=True)
class IngestLimits:
    """How large one manual may be (``knowledge.max_pages``, ``knowledge.max_manual_mb``)."""

    max_pages: int | None = None
    """Most pages of a PDF; None for no limit."""
    max_mb: float | None = None
    """Largest file in MB (10^6 bytes); None for no limit."""


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named, and manuals (by suffix) inside folders named, in a stable order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES)
        else:
            yield path


@dataclass(frozen=True, slots=True)
class _Prepared:
    index: ComponentIndex
    parsed: ParsedDocument
    chunked: ChunkedDocument
    components: list[Component]
    limits: list[Limit]
    codes: list[list[tuple[str, str]]]


class Ingestor:
    """Puts manuals into a :class:`Store`, embedding chunks with ``embedder``."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        *,
        limits: IngestLimits | None = None,
        progress: ProgressCallback | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.limits = limits or IngestLimits()
        self.progress = progress

    def ingest(self, path: Path) -> IngestOutcome:
        """Ingest one file; never raises for a bad file (the outcome says what happened)."""
        shown = str(path)
        try:
            self._check_size(path)
            data = path.read_bytes()
        except LimitError as err:
            return IngestOutcome(shown, "failed", message=str(err))
        except OSError as err:
            return IngestOutcome(shown, "failed", message=f"cannot read: {err.strerror or err}")
        resolved = str(path.resolve())
        sha = hashlib.sha256(data).hexdigest()
        old = self.store.document_where("path", resolved)
        if old is not None and old.sha256 == sha and old.reading == READING:
            return IngestOutcome(shown, "unchanged", old.title, old.chunks, old.pages)
        twin = self.store.document_where("sha256", sha)
        if twin is not None and twin.path != resolved:
            return IngestOutcome(
                shown, "duplicate", twin.title, message=f"same content as {twin.path}"
            )
        try:
            prepared = self._prepare(path, data, shown)
            del data  # a large file's bytes are not needed while embedding
            vectors = self._embed(prepared, shown)
        except ReadError as err:
            return IngestOutcome(shown, "failed", message=str(err))
        except Exception as err:  # an engine or parser failure: report it, store untouched
            _LOGGER.error("ingesting %s failed", shown, exc_info=err)
            return IngestOutcome(shown, "failed", message=f"{type(err).__name__}: {err}")
        try:
            self._write(resolved, sha, old, prepared, vectors)
        except Exception as err:  # the transaction rolled back: report it, keep going
            _LOGGER.error("storing %s failed: %s", shown, err)
            return IngestOutcome(shown, "failed", message=f"could not store it: {err}")
        _LOGGER.info("ingested %s: %d chunks", shown, len(prepared.chunked.chunks))
        return IngestOutcome(
            shown,
            "updated" if old is not None else "added",
            prepared.parsed.title,
            len(prepared.chunked.chunks),
            prepared.parsed.pages,
            components=tuple(c.id for c in prepared.components),
            limits=len(prepared.limits),
        )

    def _write(
        self,
        resolved: str,
        sha: str,
        old: DocumentInfo | None,
        prepared: _Prepared,
        vectors: list[tuple[int, int, np.ndarray]],
    ) -> None:
        """Replace the document in one transaction: all of it lands, or none of it."""
        with self.store.transaction():
            if old is not None:
                self.store.delete_document(old.doc_id)
            else:
                self.store.drop_cached_answers(None)  # a new manual may answer better
            self.store.insert_document(
                path=resolved,
                title=prepared.parsed.title,
                fmt=prepared.parsed.format,
                sha256=sha,
                pages=prepared.parsed.pages,
                chunks=prepared.chunked.chunks,
                intros=prepared.chunked.intros,
                codes=prepared.codes,
                vectors=vectors,
                components=prepared.components,
                limits=prepared.limits,
                reading=READING,
            )

    def _check_size(self, path: Path) -> None:
        limit = self.limits.max_mb
        size = path.stat().st_size
        if limit is not None and size > limit * 1e6:
            raise LimitError(
                f"{size / 1e6:.1f} MB, more than knowledge.max_manual_mb = {limit:g}: "
                "split the manual or raise knowledge.max_manual_mb"
            )

    def _report(self, manual: str, stage: Stage, done: int, total: int, unit: str) -> None:
        if self.progress is not None:
            self.progress(Progress(manual, stage, done, total, unit))

    def _prepare(self, path: Path, data: bytes, shown: str) -> _Prepared:
        parsed = read_document(
            path,
            data,
            max_pages=self.limits.max_pages,
            on_page=lambda done, total: self._report(shown, "reading", done, total, "pages"),
        )
        found: list[Component] = []
        for block in parsed.blocks:
            if block.kind == "table":
                found.extend(table_components(block.rows))
            elif block.kind == "heading" and (c := heading_component(block.text)):
                found.append(c)
        own = merge(found)
        # Earlier manuals' components are known too: a lift manual may mention "TWR". An ID this
        # manual defines itself is its own part, whatever another manual calls it ("M1" is the
        # main drive motor here and a forklift's traction motor there), and a designation ("M1",
        # "Y2", "K10") is never borrowed: every wiring diagram numbers its own motors from 1.
        mine = {c.id for c in own}
        others = [
            c
            for c in self.store.components()
            if c.id not in mine and not DESIGNATION.fullmatch(c.id)
        ]
        index = ComponentIndex(merge([*own, *others]))
        chunked = chunk_document(parsed, index)
        if not chunked.chunks:
            raise ReadError("no text to index")
        known = {c.id for c in index.components}
        limits = document_limits(
            chunked.chunks,
            chunked.intros,
            chunked.section_components,
            title=parsed.title,
            known=known,
        )
        used = {c for chunk in chunked.chunks for c in chunk.components} | {c.id for c in own}
        components = [c for c in index.components if c.id in used]
        pairs = zip(chunked.chunks, chunked.intros, strict=True)
        codes = [chunk_codes(chunk, intro) for chunk, intro in pairs]
        return _Prepared(index, parsed, chunked, components, limits, codes)

    def _embed(self, prepared: _Prepared, shown: str) -> list[tuple[int, int, np.ndarray]]:
        index = prepared.index
        keys: list[tuple[int, int]] = []
        texts: list[str] = []
        pairs = zip(prepared.chunked.chunks, prepared.chunked.intros, strict=True)
        for ord_, (chunk, intro) in enumerate(pairs):
            keys.append((ord_, -1))
            texts.append(embedding_text(prepared.parsed.title, chunk, intro, index))
            if chunk.kind == "table" and len(chunk.rows) > 2:
                for row in range(len(chunk.rows) - 1):
                    keys.append((ord_, row))
                    texts.append(row_text(chunk, row, index))
        vectors = self._vectors(texts, shown)
        return [(ord_, row, vectors[i]) for i, (ord_, row) in enumerate(keys)]

    def _vectors(self, texts: list[str], shown: str) -> np.ndarray:
        """One row per text, embedded shortest first in slices, with progress after each."""
        vectors = np.zeros((len(texts), self.store.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        self._report(shown, "embedding", 0, len(texts), "texts")
        for start in range(0, len(order), EMBED_SLICE):
            rows = order[start : start + EMBED_SLICE]
            got = np.asarray(self.embedder.embed([texts[i] for i in rows]), dtype=np.float32)
            if got.shape != (len(rows), self.store.dim):
                raise KnowledgeError(
                    "embed-shape",
                    f"embedder returned {got.shape}, expected ({len(rows)}, {self.store.dim})",
                )
            vectors[rows] = got
            self._report(shown, "embedding", start + len(rows), len(texts), "texts")
        return vectors


def chunk_codes(chunk: Chunk, intro: str) -> list[tuple[str, str]]:
    """(normalised, as printed) codes of a chunk: those in its text, then its components."""
    written = codes_in_text(f"{SECTION_SEPARATOR.join(chunk.section)}\n{intro}\n{chunk.text}")
    written += [c for c in chunk.components if c not in written]
    return [(normalize_code(c), c) for c in written]


def _table_lines(chunk: Chunk, index: ComponentIndex, rows: list[int]) -> list[str]:
    header = chunk.rows[0]
    comp_col = next(
        (
            i
            for i, h in enumerate(header)
            if h.strip().lower() in ("component", "component id")
            and all(index.has(r[i].strip()) for r in chunk.rows[1:] if r[i].strip())
        ),
        None,
    )
    skip = frozenset({comp_col}) if comp_col is not None else frozenset()
    lines = []
    for r in rows:
        cells = chunk.rows[r + 1]
        text = " ".join(row_sentences(header, cells, skip_columns=skip))
        if comp_col is not None and (owner := index.get(cells[comp_col].strip())):
            text = f"{owner.name} {text[0].lower()}{text[1:]}"  # "Gearbox oil sump temperature"
        lines.append(text)
    return lines


def row_text(chunk: Chunk, row: int, index: ComponentIndex) -> str:
    """What the encoder reads for one data row of a table chunk."""
    where = chunk.section[-1] if chunk.section else ""
    return f"{where}. {_table_lines(chunk, index, [row])[0]}".strip()


def embedding_text(title: str, chunk: Chunk, intro: str, index: ComponentIndex) -> str:
    """What the sentence encoder reads for a chunk: where it is, its intro, then its content.

    Tables are read as the sentences an answer would speak, which the encoder understands far
    better than pipe-separated cells.
    """
    where = SECTION_SEPARATOR.join(chunk.section[-2:]) or title
    if chunk.kind == "table" and len(chunk.rows) > 1:
        body = " ".join(_table_lines(chunk, index, list(range(len(chunk.rows) - 1))))
    else:
        body = chunk.text
    return f"{where}. {intro} {body}".strip()
