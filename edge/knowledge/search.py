"""Hybrid search: sqlite-vec cosine KNN fused with FTS5 keyword matches and exact code matches.

Ranks are fused with reciprocal rank fusion (scores of the two retrievers are not comparable),
then chunks holding the question's codes (``M24``, ``E-117``) get a bonus large enough to win:
a technician who says a code means that code. A chunk's similarity is that of its best vector
(the chunk itself or one of its table rows). Below :data:`EXACT_LIMIT` vectors the vector pass is
exact; above it a binary-quantised pass picks candidates that exact cosine re-ranks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from edge.knowledge.records import Hit
from edge.knowledge.store import Store, Vector
from edge.knowledge.terms import codes_in_question, fts_query, stems

EXACT_LIMIT: Final = 20_000
"""Up to this many vectors, brute-force float KNN is fast enough (a few ms at 10k)."""
OVERSAMPLE: Final = 48
"""Candidates of the binary pass that are re-ranked exactly (bit KNN cost grows with k)."""
RRF_K: Final = 10.0
"""Reciprocal-rank-fusion constant; small because the candidate lists are short."""
CODE_BONUS: Final = 1.0
"""Added when a chunk holds every code of the question (more than any rank can give)."""
COMPONENT_BONUS: Final = 0.02
"""Added for chunks of the preferred component (a nudge of about two ranks, not a filter)."""
DOCUMENT_BONUS: Final = 0.03
"""Added for chunks of a manual whose own codes the question says ("on the WC-180"): ~3 ranks."""
MACHINE_FACTOR: Final = 2.0
"""Scores of chunks of the manual of the machine the question names, or else of the one being
worked on, are multiplied by this: that manual answers unless another fits more than twice as
well. A factor, not a bonus, so the manual's own passages keep their standing against each other
(the answer's near-tie rule compares their ratios)."""
WORDS_BONUS: Final = 0.05
"""Added in proportion to the share of the question's words said in one place of a chunk: at
most about five ranks, so a passage that says all the words asked climbs over a look-alike."""
FTS_WEIGHT: Final = 0.5
"""Keyword rank counts half of vector rank: words overlap a lot within one manual."""


@dataclass(frozen=True, slots=True)
class SearchOptions:
    """How one search runs."""

    k: int = 3
    component_id: str | None = None
    """Only chunks of this component."""
    prefer_component: str | None = None
    """Chunks of this component rank a little higher."""
    prefer_documents: frozenset[int] = frozenset()
    """Chunks of these documents rank a little higher (the question names their machine)."""
    machine_documents: frozenset[int] = frozenset()
    """The manuals of the machine the question names, or else of the one being worked on."""
    candidates: int = 30
    """Candidates taken from each retriever before fusion."""
    mode: str = "exact"
    """``"exact"`` or ``"coarse"`` (binary-quantised first pass)."""


def search(
    store: Store,
    question: str,
    vector: Vector,
    vocabulary: frozenset[str],
    options: SearchOptions,
) -> list[Hit]:
    """Best ``options.k`` chunks for ``question`` (whose embedding is ``vector``)."""
    n = max(options.candidates, options.k)
    codes = codes_in_question(question, vocabulary)
    best: dict[int, float] = {}
    for cid, _, sim in _vector_candidates(store, vector, n, options):
        best.setdefault(cid, sim)  # results come best first
        if len(best) >= n:
            break
    vec_rank = {cid: r for r, cid in enumerate(best)}
    query = fts_query(question, codes)
    fts_ranked = store.fts(query, n, options.component_id) if query else []
    fts_rank = {cid: r for r, cid in enumerate(fts_ranked)}
    for cid, _, sim in store.similarities(vector, [c for c in fts_ranked if c not in best]):
        best[cid] = max(sim, best.get(cid, -1.0))
    rows = store.chunk_rows(list(dict.fromkeys([*vec_rank, *fts_rank])))
    scored: list[tuple[float, int, tuple[str, ...]]] = []
    for cid, row in rows.items():
        score = 1.0 / (RRF_K + vec_rank.get(cid, n))
        if cid in fts_rank:
            score += FTS_WEIGHT / (RRF_K + fts_rank[cid])
        matched = tuple(c for c in codes if c in row["codes"])
        if codes:
            score += CODE_BONUS * len(matched) / len(codes)
        if row["doc_id"] in options.prefer_documents:
            score += DOCUMENT_BONUS
        if options.prefer_component and options.prefer_component in row["components"]:
            # Among chunks holding the same codes ("M24" in four torque tables) the component
            # is what tells them apart, so it weighs more there.
            score += COMPONENT_BONUS * (3.0 if matched else 1.0)
        scored.append((score * _factor(row, options), cid, matched))
    asked = stems(question)
    scored = _with_words_bonus(scored, asked, rows, options)
    scored.sort(key=lambda s: (-s[0], -best.get(s[1], -1.0)))
    hits = []
    for score, cid, matched in scored[: options.k]:
        row = rows[cid]
        row_sims: tuple[float, ...] = ()
        if row["kind"] == "table":
            per_row = {r: s for _, r, s in store.similarities(vector, [cid]) if r >= 0}
            row_sims = tuple(per_row.get(i, 0.0) for i in range(len(row["rows"]) - 1))
        words = stems(f"{' '.join(row['section'])} {row['intro']} {row['text']}")
        hits.append(
            Hit(
                chunk_id=cid,
                document=row["document"],
                section=row["section"],
                page=row["page"],
                kind=row["kind"],
                text=row["text"],
                score=score,
                similarity=best.get(cid, 0.0),
                keyword=cid in fts_rank,
                codes_matched=matched,
                components=row["components"],
                rows=row["rows"],
                items=row["items"],
                intro=row["intro"],
                row_similarities=row_sims,
                coverage=len(asked & words) / len(asked) if asked else 0.0,
                doc_id=row["doc_id"],
            )
        )
    return hits


def _factor(row: dict[str, Any], options: SearchOptions) -> float:
    """What a chunk's score is multiplied by: :data:`MACHINE_FACTOR` for the machine's manual."""
    return MACHINE_FACTOR if row["doc_id"] in options.machine_documents else 1.0


def _with_words_bonus(
    scored: list[tuple[float, int, tuple[str, ...]]],
    asked: set[str],
    rows: dict[int, dict[str, Any]],
    options: SearchOptions,
) -> list[tuple[float, int, tuple[str, ...]]]:
    """``scored`` with :data:`WORDS_BONUS` added where it can change the top ``options.k``.

    The bonus is multiplied by the chunk's factor, as its score was. Stemming every row of every
    candidate table is half of a search's time; a candidate more than the whole bonus below the
    k-th best can never reach the top, so it is left as it is.
    """
    if not scored:
        return scored
    kth = sorted((s for s, _, _ in scored), reverse=True)[min(options.k, len(scored)) - 1]
    most = max(_factor(rows[cid], options) for _, cid, _ in scored)
    reach = kth - most * WORDS_BONUS - 1e-9
    return [
        (
            s + WORDS_BONUS * _factor(rows[cid], options) * said_in_one_place(asked, rows[cid])
            if s >= reach
            else s,
            cid,
            m,
        )
        for s, cid, m in scored
    ]


def said_in_one_place(asked: set[str], row: dict[str, Any]) -> float:
    """Share of the question's words one place of the chunk says.

    The place is its text, or for a table its best row (with the header, intro and section,
    which every row shares).
    A table's words are spread over its rows; the row that holds all of "max discharge gas
    temperature" is the answer, not the table of "discharge pressure" and "oil temperature".
    """
    if not asked:
        return 0.0
    shared = stems(f"{' '.join(row['section'])} {row['intro']}")
    if row["kind"] != "table" or not row["rows"]:
        return len(asked & (shared | stems(row["text"]))) / len(asked)
    shared |= stems(" ".join(row["rows"][0]))
    return max(
        len(asked & (shared | stems(" ".join(r)))) / len(asked) for r in row["rows"][1:] or [()]
    )


def _vector_candidates(
    store: Store, vector: Vector, n: int, options: SearchOptions
) -> list[tuple[int, int, float]]:
    """(chunk_id, row, similarity) of the nearest vectors, best first."""
    if options.component_id is not None:
        # A component's chunks are few: score them all exactly.
        found = store.similarities(vector, store.component_chunks(options.component_id))
        return sorted(found, key=lambda t: -t[2])
    # Rows of one table can fill the list; ask for more vectors than chunks are needed.
    if options.mode == "coarse":
        return store.knn_coarse(vector, 2 * n, max(OVERSAMPLE, 2 * n))
    return store.knn(vector, 2 * n)
