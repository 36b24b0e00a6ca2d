"""faster-whisper (CTranslate2 Whisper), with the encoder sized to the utterance.

faster-whisper pads every input to Whisper's 30 s window, so a 3 s question pays for 30 s of
encoder work (about 0.5 s on two Cortex-A76-class cores). CTranslate2 accepts shorter inputs, so by
default this engine encodes only the audio plus ``pad_s`` of silence (which lets the decoder see the
end of speech and stop), 4-6x faster with the same words on our test set. ``context = "full"``
restores the 30 s window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np

from edge.engines.base import EngineContext, SttResult
from edge.events import Float32Array

_WINDOW_S: Final = 28.0
"""Longest audio encoded at once; Whisper's positional table covers 30 s."""
_FULL_FRAMES: Final = 3000
_MAX_PROMPT_TOKENS: Final = 200
_MAX_TEXT_TOKENS: Final = 440
_TOKENS_PER_SECOND: Final = 7
"""Generous upper bound on spoken tokens per second; caps runaway repetition."""

_MODELS: Final = {"tiny.en": "whisper-tiny.en", "base": "whisper-base"}


class FasterWhisper:
    """Whisper speech to text on CTranslate2 (int8 on the CPU by default)."""

    requires = (("faster_whisper", "faster-whisper"), ("ctranslate2", "ctranslate2"))

    @dataclass(frozen=True, slots=True)
    class Options:
        """faster-whisper settings."""

        model: str = "tiny.en"
        """``tiny.en``, ``base`` (manifest models) or a path to a CTranslate2 Whisper folder."""
        compute_type: Literal["int8", "int8_float32", "float32", "float16", "int8_float16"] = "int8"
        """CTranslate2 quantisation."""
        device: Literal["cpu", "cuda", "auto"] = "cpu"
        """Where to run (``cuda`` on a Jetson with a CUDA build of CTranslate2)."""
        threads: int = 2
        """CPU threads for one decode."""
        beam_size: int = 1
        """1 is greedy decoding (fastest)."""
        language: str = "en"
        """Spoken language (multilingual models only)."""
        context: Literal["trim", "full"] = "trim"
        """``trim``: encode only the utterance; ``full``: Whisper's 30 s window."""
        pad_s: float = 2.0
        """Silence appended before encoding so the decoder sees the end of speech (s)."""

        def __post_init__(self) -> None:
            if not 1 <= self.threads <= 64:
                raise ValueError("stt.options.threads must be 1..64")
            if not 1 <= self.beam_size <= 10:
                raise ValueError("stt.options.beam_size must be 1..10")
            if not 0.0 <= self.pad_s <= 5.0:
                raise ValueError("stt.options.pad_s must be 0..5")

    rate = 16_000

    def __init__(self, options: Options, context: EngineContext) -> None:
        from faster_whisper import WhisperModel
        from faster_whisper.tokenizer import Tokenizer

        self.options = options
        folder = self._folder(options.model, context)
        self._whisper = WhisperModel(
            str(folder),
            device=options.device,
            compute_type=options.compute_type,
            cpu_threads=options.threads,
            local_files_only=True,
        )
        self._model: Any = self._whisper.model
        self._features: Any = self._whisper.feature_extractor
        self._tokenizer: Any = Tokenizer(
            self._whisper.hf_tokenizer,
            self._model.is_multilingual,
            task="transcribe",
            language=options.language if self._model.is_multilingual else "en",
        )
        self.model_name = str(options.model)

    @staticmethod
    def _folder(model: str, context: EngineContext) -> Path:
        if "/" in model:
            folder = Path(model).expanduser()
            if not (folder / "model.bin").is_file():
                from edge.errors import ModelError

                raise ModelError(
                    "model-missing",
                    f"{folder} is not a CTranslate2 Whisper folder (no model.bin)",
                    fix="point stt.options.model at a folder made by ct2-transformers-converter",
                )
            return folder
        name = _MODELS.get(model, model)
        return context.models.directory(name)

    def transcribe(self, audio: Float32Array, *, prompt: str | None = None) -> SttResult:
        """Transcribe ``audio`` (mono float32, 16 kHz), in 28 s windows when longer."""
        window = int(_WINDOW_S * self.rate)
        texts: list[str] = []
        no_speech = 1.0
        for start in range(0, max(len(audio), 1), window):
            piece = audio[start : start + window]
            context = " ".join([prompt or "", *texts]).strip() or None
            text, p_none = self._decode(piece, context)
            texts.append(text)
            no_speech = min(no_speech, p_none)
        return SttResult(" ".join(t for t in texts if t).strip(), len(audio) / self.rate, no_speech)

    def _decode(self, audio: Float32Array, prompt: str | None) -> tuple[str, float]:
        from ctranslate2 import StorageView

        if len(audio) < self.rate // 10:
            return "", 1.0
        pad = np.zeros(int(self.options.pad_s * self.rate), dtype=np.float32)
        feats = self._features(np.concatenate([audio.astype(np.float32), pad]))
        frames = feats.shape[1] - 1
        if self.options.context == "full" or frames > _FULL_FRAMES:
            feats = np.pad(feats, ((0, 0), (0, max(0, _FULL_FRAMES - feats.shape[1]))))
            frames = _FULL_FRAMES
        encoded = self._model.encode(
            StorageView.from_array(np.ascontiguousarray(feats[None, :, :frames], dtype=np.float32)),
            to_cpu=False,
        )
        tokens = self._prompt(prompt)
        budget = int(len(audio) / self.rate * _TOKENS_PER_SECOND) + 12
        result = self._model.generate(
            encoded,
            [tokens],
            beam_size=self.options.beam_size,
            max_length=min(_MAX_TEXT_TOKENS, len(tokens) + budget),
            suppress_blank=True,
            suppress_tokens=[-1],
            return_no_speech_prob=True,
        )[0]
        eot = self._tokenizer.eot
        ids = [t for t in result.sequences_ids[0] if t < eot]
        return _cut_loop(self._tokenizer.decode(ids).strip()), float(result.no_speech_prob)

    def _prompt(self, prompt: str | None) -> list[int]:
        tk = self._tokenizer
        tokens: list[int] = []
        if prompt:
            tokens = [tk.sot_prev, *tk.encode(" " + prompt.strip())[-_MAX_PROMPT_TOKENS:]]
        return [*tokens, *tk.sot_sequence, tk.no_timestamps]


def _cut_loop(text: str) -> str:
    """Cut Whisper's decoding loop, where the end of the text repeats an earlier part.

    With a short encoder window tiny models sometimes decode "Say that again. Say that again.
    Say that": from some word on, every word repeats the word one period earlier, to the end.
    """
    matches = list(re.finditer(r"[\w']+", text))
    norm = [m.group().lower() for m in matches]
    n = len(norm)
    for start in range(1, n - 1):
        for earlier in range(start):
            period = start - earlier
            if period == 1 and n - start < 3:
                continue  # "stop, stop" is speech; "hello hello hello hello" is a loop
            if all(norm[k] == norm[k - period] for k in range(start, n)):
                return text[: matches[start].start()].rstrip(" ,;-")
    return text
