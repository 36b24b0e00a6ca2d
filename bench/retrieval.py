"""Manuals on the device: retrieval quality, exact values, scale and the semantic cache.

Everything runs on the real engines of the default config (MiniLM embedder, sqlite-vec, piper
for the cache hit's first audio) in a temporary folder. Reported:

- ingestion of the sample manuals, the WT-2000 one as the PDF ``scripts/render_manual_pdf.py``
  makes: pages/s, chunks, vectors, and the share of the time spent embedding;
- the question set (``samples/questions/manual_qa.toml``) against the PDF and the Markdown
  stores: recall@1/@3 of the expected section, exact-value accuracy of the spoken answer (the
  text ``query_technical_manuals`` speaks holds every expected value as printed), answered when
  answerable, declined when the manuals have no answer; per question kind for the PDF;
- scale: the PDF store grown to 1k, 10k and 100k chunks with synthetic sister manuals
  (``bench/_synthetic.py``): DB size per 1k chunks, search and answer latency p50/p95, float
  against binary-quantised (bit + exact re-rank) vector search, with recall@3 and the overlap of
  their top-10 neighbours;
- semantic cache: hit rate on paraphrases of answered questions, false hits on look-alike
  questions, at several thresholds, as :meth:`Knowledge.cache_lookup` is called with and without
  the question's text, and the hit latency from final transcript to first audio.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

import numpy as np

from bench._synthetic import SisterManuals, templates
from bench.common import ms, percentile, summary, table
from edge.config import Config, load_config
from edge.engines.base import Embedder
from edge.events import SourceRef, ToolResult
from edge.knowledge import Knowledge
from edge.knowledge.embedding import MemoEmbedder, configured_embedder
from edge.knowledge.evaluate import Question, evaluate, load_questions, scores_by_kind
from edge.knowledge.store import Store
from edge.speech_memo import SpeechMemo

REPO = Path(__file__).resolve().parents[1]
MANUALS = REPO / "samples" / "manuals"
MARKDOWN = MANUALS / "wt2000-maintenance.md"
OTHERS = (MANUALS / "sl240-service-lift.html", MANUALS / "htw1500-torque-wrench.txt")
QUESTIONS = REPO / "samples" / "questions" / "manual_qa.toml"
SCALES: Final = (1_000, 10_000, 100_000)
THRESHOLDS: Final = (0.85, 0.90, 0.95, 0.98)
MAIN_TITLE: Final = "WT-2000"
"""Questions without a ``document`` are about the WT-2000 manual (for the scale runs)."""


def run(out_dir: Path) -> dict[str, Any]:
    """Run every part and return the figures (printing a table per part)."""
    work = Path(tempfile.mkdtemp(prefix="edge-bench-retrieval-"))
    try:
        return _bench(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _bench(work: Path) -> dict[str, Any]:
    config = load_config(env={}, overrides={"device.state_dir": str(work / "state")})
    model = configured_embedder(config)
    embedder = MemoEmbedder(model)
    questions = load_questions(QUESTIONS)
    pdf = _render_pdf(work)
    ingest, dbs = _ingest(work, embedder, pdf)
    vectors = {q.text: embedder.embed([q.text])[0] for q in questions}
    quality = _quality(dbs, embedder, questions, vectors)
    cache = _cache(work, dbs["pdf"], embedder, model, config, questions)
    scale = _scale(work, dbs["pdf"], embedder, questions, vectors)
    return {
        "pdf_rendered": pdf is not None,
        "ingest": ingest,
        "quality": quality,
        "scale": scale,
        "cache": cache,
        "question_embed_s": summary(_timed(model.embed, [[q.text] for q in questions[:20]])),
    }


# -- ingestion -------------------------------------------------------------------------------------


def _render_pdf(work: Path) -> Path | None:
    out = work / "wt2000-maintenance.pdf"
    script = REPO / "scripts" / "render_manual_pdf.py"
    done = subprocess.run(
        [sys.executable, str(script), str(MARKDOWN), "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:  # fpdf2 is a dev dependency; without it the Markdown stands in
        print(f"PDF rendering failed, Markdown only: {done.stderr.strip()[-300:]}")
        return None
    return out


def _ingest(
    work: Path, embedder: MemoEmbedder, pdf: Path | None
) -> tuple[list[dict[str, Any]], dict[str, Path]]:
    """Ingest the manuals one file at a time (PDF first, so its embedding is really computed)."""
    rows: list[dict[str, Any]] = []
    dbs = {}
    for kind, main in (("pdf", pdf), ("markdown", MARKDOWN)):
        if main is None:
            continue
        db = work / f"{kind}.db"
        knowledge = Knowledge.open(db, embedder)
        for path in (main, *OTHERS):
            computed, model_s = embedder.computed, embedder.model_seconds
            started = time.perf_counter()
            (outcome,) = knowledge.ingest([path])
            elapsed = time.perf_counter() - started
            if outcome.status != "added":
                raise RuntimeError(f"ingesting {path.name}: {outcome.status} {outcome.message}")
            rows.append(
                {
                    "store": kind,
                    "file": path.name,
                    "pages": outcome.pages,
                    "chunks": outcome.chunks,
                    "embedded": embedder.computed - computed,
                    "seconds": elapsed,
                    "embed_seconds": embedder.model_seconds - model_s,
                    "pages_per_s": outcome.pages / elapsed if outcome.pages else None,
                }
            )
        knowledge.close()
        dbs[kind] = db
    print(
        table(
            [
                [r["store"], r["file"], r["pages"] or "-", r["chunks"], r["embedded"]]
                + [f"{r['seconds']:.1f} s", _pct(r["embed_seconds"] / r["seconds"])]
                + [f"{r['pages_per_s']:.2f}" if r["pages_per_s"] else "-"]
                for r in rows
            ],
            ["store", "file", "pages", "chunks", "texts embedded", "time", "embedding", "pages/s"],
        )
    )
    print("(the Markdown store reuses the PDF store's vectors for identical texts)\n")
    return rows, dbs


# -- quality ---------------------------------------------------------------------------------------


def _quality(
    dbs: dict[str, Path],
    embedder: Embedder,
    questions: list[Question],
    vectors: dict[str, Any],
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    rows = []
    for kind, db in dbs.items():
        knowledge = Knowledge.open(db, embedder, cache=False)
        figures, outcomes = evaluate(knowledge, questions, vector_of=vectors.__getitem__)
        knowledge.close()
        misses = [
            {"question": o.question.text, "rank": o.rank, "values_ok": o.values_ok}
            for o in outcomes
            if o.question.answerable and (o.rank != 1 or not o.values_ok)
        ]
        wrongly = [o.question.text for o in outcomes if not o.question.answerable and o.found]
        out[kind] = {
            "overall": figures,
            "by_kind": scores_by_kind(outcomes),
            "misses": misses,
            "answered_without_answer": wrongly,
        }
        rows.append(_quality_row(f"{kind}: all", figures))
        if kind == "pdf":
            rows += [_quality_row(f"  {k}", f) for k, f in out[kind]["by_kind"].items()]
    header = ["questions", "n", "recall@1", "recall@3", "exact values", "answered", "declined"]
    print(table(rows, header))
    for kind, result in out.items():
        for miss in result["misses"]:
            print(f"  {kind} miss: {miss}")
    print()
    return out


def _quality_row(label: str, f: dict[str, float]) -> list[Any]:
    keys = ("recall_at_1", "recall_at_3", "exact_value_accuracy")
    return [label, int(f["questions"]), *(_pct(f.get(k)) for k in keys)] + [
        _pct(f.get("answered_when_answerable")),
        _pct(f.get("declined_when_unanswerable")),
    ]


# -- scale -----------------------------------------------------------------------------------------


def _scale(
    work: Path,
    source: Path,
    embedder: Embedder,
    questions: list[Question],
    vectors: dict[str, Any],
) -> list[dict[str, Any]]:
    """Grow a copy of the PDF store and time searches at each size, float and bit."""
    db = work / "scale.db"
    shutil.copy(source, db)
    asked = [
        q if q.document else replace(q, document=MAIN_TITLE) for q in questions if q.answerable
    ]
    store = Store.open(db, dim=embedder.dim, model=embedder.model_name)
    grower = SisterManuals(store, templates(store))
    rows: list[dict[str, Any]] = []
    for chunks in SCALES:
        started = time.perf_counter()
        grower.grow_to(chunks)
        store.conn.execute("pragma wal_checkpoint(truncate)")
        row: dict[str, Any] = {
            "chunks": store.chunk_count(),
            "vectors": store.vector_count(),
            "build_s": time.perf_counter() - started,
            "db_bytes": db.stat().st_size,
        }
        row["mb_per_1k_chunks"] = row["db_bytes"] / 1e6 / (row["chunks"] / 1000)
        overlap = [_overlap(store, vectors[q.text]) for q in asked]
        row["bit_top10_overlap"] = float(np.mean(overlap))
        for mode in ("exact", "coarse"):
            row[mode] = _search_figures(db, embedder, mode, asked, vectors)
        row["answer_s"] = summary(_answer_times(db, embedder, asked, vectors))
        rows.append(row)
    store.close()
    print(
        table(
            [
                [r["chunks"], r["vectors"], f"{r['db_bytes'] / 1e6:.0f} MB"]
                + [f"{r['mb_per_1k_chunks']:.2f} MB"]
                + [f"{ms(r[m]['search_s']['p50'])} / {ms(r[m]['search_s']['p95'])}" for m in _M]
                + [_pct(r[m]["recall_at_3"]) for m in _M]
                + [_pct(r["bit_top10_overlap"])]
                + [f"{ms(r['answer_s']['p50'])} / {ms(r['answer_s']['p95'])}"]
                for r in rows
            ],
            ["chunks", "vectors", "DB", "per 1k chunks", "float search p50/p95"]
            + ["bit+rerank p50/p95", "R@3 float", "R@3 bit", "bit top-10 overlap"]
            + ["answer p50/p95 (auto)"],
        )
    )
    print("(latency without the question's embedding; filler = near-duplicate sister manuals)\n")
    return rows


_M: Final = ("exact", "coarse")


def _search_figures(
    db: Path, embedder: Embedder, mode: str, asked: list[Question], vectors: dict[str, Any]
) -> dict[str, Any]:
    knowledge = Knowledge.open(db, embedder, cache=False, search_mode=mode)
    ranks: list[bool] = []

    def one(q: Question) -> None:
        comp = knowledge.resolve_component(q.text) or q.component
        hits = knowledge.search(q.text, k=3, vector=vectors[q.text], prefer_component=comp)
        ranks.append(any(q.matches(h) for h in hits))

    one(asked[0])  # the first query pays for loading pages into the cache
    ranks.clear()
    seconds = _timed(one, asked)
    knowledge.close()
    return {"search_s": summary(seconds), "recall_at_3": sum(ranks) / len(ranks)}


def _answer_times(
    db: Path, embedder: Embedder, asked: list[Question], vectors: dict[str, Any]
) -> list[float]:
    """The whole tool answer (search and composition) in the mode the store picks itself."""
    knowledge = Knowledge.open(db, embedder, cache=False)
    seconds = _timed(lambda q: knowledge.answer(q.text, vector=vectors[q.text]), asked)
    knowledge.close()
    return seconds


def _overlap(store: Store, vector: Any, k: int = 10) -> float:
    """Share of the exact top-``k`` vectors the binary pass (with re-ranking) also returns."""
    from edge.knowledge.search import OVERSAMPLE

    exact = {(c, r) for c, r, _ in store.knn(vector, k)}
    coarse = {(c, r) for c, r, _ in store.knn_coarse(vector, k, OVERSAMPLE)}
    return len(exact & coarse) / k


# -- semantic cache --------------------------------------------------------------------------------


def _cache(
    work: Path,
    source: Path,
    embedder: Embedder,
    model: Embedder,
    config: Config,
    questions: list[Question],
) -> dict[str, Any]:
    """Fill the cache with the question set's answers, then ask paraphrases and look-alikes."""
    db = work / "cache.db"
    shutil.copy(source, db)
    knowledge = Knowledge.open(db, embedder)
    stored: dict[str, tuple[SourceRef, ...]] = {}
    for q in questions:
        if q.answerable:
            vec = embedder.embed([q.text])[0]
            result = knowledge.answer(q.text, component_id=q.component, vector=vec)
            knowledge.cache_store(q.text, vec, result, component_id=q.component)
            stored[q.text] = result.sources
    knowledge.close()
    same = [(q, p) for q in questions if q.text in stored for p in q.paraphrases]
    other = [(q, d) for q in questions if q.text in stored for d in q.different]
    sims = {t: _cos(embedder, q.text, t) for q, t in same + other}
    truth = _fresh_answers(source, embedder, other)
    rows, figures = [], []
    for threshold in THRESHOLDS:
        knowledge = Knowledge.open(db, embedder, cache_threshold=threshold)
        for with_text in (True, False):
            f = _cache_figures(knowledge, embedder, same, other, stored, truth, with_text)
            f.update(threshold=threshold, with_question_text=with_text)
            figures.append(f)
            rows.append(
                [f"{threshold:.2f}", "question+vector" if with_text else "vector only"]
                + [f"{f['paraphrase_hits']}/{len(same)} ({_pct(f['paraphrase_hit_rate'])})"]
                + [f"{f['false_hits']}/{len(other)}", f"{f['wrong_answers']}"]
            )
        knowledge.close()
    print(
        table(
            rows,
            ["threshold", "lookup", "paraphrase hits", "look-alike hits", "wrong source"],
        )
    )
    latency = _hit_latency(db, model, config, same)
    print(
        f"cosine of paraphrases to their question: p50 {_p(sims, same, 50):.3f}, "
        f"p5 {_p(sims, same, 5):.3f}; of look-alikes: p50 {_p(sims, other, 50):.3f}, "
        f"p95 {_p(sims, other, 95):.3f}"
    )
    print(
        f"hit latency, final transcript to first audio: p50 {ms(latency['total_s']['p50'])}, "
        f"p95 {ms(latency['total_s']['p95'])} (embed {ms(latency['embed_s']['p50'])}, "
        f"lookup {ms(latency['lookup_s']['p50'])}, first sentence from the speech memo "
        f"{ms(latency['tts_s']['p50'])}; {latency['tts']}; synthesizing it instead: "
        f"{ms(latency['synthesis_s']['p50'])})\n"
    )
    return {
        "entries": len(stored),
        "paraphrases": len(same),
        "look_alikes": len(other),
        "by_threshold": figures,
        "paraphrase_cosine": {"p5": _p(sims, same, 5), "p50": _p(sims, same, 50)},
        "look_alike_cosine": {"p50": _p(sims, other, 50), "p95": _p(sims, other, 95)},
        "hit_latency": latency,
    }


def _fresh_answers(
    source: Path, embedder: Embedder, asked: Sequence[tuple[Question, str]]
) -> dict[str, tuple[SourceRef, ...]]:
    """Where the tool's answer to each text comes from, without the cache.

    A cached answer from the same place is no harm ("maximum" and "minimum" gearbox oil
    temperature are answered from the same limits row), so answers are compared by their
    sources (document, section, page), not word for word.
    """
    knowledge = Knowledge.open(source, embedder, cache=False)
    out = {t: knowledge.answer(t, component_id=q.component).sources for q, t in asked}
    knowledge.close()
    return out


def _cache_figures(
    knowledge: Knowledge,
    embedder: Embedder,
    same: Sequence[tuple[Question, str]],
    other: Sequence[tuple[Question, str]],
    stored: dict[str, tuple[SourceRef, ...]],
    truth: dict[str, tuple[SourceRef, ...]],
    with_text: bool,
) -> dict[str, Any]:
    def lookup(q: Question, text: str) -> ToolResult | None:
        vector = embedder.embed([text])[0]
        if with_text:
            return knowledge.cache_lookup(vector, question=text, component_id=q.component)
        return knowledge.cache_lookup(vector)  # as edge.responder calls it today

    hits, wrong, false_hits = 0, [], []
    for q, text in same:
        hit = lookup(q, text)
        hits += hit is not None
        if hit is not None and hit.sources != stored[q.text]:
            wrong.append({"asked": text, "cached_source": _where(hit.sources)})
    for q, text in other:
        hit = lookup(q, text)
        if hit is not None:
            false_hits.append(text)
            if hit.sources != truth[text]:
                wrong.append({"asked": text, "cached_source": _where(hit.sources)})
    return {
        "paraphrase_hits": hits,
        "paraphrase_hit_rate": hits / len(same) if same else None,
        "false_hits": len(false_hits),
        "wrong_answers": len(wrong),
        "look_alikes_answered": false_hits,
        "wrong": wrong,
    }


def _hit_latency(
    db: Path, model: Embedder, config: Config, same: Sequence[tuple[Question, str]]
) -> dict[str, Any]:
    """Final transcript -> embedding -> cache hit -> first sentence's audio ready, per hit."""
    from edge.engines.base import EngineContext
    from edge.engines.registry import load_engine
    from edge.models import ModelStore

    try:
        context = EngineContext(ModelStore(config.device.state_dir / "models"))
        tts = load_engine("tts", config.tts.engine, config.tts.options, context)
        tts.synthesize("Warming up.")
        engine = config.tts.engine
    except Exception as err:  # no voice installed: report the lookup part alone
        tts, engine = None, f"no TTS: {err}"
    knowledge = Knowledge.open(db, model, cache_threshold=config.knowledge.cache_threshold)
    # The cached answer was spoken when it was first given, so its sentences are in the speech
    # memo, as in the daemon; the time piper needs without it is reported too (synthesis_s).
    memo = SpeechMemo(tts.rate) if tts is not None else None
    synthesis: list[float] = []
    for q, text in same:
        vector = model.embed([text])[0]
        hit = knowledge.cache_lookup(vector, question=text, component_id=q.component)
        if hit is not None and tts is not None and memo is not None:
            started = time.perf_counter()
            memo.put(hit.speech[0], tts.synthesize(hit.speech[0]))
            synthesis.append(time.perf_counter() - started)
    parts: dict[str, list[float]] = {"embed_s": [], "lookup_s": [], "tts_s": [], "total_s": []}
    for q, text in same:
        t0 = time.perf_counter()
        vector = model.embed([text])[0]
        t1 = time.perf_counter()
        hit = knowledge.cache_lookup(vector, question=text, component_id=q.component)
        t2 = time.perf_counter()
        if hit is None:
            continue
        if tts is not None and memo is not None and memo.get(hit.speech[0]) is None:
            memo.put(hit.speech[0], tts.synthesize(hit.speech[0]))
        t3 = time.perf_counter()
        for key, value in zip(parts, (t1 - t0, t2 - t1, t3 - t2, t3 - t0), strict=True):
            parts[key].append(value)
    knowledge.close()
    figures = {key: summary(values) for key, values in parts.items()}
    return {"tts": engine, **figures, "synthesis_s": summary(synthesis)}


# -- helpers ---------------------------------------------------------------------------------------


def _timed(fn: Callable[[Any], Any], items: Sequence[Any]) -> list[float]:
    out = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - started)
    return out


def _cos(embedder: Embedder, a: str, b: str) -> float:
    va, vb = embedder.embed([a, b])
    return float(np.dot(va, vb))


def _p(sims: dict[str, float], pairs: Sequence[tuple[Question, str]], q: float) -> float:
    return percentile([sims[t] for _, t in pairs], q) or 0.0


def _where(sources: Sequence[SourceRef]) -> str:
    return "; ".join(f"{s.document} {s.section}" for s in sources)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
