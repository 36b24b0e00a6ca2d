"""The fault probe of issue 13, unit level: each test names the probe item it repeats.

Items 4-9, 12 and 15 (silent errors, degraded start-up, undelivered incidents, config crashes, GPIO
on the wrong machine, NaN settings, private state, bad WAV headers, shortened descriptions). The
same probe with real processes, models and brokers: ``tests/integration/test_faults.py``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.metadata
import json
import logging
import os
import ssl
import stat
import struct
import typing
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from edge.audio.pcm import read_wav, write_wav
from edge.bus import EventBus
from edge.component_log import ComponentLog, ComponentNotes
from edge.config import Config, load_config
from edge.engines.registry import _BUILTIN, engine_class
from edge.errors import AudioError, ConfigError, NoSpeechError
from edge.events import ComponentStatus
from edge.hw.board import load_board
from edge.hw.gpio import GpioError, open_input, pi_gpio_problem
from edge.hw.ptt import GpioPtt
from edge.private import private_dir, private_file
from edge.report.base import IncidentDraft, Severity
from edge.report.payload import DeviceIdentity, build_incident
from edge.report.reach import connect_problem, refusal_problem
from edge.report.text import MAX_DESCRIPTION, bounded_text, clean_text
from edge.settings import build

pytestmark = pytest.mark.unit

ON_A_PI = pi_gpio_problem() is None or "lgpio" in (pi_gpio_problem() or "")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- item 4: every error reaches the terminal ------------------------------------------------------


def test_item04_a_failing_engine_is_raised_only_after_every_load_has_ended(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The error must not be printed while another engine (llama.cpp) is still loading."""
    import threading
    import time

    import edge.assistant as assistant_module

    finished: list[str] = []
    llm_done = threading.Event()

    def fake_load(kind: str, name: str, options: Any, context: Any) -> Any:
        if kind == "stt":
            raise ConfigError("stt.options.model", "no such model")
        if kind == "llm":
            time.sleep(0.3)  # a slow load: the stt error arrives first
            llm_done.set()
        finished.append(kind)
        return SimpleNamespace(rate=16_000, dim=384, model_name="fake")

    monkeypatch.setattr(assistant_module, "load_engine", fake_load)
    with pytest.raises(ConfigError, match="no such model"):
        asyncio.run(assistant_module.load_assistant(load_config(env={})))
    assert llm_done.is_set(), "the error was raised while the LLM was still loading"
    # Every other engine the defaults use (the end-of-turn model with an open mic) loaded too.
    assert sorted(finished) == ["embed", "llm", "tts", "turn", "vad"]


def test_item04_llama_log_bridge_never_swaps_file_descriptors() -> None:
    """quiet_llama replaces llama-cpp-python's fd swap with a no-op and logs through logging."""
    pytest.importorskip("llama_cpp")
    import llama_cpp._internals
    import llama_cpp.llama

    from edge.engines.llama_log import _on_log, quiet_llama

    quiet_llama()
    before = os.fstat(2)
    for module in (llama_cpp.llama, llama_cpp._internals):
        with module.suppress_stdout_stderr(disable=False):  # what verbose=False enters
            during = os.fstat(2)
        assert (during.st_dev, during.st_ino) == (before.st_dev, before.st_ino)
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("edge.engines.llama.cpp")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        _on_log(4, b"failed to load ", None)
        _on_log(5, b"model\n", None)  # continues the error
    finally:
        logger.removeHandler(handler)
    assert [(r.levelno, r.getMessage()) for r in records] == [
        (logging.ERROR, "failed to load model")
    ]


# -- item 5: a broken part is reported, the rest runs ----------------------------------------------


def test_item05_a_missing_microphone_is_logged_with_the_fix_and_repeated() -> None:
    notes = ComponentNotes(remind_s=60)
    first = notes.seen(ComponentStatus("mic", False, "no capture device 'default'"), 0.0)
    assert first is not None and first.level == logging.ERROR
    assert "mic unavailable: no capture device 'default'" in first.text
    assert "audio.input_device" in first.text and "still delivers incidents" in first.text
    # The source retries every few seconds and says the same: logged once...
    assert notes.seen(ComponentStatus("mic", False, "no capture device 'default'"), 5.0) is None
    assert notes.reminders(59.0) == []
    # ...and again every minute while it stays away.
    [again] = notes.reminders(60.0)
    assert again.level == logging.ERROR and "still unavailable after 60 s" in again.text
    back = notes.seen(ComponentStatus("mic", True, "ReSpeaker 4 Mic Array"), 75.0)
    assert back is not None and back.level == logging.WARNING and "back after 75 s" in back.text
    assert notes.next_reminder(80.0) is None


def test_item05_the_component_log_writes_what_parts_report_on_the_bus(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> None:
        bus = EventBus()
        log = ComponentLog(bus, remind_s=0.05)
        task = asyncio.ensure_future(log.run())
        bus.publish(ComponentStatus("wake", False, "no model named 'oww-x'", "use oww-alexa"))
        await asyncio.sleep(0.12)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    with caplog.at_level(logging.ERROR, logger="edge.parts"):
        asyncio.run(scenario())
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "wake unavailable: no model named 'oww-x' (fix: use oww-alexa)"
    assert any("still unavailable" in line for line in lines[1:])


# -- item 6: undelivered incidents and TLS trust failures are named --------------------------------


def test_item06_a_certificate_not_trusted_is_named_with_the_ca_fix() -> None:
    err = ssl.SSLCertVerificationError(1, "certificate verify failed")
    err.verify_message = "self-signed certificate in certificate chain"
    problem = connect_problem(err, "broker:8883")
    assert problem.kind == "tls-trust"
    assert problem.message == (
        "broker:8883: TLS certificate not trusted: self-signed certificate in certificate chain"
    )
    assert "report.ca_file" in problem.fix
    refused = connect_problem(ConnectionRefusedError(111, "Connection refused"), "broker:8883")
    assert (refused.kind, refused.message) == (
        "network",
        "broker:8883 unreachable: Connection refused",
    )
    assert connect_problem(TimeoutError(), "b:1").message == "b:1 unreachable: timed out"
    assert "password" in refusal_problem("Not authorized", "b:1").fix


def test_item06_the_mqtt_link_classifies_the_exception_paho_is_handling() -> None:
    """paho calls on_connect_fail inside its ``except OSError``: the link reads it from there."""
    from edge.report.mqtt import MqttLink

    link = MqttLink.__new__(MqttLink)
    link._broker = SimpleNamespace(host="broker", port=8883)  # type: ignore[assignment]
    link._attempt = 0
    link._set_delay = lambda: 1.0  # type: ignore[method-assign]
    err = ssl.SSLCertVerificationError(1, "certificate verify failed")
    err.verify_message = "unable to get local issuer certificate"
    try:
        raise err
    except OSError:
        link._on_connect_fail(None, None)
    assert link.last_error == (
        "broker:8883: TLS certificate not trusted: unable to get local issuer certificate"
    )
    assert link.last_fix is not None and "report.ca_file" in link.last_fix


# -- item 7: engine options without an engine ------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "option", "value", "engine"),
    [
        ("wake", "models", '["oww-alexa"]', "openwakeword"),
        ("vad", "model", '"silero-vad"', "silero"),
        ("embed", "batch", "16", "minilm"),
        ("stt", "model", '"base"', "faster-whisper"),
        ("llm", "threads", "1", "llama-cpp"),
        ("tts", "length_scale", "1.1", "piper"),
    ],
)
def test_item07_engine_options_alone_use_the_default_engine(
    tmp_path: Path, section: str, option: str, value: str, engine: str
) -> None:
    path = tmp_path / "edge.toml"
    path.write_text(f"[{section}.options]\n{option} = {value}\n")
    from_file = load_config(path, env={})
    env = {f"EDGE_{section.upper()}__OPTIONS__{option.upper()}": value}
    from_env = load_config(env=env)
    for config in (from_file, from_env):
        choice = getattr(config, section)
        assert choice.engine == engine
        assert option in choice.options


def test_item07_a_required_setting_left_out_is_a_config_error_not_a_type_error() -> None:
    @dataclasses.dataclass(frozen=True)
    class Needs:
        engine: str
        options: typing.Mapping[str, Any] = dataclasses.field(default_factory=dict)

    with pytest.raises(ConfigError) as err:
        build(Needs, {"options": {"models": ["x"]}}, "custom")
    assert err.value.key == "custom.engine" and "missing" in err.value.message


# -- item 8: a Pi profile on a machine without Pi GPIO ---------------------------------------------


@pytest.mark.skipif(ON_A_PI, reason="this machine has Raspberry Pi GPIO")
def test_item08_gpiozero_without_pi_gpio_is_a_gpio_error_with_the_fix() -> None:
    with pytest.raises(GpioError) as err:
        open_input(load_board("pi5").gpio, 17, lambda _pressed: None)
    assert err.value.code == "gpio-no-pin-factory"
    assert "not a Raspberry Pi" in err.value.message
    assert "lgpio" in (err.value.fix or "") and "device.board" in (err.value.fix or "")


@pytest.mark.skipif(ON_A_PI, reason="this machine has Raspberry Pi GPIO")
def test_item08_the_ptt_button_reports_instead_of_raising() -> None:
    seen: list[Any] = []
    ptt = GpioPtt(load_config(env={}).ptt, load_board("pi5"), seen.append)
    asyncio.run(ptt.start())
    [status] = seen
    assert status.component == "ptt-gpio" and not status.ok
    assert "lgpio" in status.fix


def test_item08_an_unknown_board_is_refused_at_load_listing_the_valid_ones() -> None:
    with pytest.raises(ConfigError) as err:
        load_config(env={"EDGE_DEVICE__BOARD": "pi4"})
    assert err.value.key == "device.board"
    assert "pi5" in (err.value.fix or "") and "jetson-orin-nano" in (err.value.fix or "")


def test_item08_lgpio_is_installed_with_edge_where_it_applies() -> None:
    requires = importlib.metadata.requires("edge") or []
    lgpio = [r for r in requires if r.startswith("lgpio")]
    assert lgpio and 'sys_platform == "linux"' in lgpio[0].replace("'", '"')


def test_item08_doctor_lists_the_board_profiles() -> None:
    from edge.doctor.setup import check_board
    from edge.hw.board import available_boards

    [result] = check_board(load_config(env={"EDGE_DEVICE__BOARD": "pi5"}))
    assert f"(profiles: {', '.join(available_boards())})" in result.detail
    assert {"generic", "pi5", "jetson-orin-nano"} <= set(available_boards())
    if not ON_A_PI:
        assert result.status == "warn" and "lgpio" in result.fix


# -- item 9: folders and NaN -----------------------------------------------------------------------


def test_item09_a_folder_as_config_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path, env={})
    assert "is a folder" in err.value.message


def test_item09_cli_with_a_folder_prints_the_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from edge.cli import main

    assert main(["-c", str(tmp_path), "incidents", "list"]) == 2
    err = capsys.readouterr().err
    assert "is a folder, not a config file" in err and "Traceback" not in err


def _float_keys(cls: type, prefix: str) -> list[str]:
    keys = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        if dataclasses.is_dataclass(tp):
            keys += _float_keys(tp, f"{prefix}{f.name}.")  # type: ignore[arg-type]
        elif tp is float or float in typing.get_args(tp):
            keys.append(prefix + f.name)
    return keys


def _engine_float_keys() -> list[tuple[str, str]]:
    keys = []
    for kind, engines in _BUILTIN.items():
        for name in engines:
            try:
                options = engine_class(kind, name).Options
            except Exception:  # an engine whose package is missing here
                continue
            keys += [(f"{kind}.options.{k}", name) for k in _float_keys(options, "")]
    return keys


def test_item09_every_float_setting_refuses_nan_and_infinity() -> None:
    keys = [(k, None) for k in _float_keys(Config, "")] + _engine_float_keys()
    names = [k for k, _ in keys]
    assert "endpoint.max_utterance_s" in names and "barge_in.threshold" in names
    assert "knowledge.cache_threshold" in names and "tts.options.length_scale" in names
    for key, engine in keys:
        for value in ("nan", "inf", "-inf"):
            env = {"EDGE_" + key.replace(".", "__").upper(): value}
            if engine is not None:
                env[f"EDGE_{key.split('.')[0].upper()}__ENGINE"] = f'"{engine}"'
            with pytest.raises(ConfigError) as err:
                load_config(env=env)
            assert err.value.key == key and "not a finite number" in err.value.message, key


# -- item 12: private state ------------------------------------------------------------------------


def test_item12_private_folders_and_files_whoever_creates_them(tmp_path: Path) -> None:
    state = tmp_path / "a" / "state"
    private_file(state / "outbox.db")
    assert mode(tmp_path / "a") == mode(state) == 0o700
    assert mode(state / "outbox.db") == 0o600
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o750)
    shared.chmod(0o750)
    private_dir(shared)  # an existing folder (systemd-tmpfiles made it for group edge) is kept
    assert mode(shared) == 0o750


def test_item12_the_outbox_and_its_wal_are_private(tmp_path: Path) -> None:
    from edge.report.outbox import Outbox

    outbox = Outbox(tmp_path / "state" / "outbox.db")
    outbox.put(
        incident_id="00000000-0000-4000-8000-000000000001",
        topic="t",
        payload=b"{}",
        severity="low",
        summary="s",
        source="technician",
        created_at=0.0,
        expires_at=1.0,
    )
    try:
        assert mode(tmp_path / "state") == 0o700
        for name in ("outbox.db", "outbox.db-wal"):
            assert mode(tmp_path / "state" / name) == 0o600, name
    finally:
        outbox.close()


def test_item12_doctor_warns_about_defaults_unknown_wake_models_and_open_keys(
    tmp_path: Path,
) -> None:
    from edge.doctor.setup import check_identity, check_secrets, check_wake_word

    config = load_config(env={})
    [identity] = check_identity(config)
    assert identity.status == "warn" and "'edge-dev'" in identity.detail
    named = load_config(env={"EDGE_DEVICE__ID": "wt-07", "EDGE_DEVICE__SITE": "north"})
    assert check_identity(named)[0].status == "pass"

    wake = load_config(env={"EDGE_WAKE__OPTIONS__MODELS": '["oww-alexa", "oww-hey_siri"]'})
    [result] = check_wake_word(wake)
    assert result.status == "warn" and "'oww-hey_siri'" in result.detail
    assert "oww-alexa" in result.fix and "oww-hey_jarvis" in result.fix

    key = tmp_path / "device.key"
    key.write_text("-----BEGIN PRIVATE KEY-----\n")
    key.chmod(0o644)
    (tmp_path / "device.crt").write_text("")
    keyed = load_config(
        env={
            "EDGE_REPORT__KEY_FILE": f'"{key}"',
            "EDGE_REPORT__CERT_FILE": f'"{tmp_path / "device.crt"}"',
        }
    )
    [secrets] = check_secrets(keyed)
    assert secrets.status == "warn" and str(key) in secrets.detail
    key.chmod(0o640)
    assert check_secrets(keyed)[0].status == "pass"


def test_item12_docs_name_only_commands_that_exist() -> None:
    """Every ``edge <command> <action>`` the docs show is one the CLI has."""
    import argparse
    import re

    from edge.cli import build_parser

    def actions(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                return dict(action.choices)
        return {}

    commands = actions(build_parser())
    repo = Path(__file__).resolve().parents[2]
    docs = [repo / "README.md", *sorted((repo / "docs").glob("*.md"))]
    docs += sorted((repo / "deploy").rglob("*.md")) + sorted((repo / "systemd").glob("*.md"))
    bad = []
    for doc in docs:
        for command, action in re.findall(r"\bedge ([a-z]+)(?: ([a-z]+))?", doc.read_text()):
            if command not in commands:
                continue  # prose ("edge device", "edge is"), not a command line
            sub = actions(commands[command])
            if sub and action and action not in sub and not action.startswith("-"):
                bad.append(f"{doc.name}: edge {command} {action}")
    assert bad == []


# -- item 15: bad audio headers, fixes in JSON, shortened descriptions -----------------------------


def _wav(tmp_path: Path) -> Path:
    path = tmp_path / "q.wav"
    write_wav(path, (np.sin(np.arange(16_000) / 5) * 8000).astype(np.int16), 16_000)
    return path


def test_item15_a_data_size_smaller_than_the_audio_is_a_bad_header(tmp_path: Path) -> None:
    path = _wav(tmp_path)
    data = bytearray(path.read_bytes())
    at = data.index(b"data")
    struct.pack_into("<I", data, at + 4, 1000)  # claims 1000 bytes of 32000
    path.write_bytes(bytes(data))
    with pytest.raises(AudioError) as err:
        read_wav(path)
    assert err.value.code == "audio-bad-header" and "damaged WAV header" in err.value.message
    assert err.value.fix


def test_item15_a_channel_count_of_1000_is_a_bad_header(tmp_path: Path) -> None:
    path = _wav(tmp_path)
    data = bytearray(path.read_bytes())
    struct.pack_into("<H", data, data.index(b"fmt ") + 10, 1000)
    path.write_bytes(bytes(data))
    with pytest.raises(AudioError) as err:
        read_wav(path)
    assert err.value.code == "audio-bad-header" and "1000 channels" in err.value.message


def test_item15_good_files_with_trailing_chunks_or_streamed_sizes_still_read(
    tmp_path: Path,
) -> None:
    path = _wav(tmp_path)
    clean, _ = read_wav(path)
    listed = tmp_path / "listed.wav"
    listed.write_bytes(path.read_bytes() + b"LIST\x04\x00\x00\x00INFO")
    assert np.array_equal(read_wav(listed)[0], clean)
    streamed = bytearray(path.read_bytes())
    struct.pack_into("<I", streamed, streamed.index(b"data") + 4, 0xFFFFFFFF)
    (tmp_path / "streamed.wav").write_bytes(bytes(streamed))
    assert np.array_equal(read_wav(tmp_path / "streamed.wav")[0], clean)


def test_item15_json_error_rows_carry_the_fix(capsys: pytest.CaptureFixture[str]) -> None:
    from edge.commands.ask import _report_failure

    _report_failure(Path("q.wav"), NoSpeechError(), True)
    _report_failure(Path("r.wav"), AudioError("audio-bad-header", "bad", fix="re-export"), True)
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["fix"] for row in rows][1] == "re-export"
    assert rows[0]["error"] == "no-speech" and rows[0]["fix"]


def test_item15_control_bytes_become_spaces_never_joining_words() -> None:
    assert clean_text("oil\x00leak\x07at\x1bthe\u200bgearbox", 100) == "oil leak at the gearbox"
    assert clean_text("pre\u00adheater", 100) == "preheater"  # a soft hyphen sits inside a word


def test_item15_a_shortened_description_is_said_in_the_payload() -> None:
    identity = DeviceIdentity("dev", "site")
    long = "oil leak at the gearbox " * 100
    payload = build_incident(
        IncidentDraft(Severity.HIGH, long), incident_id="x", identity=identity,
        created_at=0, expiry_s=60,
    )  # fmt: skip
    assert payload["truncated"] == ["description"]
    assert len(payload["description"]) <= MAX_DESCRIPTION
    assert payload["description"].endswith("…")
    short = build_incident(
        IncidentDraft(Severity.HIGH, "oil leak"), incident_id="x", identity=identity,
        created_at=0, expiry_s=60,
    )  # fmt: skip
    assert short["truncated"] == []
    assert bounded_text("a" * 10, 5) == ("aaaa…", True)
