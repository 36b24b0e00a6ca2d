"""RNNoise (Xiph/Valin): a small recurrent network that gains 22 bands, from the pyrnnoise wheel.

Only the wheel's ``librnnoise.so`` is used, through ctypes: pyrnnoise's Python module imports
audiolab and matplotlib for file conversion, which the capture path does not need (the package
is installed ``--no-deps``). 48 kHz, 10 ms frames; its output lags 20 ms; a few per cent of a core.
"""

from __future__ import annotations

import ctypes
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from edge.engines.base import EngineContext
from edge.engines.rate48 import FRAME_48K, Rate48
from edge.errors import EngineError
from edge.events import Float32Array, Int16Array


def _library() -> Any:
    spec = importlib.util.find_spec("pyrnnoise")  # finds the folder without importing audiolab
    folder = (
        spec.submodule_search_locations[0] if spec and spec.submodule_search_locations else None
    )
    path = Path(folder or "") / "librnnoise.so"
    if folder is None or not path.is_file():
        raise EngineError(
            "engine-package-missing",
            f"RNNoise's library is not installed ({path})",
            fix="pip install --no-deps pyrnnoise==0.4.5 (or: make deps)",
        )
    lib = ctypes.CDLL(str(path))
    lib.rnnoise_create.argtypes = [ctypes.c_void_p]
    lib.rnnoise_create.restype = ctypes.c_void_p
    lib.rnnoise_destroy.argtypes = [ctypes.c_void_p]
    lib.rnnoise_process_frame.argtypes = [
        ctypes.c_void_p,
        ctypes.POINTER(ctypes.c_float),
        ctypes.POINTER(ctypes.c_float),
    ]
    lib.rnnoise_process_frame.restype = ctypes.c_float
    lib.rnnoise_get_frame_size.restype = ctypes.c_int
    if lib.rnnoise_get_frame_size() != FRAME_48K:
        raise EngineError("engine-load-failed", "this RNNoise build does not use 10 ms frames")
    return lib


class RnNoise:
    """RNNoise on 16 kHz capture audio."""

    requires = ()  # the library is looked up by path; a missing one is a clear EngineError

    @dataclass(frozen=True, slots=True)
    class Options:
        """RNNoise settings."""

        mix: float = 0.0
        """Share of the unprocessed signal mixed back in (0..0.5): less musical noise, less
        suppression."""

        def __post_init__(self) -> None:
            if not 0.0 <= self.mix <= 0.5:
                raise ValueError("denoise.options.mix must be 0..0.5")

    rate = 16_000
    frame_samples = 160

    def __init__(self, options: Options, context: EngineContext) -> None:
        self.options = options
        self._lib = _library()
        self._state: Any = None
        self._rate48 = Rate48(self._suppress)
        # RNNoise answers two 48 kHz frames late (its overlapping windows): 20 ms, measured.
        self.delay_samples = self._rate48.resampling_delay + 2 * FRAME_48K // 3
        self.speech_probability = 0.0
        """RNNoise's own voice activity estimate for the last frame."""
        self.reset()

    def _suppress(self, frame: Float32Array) -> Float32Array:
        out = np.empty_like(frame)
        ptr_in = frame.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
        ptr_out = out.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
        self.speech_probability = float(
            self._lib.rnnoise_process_frame(self._state, ptr_out, ptr_in)
        )
        if self.options.mix:
            out = (1 - self.options.mix) * out + self.options.mix * frame
        return out

    def process(self, frame: Int16Array) -> Int16Array:
        """Suppress noise in 10 ms (160 samples at 16 kHz)."""
        return self._rate48.process(frame)

    def reset(self) -> None:
        """A fresh network state."""
        if self._state is not None:
            self._lib.rnnoise_destroy(self._state)
        self._state = self._lib.rnnoise_create(None)
        self._rate48.reset()

    def __del__(self) -> None:
        state, self._state = getattr(self, "_state", None), None
        if state is not None:
            self._lib.rnnoise_destroy(state)
