"""Noise suppression in the capture path: any block length in, as many samples out.

A suppressor works on its own frames (10 ms); the listener's blocks are the VAD's (32 ms) or
whatever the sound card gives. :class:`DenoiseStream` buffers to whole frames and returns exactly
as many samples as it was given, so the stream it feeds keeps its clock; its output lags by one
frame plus the engine's own delay (:attr:`DenoiseStream.delay_samples`). :func:`denoise_all` does
a whole recording and removes that lag, for ``edge ask`` and the benchmarks.

The suppressor sits after echo cancellation (a nonlinear filter in front of the linear canceller
would break its model of the echo path) and before VAD, wake word and STT.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from edge.config import Config
from edge.engines.base import DenoiseEngine, EngineContext
from edge.events import Int16Array


class DenoiseStream:
    """A suppressor over a stream of blocks of any length."""

    def __init__(self, engine: DenoiseEngine, *, bypass: Callable[[], bool] | None = None) -> None:
        """Wrap ``engine``.

        Args:
            engine: the noise suppressor.
            bypass: when it returns True the audio passes untouched (delayed the same, so the
                stream's timing does not jump), e.g. while a mic array suppresses noise itself.
        """
        self.engine = engine
        self.bypass = bypass or (lambda: False)
        frame = engine.frame_samples
        self._in = np.zeros(0, dtype=np.int16)
        # Primed with one frame of silence: a block shorter than a frame can be answered at once.
        self._out = np.zeros(frame, dtype=np.int16)

    @property
    def delay_samples(self) -> int:
        """How far the output lags the input (samples)."""
        return self.engine.frame_samples + self.engine.delay_samples

    def process(self, samples: Int16Array) -> Int16Array:
        """Suppress noise in ``samples``; returns ``len(samples)`` samples, delayed."""
        frame = self.engine.frame_samples
        self._in = np.concatenate([self._in, samples.astype(np.int16, copy=False)])
        whole = len(self._in) // frame * frame
        if whole:
            done = [self._one(self._in[i : i + frame]) for i in range(0, whole, frame)]
            self._in = self._in[whole:]
            self._out = np.concatenate([self._out, *done])
        out, self._out = self._out[: len(samples)], self._out[len(samples) :]
        return out

    def _one(self, frame: Int16Array) -> Int16Array:
        cleaned = self.engine.process(frame)
        return frame if self.bypass() else cleaned

    def reset(self) -> None:
        """Forget buffered audio and the engine's state."""
        self.engine.reset()
        self._in = np.zeros(0, dtype=np.int16)
        self._out = np.zeros(self.engine.frame_samples, dtype=np.int16)


def denoise_all(engine: DenoiseEngine, audio: Int16Array) -> Int16Array:
    """``audio`` with its noise suppressed, aligned with the input (the engine's lag removed)."""
    engine.reset()
    frame = engine.frame_samples
    lag = engine.delay_samples
    padded = np.concatenate([audio, np.zeros(lag + (-(len(audio) + lag)) % frame, np.int16)])
    out = np.concatenate(
        [engine.process(padded[i : i + frame]) for i in range(0, len(padded), frame)]
    )
    return out[lag : lag + len(audio)]


def engine_name(config: Config) -> str:
    """The suppressor ``config`` asks for: ``denoise.engine``, or the board profile's choice."""
    name = config.denoise.engine
    if name == "board":
        from edge.hw.board import load_board

        name = load_board(config.device.board).models.denoise
    return name


def load_denoiser(config: Config, context: EngineContext) -> DenoiseEngine | None:
    """Load the configured suppressor; None when it is ``none``.

    Raises:
        EngineError: unknown engine, missing package, or it failed to load.
    """
    name = engine_name(config)
    if name == "none":
        return None
    from edge.engines.registry import load_engine

    engine: DenoiseEngine = load_engine("denoise", name, config.denoise.options, context)
    return engine


def array_suppresses(
    when: str, noise_suppression: bool, *, array_tuned: bool, capture_from_array: bool
) -> bool:
    """True when edge's suppressor should stand aside: the mic array already suppresses noise.

    That needs ``denoise.when = "auto"``, the array's own suppression switched on
    (``mic_array.noise_suppression``) and read back as tuned, and capture coming from the array.
    Suppressing twice only adds artefacts that cost words.
    """
    return when == "auto" and noise_suppression and array_tuned and capture_from_array
