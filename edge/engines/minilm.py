"""all-MiniLM-L6-v2 sentence embeddings on onnxruntime (the default ``embed`` engine).

The model package carries safetensors weights only; ``edge models assemble`` turns them into an
ONNX graph once (:mod:`edge.engines.bert_onnx`, no torch), and the engine assembles it itself on
first use if that step was skipped. onnxruntime is about ten times faster than the plain-numpy
pass (``minilm-numpy``, kept as the independent reference the graph is checked against) and gives
the same vectors to about 1e-7.

Texts are tokenised together, sorted by length and run in batches of similar length, so a batch
pads to its own longest text, not to the longest of the call.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from edge.engines.base import EngineContext
from edge.errors import ModelError
from edge.events import Float32Array

_LOGGER = logging.getLogger(__name__)

DIM = 384
"""all-MiniLM-L6-v2's vector length."""


class TokenBatches:
    """Tokenises texts and yields ``(rows, input_ids, attention_mask)`` batches, shortest first."""

    def __init__(self, tokenizer_path: str, max_tokens: int) -> None:
        from tokenizers import Tokenizer

        self._tok: Any = Tokenizer.from_file(tokenizer_path)
        self._tok.enable_truncation(max_tokens)
        self._tok.no_padding()

    def batches(
        self, texts: Sequence[str], batch: int
    ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Batches of at most ``batch`` texts; ``rows`` are their positions in ``texts``."""
        encoded = [e.ids for e in self._tok.encode_batch(list(texts))]
        order = np.argsort([len(ids) for ids in encoded], kind="stable")
        out = []
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            width = max(len(encoded[r]) for r in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for i, r in enumerate(rows):
                ids[i, : len(encoded[r])] = encoded[r]
                mask[i, : len(encoded[r])] = 1
            out.append((rows, ids, mask))
        return out


class MiniLm:
    """384-dimensional sentence vectors, L2-normalised, mean-pooled (onnxruntime)."""

    requires = (
        ("onnxruntime", "onnxruntime"),
        ("onnx", "onnx"),
        ("safetensors", "safetensors"),
        ("tokenizers", "tokenizers"),
    )

    @dataclass(frozen=True, slots=True)
    class Options:
        """MiniLM settings."""

        model: str = "minilm-l6-v2"
        """Manifest model name."""
        max_tokens: int = 256
        """Longer texts are truncated (the model was trained on 256)."""
        batch: int = 8
        """Texts per forward pass (4 to 16 are equally fast for manual chunks, 32 and more slower:
        ``python -m bench.run ingest``)."""
        threads: int = 0
        """onnxruntime threads; 0 for one per core."""
        spin: bool = False
        """Let idle worker threads spin-wait for the next batch. Off: on a busy 2-core machine
        spinning threads took CPU from everything else and embedded half as fast."""

        def __post_init__(self) -> None:
            if not 8 <= self.max_tokens <= 512:
                raise ValueError("embed.options.max_tokens must be 8..512")
            if not 1 <= self.batch <= 512:
                raise ValueError("embed.options.batch must be 1..512")
            if not 0 <= self.threads <= 64:
                raise ValueError("embed.options.threads must be 0..64 (0: one per core)")

    dim = DIM

    def __init__(self, options: Options, context: EngineContext) -> None:
        import onnxruntime as ort

        self.options = options
        self.model_name = "all-MiniLM-L6-v2"
        graph = _onnx_graph(context, options.model)
        self._tokens = TokenBatches(
            str(context.models.path(options.model, "tokenizer.json")), options.max_tokens
        )
        so = ort.SessionOptions()
        so.intra_op_num_threads = options.threads or (os.cpu_count() or 1)
        so.inter_op_num_threads = 1
        so.log_severity_level = 3  # shape-merge notices are not the user's business
        if not options.spin:
            so.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session: Any = ort.InferenceSession(
            str(graph), so, providers=["CPUExecutionProvider"]
        )

    def embed(self, texts: Sequence[str]) -> Float32Array:
        """Vectors for ``texts`` (rows L2-normalised)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for rows, ids, mask in self._tokens.batches(texts, self.options.batch):
            feed = {"input_ids": ids, "attention_mask": mask}
            out[rows] = self._session.run(None, feed)[0]
        return out


def _onnx_graph(context: EngineContext, model: str) -> Any:
    """The assembled graph of ``model``, built now if ``edge models assemble`` was not run."""
    try:
        return context.models.path(model, "model.onnx")
    except ModelError as err:
        if err.code != "model-not-assembled":
            raise
    _LOGGER.info("Building the ONNX graph of %s once (edge models assemble)", model)
    try:
        context.models.assemble(model)
    except OSError as err:  # a read-only models folder (the installed one is assembled at install)
        raise ModelError(
            "model-not-assembled",
            f"model {model} is not assembled and cannot be built here: {err}",
            fix=f"edge models assemble {model}",
        ) from err
    return context.models.path(model, "model.onnx")
