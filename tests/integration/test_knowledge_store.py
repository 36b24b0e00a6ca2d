"""Manuals store with the real MiniLM and real sqlite-vec: ingest, search, limits, failures."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pypdf
import pytest

from edge.knowledge import Knowledge
from edge.knowledge.evaluate import evaluate, load_questions
from edge.knowledge.store import Store
from tests.integration.knowledge_env import (
    HTML,
    MARKDOWN,
    QUESTIONS,
    TEXT,
    open_copy,
    sample_pdf,
    shared_embedder,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def md(tmp_path: Path) -> Any:
    knowledge = open_copy("markdown", tmp_path)
    yield knowledge
    knowledge.close()


@pytest.fixture
def pdf(tmp_path: Path) -> Any:
    knowledge = open_copy("pdf", tmp_path)
    yield knowledge
    knowledge.close()


def counts(knowledge: Knowledge) -> dict[str, int]:
    conn = knowledge._store.conn
    tables = ("documents", "chunks", "vectors", "chunk_vec", "chunk_bits", "chunk_fts", "limits")
    return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}


def test_every_format_is_ingested_with_components_and_limits(md: Knowledge) -> None:
    titles = [d.title for d in md.documents()]
    assert titles == [
        "HTW-1500 HYDRAULIC TORQUE WRENCH - QUICK REFERENCE",
        "SL-240 Service Lift - Operation and Maintenance Guide",
        "WT-2000 Wind Turbine Maintenance Manual",
    ]
    assert [d.format for d in md.documents()] == ["text", "html", "markdown"]
    ids = {c.id for c in md.components()}
    assert {"YAW-BRK", "GBX", "MAIN-BRG", "GEN", "PITCH-HYD", "CONV", "HUB", "TWR"} <= ids
    assert {"LIFT", "HTW"} <= ids  # from "(LIFT)" and "(HTW)" in headings
    gbx = {lim.parameter: lim for lim in md.limits("GBX")}
    sump = gbx["Oil sump temperature"]
    assert (sump.unit, sump.minimum, sump.maximum, sump.maximum_text) == ("°C", 10, 85, "85")
    assert gbx["High-speed shaft bearing temperature"].minimum is None
    lift = {lim.parameter: lim for lim in md.limits("LIFT")}
    assert lift["Load in car"].maximum == 240 and lift["Load in car"].unit == "kg"
    wrench = {lim.parameter: lim for lim in md.limits("HTW")}
    assert wrench["Oil temperature"].minimum == -10  # the text table's empty cells kept columns
    assert wrench["Pump pressure"].minimum is None and wrench["Pump pressure"].maximum == 700


def test_components_resolve_from_names_aliases_and_ids(md: Knowledge) -> None:
    assert md.resolve_component("the yaw brake is squealing") == "YAW-BRK"
    assert md.resolve_component("check the brake calipers") == "YAW-BRK"
    assert md.resolve_component("gear box oil temp") == "GBX"
    assert md.resolve_component("what about GBX") == "GBX"
    assert md.resolve_component("pitch system pressure") == "PITCH-HYD"
    assert md.resolve_component("the service lift") == "LIFT"
    assert md.resolve_component("hello, can you hear me") is None


def test_glossary_is_short_and_holds_the_domain_words(md: Knowledge) -> None:
    glossary = md.glossary()
    assert len(glossary.split()) <= 60
    for word in ("WT-2000", "Yaw brake", "Gearbox", "M24", "N·m", "bar"):
        assert word in glossary
    # IDs nobody says aloud and lists of codes would turn up in transcripts (see glossary()).
    assert "YAW-BRK" not in glossary and "E-101" not in glossary
    assert glossary.count("WT-2000") == 1


def test_a_spoken_fault_code_finds_its_row(md: Knowledge) -> None:
    # Whisper writes "E 117" when the prompt does not list the code.
    [hit, *_] = md.search("What does fault code E 117 mean?")
    assert "E-117" in hit.text


def test_reingesting_unchanged_files_does_nothing(md: Knowledge) -> None:
    before = counts(md)
    embedder = md._embedder
    calls = embedder.calls
    outcomes = md.ingest([MARKDOWN, HTML, TEXT])
    assert [o.status for o in outcomes] == ["unchanged"] * 3
    assert counts(md) == before and embedder.calls == calls


def test_a_manual_stored_by_an_older_reading_is_read_again(md: Knowledge) -> None:
    # An updated edge reads tables and limits better: the manuals on the device get the benefit
    # at the next ingest, though their files did not change.
    from edge.knowledge.ingest import READING

    before = counts(md)
    md._store.conn.execute("update documents set reading = ?", (READING - 1,))
    assert [o.status for o in md.ingest([MARKDOWN, HTML, TEXT])] == ["updated"] * 3
    assert counts(md) == before
    assert {d.reading for d in md._store.documents()} == {READING}
    assert [o.status for o in md.ingest([MARKDOWN])] == ["unchanged"]


def test_a_database_made_before_readings_were_versioned_opens(
    md: Knowledge,
) -> None:
    store = md._store
    path = Path(store.conn.execute("pragma database_list").fetchone()[2])
    store.conn.execute("alter table documents drop column reading")
    store.conn.commit()
    reopened = Store.open(path, dim=store.dim, model=md._embedder.model_name)
    try:
        assert {d.reading for d in reopened.documents()} == {0}
    finally:
        reopened.close()


def test_changed_file_replaces_its_old_chunks(md: Knowledge, tmp_path: Path) -> None:
    copy = tmp_path / "lift.html"
    shutil.copy(HTML, copy)
    assert md.ingest([copy])[0].status == "duplicate"  # same bytes under another name
    md.remove(str(HTML))
    assert md.ingest([copy])[0].status == "added"
    before = counts(md)
    copy.write_text(HTML.read_text().replace("<td>240</td>", "<td>260</td>"), encoding="utf-8")
    outcome = md.ingest([copy])[0]
    assert outcome.status == "updated"
    assert counts(md) == before  # same structure: nothing left over from the old version
    assert md.limits("LIFT")[0].maximum == 260
    assert "260" in " ".join(md.answer("maximum load in the service lift car").speech)


def test_corrupt_files_are_reported_and_nothing_stored_is_lost(
    md: Knowledge, tmp_path: Path
) -> None:
    before = counts(md)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ntruncated")
    binary = tmp_path / "junk.txt"
    binary.write_bytes(b"\x00\x01\x02 not text")
    empty = tmp_path / "empty.md"
    empty.write_text("# Title only\n", encoding="utf-8")
    outcomes = md.ingest([broken, binary, empty, tmp_path / "missing.md"])
    assert [o.status for o in outcomes] == ["failed"] * 4
    assert all(o.message for o in outcomes)
    assert outcomes[0].path.endswith("broken.pdf")
    assert counts(md) == before
    assert md.search("What does fault E-117 mean?")[0].section[-1] == "13 Fault codes"


def test_a_failure_inside_the_write_rolls_everything_back(
    md: Knowledge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = tmp_path / "manual.md"
    stored.write_text(MARKDOWN.read_text(), encoding="utf-8")
    md.remove(str(MARKDOWN))
    assert md.ingest([stored])[0].status == "added"
    before = counts(md)
    stored.write_text(MARKDOWN.read_text().replace("| 900 |", "| 910 |"), encoding="utf-8")
    real = Store.insert_document

    def insert_then_fail(self: Store, **kwargs: Any) -> int:
        real(self, **kwargs)  # the old version deleted, the new one written, then the disk fills
        raise OSError("disk full")

    monkeypatch.setattr(Store, "insert_document", insert_then_fail)
    outcome = md.ingest([stored])[0]
    monkeypatch.undo()
    assert outcome.status == "failed" and "disk full" in outcome.message
    assert counts(md) == before
    answer = " ".join(md.answer("What torque do the M24 yaw brake caliper bolts need?").speech)
    assert "900" in answer and "910" not in answer


def test_pdf_pages_are_the_real_page_numbers(pdf: Knowledge) -> None:
    reader = pypdf.PdfReader(str(sample_pdf()))
    texts = [page.extract_text() for page in reader.pages]
    assert len(texts) == 16
    for question in (
        "Walk me through the lockout tagout procedure",
        "What does fault E-117 mean?",
        "What is the maximum gearbox oil sump temperature?",
        "foundation flange bolt torque M42",
    ):
        hit = pdf.search(question)[0]
        assert hit.page is not None
        heading = hit.section[-1]
        assert heading in texts[hit.page - 1], (question, hit.page)
        assert f"Page {hit.page} of 16" in texts[hit.page - 1]
    doc = next(d for d in pdf.documents() if d.format == "pdf")
    assert doc.pages == 16
    sump = next(lim for lim in pdf.limits("GBX") if lim.parameter == "Oil sump temperature")
    assert sump.source is not None and "12 Operating limits" in texts[sump.source.page - 1]


def test_pdf_tables_and_procedures_survive_layout_extraction(pdf: Knowledge) -> None:
    hit = pdf.search("What does fault E-117 mean?")[0]
    assert hit.kind == "table" and hit.rows[0] == ("Code", "Description", "Component", "Action")
    row = next(r for r in hit.rows if r[0] == "E-117")
    assert row[2] == "GBX" and row[3].endswith("the thermostatic valve and the oil level.")
    steps = pdf.search("Walk me through the lockout tagout procedure")[0]
    assert steps.kind == "steps" and len(steps.items) == 9
    assert steps.items[5].startswith("Prove dead: measure between all phases")
    assert "Page" not in " ".join(steps.items)  # running footers are not content


def test_codes_match_exactly_however_they_are_written(md: Knowledge) -> None:
    for question in ("what does E-117 mean", "what does E 117 mean", "fault e117"):
        hit = md.search(question)[0]
        assert hit.codes_matched == ("e117",), question
        assert any(row[0] == "E-117" for row in hit.rows)
    hit = md.search("M42 bolts")[0]
    assert hit.section[-1] == "10.1 Flange bolt torque"


def test_search_can_be_restricted_to_one_component(md: Knowledge) -> None:
    hits = md.search("oil temperature", component_id="HPU", k=3)
    assert hits and all("HPU" in h.components for h in hits)
    hits = md.search("oil temperature", component_id="GBX", k=5)
    assert all("GBX" in h.components for h in hits)


def test_question_set_recall_and_exact_values(md: Knowledge, pdf: Knowledge) -> None:
    questions = load_questions(QUESTIONS)
    assert len(questions) >= 60
    for knowledge in (md, pdf):
        figures, outcomes = evaluate(knowledge, questions)
        misses = [o.question.text for o in outcomes if o.question.answerable and not o.values_ok]
        assert figures["recall_at_3"] >= 0.95, figures
        assert figures["exact_value_accuracy"] >= 0.9, misses
        assert figures["declined_when_unanswerable"] >= 0.85, figures


def test_numbers_in_answers_are_quoted_exactly(md: Knowledge) -> None:
    answer = md.answer("What torque do the M24 yaw brake caliper bolts need?")
    assert (
        answer.speech[0]
        == "Caliper to yaw ring: size M24, property class 10.9, torque 900 newton metres."
    )
    assert answer.speech[-1] == (
        "Source: WT-2000 Wind Turbine Maintenance Manual, "
        "section 3.3 Yaw brake caliper bolt torque."
    )
    assert answer.data["values"] == [
        {
            "Bolt": "Caliper to yaw ring",
            "Size": "M24",
            "Property class": "10.9",
            "Torque (N·m)": "900",
        }
    ]
    for sentence in answer.speech:
        for number in re.findall(r"\d+(?:\.\d+)?", sentence):
            assert number in MARKDOWN.read_text(), number


def test_reopening_and_another_process_changing_the_store(md: Knowledge, tmp_path: Path) -> None:
    db = tmp_path / "markdown.db"
    other = Knowledge.open(db, shared_embedder())
    other.remove(str(TEXT))
    other.close()
    md.refresh()  # another connection committed: the snapshot follows
    assert "HTW" not in {c.id for c in md.components()}
    assert md.limits("HTW") == []


def test_a_near_tie_with_an_irrelevant_chunk_still_finds_the_answer(md: Knowledge) -> None:
    # "lockout tagout" and "rotor lock" rank almost equal; the relevant one must answer.
    for said in ("Walk me through the lockout tagout procedure.", "lockout tagout procedure"):
        result = md.answer(said)
        assert result.ok and "9 steps" in " ".join(result.speech), result.speech


def test_a_torque_question_without_a_size_gets_the_table_values_first(md: Knowledge) -> None:
    # The rows say "M24 | 10.9 | 900"; only their header says it is a torque.
    result = md.answer("What is the torque for the yaw brake caliper bolts?")
    assert "900" in result.speech[0] and "520" in " ".join(result.speech[:3]), result.speech


def test_a_runner_up_answers_only_when_it_covers_the_question(md: Knowledge) -> None:
    result = md.answer("what's the recommended tyre pressure for the service van")
    assert not result.ok, result.speech


def test_a_store_with_no_manuals_says_so(tmp_path: Path) -> None:
    empty = Knowledge.open(tmp_path / "empty.db", shared_embedder())
    try:
        result = empty.answer("What torque do the yaw brake caliper bolts need?")
    finally:
        empty.close()
    assert not result.ok and result.speech, result.speech


def test_an_id_two_manuals_define_is_each_manuals_own_part(tmp_path: Path) -> None:
    # Both manuals call a motor "M1"; the second one's limits and components name its own motor.
    truck = tmp_path / "truck.md"
    truck.write_text(
        "# LT-25 Truck\n\n## 1 Components\n\n| ID | Component |\n|---|---|\n"
        "| M1 | Traction motor |\n| M2 | Pump motor |\n\n## 2 Limits\n\n"
        "| ID | Parameter | Limit |\n|---|---|---|\n| M1 | Winding temperature | max. 150 °C |\n"
    )
    unit = tmp_path / "unit.md"
    unit.write_text(
        "# HX-30 Power Unit\n\n## 1 Components\n\n| ID | Component |\n|---|---|\n"
        "| M1 | Main drive motor |\n| P1 | Main pump |\n\n## 2 Limits\n\n"
        "| ID | Parameter | Limit |\n|---|---|---|\n| M1 | Bearing temperature | max. 90 °C |\n"
    )
    knowledge = Knowledge.open(tmp_path / "k.db", shared_embedder())
    try:
        assert all(o.status == "added" for o in knowledge.ingest([truck, unit]))
        terms = knowledge._store.document_terms()
        named = {title: {c.id: c.name for c in comps} for title, (comps, _) in terms.items()}
        assert named["HX-30 Power Unit"]["M1"] == "Main drive motor"
        assert named["LT-25 Truck"]["M1"] == "Traction motor"
        said = {d.limit.parameter: d.component for d in knowledge.described_limits()}
        assert "traction" not in said["Bearing temperature"]
        # A warning names the part as the limit's own manual does.
        assert knowledge.component_name("M1", "HX-30 Power Unit") == "Main drive motor"
        assert knowledge.component_name("M1", "LT-25 Truck") == "Traction motor"
        assert knowledge.component_name("P1") == "Main pump"
    finally:
        knowledge.close()


def test_a_code_printed_often_in_one_chapter_is_a_code_and_the_machine_s_is_a_name(
    tmp_path: Path,
) -> None:
    # F-07 is in its table and all over the sections about it; ES-30 is the machine's name.
    manual = tmp_path / "escalator.md"
    after = "\n\n".join(
        f"### 4.{n} {title} after F-06 or F-07\n\nAfter F-07 the ES-30 needs {what}."
        for n, (title, what) in enumerate(
            [
                ("Returning to service", "the cause found first"),
                ("Brake check", "an inspection of the brake"),
                ("Test run", "a test run at inspection speed"),
            ],
            start=2,
        )
    )
    manual.write_text(
        "# ES-30 Escalator\n\n## 1 Use\n\nThe ES-30 carries people.\n\n"
        "## 2 Data\n\nThe ES-30 runs at 0.5 m/s.\n\n## 3 Care\n\nClean the ES-30 weekly.\n\n"
        "## 4 Fault codes\n\n### 4.1 Codes\n\n| Code | Meaning | Detected when |\n|---|---|---|\n"
        "| F-06 | Auxiliary brake tripped | Step speed above 120 % or after F-07 |\n"
        "| F-07 | Unintended reversal of travel direction | Direction differs |\n\n"
        f"{after}\n"
    )
    knowledge = Knowledge.open(tmp_path / "k.db", shared_embedder())
    try:
        assert all(o.status == "added" for o in knowledge.ingest([manual]))
        snap = knowledge._refresh()
        assert knowledge._store.code_spread("f07")[0] > 3
        assert knowledge._names("what does F-07 mean on the ES-30", snap) == {"es30"}
        result = knowledge.answer("what does F zero seven mean")
        assert "Unintended reversal" in result.speech[0], result.speech
        assert "Auxiliary brake" not in " ".join(result.speech)
    finally:
        knowledge.close()


def test_a_fault_code_several_manuals_print_is_still_a_code_of_each(tmp_path: Path) -> None:
    # Each manual prints F-07 in its code table and once more; together they print it in four
    # chunks over three chapters, as a machine's name is printed, but no one manual does.
    escalator = tmp_path / "escalator.md"
    escalator.write_text(
        "# ES-30 Escalator\n\n## 1 Use\n\nThe ES-30 carries people.\n\n"
        "## 4 Fault codes\n\n| Code | Meaning |\n|---|---|\n"
        "| F-06 | Auxiliary brake tripped, also after F-07 |\n"
        "| F-07 | Unintended reversal of travel direction |\n\n"
        "### 4.2 Returning to service\n\nAfter F-07 the cause must be found first.\n"
    )
    compressor = tmp_path / "compressor.md"
    compressor.write_text(
        "# RP-22 Compressor\n\n## 3 Controller\n\n| Code | Meaning |\n|---|---|\n"
        "| F-07 | Motor overload relay tripped |\n\n"
        "## 5 Troubleshooting\n\nF-07 after every start points to a low supply voltage.\n"
    )
    knowledge = Knowledge.open(tmp_path / "k.db", shared_embedder())
    try:
        assert all(o.status == "added" for o in knowledge.ingest([escalator, compressor]))
        snap = knowledge._refresh()
        assert knowledge._names("what does F-07 mean", snap) == set()
        result = knowledge.answer("what does F zero seven mean", machine="ES-30 Escalator")
        assert "Unintended reversal" in result.speech[0], result.speech
    finally:
        knowledge.close()


def test_codes_printed_with_a_space_are_found_said_by_number_at_their_machine(
    tmp_path: Path,
) -> None:
    truck = tmp_path / "truck.md"
    truck.write_text(
        "# GP30 Lift Truck\n\n## 15 Diagnostics\n\n### 15-4 Trouble codes\n\n"
        "| Code | Meaning |\n|---|---|\n| DTC 4120 | Transmission oil temperature high |\n"
        "| DTC 2115 | Throttle sensor voltage high |\n"
    )
    turbine = tmp_path / "turbine.md"
    turbine.write_text(
        "# WT25 Wind Turbine\n\n## 10 Faults\n\n| Code | Meaning |\n|---|---|\n"
        "| F4120 | Rotor brake pads worn |\n| F4121 | Rotor brake pressure low |\n"
    )
    relay = tmp_path / "relay.md"
    relay.write_text(
        "# NRP Relay\n\n## 6 Trip codes\n\nTRIP 50\n: High-set overcurrent stage has operated.\n\n"
        "TRIP 50N\n: High-set earth-fault stage has operated.\n"
    )
    knowledge = Knowledge.open(tmp_path / "k.db", shared_embedder())
    try:
        assert all(o.status == "added" for o in knowledge.ingest([truck, turbine, relay]))
        # Said by its number alone at the truck: the truck's DTC 4120, not the turbine's F4120.
        at_truck = knowledge.answer(
            "i got a forty one twenty on the display", machine="GP30 Lift Truck"
        )
        assert "Transmission oil" in at_truck.speech[0], at_truck.speech
        said = knowledge.answer("what does DTC twenty one fifteen mean")
        assert "Throttle" in said.speech[0], said.speech
        # The letter after the number said apart is still the code's.
        earth = knowledge.answer("what does trip fifty n mean")
        assert "earth-fault" in earth.speech[0], earth.speech
    finally:
        knowledge.close()
