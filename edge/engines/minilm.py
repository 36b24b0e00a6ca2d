"""all-MiniLM-L6-v2 sentence embeddings in plain numpy (no torch, no ONNX export step).

The forward pass reads the package's ``model.safetensors`` directly; it matches
sentence-transformers' ``encode(normalize_embeddings=True)`` to about 1e-7 (see the research notes).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from edge.engines.base import EngineContext
from edge.events import Float32Array

_HEADS: Final = 12
_LAYERS: Final = 6


class MiniLm:
    """384-dimensional sentence vectors, L2-normalised, mean-pooled."""

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

    dim = 384

    def __init__(self, options: Options, context: EngineContext) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.options = options
        self.model_name = "all-MiniLM-L6-v2"
        weights = context.models.path(options.model, "model.safetensors")
        self._w: dict[str, Any] = load_file(str(weights))
        self._tok: Any = Tokenizer.from_file(
            str(context.models.path(options.model, "tokenizer.json"))
        )
        self._tok.enable_truncation(options.max_tokens)
        self._tok.enable_padding(pad_id=0, pad_token="[PAD]")
        # Linear weights are stored (out, in); transpose once so each layer is x @ W.
        self._t = {
            k: np.ascontiguousarray(v.T)
            for k, v in self._w.items()
            if k.endswith(".weight") and v.ndim == 2 and "embeddings" not in k
        }

    def embed(self, texts: Sequence[str]) -> Float32Array:
        """Vectors for ``texts`` (rows L2-normalised)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [
            self._forward(list(texts[i : i + self.options.batch]))
            for i in range(0, len(texts), self.options.batch)
        ]
        return np.asarray(np.concatenate(parts), dtype=np.float32)

    def _forward(self, texts: list[str]) -> Float32Array:
        w, t = self._w, self._t
        encoded = self._tok.encode_batch(texts)
        ids = np.array([e.ids for e in encoded])
        mask = np.array([e.attention_mask for e in encoded], dtype=np.float32)
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
