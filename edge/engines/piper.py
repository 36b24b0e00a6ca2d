"""Piper neural TTS (onnxruntime) with the en_US-joe-medium voice from its PyPI package."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from edge.engines.base import EngineContext
from edge.events import Int16Array

_VOICES = {"en_US-joe-medium": "piper-en_US-joe-medium"}


class Piper:
    """One sentence in, 16-bit audio at the voice's rate (22.05 kHz for joe-medium) out."""

    requires = (("piper", "piper-tts"),)

    @dataclass(frozen=True, slots=True)
    class Options:
        """Piper settings."""

        voice: str = "en_US-joe-medium"
        """Voice name from the manifest, or a path to a voice ``.onnx`` (with ``.onnx.json``)."""
        length_scale: float = 1.0
        """Speaking pace: below 1 is faster, above 1 slower."""
        volume: float = 1.0
        """Output gain."""
        noise_scale: float | None = None
        """Variation in the voice's sound; unset: the voice's own (0.667 for joe). With both
        noise scales at 0 every rendering of a sentence is the same, sample for sample."""
        noise_w_scale: float | None = None
        """Variation in the length of each sound; unset: the voice's own (0.8 for joe)."""

        def __post_init__(self) -> None:
            if not 0.5 <= self.length_scale <= 2.0:
                raise ValueError("tts.options.length_scale must be 0.5..2.0")
            if not 0.05 <= self.volume <= 4.0:
                raise ValueError("tts.options.volume must be 0.05..4.0")
            for name in ("noise_scale", "noise_w_scale"):
                value = getattr(self, name)
                if value is not None and not 0.0 <= value <= 1.5:
                    raise ValueError(f"tts.options.{name} must be 0..1.5")

    def __init__(self, options: Options, context: EngineContext) -> None:
        from piper import PiperVoice, SynthesisConfig

        if options.voice in _VOICES:
            name = _VOICES[options.voice]
            model = context.models.path(name, f"{options.voice}.onnx")
            config = context.models.path(name, f"{options.voice}.onnx.json")
        else:
            model = Path(options.voice).expanduser()
            config = model.with_name(model.name + ".json")
        self._voice: Any = PiperVoice.load(model, config_path=config)
        self._options = options
        self._config = SynthesisConfig
        self._syn = self._synthesis(1.0)
        self.rate: int = int(self._voice.config.sample_rate)

    def _synthesis(self, pace: float) -> Any:
        o = self._options
        return self._config(
            length_scale=min(2.0, max(0.5, o.length_scale / pace)),
            volume=o.volume,
            noise_scale=o.noise_scale,
            noise_w_scale=o.noise_w_scale,
        )

    def synthesize(self, text: str) -> Int16Array:
        """Speak ``text``; empty input gives empty audio."""
        return self._speak(text, self._syn)

    def synthesize_paced(self, text: str, pace: float) -> Int16Array:
        """Speak ``text`` at ``pace`` times the configured rate (below 1 is slower)."""
        return self._speak(text, self._synthesis(pace))

    def _speak(self, text: str, syn: Any) -> Int16Array:
        chunks = [c.audio_int16_array for c in self._voice.synthesize(text, syn_config=syn)]
        return np.concatenate(chunks).astype(np.int16) if chunks else np.zeros(0, dtype=np.int16)
