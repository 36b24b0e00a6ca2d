"""Composing an answer from a hit: the row asked about, not one the question rules out."""

from __future__ import annotations

import pytest

from edge.knowledge.answer import compose
from edge.knowledge.records import Hit

pytestmark = pytest.mark.unit

ROWS = (
    ("Parameter", "Minimum", "Maximum"),
    ("Leaving chilled water temperature (water)", "40 F", "60 F"),
    ("Leaving chilled water temp. (with glycol)", "20 F", "60 F"),
)


def hit(rows: tuple[tuple[str, ...], ...], intro: str = "") -> Hit:
    text = "\n".join(" | ".join(r) for r in rows)
    return Hit(1, "Chiller", ("4 Data", "4.2.1 WATER-SIDE LIMITS"), None, "table", text, 1.0,
               0.6, rows=rows, intro=intro)  # fmt: skip


def test_a_row_the_question_rules_out_is_not_quoted() -> None:
    result = compose("how cold can I run the leaving water without glycol", hit(ROWS), (), None)
    assert "40 F" in result.speech[0] and "glycol" not in result.speech[0]


def test_a_caption_is_not_the_answer_its_rows_are() -> None:
    rows = (("Item", "Value"), ("Firing order", "1-5-3-6-2-4"), ("Bore", "130 mm"))
    result = compose("firing order on the MP-6L12T", hit(rows, "Table 3-2 – Engine MP-6L12T"),
                     (), None)  # fmt: skip
    assert "1-5-3-6-2-4" in " ".join(result.speech)
