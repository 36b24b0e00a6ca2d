"""A synthetic corpus for the retrieval benchmark's scale figures: "sister manuals".

Embedding 100k chunks with MiniLM on a small CPU takes hours, so the filler is made from the real
manuals instead: each filler chunk copies a real chunk (table, procedure or text) with every
number changed, and its vectors are the real chunk's vectors plus Gaussian noise (cosine about
0.85 to the original). That keeps what matters for speed and for quantisation: the same text
lengths and FTS vocabulary, the same vectors-per-chunk ratio (table rows have vectors), and
vectors as anisotropic and clustered as MiniLM's (random vectors would flatter the binary pass).
It is harder than a real fleet's library: every question has hundreds of near-duplicates.
Filler documents are titled "Synthetic sister manual N", so a hit in one is never a right answer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Final

import numpy as np

from edge.knowledge.ingest import chunk_codes
from edge.knowledge.records import SECTION_SEPARATOR, Chunk
from edge.knowledge.store import Store, Vector

CHUNKS_PER_DOCUMENT: Final = 100
NOISE: Final = 0.03
"""Per-dimension noise on filler vectors: norm ~0.6 against a unit vector, cosine ~0.85."""
TITLE: Final = "Synthetic sister manual"


@dataclass(frozen=True, slots=True)
class Template:
    """A real chunk with its vectors (row -1 is the chunk's own, 0.. its table rows)."""

    chunk: Chunk
    intro: str
    vectors: tuple[tuple[int, Vector], ...]


def templates(store: Store) -> list[Template]:
    """Every chunk of ``store`` with its vectors, in storage order."""
    rows = store.conn.execute(
        "select chunk_id, kind, section, page, text, intro, rows, items, components "
        "from chunks order by chunk_id"
    ).fetchall()
    vectors: dict[int, list[tuple[int, Vector]]] = {}
    for cid, row, blob in store.conn.execute(
        "select v.chunk_id, v.row, f.embedding from vectors v "
        "join chunk_vec f on f.vec_id = v.vec_id order by v.vec_id"
    ):
        vectors.setdefault(int(cid), []).append((int(row), np.frombuffer(blob, dtype=np.float32)))
    out = []
    for cid, kind, section, page, text, intro, rws, items, comps in rows:
        chunk = Chunk(
            kind=kind,
            section=tuple(section.split(SECTION_SEPARATOR)) if section else (),
            text=text,
            page=page,
            components=tuple(comps.split()),
            rows=tuple(tuple(r) for r in json.loads(rws)),
            items=tuple(json.loads(items)),
        )
        out.append(Template(chunk, intro, tuple(vectors.get(int(cid), ()))))
    return out


class SisterManuals:
    """Adds filler documents to a store until it holds a number of chunks (deterministic)."""

    def __init__(self, store: Store, pool: list[Template], seed: int = 7) -> None:
        self._store = store
        self._pool = pool
        self._rng = np.random.default_rng(seed)
        self._made = 0

    def grow_to(self, chunks: int) -> None:
        """Add filler until the store holds ``chunks`` chunks (one transaction per document)."""
        missing = chunks - self._store.chunk_count()
        while missing > 0:
            size = min(CHUNKS_PER_DOCUMENT, missing)
            self._add_document(size)
            missing -= size

    def _add_document(self, size: int) -> None:
        self._made += 1
        picks = self._rng.integers(0, len(self._pool), size)
        made = [self._variant(self._pool[int(i)]) for i in picks]
        chunks = [m[0] for m in made]
        vectors = [(ord_, row, vec) for ord_, m in enumerate(made) for row, vec in m[2]]
        with self._store.transaction():
            self._store.insert_document(
                path=f"synthetic://{self._made}",
                title=f"{TITLE} {self._made:05d}",
                fmt="synthetic",
                sha256=f"synthetic-{self._made}",
                pages=None,
                chunks=chunks,
                intros=[m[1] for m in made],
                codes=[chunk_codes(c, intro) for c, intro, _ in made],
                vectors=vectors,
                components=(),
                limits=(),
            )

    def _variant(self, t: Template) -> tuple[Chunk, str, list[tuple[int, Vector]]]:
        c = t.chunk
        chunk = Chunk(
            kind=c.kind,
            section=c.section,
            text=self._renumber(c.text),
            page=c.page,
            components=c.components,
            rows=tuple(tuple(self._renumber(cell) for cell in row) for row in c.rows),
            items=tuple(self._renumber(item) for item in c.items),
        )
        vectors = []
        for row, vec in t.vectors:
            noisy = vec + self._rng.normal(0.0, NOISE, vec.shape).astype(np.float32)
            vectors.append((row, noisy / np.linalg.norm(noisy)))
        return chunk, self._renumber(t.intro), vectors

    def _renumber(self, text: str) -> str:
        # Another model's manual: same words, other values (and other codes: M24 -> M31).
        return re.sub(r"\d+", lambda m: str(int(self._rng.integers(1, 10 ** len(m[0])))), text)
