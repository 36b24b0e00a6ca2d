"""The speech memo keeps recent sentences' audio, bounded by seconds held."""

from __future__ import annotations

import numpy as np

from edge.speech_memo import SpeechMemo


def _audio(seconds: float, rate: int = 100) -> np.ndarray:
    return np.ones(int(seconds * rate), dtype=np.int16)


def test_a_sentence_spoken_before_comes_back_and_counts_as_a_hit() -> None:
    memo = SpeechMemo(rate=100, max_seconds=10)
    memo.put("Torque: 900 N·m.", _audio(2))
    assert memo.get("Torque: 900 N·m.") is not None and memo.hits == 1
    assert memo.get("Something else.") is None and memo.hits == 1


def test_least_recently_used_sentences_go_first_when_full() -> None:
    memo = SpeechMemo(rate=100, max_seconds=5)
    memo.put("a", _audio(2))
    memo.put("b", _audio(2))
    memo.get("a")  # "b" is now the least recently used
    memo.put("c", _audio(2))
    assert memo.get("b") is None and memo.get("a") is not None and memo.get("c") is not None
    memo.put("huge", _audio(6))  # longer than the whole memo: not kept, nothing evicted
    assert memo.get("huge") is None and len(memo) == 2
