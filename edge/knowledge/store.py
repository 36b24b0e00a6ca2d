"""The manuals database: one SQLite file with documents, chunks, FTS5 and sqlite-vec tables.

Every change to a document happens in one transaction, so an interrupted or failed ingest leaves
the previous content intact. A chunk has one vector, and a table chunk also one per row (``row``
0, 1 ... in the ``vectors`` table; -1 is the whole chunk), so one row of a large table is found by
a question about it. Vectors live in two vec0 tables: ``float[D]`` (exact cosine, used for
re-ranking and for small stores) and ``bit[D]`` (binary quantised, 32x smaller, the first pass on
large stores). Virtual tables do not cascade, so deletes remove their rows explicitly.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from edge.errors import KnowledgeError
from edge.events import SourceRef
from edge.knowledge.records import (
    SECTION_SEPARATOR,
    Chunk,
    Component,
    DocumentInfo,
    Limit,
    Threshold,
)
from edge.knowledge.sqlite import connect
from edge.private import private_file

SCHEMA_VERSION: Final = 1

_SCHEMA: Final = """
create table if not exists meta (key text primary key, value text not null);
create table if not exists documents (
  doc_id integer primary key, path text not null unique, title text not null,
  format text not null, sha256 text not null, pages integer, chunks integer not null,
  ingested_at real not null, reading integer not null default 0);
create index if not exists documents_sha on documents(sha256);
create table if not exists chunks (
  chunk_id integer primary key,
  doc_id integer not null references documents(doc_id) on delete cascade,
  ord integer not null, kind text not null, section text not null, page integer,
  text text not null, intro text not null, rows text not null, items text not null,
  components text not null, codes text not null);
create index if not exists chunks_doc on chunks(doc_id);
create table if not exists vectors (
  vec_id integer primary key,
  chunk_id integer not null references chunks(chunk_id) on delete cascade,
  row integer not null);
create index if not exists vectors_chunk on vectors(chunk_id);
create table if not exists chunk_components (
  component_id text not null,
  chunk_id integer not null references chunks(chunk_id) on delete cascade,
  primary key (component_id, chunk_id)) without rowid;
create table if not exists components (
  doc_id integer not null references documents(doc_id) on delete cascade,
  component_id text not null, name text not null, aliases text not null,
  primary key (doc_id, component_id));
create table if not exists limits (
  doc_id integer not null references documents(doc_id) on delete cascade,
  component_id text not null, parameter text not null, unit text not null,
  minimum real, maximum real, minimum_text text not null, maximum_text text not null,
  section text not null, page integer, details text not null default '{}');
create table if not exists codes (
  code text not null, shown text not null,
  doc_id integer not null references documents(doc_id) on delete cascade,
  primary key (code, doc_id)) without rowid;
create table if not exists cache (
  cache_id integer primary key, question text not null, vector blob not null,
  named integer not null, context text, codes text not null, result text not null,
  created real not null);
create table if not exists cache_docs (
  cache_id integer not null references cache(cache_id) on delete cascade,
  doc_id integer not null, primary key (cache_id, doc_id)) without rowid;
create virtual table if not exists chunk_fts using fts5(
  section, body, codes, tokenize = 'porter unicode61 remove_diacritics 2');
"""

Vector = npt.NDArray[np.float32]


def _add_missing_columns(conn: Any) -> None:
    """Bring a database made by an older edge up to date (columns added since, with defaults)."""
    columns = {row[1] for row in conn.execute("pragma table_info(limits)").fetchall()}
    if "details" not in columns:
        conn.execute("alter table limits add column details text not null default '{}'")
    columns = {row[1] for row in conn.execute("pragma table_info(documents)").fetchall()}
    if "reading" not in columns:
        conn.execute("alter table documents add column reading integer not null default 0")


class Store:
    """Typed access to the manuals database (one connection, one thread at a time)."""

    def __init__(self, conn: Any, dim: int) -> None:
        self.conn = conn
        self.dim = dim

    @classmethod
    def open(cls, path: Path, *, dim: int, model: str) -> Store:
        """Open or create the database at ``path`` for vectors of ``dim`` from ``model``.

        Raises:
            KnowledgeError: the file is not a manuals database, or was built with another model.
        """
        private_file(path)  # 0600 in a 0700 folder when this creates them (edge.private)
        conn = connect(path)
        try:
            conn.executescript(_SCHEMA)
            _add_missing_columns(conn)
            conn.execute(
                "create virtual table if not exists chunk_vec using vec0("
                f"vec_id integer primary key, embedding float[{dim}] distance_metric=cosine)"
            )
            conn.execute(
                "create virtual table if not exists chunk_bits using vec0("
                f"vec_id integer primary key, coarse bit[{dim}])"
            )
            store = cls(conn, dim)
            store._check_meta(path, model)
        except KnowledgeError:
            conn.close()
            raise
        except Exception as err:  # sqlite3.DatabaseError and friends, from either driver
            conn.close()
            raise KnowledgeError(
                "db-invalid",
                f"{path} is not a usable manuals database: {err}",
                fix=f"move {path} away and run `edge ingest` again",
            ) from err
        return store

    def _check_meta(self, path: Path, model: str) -> None:
        meta = dict(self.conn.execute("select key, value from meta").fetchall())
        wanted = {"schema": str(SCHEMA_VERSION), "model": model, "dim": str(self.dim)}
        if not meta:
            with self.transaction():
                self.conn.executemany("insert into meta values (?, ?)", wanted.items())
            return
        for key, value in wanted.items():
            if meta.get(key) != value:
                raise KnowledgeError(
                    "db-mismatch",
                    f"{path} was built with {key} {meta.get(key)!r}, this edge uses {value!r}",
                    fix=f"delete {path} and run `edge ingest` on the manuals again",
                )

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: commit on success, roll back on any error."""
        self.conn.execute("begin immediate")
        try:
            yield
        except BaseException:
            self.conn.execute("rollback")
            raise
        self.conn.execute("commit")

    def data_version(self) -> int:
        """Changes when another connection commits (for refreshing in-memory snapshots)."""
        return int(self.conn.execute("pragma data_version").fetchone()[0])

    # -- documents --------------------------------------------------------------------------------

    def documents(self) -> list[DocumentInfo]:
        """Every stored document, by title."""
        rows = self.conn.execute(
            "select doc_id, title, path, format, sha256, pages, chunks, ingested_at, reading "
            "from documents order by title, doc_id"
        ).fetchall()
        return [DocumentInfo(*row) for row in rows]

    def document_where(self, column: str, value: str) -> DocumentInfo | None:
        """The document whose ``path`` or ``sha256`` is ``value``."""
        assert column in ("path", "sha256")
        row = self.conn.execute(
            "select doc_id, title, path, format, sha256, pages, chunks, ingested_at, reading "
            f"from documents where {column} = ? order by doc_id limit 1",
            (value,),
        ).fetchone()
        return DocumentInfo(*row) if row else None

    def drop_cached_answers(self, doc_ids: Sequence[int] | None) -> None:
        """Forget cached answers quoting ``doc_ids``, or all when None (inside a transaction)."""
        if doc_ids is None:
            self.conn.execute("delete from cache")
            return
        marks = ",".join("?" * len(doc_ids))
        self.conn.execute(
            "delete from cache where cache_id in "
            f"(select cache_id from cache_docs where doc_id in ({marks}))",
            tuple(doc_ids),
        )

    def delete_document(self, doc_id: int) -> None:
        """Remove a document, what derives from it and answers quoting it (inside a transaction)."""
        self.drop_cached_answers([doc_id])
        ids = "select chunk_id from chunks where doc_id = ?"
        vec_ids = f"select vec_id from vectors where chunk_id in ({ids})"
        self.conn.execute(f"delete from chunk_vec where vec_id in ({vec_ids})", (doc_id,))
        self.conn.execute(f"delete from chunk_bits where vec_id in ({vec_ids})", (doc_id,))
        self.conn.execute(f"delete from chunk_fts where rowid in ({ids})", (doc_id,))
        self.conn.execute("delete from documents where doc_id = ?", (doc_id,))

    def insert_document(
        self,
        *,
        path: str,
        title: str,
        fmt: str,
        sha256: str,
        pages: int | None,
        chunks: Sequence[Chunk],
        intros: Sequence[str],
        codes: Sequence[Sequence[tuple[str, str]]],
        vectors: Sequence[tuple[int, int, Vector]],
        components: Iterable[Component],
        limits: Iterable[Limit],
        reading: int = 0,
    ) -> int:
        """Store a parsed document (call inside a transaction); return its ``doc_id``.

        ``vectors`` holds (chunk index, row, vector): row -1 for a chunk's own vector, else the
        0-based data row of a table chunk.
        """
        cur = self.conn.execute(
            "insert into documents(path, title, format, sha256, pages, chunks, ingested_at, "
            "reading) values (?, ?, ?, ?, ?, ?, ?, ?)",
            (path, title, fmt, sha256, pages, len(chunks), time.time(), reading),
        )
        doc_id = int(cur.lastrowid)
        chunk_ids: list[int] = []
        for ord_, (chunk, intro, chunk_codes) in enumerate(zip(chunks, intros, codes, strict=True)):
            normalised = " ".join(dict.fromkeys(c for c, _ in chunk_codes))
            cur = self.conn.execute(
                "insert into chunks(doc_id, ord, kind, section, page, text, intro, rows, items, "
                "components, codes) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    doc_id,
                    ord_,
                    chunk.kind,
                    chunk.section_path,
                    chunk.page,
                    chunk.text,
                    intro,
                    json.dumps(chunk.rows, ensure_ascii=False),
                    json.dumps(chunk.items, ensure_ascii=False),
                    " ".join(chunk.components),
                    normalised,
                ),
            )
            chunk_id = int(cur.lastrowid)
            chunk_ids.append(chunk_id)
            self.conn.execute(
                "insert into chunk_fts(rowid, section, body, codes) values (?, ?, ?, ?)",
                (chunk_id, chunk.section_path, f"{intro}\n{chunk.text}".strip(), normalised),
            )
            self.conn.executemany(
                "insert or ignore into chunk_components values (?, ?)",
                [(c, chunk_id) for c in chunk.components],
            )
            self.conn.executemany(
                "insert or ignore into codes(code, shown, doc_id) values (?, ?, ?)",
                [(code, shown, doc_id) for code, shown in chunk_codes],
            )
        for ord_, row, vector in vectors:
            cur = self.conn.execute(
                "insert into vectors(chunk_id, row) values (?, ?)", (chunk_ids[ord_], row)
            )
            self.add_vector(int(cur.lastrowid), vector)
        self.conn.executemany(
            "insert or replace into components values (?, ?, ?, ?)",
            [(doc_id, c.id, c.name, json.dumps(c.aliases)) for c in components],
        )
        self.conn.executemany(
            "insert into limits values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    doc_id,
                    lim.component_id,
                    lim.parameter,
                    lim.unit,
                    lim.minimum,
                    lim.maximum,
                    lim.minimum_text,
                    lim.maximum_text,
                    lim.source.section if lim.source else "",
                    lim.source.page if lim.source else None,
                    json.dumps(
                        {
                            "text": lim.text,
                            "context": lim.context,
                            "action": lim.action,
                            "thresholds": [
                                [t.name, t.side, t.value, t.text] for t in lim.thresholds
                            ],
                            "codes": list(lim.codes),
                        }
                    ),
                )
                for lim in limits
            ],
        )
        return doc_id

    def add_vector(self, vec_id: int, vector: Vector) -> None:
        """Store one vector, float and binary-quantised."""
        v = np.ascontiguousarray(vector, dtype=np.float32)
        self.conn.execute("insert into chunk_vec(vec_id, embedding) values (?, ?)", (vec_id, v))
        self.conn.execute(
            "insert into chunk_bits(vec_id, coarse) values (?, vec_quantize_binary(?))", (vec_id, v)
        )

    # -- snapshots for memory ---------------------------------------------------------------------

    def components(self) -> list[Component]:
        """Components of every document (one row per document that defines them)."""
        rows = self.conn.execute(
            "select component_id, name, aliases from components order by doc_id"
        ).fetchall()
        return [Component(cid, name, tuple(json.loads(aliases))) for cid, name, aliases in rows]

    def document_terms(self) -> dict[str, tuple[list[Component], list[str]]]:
        """Per document title: the components it defines and its text (sections and chunks)."""
        out: dict[str, tuple[list[Component], list[str]]] = {}
        for title, cid, name, aliases in self.conn.execute(
            "select d.title, c.component_id, c.name, c.aliases from components c "
            "join documents d using (doc_id)"
        ).fetchall():
            component = Component(cid, name, tuple(json.loads(aliases)))
            out.setdefault(title, ([], []))[0].append(component)
        for title, section, text in self.conn.execute(
            "select d.title, c.section, c.text from chunks c join documents d using (doc_id)"
        ).fetchall():
            out.setdefault(title, ([], []))[1].append(f"{section} {text}")
        return out

    def tables(self) -> dict[str, list[list[list[str]]]]:
        """Per document title: its tables, rows of cells (header row first)."""
        out: dict[str, list[list[list[str]]]] = {}
        for title, rows in self.conn.execute(
            "select d.title, c.rows from chunks c join documents d using (doc_id) "
            "where c.rows != '[]' order by c.doc_id, c.ord"
        ).fetchall():
            out.setdefault(title, []).append(json.loads(rows))
        return out

    def limits(self) -> list[Limit]:
        """Every operating limit, with its source."""
        rows = self.conn.execute(
            "select l.component_id, l.parameter, l.unit, l.minimum, l.maximum, l.minimum_text, "
            "l.maximum_text, d.title, l.section, l.page, l.details from limits l join documents d "
            "using (doc_id) order by l.rowid"
        ).fetchall()
        out = []
        for c, p, u, lo, hi, lo_t, hi_t, title, section, page, details in rows:
            extra = json.loads(details or "{}")
            out.append(
                Limit(
                    c,
                    p,
                    u,
                    lo,
                    hi,
                    lo_t,
                    hi_t,
                    SourceRef(title, section, page),
                    text=str(extra.get("text", "")),
                    context=str(extra.get("context", "")),
                    action=str(extra.get("action", "")),
                    thresholds=tuple(
                        Threshold(str(n), "below" if side == "below" else "above", float(v), str(t))
                        for n, side, v, t in extra.get("thresholds", [])
                    ),
                    codes=tuple(str(c) for c in extra.get("codes", [])),
                )
            )
        return out

    def code_spread(self, code: str, *, whole_store: bool = False) -> tuple[int, int]:
        """How widely one manual prints ``code`` (normalised): (chunks, chapters).

        The manual that prints it most widely counts: in a store of many manuals a short fault
        code ("F-07") is printed by several, each in one table and a section or two. With
        ``whole_store``, all manuals count together, as if they were one.
        """
        rows = self.conn.execute(
            "select c.doc_id, c.section from chunk_fts f join chunks c "
            "on c.chunk_id = f.rowid where chunk_fts match ?",
            (f'codes : "{code}"',),
        ).fetchall()
        chunks: dict[int, int] = {}
        chapters: dict[int, set[str]] = {}
        for doc_id, section in rows:
            doc = 0 if whole_store else doc_id
            chunks[doc] = chunks.get(doc, 0) + 1
            chapters.setdefault(doc, set()).add(section.split(SECTION_SEPARATOR)[0])
        return max(((chunks[d], len(chapters[d])) for d in chunks), default=(0, 0))

    def code_documents(self, codes: Sequence[str]) -> dict[str, set[int]]:
        """Normalised code -> the documents that print it."""
        if not codes:
            return {}
        marks = ", ".join("?" for _ in codes)
        out: dict[str, set[int]] = {}
        for code, doc_id in self.conn.execute(
            f"select code, doc_id from codes where code in ({marks})", tuple(codes)
        ).fetchall():
            out.setdefault(code, set()).add(int(doc_id))
        return out

    def section_titles(self) -> list[str]:
        """Every section title, once (the leaf titles chunks are filed under)."""
        rows = self.conn.execute("select distinct section from chunks where section != ''")
        return [str(r[0]) for r in rows.fetchall()]

    def codes(self) -> dict[str, str]:
        """Normalised code -> code as printed, over all documents."""
        return dict(self.conn.execute("select code, shown from codes").fetchall())

    def chunk_count(self) -> int:
        """Chunks stored."""
        return int(self.conn.execute("select count(*) from chunks").fetchone()[0])

    def vector_count(self) -> int:
        """Vectors stored (chunks plus table rows)."""
        return int(self.conn.execute("select count(*) from vectors").fetchone()[0])

    # -- search primitives ------------------------------------------------------------------------

    def knn(self, vector: Vector, k: int) -> list[tuple[int, int, float]]:
        """Exact cosine KNN over all vectors: (chunk_id, row, similarity), best first."""
        rows = self.conn.execute(
            "with knn as (select vec_id, distance from chunk_vec "
            "  where embedding match ? and k = ?) "
            "select v.chunk_id, v.row, knn.distance from knn join vectors v using (vec_id) "
            "order by knn.distance",
            (np.ascontiguousarray(vector, dtype=np.float32), k),
        ).fetchall()
        return [(int(cid), int(row), 1.0 - float(d)) for cid, row, d in rows]

    def knn_coarse(self, vector: Vector, k: int, oversample: int) -> list[tuple[int, int, float]]:
        """Binary-quantised KNN for ``oversample`` candidates, re-ranked by exact cosine."""
        q = np.ascontiguousarray(vector, dtype=np.float32)
        rows = self.conn.execute(
            "with coarse as (select vec_id from chunk_bits "
            "  where coarse match vec_quantize_binary(?) and k = ?), "
            "exact as (select coarse.vec_id, vec_distance_cosine(f.embedding, ?) as d "
            "  from coarse join chunk_vec f on f.vec_id = coarse.vec_id order by d limit ?) "
            "select v.chunk_id, v.row, exact.d from exact join vectors v using (vec_id) "
            "order by exact.d",
            (q, oversample, q, k),
        ).fetchall()
        return [(int(cid), int(row), 1.0 - float(d)) for cid, row, d in rows]

    def similarities(
        self, vector: Vector, chunk_ids: Iterable[int]
    ) -> list[tuple[int, int, float]]:
        """Exact cosine similarity of ``vector`` to every vector of ``chunk_ids``."""
        ids = list(dict.fromkeys(chunk_ids))
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        targets = self.conn.execute(
            f"select vec_id, chunk_id, row from vectors where chunk_id in ({marks})", tuple(ids)
        ).fetchall()
        q = np.ascontiguousarray(vector, dtype=np.float32)
        out = []
        for vec_id, cid, row in targets:  # point lookups: vec0 scans everything for "in (...)"
            found = self.conn.execute(
                "select vec_distance_cosine(embedding, ?) from chunk_vec where vec_id = ?",
                (q, vec_id),
            ).fetchone()
            if found:
                out.append((int(cid), int(row), 1.0 - float(found[0])))
        return out

    def component_chunks(self, component_id: str) -> list[int]:
        """Chunks concerning a component."""
        rows = self.conn.execute(
            "select chunk_id from chunk_components where component_id = ?", (component_id,)
        ).fetchall()
        return [int(r[0]) for r in rows]

    def fts(self, query: str, k: int, component_id: str | None = None) -> list[int]:
        """Chunks matching the FTS5 ``query``, best BM25 first (codes weigh most)."""
        if component_id is None:
            sql = (
                "select rowid from chunk_fts where chunk_fts match ? "
                "order by bm25(chunk_fts, 2.0, 1.0, 8.0) limit ?"
            )
            args: tuple[Any, ...] = (query, k)
        else:
            sql = (
                "select f.rowid from chunk_fts f join chunk_components c on c.chunk_id = f.rowid "
                "where chunk_fts match ? and c.component_id = ? "
                "order by bm25(chunk_fts, 2.0, 1.0, 8.0) limit ?"
            )
            args = (query, component_id, k)
        return [int(r[0]) for r in self.conn.execute(sql, args).fetchall()]

    def chunk_rows(self, chunk_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Stored fields of the given chunks, with their document title."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        rows = self.conn.execute(
            "select c.chunk_id, c.doc_id, d.title, c.kind, c.section, c.page, c.text, c.intro, "
            "c.rows, c.items, c.components, c.codes from chunks c join documents d using (doc_id) "
            f"where c.chunk_id in ({marks})",
            tuple(chunk_ids),
        ).fetchall()
        out = {}
        for cid, doc_id, title, kind, section, page, text, intro, rws, items, comps, codes in rows:
            out[int(cid)] = {
                "doc_id": int(doc_id),
                "document": title,
                "kind": kind,
                "section": tuple(section.split(SECTION_SEPARATOR)) if section else (),
                "page": page,
                "text": text,
                "intro": intro,
                "rows": tuple(tuple(r) for r in json.loads(rws)),
                "items": tuple(json.loads(items)),
                "components": tuple(comps.split()),
                "codes": frozenset(codes.split()),
            }
        return out

    def section_procedures(self, doc_id: int, section: tuple[str, ...]) -> list[int]:
        """Chunk ids of the procedures (steps) of one section, in order."""
        rows = self.conn.execute(
            "select chunk_id from chunks where doc_id = ? and section = ? and kind = 'steps' "
            "order by ord",
            (doc_id, SECTION_SEPARATOR.join(section)),
        ).fetchall()
        return [int(r[0]) for r in rows]
