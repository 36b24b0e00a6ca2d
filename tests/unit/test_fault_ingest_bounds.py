"""Fault suite, oversize manuals: chunks stay bounded, limits refuse clearly, failures leave the
store as it was, and progress is reported. A fake embedder (orchestration only); the real engine
is tested in tests/integration/test_fault_ingest.py."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from edge.knowledge import Knowledge
from edge.knowledge.chunker import STRUCTURED_CHARS, TITLE_CHARS, chunk_document
from edge.knowledge.components import ComponentIndex
from edge.knowledge.ingest import IngestLimits
from edge.knowledge.progress import LogProgress, Progress, TerminalProgress, eta_s, progress_for
from edge.knowledge.readers import read_document
from edge.knowledge.records import Block, ParsedDocument
from edge.knowledge.split import CHUNK_CHARS, CHUNK_WORDS, WORD_CHARS
from tests.pdfs import three_page_pdf

pytestmark = pytest.mark.unit


class HashEmbedder:
    """Deterministic vectors from the text's hash; can be told to fail on its n-th call."""

    dim = 384
    model_name = "fake-hash"

    def __init__(self, fail_on_call: int | None = None) -> None:
        self.fail_on_call = fail_on_call
        self.calls = 0
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        if self.fail_on_call is not None and self.calls >= self.fail_on_call:
            raise RuntimeError("engine crashed mid-manual")
        self.texts += texts
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            rng = np.random.default_rng(abs(hash(text)) % (1 << 32))
            v = rng.normal(size=self.dim)
            out[i] = v / np.linalg.norm(v)
        return out


def chunks_of(text: str) -> list[str]:
    doc = read_document(Path("big.txt"), text.encode())
    return [c.text for c in chunk_document(doc, ComponentIndex([])).chunks]


# -- chunks are bounded whatever the input ---------------------------------------------------------


def test_fault_oversize_one_line_without_full_stops_is_cut_between_words() -> None:
    words = [f"w{i}" for i in range(60_000)]  # one 400 kB sentence on one line
    chunks = chunks_of(" ".join(words))
    assert len(chunks) > 100
    assert all(len(c) <= CHUNK_CHARS and len(c.split()) <= CHUNK_WORDS for c in chunks)
    assert " ".join(" ".join(chunks).split()) == " ".join(words)  # nothing lost, order kept


def test_fault_oversize_run_without_spaces_is_cut_inside_the_word() -> None:
    run = "".join(chr(ord("a") + i % 26) for i in range(300_000))
    chunks = chunks_of(run)
    assert all(len(c) <= CHUNK_CHARS for c in chunks)
    assert all(len(w) <= WORD_CHARS for c in chunks for w in c.split())
    assert "".join("".join(c.split()) for c in chunks) == run


def test_fault_oversize_sentences_still_end_at_full_stops() -> None:
    sentence = "Torque the yaw brake bolts to 900 N m in a cross pattern."
    chunks = chunks_of(" ".join([sentence] * 5_000))
    assert all(len(c) <= CHUNK_CHARS for c in chunks)
    assert all(c.endswith(".") for c in chunks)


def test_fault_oversize_table_cells_procedures_and_titles_stay_bounded() -> None:
    huge = "x" * 50_000
    blocks = (
        Block("heading", "Manual", level=1),
        Block("heading", "2 " + "Long title " * 5_000, level=2),
        Block("paragraph", "Intro " * 20_000),
        Block("table", rows=(("Part", "Note"), ("A", huge), ("B", "short"))),
        Block("steps", items=("Open the cover.", huge, "Close it.")),
    )
    doc = ParsedDocument("Manual", "markdown", blocks)
    chunked = chunk_document(doc, ComponentIndex([]))
    for chunk, intro in zip(chunked.chunks, chunked.intros, strict=True):
        assert len(chunk.text) <= STRUCTURED_CHARS
        assert len(intro) <= CHUNK_CHARS
        assert all(len(title) <= TITLE_CHARS for title in chunk.section)
    stored = "".join("".join(c.text.split()) for c in chunked.chunks)
    assert stored.count("x") == 2 * len(huge)  # the huge cell and the huge step are both kept


def test_ordinary_tables_and_procedures_keep_their_shape() -> None:
    blocks = (
        Block("heading", "Manual", level=1),
        Block("paragraph", "Tighten in this order."),
        Block("steps", items=("Open the cover.", "Check the seal.", "Close it.")),
        Block("table", rows=(("Bolt", "Torque"), ("M20", "450 N m"), ("M24", "900 N m"))),
    )
    chunked = chunk_document(ParsedDocument("Manual", "markdown", blocks), ComponentIndex([]))
    assert [c.kind for c in chunked.chunks] == ["steps", "table"]
    assert chunked.intros[0] == "Tighten in this order."


# -- limits, and a failure never half-ingests ------------------------------------------------------


def test_fault_oversize_file_is_refused_naming_the_setting(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("Check the gearbox oil level. " * 40_000)  # 1.16 MB
    knowledge = Knowledge.open(tmp_path / "k.db", HashEmbedder())
    (outcome,) = knowledge.ingest([big], limits=IngestLimits(max_mb=1.0))
    assert outcome.status == "failed"
    assert "1.2 MB" in outcome.message and "knowledge.max_manual_mb" in outcome.message
    assert knowledge.documents() == []
    knowledge.close()


def test_fault_oversize_pdf_is_refused_before_reading_naming_the_setting(tmp_path: Path) -> None:
    path = three_page_pdf(tmp_path / "three.pdf")
    embedder = HashEmbedder()
    knowledge = Knowledge.open(tmp_path / "k.db", embedder)
    (outcome,) = knowledge.ingest([path], limits=IngestLimits(max_pages=2))
    assert outcome.status == "failed"
    assert "3 pages" in outcome.message and "knowledge.max_pages" in outcome.message
    assert embedder.calls == 0 and knowledge.documents() == []
    (outcome,) = knowledge.ingest([path], limits=IngestLimits(max_pages=3))
    assert outcome.status == "added" and outcome.pages == 3
    knowledge.close()


def test_fault_engine_failure_mid_manual_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    manual = tmp_path / "manual.md"
    manual.write_text("# Manual\n\n## 1 Gearbox\n\nCheck the gearbox oil level weekly.\n")
    knowledge = Knowledge.open(tmp_path / "k.db", HashEmbedder())
    (first,) = knowledge.ingest([manual])
    assert first.status == "added"
    before = knowledge.documents()
    knowledge.close()

    # A new version, long enough for several embedding slices; the engine dies in the second.
    body = "".join(f"\n## {n} Section {n}\n\n" + "Inspect the seals. " * 60 for n in range(2, 400))
    manual.write_text("# Manual\n\n## 1 Gearbox\n\nCheck the gearbox oil level daily.\n" + body)
    engine = HashEmbedder(fail_on_call=2)
    failing = Knowledge.open(tmp_path / "k.db", engine)
    (outcome,) = failing.ingest([manual])
    assert outcome.status == "failed" and "engine crashed mid-manual" in outcome.message
    assert failing.documents() == before
    engine.fail_on_call = None
    hits = failing.search("gearbox oil level", k=1)
    assert "weekly" in hits[0].text  # the old version, whole
    failing.close()


# -- progress --------------------------------------------------------------------------------------


def test_ingest_reports_embedding_progress_up_to_the_total(tmp_path: Path) -> None:
    manual = tmp_path / "manual.txt"
    manual.write_text("Manual\n\n" + "\n\n".join(f"Check seal {n}. " * 40 for n in range(300)))
    events: list[Progress] = []
    knowledge = Knowledge.open(tmp_path / "k.db", HashEmbedder())
    (outcome,) = knowledge.ingest([manual], progress=events.append)
    knowledge.close()
    embedding = [e for e in events if e.stage == "embedding"]
    assert len(embedding) >= 3  # 0, at least one slice, the end
    assert [e.done for e in embedding] == sorted(e.done for e in embedding)
    assert embedding[-1].done == embedding[-1].total >= outcome.chunks


def test_log_progress_writes_at_most_one_line_per_interval() -> None:
    now = [0.0]
    lines: list[str] = []
    log = LogProgress(interval_s=15.0, clock=lambda: now[0], emit=lines.append)
    for done in range(0, 1001, 10):
        now[0] = done * 0.1  # 100 s in all
        log(Progress("big.pdf", "embedding", done, 1000, "texts"))
    assert 6 <= len(lines) <= 9  # every 15 s, plus the first and the last
    assert lines[-1] == "ingest big.pdf: embedding 1000/1000 texts"
    assert "left" in lines[1]


def test_eta_from_the_rate_so_far() -> None:
    assert eta_s(0, 100, 5.0) is None
    assert eta_s(25, 100, 10.0) == pytest.approx(30.0)
    assert eta_s(100, 100, 10.0) == 0.0


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_anything_else_lines() -> None:
    assert isinstance(progress_for(io.StringIO()), LogProgress)
    screen = Tty()
    bar = progress_for(screen)
    assert isinstance(bar, TerminalProgress)
    for done in (0, 50, 100):
        bar(Progress("m.pdf", "reading", done, 100, "pages"))
    bar.close()
    shown = screen.getvalue()
    assert "m.pdf: reading" in shown and "100/100" in shown
