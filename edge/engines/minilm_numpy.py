"""all-MiniLM-L6-v2 sentence embeddings in plain numpy: the reference the ONNX graph is checked by.

The forward pass reads the package's ``model.safetensors`` directly and was checked against
sentence-transformers' ``encode(normalize_embeddings=True)`` (torch, in a separate environment) to
about 1e-7. It is written independently of :mod:`edge.engines.bert_onnx`, so the test that the two
agree checks the graph builder against BERT itself. About ten times slower than the ``minilm``
engine; select it with ``embed.engine = "minilm-numpy"``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from edge.engines.base import EngineContext
from edge.engines.minilm import DIM, TokenBatches
from edge.events import Float32Array

_HEADS: Final = 12
_LAYERS: Final = 6


class MiniLmNumpy:
    """384-dimensional sentence vectors, L2-normalised, mean-pooled (numpy)."""

    requires = (("safetensors", "safetensors"), ("tokenizers", "tokenizers"))

    @dataclass(frozen=True, slots=True)
    class Options:
        """MiniLM settings."""

        model: str = "minilm-l6-v2"
        """Manifest model name."""
        max_tokens: int = 256
        """Longer texts are truncated (the model was trained on 256)."""
        batch: int = 32
        """Texts per forward pass."""

        def __post_init__(self) -> None:
            if not 8 <= self.max_tokens <= 512:
                raise ValueError("embed.options.max_tokens must be 8..512")
            if not 1 <= self.batch <= 512:
                raise ValueError("embed.options.batch must be 1..512")

    dim = DIM

    def __init__(self, options: Options, context: EngineContext) -> None:
        from safetensors.numpy import load_file

        self.options = options
        self.model_name = "all-MiniLM-L6-v2"
        weights = context.models.path(options.model, "model.safetensors")
        self._w: dict[str, Any] = load_file(str(weights))
        self._tokens = TokenBatches(
            str(context.models.path(options.model, "tokenizer.json")), options.max_tokens
        )
        # Linear weights are stored (out, in); transpose once so each layer is x @ W.
        self._t = {
            k: np.ascontiguousarray(v.T)
            for k, v in self._w.items()
            if k.endswith(".weight") and v.ndim == 2 and "embeddings" not in k
        }

    def embed(self, texts: Sequence[str]) -> Float32Array:
        """Vectors for ``texts`` (rows L2-normalised)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for rows, ids, mask in self._tokens.batches(texts, self.options.batch):
            out[rows] = self._forward(ids, mask.astype(np.float32))
        return out

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> Float32Array:
        w, t = self._w, self._t
        batch, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length][None]
            + w["embeddings.token_type_embeddings.weight"][0][None, None]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        hidden = x.shape[-1]
        head = hidden // _HEADS
        bias = (1.0 - mask)[:, None, None, :] * -1e9
        for i in range(_LAYERS):
            p = f"encoder.layer.{i}."

            def lin(z: Any, name: str, p: str = p) -> Any:
                return z @ t[p + name + ".weight"] + w[p + name + ".bias"]

            q = (
                lin(x, "attention.self.query")
                .reshape(batch, length, _HEADS, head)
                .transpose(0, 2, 1, 3)
            )
            k = (
                lin(x, "attention.self.key")
                .reshape(batch, length, _HEADS, head)
                .transpose(0, 2, 3, 1)
            )
            v = (
                lin(x, "attention.self.value")
                .reshape(batch, length, _HEADS, head)
                .transpose(0, 2, 1, 3)
            )
            scores = q @ k / math.sqrt(head) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
            x = _layer_norm(
                lin(ctx, "attention.output.dense") + x,
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
            )
            y = lin(_gelu(lin(x, "intermediate.dense")), "output.dense")
            x = _layer_norm(y + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)


def _layer_norm(x: Any, gain: Any, bias: Any, eps: float = 1e-12) -> Any:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gain + bias


def _gelu(x: Any) -> Any:
    """BERT's exact (erf) GELU."""
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def _erf(x: Any) -> Any:
    """Erf to 1.5e-7 (Abramowitz & Stegun 7.1.26), so numpy alone suffices (no scipy)."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1.0 - poly * np.exp(-a * a))
