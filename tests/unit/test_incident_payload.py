import json
import math
import uuid
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import edge
from edge import schemas
from edge.events import TurnId
from edge.report.base import IncidentDraft, Reading, Severity
from edge.report.payload import (
    DeviceIdentity,
    build_incident,
    encode,
    iso_utc,
    load_schema,
    status_payload,
    topic,
)
from edge.report.text import (
    MAX_DESCRIPTION,
    MAX_TRANSCRIPT,
    clean_text,
    parse_severity,
    stated_severity,
    strip_command,
    summarize,
)

pytestmark = pytest.mark.unit

SCHEMA = load_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
IDENTITY = DeviceIdentity("dev-001", "site-a", models={"stt": "faster-whisper:tiny.en"})


def build(draft: IncidentDraft) -> dict:
    return build_incident(
        draft, incident_id=str(uuid.uuid4()), identity=IDENTITY, created_at=1.7e9, expiry_s=3600
    )


def test_schemas_are_valid_and_shipped_inside_the_package() -> None:
    for kind, versions in schemas.VERSIONS.items():
        for version in versions:
            schema = schemas.load(kind, version)
            jsonschema.Draft202012Validator.check_schema(schema)
            shipped = Path(schemas.__file__).parent / f"{kind}-v{version}.json"
            assert json.loads(shipped.read_text()) == schema  # hatchling ships all of edge/
    assert schemas.load("incident", 2) == SCHEMA


def test_v2_payload_keeps_every_v1_field_so_v1_readers_still_read_it() -> None:
    payload = build(IncidentDraft(Severity.LOW, "Paint flaking", component_id="NAC"))
    v1 = jsonschema.Draft202012Validator(schemas.load("incident", 1))
    assert [e.absolute_path[0] for e in v1.iter_errors(payload)] == ["schema"]
    assert schemas.problems("incident", {**payload, "schema": "edge.incident/1"}) == []
    assert schemas.problems("incident", payload) == []


def test_full_payload_validates_and_carries_the_device_extras() -> None:
    draft = IncidentDraft(
        Severity.HIGH,
        "Oil leak at the gearbox. Dripping onto the deck.",
        transcript="log a high severity incident: oil leak at the gearbox",
        component_id="GBX",
        readings=(Reading("GBX", "oil sump temperature", 92.5, "°C", 10, 85),),
        turn_id=TurnId(7),
    )
    payload = build(draft)
    VALIDATOR.validate(payload)
    assert payload["summary"] == "Oil leak at the gearbox"
    assert payload["idempotency_key"] == payload["incident_id"]
    assert payload["created_at"] == iso_utc(1.7e9) == "2023-11-14T22:13:20.000Z"
    assert payload["expires_at"] == "2023-11-14T23:13:20.000Z"
    assert payload["versions"]["software"] == edge.__version__
    assert payload["versions"]["models"] == {"stt": "faster-whisper:tiny.en"}
    assert (payload["component_id"], payload["turn_id"], payload["source"]) == (
        "GBX",
        7,
        "technician",
    )
    assert payload["readings"][0]["maximum"] == 85


def test_device_incident_with_broken_sensor_values_is_still_valid_json() -> None:
    draft = IncidentDraft(
        Severity.CRITICAL,
        "Oil temperature out of range",
        readings=(Reading("GBX", "oil", math.nan, "°C", -math.inf, math.inf),),
        source="device",
    )
    payload = build(draft)
    VALIDATOR.validate(payload)
    assert payload["readings"][0]["value"] is None
    json.loads(encode(payload))  # allow_nan=False would have raised


def test_empty_description_is_refused() -> None:
    with pytest.raises(ValueError):
        build(IncidentDraft(Severity.LOW, " \x00\u200b "))


text = st.text(alphabet=st.characters(exclude_categories=()), max_size=3000)  # surrogates too


@settings(max_examples=150, deadline=None)
@given(
    description=text.filter(lambda t: clean_text(t, MAX_DESCRIPTION) != ""),
    transcript=text,
    component=st.one_of(st.none(), text),
    severity=st.sampled_from(list(Severity)),
    value=st.floats(allow_nan=True, allow_infinity=True),
)
def test_any_text_gives_a_valid_bounded_printable_payload(
    description: str, transcript: str, component: str | None, severity: Severity, value: float
) -> None:
    draft = IncidentDraft(
        severity,
        description,
        transcript=transcript,
        component_id=component,
        readings=(Reading(component or "X", transcript[:100], value, "bar"),),
    )
    payload = build(draft)
    VALIDATOR.validate(payload)
    raw = encode(payload)
    assert len(raw) < 32_000
    for field in ("description", "transcript", "summary"):
        assert all(c.isprintable() for c in payload[field]), field


def test_100_kb_of_text_is_bounded_and_sanitised() -> None:
    huge = ("oil leak \x07\x1b[31m at the gearbox\r\n" * 4000)[:100_000]
    payload = build(IncidentDraft(Severity.HIGH, huge, transcript=huge))
    VALIDATOR.validate(payload)
    assert len(payload["description"]) <= MAX_DESCRIPTION
    assert len(payload["transcript"]) <= MAX_TRANSCRIPT
    assert "\x1b" not in payload["description"] and payload["description"].endswith("…")


def test_topics_and_status() -> None:
    assert topic("fleet/v1/", IDENTITY, "incident") == "fleet/v1/site-a/dev-001/incident"
    status = json.loads(
        status_payload(online=False, session=3, reason="lwt", ts=0, identity=IDENTITY)
    )
    assert status["online"] is False and status["session"] == 3 and status["reason"] == "lwt"


@pytest.mark.parametrize(
    ("said", "severity"),
    [
        ("High", Severity.HIGH),
        ("urgent", Severity.HIGH),
        ("severe", Severity.HIGH),
        ("EMERGENCY", Severity.CRITICAL),
        ("sev-1", Severity.CRITICAL),
        ("very high", Severity.HIGH),
        ("minor", Severity.LOW),
        ("moderate", Severity.MEDIUM),
        ("medium priority", Severity.MEDIUM),
        ("yellow", None),
        ("", None),
        (None, None),
        (3, None),
        (["high"], None),
    ],
)
def test_spoken_severity_synonyms(said: object, severity: Severity | None) -> None:
    assert parse_severity(said) is severity


@pytest.mark.parametrize(
    ("transcript", "severity"),
    [
        ("Log a high severity incident: oil leak at the gearbox", Severity.HIGH),
        ("log a critical incident, smoke from the converter", Severity.CRITICAL),
        ("report high vibration on the main bearing", None),  # a reading, not a severity
        ("the oil level is low, log it as medium", Severity.MEDIUM),
        ("priority is low: paint chipped", Severity.LOW),
        ("this is an emergency, the lift is stuck", Severity.CRITICAL),
        ("log an incident: the emergency stop button is broken", None),
        ("not critical, medium severity", Severity.MEDIUM),
        ("a minor issue but also a critical incident", Severity.CRITICAL),  # safety first
    ],
)
def test_severity_stated_in_the_transcript(transcript: str, severity: Severity | None) -> None:
    assert stated_severity(transcript) is severity


@pytest.mark.parametrize(
    ("transcript", "content"),
    [
        ("Log a high severity incident: oil leak at the gearbox.", "oil leak at the gearbox"),
        ("Oil on the yaw deck, log it", "Oil on the yaw deck"),
        ("hey edge, log an incident about a cracked blade root bolt", "a cracked blade root bolt"),
        ("record that the ladder is damaged", "the ladder is damaged"),
        ("log it as urgent the hatch will not close", "the hatch will not close"),
        ("Log a low incident, one of the covers is loose", "one of the covers is loose"),
        ("Create an incident report with medium severity, pressure drops", "pressure drops"),
        ("report high vibration on the main bearing", "high vibration on the main bearing"),
        ("log an incident: emergency stop button is broken", "emergency stop button is broken"),
        ("please log a new incident", ""),
        # Misheard commands still end at "incident" and the pause after it.
        ("Log and medium severity incident, hydraulic pressure drop", "hydraulic pressure drop"),
        ("We've got a nice severity incident, the cooling fan stopped", "the cooling fan stopped"),
        ("Blog a critical incidents: smoke at the converter", "smoke at the converter"),
        # ... but an "incident" deep in the technician's own words is theirs.
        (
            "The hatch near last week's incident site is loose.",
            "The hatch near last week's incident site is loose",
        ),
    ],
)
def test_command_words_are_stripped(transcript: str, content: str) -> None:
    assert strip_command(transcript) == content


def test_summary_is_the_first_sentence_bounded() -> None:
    assert summarize("Oil leak at the gearbox. Dripping.") == "Oil leak at the gearbox"
    long = summarize("word " * 100)
    assert len(long) <= 80 and long.endswith("…")


def test_restamp_sends_under_the_current_identity_and_leaves_the_rest() -> None:
    from edge.report.payload import encode, restamp

    stored = encode({"incident_id": "i-1", "device_id": "old", "site": "a", "summary": "leak"})
    same = restamp(stored, DeviceIdentity("old", "a"))
    assert same is stored  # byte for byte when nothing changed
    moved = json.loads(restamp(stored, DeviceIdentity("wtg-07", "north")))
    assert moved == {
        "incident_id": "i-1",
        "device_id": "wtg-07",
        "site": "north",
        "summary": "leak",
    }
    assert restamp(b"not json", DeviceIdentity("x", "y")) == b"not json"


def test_v2_payload_carries_component_reading_and_citation() -> None:
    from edge.report.base import Citation

    draft = IncidentDraft(
        Severity.HIGH,
        "Gearbox oil sump temperature 92 °C is above the 85 °C limit",
        component_id="GBX",
        component_name="gearbox",
        readings=(Reading("GBX", "oil sump temperature", 92.0, "°C", None, 85.0),),
        citation=Citation("WT-2000 Maintenance Manual", "5 Gearbox > 5.2 Operating limits", 12),
        source="device",
    )
    payload = build(draft)
    VALIDATOR.validate(payload)
    assert payload["schema"] == "edge.incident/2"
    assert payload["component"] == {"id": "GBX", "name": "gearbox"}
    assert payload["reading"] == {
        "parameter": "oil sump temperature",
        "value": 92.0,
        "unit": "°C",
        "limit": {"minimum": None, "maximum": 85.0},
    }
    assert payload["citation"]["page"] == 12
    bare = build(IncidentDraft(Severity.LOW, "Paint flaking"))
    assert (bare["component"], bare["reading"], bare["citation"]) == (None, None, None)


def test_status_payload_names_its_schema_and_versions() -> None:
    identity = DeviceIdentity("dev-001", "site-a", models={"stt": "w"}, manuals={"WT-2000": "ab12"})
    body = json.loads(
        status_payload(online=True, session=3, reason="connected", ts=1.7e9, identity=identity)
    )
    assert schemas.problems("status", body) == []
    assert body["versions"]["manuals"] == {"WT-2000": "ab12"}
