"""Shared set-up for the knowledge tests: the real MiniLM, the sample manuals, built databases.

Embedding the sample manuals takes seconds, so each database is built once per session and the
tests get their own copy of the file.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from edge.engines.base import EngineContext
from edge.engines.registry import load_engine
from edge.knowledge import Knowledge
from edge.models import ModelStore

REPO = Path(__file__).resolve().parents[2]
MANUALS = REPO / "samples" / "manuals"
MARKDOWN = MANUALS / "wt2000-maintenance.md"
HTML = MANUALS / "sl240-service-lift.html"
TEXT = MANUALS / "htw1500-torque-wrench.txt"
QUESTIONS = REPO / "samples" / "questions" / "manual_qa.toml"
GENERATED = REPO / "tests" / "data" / "generated" / "manuals"

_ROOT = Path(tempfile.mkdtemp(prefix="edge-knowledge-"))
atexit.register(shutil.rmtree, _ROOT, True)


@functools.cache
def embedder() -> Any:
    """The real all-MiniLM-L6-v2 engine, loaded once."""
    return load_engine("embed", "minilm", {}, EngineContext(ModelStore(_ROOT / "models")))


class CountingEmbedder:
    """The real embedder, remembering vectors so re-embedding the same text is free.

    It is the real model (same vectors); the memo only spares the tests repeated work.
    """

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.dim = inner.dim
        self.model_name = inner.model_name
        self.calls = 0
        self._memo: dict[str, np.ndarray] = {}

    def embed(self, texts: Any) -> np.ndarray:
        self.calls += 1
        todo = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if todo:
            for text, vector in zip(todo, self._inner.embed(todo), strict=True):
                self._memo[text] = vector
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._memo[t] for t in texts]).astype(np.float32)


@functools.cache
def shared_embedder() -> CountingEmbedder:
    """One memoising wrapper around the real embedder for the whole session."""
    return CountingEmbedder(embedder())


@functools.cache
def sample_pdf() -> Path:
    """The WT-2000 manual rendered to PDF by the repo's script."""
    out = GENERATED / "wt2000-maintenance.pdf"
    subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "render_manual_pdf.py"),
            str(MARKDOWN),
            "-o",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return out


@functools.cache
def _built(kind: str) -> Path:
    db = _ROOT / f"{kind}.db"
    main = sample_pdf() if kind == "pdf" else MARKDOWN
    knowledge = Knowledge.open(db, shared_embedder())
    outcomes = knowledge.ingest([main, HTML, TEXT])
    knowledge.close()
    assert [o.status for o in outcomes] == ["added"] * 3, outcomes
    return db


def database_copy(kind: str, target: Path) -> Path:
    """A private copy of the database of the three samples (``"markdown"`` or ``"pdf"``)."""
    source = _built(kind)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target)
    return target


def open_copy(kind: str, tmp_path: Path, **options: Any) -> Knowledge:
    """A :class:`Knowledge` over a private copy of a sample database."""
    return Knowledge.open(
        database_copy(kind, tmp_path / f"{kind}.db"), shared_embedder(), **options
    )
