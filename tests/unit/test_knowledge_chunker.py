"""Chunking along a manual's structure: which paragraph introduces which table."""

from __future__ import annotations

import pytest

from edge.knowledge.chunker import captions_below, chunk_document
from edge.knowledge.components import ComponentIndex
from edge.knowledge.records import Block, ParsedDocument

pytestmark = pytest.mark.unit


def _table(label: str) -> Block:
    return Block("table", rows=(("Joint", "Torque"), (label, "80 N·m")))


def _intros(blocks: list[Block]) -> list[tuple[str, str]]:
    doc = ParsedDocument("Manual", "docx", (Block("heading", "Torques", level=2), *blocks))
    chunked = chunk_document(doc, ComponentIndex([]))
    return [
        (chunk.rows[1][0], intro)
        for chunk, intro in zip(chunked.chunks, chunked.intros, strict=True)
        if chunk.kind == "table"
    ]


def test_a_caption_under_its_table_names_that_table_not_the_next() -> None:
    below = [
        Block("paragraph", "Tighten gasketed joints crosswise."),
        _table("Bushing flange"),
        Block("paragraph", "Table 18: Bushing torques"),
        _table("Cover bolts"),
        Block("paragraph", "Table 19: Tank torques"),
        Block("paragraph", "Check the gaskets after 48 hours."),
    ]
    assert captions_below(below)
    assert _intros(below) == [
        ("Bushing flange", "Table 18: Bushing torques\nTighten gasketed joints crosswise."),
        ("Cover bolts", "Table 19: Tank torques"),
    ]


def test_a_caption_over_its_table_introduces_it() -> None:
    above = [
        Block("paragraph", "Table 18: Bushing torques"),
        _table("Bushing flange"),
        Block("paragraph", "Table 19: Tank torques"),
        _table("Cover bolts"),
        Block("paragraph", "Check the gaskets after 48 hours."),
    ]
    assert not captions_below(above)
    assert _intros(above) == [
        ("Bushing flange", "Table 18: Bushing torques"),
        ("Cover bolts", "Table 19: Tank torques"),
    ]
