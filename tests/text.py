"""Text helpers for tests: compare what was said with what was heard."""

from __future__ import annotations

import re

_NUMBERS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
}


def words(text: str) -> list[str]:
    """Lower-case words without punctuation; small numbers as digits; "E-117", "E 117" as "e117"."""
    text = re.sub(r"\b([a-z]{1,3})-(\d+)", r"\1\2", text.lower())
    text = re.sub(r"\b([a-z]) (\d+)", r"\1\2", text)  # a code heard with a space
    tokens = re.findall(r"[a-z0-9]+", text.replace("-", " "))
    return [_NUMBERS.get(t, t) for t in tokens]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word error rate of ``hypothesis`` against ``reference`` (edit distance over words)."""
    ref, hyp = words(reference), words(hypothesis)
    d = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return d[len(hyp)] / max(1, len(ref))
