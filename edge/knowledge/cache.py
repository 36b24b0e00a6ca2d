"""Semantic cache: answers to past questions, reused when a new question means the same.

Entries live in the manuals database (they survive restarts and go with the manuals) and in a
numpy matrix in memory, so a lookup is one matrix-vector product: well under a millisecond for
thousands of entries. Guards against a near-identical question with a different meaning:

* codes and numbers must match exactly ("M24 torque" never answers "M30 torque", whose vectors
  are closer than any threshold that still catches paraphrases); without the question's text a
  lookup only reuses answers to questions that had no codes or numbers at all;
* an answer that relied on the conversation's component (the question named none) is only reused
  in a conversation about the same component; any answer only at the same machine (the same words
  name a return filter on two machines), or, given before a machine was known, at the machine
  whose manual it quotes;
* only cacheable results are stored (manual answers; never live readings or "nothing found");
* changing or removing a manual drops the entries quoting it; adding a manual drops them all, since
  the new manual might answer better (both in the same transaction as the change, see
  :meth:`Store.drop_cached_answers`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from edge.events import SourceRef, ToolResult
from edge.knowledge.numbers import find_numbers
from edge.knowledge.store import Store, Vector


@dataclass(frozen=True, slots=True)
class _Entry:
    cache_id: int
    named: bool
    """The question itself named a component."""
    context: str | None
    """Component (when the question named none) and machine from the conversation the answer
    used."""
    keys: frozenset[str]
    result: ToolResult


def conversation_context(component_id: str | None, machine: str | None) -> str | None:
    """What of the conversation an answer may have relied on: its component and its machine.

    The machine being worked on picks between manuals that answer alike.
    """
    if machine is None:
        return component_id
    return f"{component_id or ''}{_AT}{machine}"


_AT = " @ "


def _fits(entry: _Entry, context: str | None) -> bool:
    """Whether ``entry`` may answer in a conversation with ``context``.

    The same component and machine; or an answer given before any machine was known, asked again
    at the machine whose manual it quotes (the answer is what made that the machine).
    """
    if entry.context == context:
        return True
    stored, _, stored_machine = (entry.context or "").partition(_AT)
    asked, _, machine = (context or "").partition(_AT)
    sources = entry.result.sources
    return (
        stored == asked
        and not stored_machine
        and bool(machine)
        and bool(sources)
        and all(s.document == machine for s in sources)
    )


def question_keys(question: str, codes: list[str]) -> frozenset[str]:
    """Codes and numbers of a question: two questions differing in these differ in meaning."""
    numbers = {f"#{m.value:g}" for m in find_numbers(question)}
    return frozenset(codes) | frozenset(numbers)


class SemanticCache:
    """Past answers by question vector; one thread at a time."""

    def __init__(self, store: Store, threshold: float, *, enabled: bool = True) -> None:
        self.store = store
        self.threshold = threshold
        self.enabled = enabled
        self._entries: list[_Entry] = []
        self._matrix = np.zeros((0, store.dim), dtype=np.float32)
        self.reload()

    def __len__(self) -> int:
        return len(self._entries)

    def reload(self) -> None:
        """Read the entries from the database (after another process changed it)."""
        rows = self.store.conn.execute(
            "select cache_id, vector, named, context, codes, result from cache order by cache_id"
        ).fetchall()
        entries, vectors = [], []
        for cache_id, blob, named, context, keys, result in rows:
            vector = np.frombuffer(blob, dtype=np.float32)
            if vector.shape != (self.store.dim,):
                continue
            entries.append(
                _Entry(
                    int(cache_id), bool(named), context, frozenset(json.loads(keys)), _load(result)
                )
            )
            vectors.append(vector)
        self._entries = entries
        self._matrix = (
            np.vstack(vectors) if vectors else np.zeros((0, self.store.dim), dtype=np.float32)
        )

    def lookup(
        self,
        vector: Vector,
        *,
        keys: frozenset[str] | None,
        context: str | None,
    ) -> ToolResult | None:
        """The stored answer for the most similar past question above the threshold, if any."""
        if not self.enabled or not self._entries:
            return None
        sims = self._matrix @ np.asarray(vector, dtype=np.float32)
        for i in np.argsort(-sims)[:8]:
            if sims[i] < self.threshold:
                break
            entry = self._entries[int(i)]
            if keys is None and entry.keys:
                continue  # unverifiable: "M24 torque" and "M30 torque" embed almost alike
            if keys is not None and entry.keys != keys:
                continue
            if not _fits(entry, context):
                continue
            return entry.result
        return None

    def store_answer(
        self,
        question: str,
        vector: Vector,
        result: ToolResult,
        *,
        keys: frozenset[str],
        named: bool,
        context: str | None,
        doc_ids: list[int],
    ) -> bool:
        """Remember ``result``; False (and nothing stored) when it must not be cached."""
        if not self.enabled or not result.cacheable or not result.ok or result.urgent:
            return False
        vec = np.ascontiguousarray(vector, dtype=np.float32)
        with self.store.transaction():
            cur = self.store.conn.execute(
                "insert into cache(question, vector, named, context, codes, result, created) "
                "values (?, ?, ?, ?, ?, ?, ?)",
                (
                    question,
                    vec.tobytes(),
                    int(named),
                    context,
                    json.dumps(sorted(keys)),
                    _dump(result),
                    time.time(),
                ),
            )
            cache_id = int(cur.lastrowid)
            self.store.conn.executemany(
                "insert or ignore into cache_docs values (?, ?)", [(cache_id, d) for d in doc_ids]
            )
        self._entries.append(_Entry(cache_id, named, context, keys, _load(_dump(result))))
        self._matrix = np.vstack([self._matrix, vec[None, :]])
        return True


def _dump(result: ToolResult) -> str:
    return json.dumps(
        {
            "speech": list(result.speech),
            "ok": result.ok,
            "cacheable": result.cacheable,
            "sources": [[s.document, s.section, s.page] for s in result.sources],
            "data": dict(result.data),
            "urgent": result.urgent,
        },
        ensure_ascii=False,
        default=str,
    )


def _load(text: str) -> ToolResult:
    raw: dict[str, Any] = json.loads(text)
    data = dict(raw.get("data") or {})
    data["cached"] = True
    return ToolResult(
        speech=tuple(raw["speech"]),
        ok=bool(raw["ok"]),
        cacheable=bool(raw["cacheable"]),
        sources=tuple(SourceRef(d, s, p) for d, s, p in raw.get("sources", [])),
        data=data,
        urgent=bool(raw.get("urgent", False)),
    )
