"""faster-whisper (CTranslate2 Whisper), with the encoder window sized per decode.

faster-whisper pads every input to Whisper's 30 s window, so a 3 s question pays for 30 s of
encoder work. CTranslate2 accepts shorter inputs, which is how drafts (interim transcripts while
the technician talks) stay cheap: they encode only the audio plus ``pad_s`` of silence. Whisper was
trained on 30 s windows, though, and a short one costs words: on the 84 spoken sample questions
tiny.en's word error rate is 0.17 with an 8 s window, 0.14 with 12 s, 0.13 with 18 s and 0.11 with
the full 30 s (1.0-3.4x the time). Final transcripts decide the answer, so they use ``window_s``
(default 12 s: most of the gain for 1.4x the time; 30 s where latency matters less than words);
the streaming transcriber computes them during the pause before the turn ends, where the time is
mostly hidden.
"""

from __future__ import annotations

import math
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

        model: str | None = None
        """``tiny.en``, ``base`` (manifest models) or a path to a CTranslate2 Whisper folder;
        unset, the board profile's choice (``[models] stt``), tiny.en outside a daemon's config."""
        compute_type: Literal["int8", "int8_float32", "float32", "float16", "int8_float16"] = "int8"
        """CTranslate2 quantisation."""
        device: Literal["cpu", "cuda", "auto"] = "cpu"
        """Where to run (``cuda`` on a Jetson with a CUDA build of CTranslate2)."""
        threads: int = 1
        """CPU threads for one decode. One is faster here: the decoder's small matrix products
        lose more to a second thread's synchronisation than they gain (tiny.en, 2-3 s questions,
        beam 5, this project's 2-core x86 build machine: encode 75-90 ms and generate 100-150 ms
        on one thread, 50-70 and 110-225 ms on two; an 8 s one generates in 440 ms against
        640), and the other core is free for the end-of-turn model, which runs at the same
        moment."""
        beam_size: int = 5
        """Beam width of final transcripts (drafts are always greedy). On the hearing set's dev
        voices 5 cut tiny.en's word errors from 0.18 to 0.13 clean and 0.41 to 0.38 at 10 dB
        SNR for 1.3x the decode; 1 is greedy (fastest)."""
        language: str = "en"
        """Spoken language (multilingual models only)."""
        window_s: float = 12.0
        """Encoder window for final transcripts: speech plus silence up to this length (s)."""
        pad_s: float = 2.0
        """Silence after the speech in drafts, so the decoder sees the end of speech (s)."""

        def __post_init__(self) -> None:
            if not 1 <= self.threads <= 64:
                raise ValueError("stt.options.threads must be 1..64")
            if not 1 <= self.beam_size <= 10:
                raise ValueError("stt.options.beam_size must be 1..10")
            if not 0.0 <= self.pad_s <= 5.0:
                raise ValueError("stt.options.pad_s must be 0..5")
            if not 1.0 <= self.window_s <= 30.0:
                raise ValueError("stt.options.window_s must be 1..30")

    rate = 16_000

    def __init__(self, options: Options, context: EngineContext) -> None:
        from faster_whisper import WhisperModel
        from faster_whisper.tokenizer import Tokenizer

        self.options = options
        model = options.model or "tiny.en"
        folder = self._folder(model, context)
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
        self.model_name = model

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

    def transcribe(
        self, audio: Float32Array, *, prompt: str | None = None, draft: bool = False
    ) -> SttResult:
        """Transcribe ``audio`` (mono float32, 16 kHz), in 28 s windows when longer.

        ``draft``: a quick interim decode over a short window (see the module docstring).
        """
        window = int(_WINDOW_S * self.rate)
        texts: list[str] = []
        no_speech = 1.0
        confidence: float | None = None
        for start in range(0, max(len(audio), 1), window):
            piece = audio[start : start + window]
            context = " ".join([prompt or "", *texts]).strip() or None
            text, p_none, sure = self._decode(piece, context, draft)
            texts.append(text)
            no_speech = min(no_speech, p_none)
            if text:
                confidence = sure if confidence is None else min(confidence, sure)
        text = " ".join(t for t in texts if t).strip()
        return SttResult(text, len(audio) / self.rate, no_speech, confidence)

    def _decode(
        self, audio: Float32Array, prompt: str | None, draft: bool
    ) -> tuple[str, float, float]:
        from ctranslate2 import StorageView

        if len(audio) < self.rate // 10:
            return "", 1.0, 0.0
        pad_s = self.options.pad_s
        if not draft:
            pad_s = max(pad_s, self.options.window_s - len(audio) / self.rate)
        pad = np.zeros(int(pad_s * self.rate), dtype=np.float32)
        feats = self._features(np.concatenate([audio.astype(np.float32), pad]))
        frames = min(feats.shape[1] - 1, _FULL_FRAMES)  # the positional table's 30 s at most
        encoded = self._model.encode(
            StorageView.from_array(np.ascontiguousarray(feats[None, :, :frames], dtype=np.float32)),
            to_cpu=False,
        )
        tokens = self._prompt(prompt)
        budget = int(len(audio) / self.rate * _TOKENS_PER_SECOND) + 12
        result = self._model.generate(
            encoded,
            [tokens],
            # Drafts are thrown away at the next decode: greedy is enough for them.
            beam_size=1 if draft else self.options.beam_size,
            max_length=min(_MAX_TEXT_TOKENS, len(tokens) + budget),
            suppress_blank=True,
            suppress_tokens=[-1],
            return_no_speech_prob=True,
            return_scores=True,
        )[0]
        eot = self._tokenizer.eot
        ids = [t for t in result.sequences_ids[0] if t < eot]
        # The score is the sequence's log probability per token: its exponential is the mean
        # (geometric) token probability, a confidence in 0..1.
        sure = math.exp(float(result.scores[0])) if result.scores else 0.0
        text = _cut_loop(self._tokenizer.decode(ids).strip())
        return text, float(result.no_speech_prob), sure

    def _prompt(self, prompt: str | None) -> list[int]:
        tk = self._tokenizer
        tokens: list[int] = []
        if prompt:
            tokens = [tk.sot_prev, *tk.encode(" " + prompt.strip())[-_MAX_PROMPT_TOKENS:]]
        return [*tokens, *tk.sot_sequence, tk.no_timestamps]


def _cut_loop(text: str) -> str:
    """Cut Whisper's decoding loops: keep the text up to where it starts repeating itself.

    Tiny models sometimes decode "Say that again. Say that again. Say that": from some word on,
    every word repeats the word one period earlier, to the end; or a phrase of four words or
    more comes twice in a row ("Hello? Can you hear me? Hello? Can you hear me? Hello?"), which
    people hardly say to a voice assistant but Whisper does when its prompt primes it.
    """
    matches = list(re.finditer(r"[\w']+", text))
    norm = [m.group().lower() for m in matches]
    n = len(norm)
    for start in range(1, n - 1):
        for earlier in range(start):
            period = start - earlier
            if period == 1 and n - start < 3:
                continue  # "stop, stop" is speech; "hello hello hello hello" is a loop
            # The token budget may cut the loop's last word short ("... L5 shows L03, L").
            last = norm[n - 1 - period].startswith(norm[n - 1])
            if last and all(norm[k] == norm[k - period] for k in range(start, n - 1)):
                return text[: matches[start].start()].rstrip(" ,;-")
            if period >= 4 and norm[earlier:start] == norm[start : start + period]:
                return text[: matches[start].start()].rstrip(" ,;-")
    return text
