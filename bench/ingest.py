"""Ingesting large manuals: time, pages/s, texts/s and peak memory, and the embedder's settings.

Inputs are made by ``bench/_large.py`` (cached in ``<out>/ingest-inputs``): a 2,000-page text PDF,
a Markdown table of 200,000 rows, a 50 MB text file and a 20 MB file on one line. Each is ingested
by a fresh process (``python -m bench.ingest --one FILE``) into an empty database with the
default config, so its peak RSS is its own; the 50 MB file is first offered at the default
``knowledge.max_manual_mb`` (refused at once) and then with the limit raised. The load average
is recorded with every figure: on a shared machine it explains most of the spread.

A sweep of ``embed.options.batch`` and ``threads`` over 512 chunk texts of a 120-page PDF picks
the defaults. ``EDGE_BENCH_INGEST=pdf,line`` runs only the named cases (``pdf table text line
sweep``); ``EDGE_BENCH_INGEST_LIMIT_S=600`` stops a case after that long and reports how far it
got and its CPU cost per text so far (a loaded shared machine cannot finish them all).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Final

from bench import _large
from bench.common import table
from edge.models import ModelStore

CASES: Final = {
    "pdf": ("manual-2000-pages.pdf", _large.write_pdf, 2000),
    "table": ("table-200k-rows.md", _large.write_table, 200_000),
    "text": ("text-50mb.txt", _large.write_text, 50.0),
    "line": ("line-20mb.txt", _large.write_one_line, 20.0),
}
SWEEP_BATCHES: Final = (4, 8, 16, 32)
SWEEP_TEXTS: Final = 512


def run(out_dir: Path) -> dict[str, Any]:
    """Make the inputs (once), ingest each in its own process, and sweep batch and threads."""
    wanted = os.environ.get("EDGE_BENCH_INGEST", "pdf,table,text,line,sweep").split(",")
    inputs = out_dir / "ingest-inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    models = inputs / "models"
    ModelStore(models).assemble("minilm-l6-v2")
    results: dict[str, Any] = {"cases": {}, "cpus": os.cpu_count()}
    rows = []
    for name, (file_name, make, size) in CASES.items():
        if name not in wanted:
            continue
        path = inputs / file_name
        if not path.exists():
            print(f"making {path} ...", flush=True)
            make(path, size)  # type: ignore[operator]
        runs = [("default", {})]
        if name == "text":  # over the default knowledge.max_manual_mb: refused, then allowed
            runs.append(("limit raised", {"EDGE_KNOWLEDGE__MAX_MANUAL_MB": "64"}))
        for label, env in runs:
            figures = _one_process(path, env, models)
            results["cases"][f"{name} ({label})"] = figures
            rows.append(_row(f"{name} ({label})", path, figures))
            print(table(rows[-1:], _HEADER), flush=True)
    if "sweep" in wanted:
        sample = inputs / "manual-120-pages.pdf"
        if not sample.exists():
            _large.write_pdf(sample, 120)
        results["sweep"] = _sweep(sample, models)
    print()
    print(table(rows, _HEADER))
    return results


_HEADER = (
    "input",
    "MB",
    "status",
    "pages",
    "chunks",
    "texts",
    "total s",
    "read s",
    "embed s",
    "pages/s",
    "texts/s",
    "CPU s",
    "peak RSS MB",
    "load 1m",
)


def _row(label: str, path: Path, f: dict[str, Any]) -> list[Any]:
    embed = f["embed_s"] or 0.0
    return [
        label,
        f"{path.stat().st_size / 1e6:.1f}",
        f["status"],
        f["pages"] or "-",
        f["chunks"],
        f"{f['texts']}/{f['texts_total']}" if "texts_total" in f else f["texts"],
        f"{f['total_s']:.1f}",
        f"{f['read_s']:.1f}",
        f"{embed:.1f}",
        f"{f['pages'] / f['total_s']:.1f}" if f["pages"] else "-",
        f"{f['texts'] / embed:.0f}" if embed else "-",
        f"{f['cpu_s']:.0f}" if "cpu_s" in f else "-",
        f"{f['peak_rss_mb']:.0f}",
        f"{f['load_before'][0]:.1f}->{f['load_after'][0]:.1f}",
    ]


def _one_process(path: Path, env: dict[str, str], models: Path) -> dict[str, Any]:
    limit = float(os.environ.get("EDGE_BENCH_INGEST_LIMIT_S", "0")) or None
    with tempfile.TemporaryDirectory(prefix="edge-bench-ingest-") as state:
        # The models folder is shared, its ONNX graph built once: a case measures ingest only.
        (Path(state) / "models").symlink_to(models.resolve(), target_is_directory=True)
        snapshot = Path(state) / "progress.json"
        load_before = os.getloadavg()
        try:
            done = subprocess.run(
                [sys.executable, "-m", "bench.ingest", "--one", str(path)],
                capture_output=True,
                text=True,
                check=False,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "EDGE_DEVICE__STATE_DIR": state, **env},
                cwd=Path(__file__).resolve().parents[1],
                timeout=limit,
            )
        except subprocess.TimeoutExpired:
            partial: dict[str, Any] = json.loads(snapshot.read_text())
            return {
                **partial,
                "status": f"stopped at {limit:.0f} s",
                "total_s": limit,
                "load_before": load_before,
                "load_after": os.getloadavg(),
            }
    if done.returncode != 0:
        raise RuntimeError(f"ingest of {path} failed: {done.stderr[-2000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _measure(path: Path) -> dict[str, Any]:
    """Ingest ``path`` in this process with the configured embedder; print the figures as JSON."""
    from edge.config import load_config
    from edge.knowledge import Knowledge
    from edge.knowledge.embedding import configured_embedder
    from edge.knowledge.ingest import IngestLimits
    from edge.knowledge.progress import Progress

    config = load_config()
    embedder = configured_embedder(config)
    knowledge = Knowledge.open(config.knowledge_db, embedder, cache=False)
    marks: dict[str, float] = {}
    texts = [0]
    snapshot = config.device.state_dir / "progress.json"

    def progress(event: Progress) -> None:
        now = time.perf_counter()
        marks.setdefault(f"{event.stage}_start", now)
        marks[f"{event.stage}_end"] = now
        if event.stage == "embedding":
            texts[0] = event.total
            # How far it got, for a parent that stops a long case (EDGE_BENCH_INGEST_LIMIT_S).
            embed_s = now - marks["embedding_start"]
            snapshot.write_text(
                json.dumps(
                    {
                        "message": f"{event.done}/{event.total} texts embedded",
                        "pages": None,
                        "chunks": 0,
                        "texts": event.done,
                        "texts_total": event.total,
                        "read_s": marks["embedding_start"] - started,
                        "embed_s": embed_s,
                        "cpu_s": sum(os.times()[:2]),
                        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                    }
                )
            )

    limits = IngestLimits(config.knowledge.max_pages, config.knowledge.max_manual_mb)
    load_before = os.getloadavg()
    started = time.perf_counter()
    (outcome,) = knowledge.ingest([path], limits=limits, progress=progress)
    total = time.perf_counter() - started
    knowledge.close()
    embed_s = marks["embedding_end"] - marks["embedding_start"] if texts[0] else None
    return {
        "status": outcome.status,
        "message": outcome.message,
        "pages": outcome.pages,
        "chunks": outcome.chunks,
        "texts": texts[0],
        "total_s": total,
        # Everything before embedding: reading, parsing, chunking, limits.
        "read_s": (marks.get("embedding_start", started + total) - started),
        "embed_s": embed_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        # CPU seconds (all threads): what the ingest costs whatever else the machine is doing.
        "cpu_s": sum(os.times()[:2]),
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }


def _sweep(pdf: Path, models: Path) -> list[dict[str, Any]]:
    """Milliseconds per chunk text for each batch size and thread count (the PDF's chunks)."""
    from edge.engines.base import EngineContext
    from edge.engines.minilm import MiniLm
    from edge.knowledge.chunker import chunk_document
    from edge.knowledge.components import ComponentIndex
    from edge.knowledge.ingest import embedding_text
    from edge.knowledge.readers import read_document

    doc = read_document(pdf, pdf.read_bytes(), max_pages=120)
    index = ComponentIndex([])
    chunked = chunk_document(doc, index)
    texts = [
        embedding_text(doc.title, c, i, index)
        for c, i in zip(chunked.chunks, chunked.intros, strict=True)
    ][:SWEEP_TEXTS]
    context = EngineContext(ModelStore(models))
    rows, out = [], []
    for threads in sorted({1, os.cpu_count() or 1}):
        for batch in SWEEP_BATCHES:
            engine = MiniLm(MiniLm.Options(batch=batch, threads=threads), context)
            engine.embed(texts[:16])
            load = os.getloadavg()[0]
            started = time.perf_counter()
            engine.embed(texts)
            ms = (time.perf_counter() - started) / len(texts) * 1000
            out.append({"threads": threads, "batch": batch, "ms_per_text": ms, "load": load})
            rows.append([threads, batch, f"{ms:.2f}", f"{load:.1f}"])
    print(table(rows, ["threads", "batch", "ms/text", "load 1m"]))
    return out


def main(argv: list[str] | None = None) -> int:
    """``--one FILE``: the child process of one case."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--one", type=Path, required=True)
    args = parser.parse_args(argv)
    print(json.dumps(_measure(args.one)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
