"""Pipecat's smart-turn v3.2: has the speaker finished their turn? An ONNX model over audio.

The model (a Whisper-tiny-sized audio encoder with a classifier head, 8.7 MB int8) reads the last
8 s of the utterance as 80 Whisper log-mel bins and returns the probability that the turn is
complete, from the words' grammar and the voice's prosody (falling pitch, a drawn-out "the...").
It ships inside the ``pipecat-ai`` wheel, BSD-2-Clause (see ``models/manifest.toml``); edge
installs that wheel ``--no-deps`` as a model package and never imports pipecat.

The features are Whisper's log-mel spectrogram (faster-whisper's mel filter bank, Hann window of
400, hop 160) after the zero-mean, unit-variance scaling the model was trained with; the STFT is
one batched FFT over all 800 frames (faster-whisper's own extractor loops in Python: 10x slower).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from edge.engines.base import EngineContext
from edge.events import Float32Array

_SECONDS: Final = 8
"""The model's input: the last 8 s of audio, zero-padded in front when shorter."""
_EPS: Final = 1e-7
_N_FFT: Final = 400
_HOP: Final = 160


class SmartTurn:
    """End-of-turn probability of an utterance, from its audio alone."""

    requires = (("onnxruntime", "onnxruntime"), ("faster_whisper", "faster-whisper"))

    @dataclass(frozen=True, slots=True)
    class Options:
        """smart-turn settings."""

        model: str = "smart-turn-v3.2"
        """Manifest name of the ONNX model."""
        threads: int = 1
        """CPU threads for one prediction (~10-40 ms on one core; more only fight STT)."""

        def __post_init__(self) -> None:
            if not 1 <= self.threads <= 16:
                raise ValueError("turn.options.threads must be 1..16")

    rate = 16_000
    max_seconds = float(_SECONDS)

    def __init__(self, options: Options, context: EngineContext) -> None:
        import faster_whisper  # noqa: F401 - the package first, see below
        import onnxruntime as ort
        from faster_whisper.feature_extractor import FeatureExtractor

        # Engines load in parallel threads. Importing the submodule first takes its import lock
        # and then waits for the package, which the STT thread may be importing, and the package
        # imports that submodule: Python raised _DeadlockError and the STT engine failed to load
        # (seen once in a full test run). Taking the package first waits without a cycle (it
        # imports the submodule anyway: no extra memory).

        path = context.models.path(options.model, "smart-turn-v3.2-cpu.onnx")
        so = ort.SessionOptions()
        so.intra_op_num_threads = options.threads
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        # The arena keeps the largest activations allocated between the few calls per turn:
        # memory for no speed that matters here.
        so.enable_cpu_mem_arena = False
        self._session: Any = ort.InferenceSession(
            str(path), sess_options=so, providers=["CPUExecutionProvider"]
        )
        mel = FeatureExtractor.get_mel_filters(self.rate, _N_FFT, n_mels=80)
        self._mel = mel.astype(np.float32)
        self._window = np.hanning(_N_FFT + 1)[:-1].astype(np.float32)
        self.model_name = path.stem

    def end_probability(self, audio: Float32Array) -> float:
        """Probability 0..1 that the turn is over, given the utterance so far (mono, -1..1).

        Only the last 8 s count; shorter audio is padded with silence in front, as in training.
        """
        n = _SECONDS * self.rate
        x = np.asarray(audio, dtype=np.float32)[-n:]
        if len(x) < n:
            x = np.concatenate([np.zeros(n - len(x), np.float32), x])
        x = (x - x.mean()) / np.sqrt(x.var() + _EPS)
        mel = self.log_mel(x)
        out = self._session.run(None, {"input_features": mel[np.newaxis]})
        return float(np.clip(out[0].reshape(-1)[0], 0.0, 1.0))

    def log_mel(self, x: Float32Array) -> Float32Array:
        """Whisper's log-mel features of 8 s of audio: (80, 800), roughly in -1..1."""
        padded = np.pad(x, _N_FFT // 2, mode="reflect")
        frames = np.lib.stride_tricks.sliding_window_view(padded, _N_FFT)[::_HOP][:-1]
        power = np.abs(np.fft.rfft(frames * self._window, axis=-1)) ** 2
        mel = np.log10(np.maximum(self._mel @ power.T.astype(np.float32), 1e-10))
        mel = np.maximum(mel, mel.max() - 8.0)
        scaled: Float32Array = ((mel + 4.0) / 4.0).astype(np.float32)
        return scaled
