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

from edge.config import load_config
from edge.engines.base import Embedder
from edge.knowledge import Knowledge
from edge.knowledge.embedding import MemoEmbedder, configured_embedder

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
def embedder() -> Embedder:
    """The real all-MiniLM-L6-v2 engine (the default config's), loaded once."""
    return configured_embedder(load_config(env={}), _ROOT / "models")


@functools.cache
def shared_embedder() -> MemoEmbedder:
    """One memoising wrapper around the real embedder for the whole session (same vectors)."""
    return MemoEmbedder(embedder())


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
