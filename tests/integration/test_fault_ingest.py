"""Fault suite, large manuals with the real embedder: the ONNX graph built from the safetensors
weights gives the reference vectors, and ``edge ingest`` shows progress, names the limit it hit,
and steps back next to a running daemon. Speed is measured by bench/ingest.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from edge.config import load_config
from edge.engines.base import EngineContext
from edge.engines.minilm import MiniLm
from edge.engines.minilm_numpy import MiniLmNumpy
from edge.knowledge.embedding import background_threads, configured_embedder
from edge.models import ModelStore
from edge.presence import DaemonLock, daemon_running
from tests.pdfs import three_page_pdf

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
TEXT = REPO / "samples" / "manuals" / "htw1500-torque-wrench.txt"


def test_onnx_graph_from_the_safetensors_gives_the_reference_vectors(tmp_path: Path) -> None:
    store = ModelStore(tmp_path / "models")
    context = EngineContext(store)
    onnx_engine = MiniLm(MiniLm.Options(), context)  # builds the graph on first use
    assert (tmp_path / "models" / "minilm-l6-v2" / "model.onnx").is_file()
    reference = MiniLmNumpy(MiniLmNumpy.Options(), context)
    lines = [line.strip() for line in TEXT.read_text().splitlines() if line.strip()]
    texts = [*lines, "", "E-117", "torque " * 400]  # empty, tiny, and truncated at 256 tokens
    a, b = reference.embed(texts), onnx_engine.embed(texts)
    assert a.shape == b.shape == (len(texts), 384)
    assert float((a * b).sum(axis=1).min()) > 0.99999
    assert float(np.abs(a - b).max()) < 1e-5
    # Batching and order do not change a text's vector.
    again = onnx_engine.embed(texts[::-1])[::-1]
    assert float(np.abs(again - b).max()) < 1e-5


def _edge(*args: str, state_dir: Path, env: dict[str, str] | None = None) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "edge", *args],
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "EDGE_DEVICE__STATE_DIR": str(state_dir), **(env or {})},
        cwd=REPO,
    )


def test_fault_ingest_shows_progress_and_names_the_limit_it_hit(tmp_path: Path) -> None:
    manual = three_page_pdf(tmp_path / "three-pages.pdf")
    state = tmp_path / "state"
    done = _edge(
        "ingest", str(manual), str(TEXT), state_dir=state, env={"EDGE_KNOWLEDGE__MAX_PAGES": "2"}
    )
    assert done.returncode == 1, done.stderr
    assert (
        f"failed     {manual}: 3 pages, more than 2: split the manual or raise "
        "knowledge.max_pages (now 2)" in done.stdout
    )
    assert f"added      {TEXT}" in done.stdout
    # Not a terminal: progress comes as lines on stderr, the last one complete.
    assert f"ingest {TEXT}: embedding " in done.stderr
    last = [line for line in done.stderr.splitlines() if line.startswith(f"ingest {TEXT}")][-1]
    count = last.rsplit(" ", 2)[-2]
    assert count.split("/")[0] == count.split("/")[1]


def test_ingest_next_to_a_running_daemon_takes_half_the_cores(tmp_path: Path) -> None:
    state = tmp_path / "state"
    assert not daemon_running(state)
    lock = DaemonLock.acquire(state)
    try:
        assert daemon_running(state)
        config = load_config(env={}, overrides={"device.state_dir": str(state)})
        embedder = configured_embedder(config, background=True)
        assert isinstance(embedder, MiniLm)
        assert embedder.options.threads == background_threads()
        assert embedder.options.spin is False
        done = _edge("ingest", str(TEXT), state_dir=state)
        assert done.returncode == 0, done.stderr
        assert "edge is running: ingesting in the background" in done.stdout
    finally:
        lock.release()
    assert not daemon_running(state)
