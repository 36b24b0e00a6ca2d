import asyncio
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.errors import ToolError
from edge.events import TurnId
from edge.report.base import IncidentDraft, IncidentReceipt, Severity
from edge.report.errors import ReportError
from edge.report.outbox import Outbox
from edge.report.payload import DeviceIdentity, load_schema
from edge.report.reporter import OutboxReporter
from edge.tools.base import Tool, ToolRequest
from edge.tools.incident import ASK_DESCRIPTION, ASK_SEVERITY, NOT_STORED, SPEC, IncidentTool

pytestmark = pytest.mark.unit


class Recording:
    """An IncidentReporter that keeps drafts (orchestration only; the outbox is tested too)."""

    def __init__(self, fail: bool = False) -> None:
        self.drafts: list[IncidentDraft] = []
        self.fail = fail

    async def report(self, draft: IncidentDraft) -> IncidentReceipt:
        if self.fail:
            raise ReportError("outbox-unavailable", "disk full")
        self.drafts.append(draft)
        return IncidentReceipt("0000", draft.severity, draft.description[:80])


def request(transcript: str, component: str | None = None) -> ToolRequest:
    return ToolRequest(turn_id=TurnId(3), transcript=transcript, component_id=component)


def test_spec_is_complete_and_examples_match_its_schema() -> None:
    tool: Tool = IncidentTool(Recording())
    spec = tool.spec
    assert spec.name == "log_incident_report" and spec.side_effect and spec.slow
    assert spec.filler == "Logging that." and spec.llm_fills == ("severity",)
    jsonschema.Draft202012Validator.check_schema(dict(spec.parameters))
    assert spec.parameters["properties"]["severity"]["enum"] == [
        "low",
        "medium",
        "high",
        "critical",
    ]
    assert len(spec.examples) >= 12
    assert len({e.utterance for e in spec.examples}) == len(spec.examples)
    assert {e.arguments["severity"] for e in spec.examples} == {"low", "medium", "high", "critical"}
    for example in spec.examples:
        jsonschema.validate(dict(example.arguments), dict(spec.parameters))


@pytest.mark.parametrize("example", SPEC.examples, ids=lambda e: e.utterance[:30])
def test_every_example_prepares_to_its_own_severity(example: Any) -> None:
    tool = IncidentTool(Recording())
    prepared = tool.prepare(example.arguments, request(example.utterance))
    assert prepared["severity"] == example.arguments["severity"]
    without_llm = tool.prepare({}, request(example.utterance))  # deterministic fallbacks
    assert without_llm["severity"] == example.arguments["severity"]
    assert without_llm["description"]


def names(text: str) -> str | None:
    """A component resolver over two names (the real one is tested with the manuals)."""
    lowered = text.lower()
    return "GBX" if "gearbox" in lowered else "GEN" if "generator" in lowered else None


def test_spoken_confirmation_reads_back_severity_and_summary() -> None:
    reporter = Recording()
    tool = IncidentTool(reporter, names)
    # The previous turn was about the generator: the incident's own words name the gearbox.
    req = request("log a high severity incident: oil leak at the gearbox", component="GEN")
    result = asyncio.run(
        tool.run({"severity": "high", "description": "Oil leak at the gearbox"}, req)
    )
    assert result.ok
    assert result.speech == ("Logged a high severity incident: oil leak at the gearbox.",)
    draft = reporter.drafts[0]
    assert (draft.component_id, draft.turn_id, draft.source) == ("GBX", 3, "technician")
    assert draft.transcript == "log a high severity incident: oil leak at the gearbox"


@pytest.mark.parametrize("resolver", [names, None], ids=["manuals", "no-manuals"])
def test_component_is_never_inherited_from_the_conversation(resolver: Any) -> None:
    tool = IncidentTool(Recording(), resolver)
    prepared = tool.prepare(
        {"severity": "high"}, request("log a high incident, ladder fall arrester jammed", "GEN")
    )
    assert prepared["component_id"] is None


def test_component_named_only_before_the_command_is_found() -> None:
    tool = IncidentTool(Recording(), names)
    prepared = tool.prepare({}, request("generator, log a high severity incident: smoke"))
    assert prepared["component_id"] == "GEN"


def test_transcript_severity_wins_over_the_llm() -> None:
    tool = IncidentTool(Recording())
    prepared = tool.prepare(
        {"severity": "low", "description": "smoke"}, request("log a critical incident: smoke")
    )
    assert prepared["severity"] == "critical"


@pytest.mark.parametrize(
    ("llm_severity", "expected"),
    [("urgent", "high"), ("Severe", "high"), ("emergency", "critical"), ("HIGH", "high")],
)
def test_llm_synonyms_are_mapped(llm_severity: str, expected: str) -> None:
    tool = IncidentTool(Recording())
    prepared = tool.prepare(
        {"severity": llm_severity, "description": "brake slipping"}, request("log it")
    )
    assert prepared["severity"] == expected


def test_unknown_severity_asks_unless_people_are_in_danger() -> None:
    tool = IncidentTool(Recording())
    with pytest.raises(ToolError) as err:
        tool.prepare({"severity": "yellow", "description": "loose cover"}, request("log a cover"))
    assert err.value.code == "incident-severity-unclear" and err.value.message == ASK_SEVERITY
    danger = tool.prepare({"severity": "???"}, request("log an incident, a colleague is injured"))
    assert danger["severity"] == "critical"


@pytest.mark.parametrize("arguments", [{}, {"description": ""}, {"description": None}, [], "x"])
def test_empty_description_falls_back_to_the_transcript(arguments: Any) -> None:
    tool = IncidentTool(Recording())
    prepared = tool.prepare(arguments, request("Log a medium incident: pitch motor noisy"))
    assert prepared["description"] == "pitch motor noisy" and prepared["severity"] == "medium"


def test_nothing_to_describe_is_a_spoken_question() -> None:
    tool = IncidentTool(Recording())
    with pytest.raises(ToolError) as err:
        tool.prepare({"severity": "high", "description": "  "}, request("log a new incident"))
    assert err.value.code == "incident-description-empty" and err.value.message == ASK_DESCRIPTION
    result = asyncio.run(tool.run({"severity": "high"}, request("log an incident")))
    assert not result.ok and result.speech == (ASK_DESCRIPTION,)


def test_100_kb_of_text_gives_a_bounded_sanitised_report(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.db")
    tool = IncidentTool(OutboxReporter(outbox, DeviceIdentity("dev-1", "s1")))
    huge = "gearbox \x00oil\x1b[2J leak " * 5000
    result = asyncio.run(tool.run({"severity": "high", "description": huge}, request(huge)))
    assert result.ok and len(result.speech[0]) < 200
    (row,) = outbox.rows()
    payload = json.loads(row.payload)
    jsonschema.validate(payload, load_schema())
    assert len(payload["description"]) <= 1000 and "\x00" not in payload["description"]


def test_storage_failure_is_spoken_not_raised() -> None:
    tool = IncidentTool(Recording(fail=True))
    result = asyncio.run(tool.run({"severity": "low", "description": "x"}, request("log it")))
    assert not result.ok and result.speech == (NOT_STORED,) and result.data["error"]


def test_the_same_report_twice_in_one_turn_is_stored_once(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.db")
    reporter = OutboxReporter(outbox, DeviceIdentity("dev-1", "s1"))
    draft = IncidentDraft(Severity.HIGH, "oil leak", turn_id=TurnId(1))

    async def twice() -> tuple[IncidentReceipt, IncidentReceipt, IncidentReceipt]:
        first = await reporter.report(draft)
        again = await reporter.report(draft)
        other_turn = await reporter.report(
            IncidentDraft(Severity.HIGH, "oil leak", turn_id=TurnId(2))
        )
        return first, again, other_turn

    first, again, other = asyncio.run(twice())
    assert first == again and other.incident_id != first.incident_id
    assert outbox.counts().pending == 2


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=200),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None)
@given(
    arguments=st.dictionaries(
        st.sampled_from(["severity", "description", "other"]) | st.text(max_size=8), json_values
    ),
    transcript=st.text(max_size=3000),
)
def test_any_arguments_give_a_spoken_question_or_bounded_arguments(
    arguments: dict[str, Any], transcript: str
) -> None:
    tool = IncidentTool(Recording())
    try:
        prepared = tool.prepare(arguments, request(transcript))
    except ToolError as err:
        assert err.message in (ASK_SEVERITY, ASK_DESCRIPTION)
        return
    assert prepared["severity"] in {"low", "medium", "high", "critical"}
    assert 0 < len(prepared["description"]) <= 1000
    assert len(prepared["transcript"]) <= 2000
