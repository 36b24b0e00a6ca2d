"""espeak-ng (Debian package) as a light, robotic but always-available TTS."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

import numpy as np

from edge.engines.base import EngineContext
from edge.errors import EngineError
from edge.events import Int16Array

_RATE = 22_050


class EspeakNg:
    """Formant synthesis through the ``espeak-ng`` command."""

    requires = ()

    @dataclass(frozen=True, slots=True)
    class Options:
        """espeak-ng settings."""

        voice: str = "en-us"
        """espeak-ng voice (``espeak-ng --voices`` lists them)."""
        words_per_minute: int = 165
        """Speaking rate."""
        pitch: int = 50
        """0..99."""

        def __post_init__(self) -> None:
            if not 80 <= self.words_per_minute <= 450:
                raise ValueError("tts.options.words_per_minute must be 80..450")
            if not 0 <= self.pitch <= 99:
                raise ValueError("tts.options.pitch must be 0..99")

    rate = _RATE

    def __init__(self, options: Options, context: EngineContext) -> None:
        self._exe = shutil.which("espeak-ng")
        if self._exe is None:
            raise EngineError(
                "engine-package-missing",
                "the espeak-ng program is not installed",
                fix="apt-get install espeak-ng (as root)",
            )
        self.options = options

    def synthesize(self, text: str) -> Int16Array:
        """Speak ``text`` (passed on stdin, never on the command line)."""
        return self._speak(text, self.options.words_per_minute)

    def synthesize_paced(self, text: str, pace: float) -> Int16Array:
        """Speak ``text`` at ``pace`` times the configured rate (below 1 is slower)."""
        return self._speak(text, max(80, min(450, round(self.options.words_per_minute * pace))))

    def _speak(self, text: str, words_per_minute: int) -> Int16Array:
        assert self._exe is not None
        result = subprocess.run(
            [
                self._exe,
                "-v",
                self.options.voice,
                "-s",
                str(words_per_minute),
                "-p",
                str(self.options.pitch),
                "--stdout",
                "--stdin",
            ],
            input=text.encode("utf-8"),
            capture_output=True,
            check=False,
            timeout=30,
        )
        if result.returncode != 0 or len(result.stdout) < 44:
            raise EngineError(
                "tts-failed", f"espeak-ng failed: {result.stderr.decode(errors='replace')[:200]}"
            )
        # espeak-ng streams a WAV whose size fields are unset; skip its 44-byte header.
        return np.frombuffer(result.stdout[44:], dtype="<i2").astype(np.int16)
