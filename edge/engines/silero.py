"""Silero VAD v6 through onnxruntime, without torch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from edge.engines.base import EngineContext
from edge.events import Float32Array

_CONTEXT: Final = 64
"""Samples of the previous frame the v6 model expects in front of each 512-sample frame."""


class SileroVad:
    """Speech probability per 32 ms frame at 16 kHz."""

    requires = (("onnxruntime", "onnxruntime"),)

    @dataclass(frozen=True, slots=True)
    class Options:
        """Silero settings."""

        model: str = "silero-vad"
        """Manifest name of the ONNX model."""

    rate = 16_000
    frame_samples = 512

    def __init__(self, options: Options, context: EngineContext) -> None:
        import onnxruntime as ort

        path = context.models.path(options.model, "silero_vad.onnx")
        so = ort.SessionOptions()
        # One thread each: a frame takes ~0.1 ms, and threads would only fight whisper for cores.
        so.intra_op_num_threads = 1
        so.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(path), sess_options=so, providers=["CPUExecutionProvider"]
        )
        self._sr = np.array(self.rate, dtype=np.int64)
        self._state: Any = None
        self._context: Any = None
        self.reset()

    def reset(self) -> None:
        """Forget the recurrent state."""
        self._state = np.zeros((2, 1, 128), dtype=np.float32)
        self._context = np.zeros((1, _CONTEXT), dtype=np.float32)

    def speech_probability(self, frame: Float32Array) -> float:
        """Probability that the 512-sample ``frame`` holds speech."""
        if len(frame) != self.frame_samples:
            raise ValueError(f"Silero needs {self.frame_samples} samples, got {len(frame)}")
        x = np.concatenate([self._context, frame.reshape(1, -1).astype(np.float32)], axis=1)
        out, self._state = self._session.run(
            None, {"input": x, "state": self._state, "sr": self._sr}
        )
        self._context = x[:, -_CONTEXT:]
        return float(out[0, 0])
