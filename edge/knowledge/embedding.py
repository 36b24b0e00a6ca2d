"""The sentence encoder the manuals are embedded with, and a memo for repeated texts.

``configured_embedder`` is what ``edge ingest``, the benchmark and the tests load, so they all
embed with the same engine and options the device uses. :class:`MemoEmbedder` wraps it when the
same texts are embedded again and again (the same manual as PDF and Markdown, a question set run
in several configurations): the vectors are the real model's, only the repeated work is spared.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from edge.engines.base import Embedder, EngineContext
from edge.events import Float32Array

if TYPE_CHECKING:
    from edge.config import Config


def configured_embedder(
    config: Config, models_dir: Path | None = None, *, background: bool = False
) -> Embedder:
    """The ``embed`` engine of ``config`` (models under ``<state_dir>/models`` by default).

    With ``background`` (an ingest next to the running daemon) an engine that has ``threads``
    and ``spin`` options uses half the cores (unless the config sets ``threads``) and never
    spins.

    Raises:
        EngineError: the engine or its package is missing.
        ModelError: a model file is missing or corrupt.
    """
    from edge.engines.registry import engine_class, load_engine
    from edge.models import ModelStore

    options = dict(config.embed.options)
    if background:
        names = {
            f.name for f in dataclasses.fields(engine_class("embed", config.embed.engine).Options)
        }
        if "threads" in names:
            options.setdefault("threads", background_threads())
        if "spin" in names:
            options["spin"] = False
    context = EngineContext(ModelStore(models_dir or config.device.state_dir / "models"))
    embedder: Embedder = load_engine("embed", config.embed.engine, options, context)
    return embedder


def background_threads() -> int:
    """Threads for embedding next to the daemon: half the cores, at least one."""
    return max(1, (os.cpu_count() or 1) // 2)


class MemoEmbedder:
    """An :class:`Embedder` that remembers every vector it computed (one thread at a time)."""

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        self.dim = inner.dim
        self.model_name = inner.model_name
        self.calls = 0
        """Calls to :meth:`embed`."""
        self.computed = 0
        """Texts the inner model embedded (memo misses)."""
        self.model_seconds = 0.0
        """Time spent in the inner model (s): the share of an ingest that is embedding."""
        self._memo: dict[str, Float32Array] = {}

    def embed(self, texts: Sequence[str]) -> Float32Array:
        """Vectors for ``texts``; only texts never seen before reach the model."""
        self.calls += 1
        todo = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if todo:
            started = time.perf_counter()
            vectors = self._inner.embed(todo)
            self.model_seconds += time.perf_counter() - started
            self.computed += len(todo)
            for text, vector in zip(todo, vectors, strict=True):
                self._memo[text] = np.asarray(vector, dtype=np.float32)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._memo[t] for t in texts]).astype(np.float32)
