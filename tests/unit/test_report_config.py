import asyncio
from pathlib import Path

import pytest

from edge.config import Config, DeviceConfig, ReportConfig
from edge.errors import ConfigError
from edge.report.errors import ReportError
from edge.report.mqtt import Broker, make_client
from edge.report.service import ReportingService, model_versions, outbox_path
from edge.settings import build

pytestmark = pytest.mark.unit


def test_report_section_defaults_and_ranges() -> None:
    config = build(Config, {"report": {"host": "broker.local", "port": 1883}}, "")
    report = config.report
    assert (report.host, report.port, report.tls) == ("broker.local", 1883, True)
    with pytest.raises(ConfigError, match="report.port"):
        build(Config, {"report": {"port": 70000}}, "")
    with pytest.raises(ConfigError, match="together"):
        build(Config, {"report": {"cert_file": "/x.crt"}}, "")
    with pytest.raises(ConfigError, match="not both"):
        build(Config, {"report": {"password": "a", "password_file": "/p"}}, "")
    with pytest.raises(ConfigError, match="reconnect"):
        build(Config, {"report": {"reconnect_min_s": 10.0, "reconnect_max_s": 1.0}}, "")


def test_outbox_defaults_to_the_state_dir(tmp_path: Path) -> None:
    config = Config(device=DeviceConfig(state_dir=tmp_path))
    assert outbox_path(config) == tmp_path / "outbox.db"
    assert model_versions(config)["stt"].startswith("faster-whisper")


def test_password_from_file_never_in_repr(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("s3cr3t-value\nignored\n")
    report = ReportConfig(username="dev-001", password_file=secret, tls=False)
    broker = Broker.from_config(report, DeviceConfig(id="dev-001"), suffix="-cli")
    assert broker.password == "s3cr3t-value" and broker.client_id == "dev-001-cli"
    assert "s3cr3t" not in repr(broker)
    assert "s3cr3t" not in repr(ReportConfig(password="s3cr3t-value"))


def test_unreadable_secrets_and_certificates_are_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(ReportError) as err:
        Broker.from_config(ReportConfig(password_file=tmp_path / "missing"), DeviceConfig())
    assert err.value.code == "mqtt-config" and "missing" in err.value.message
    bad = tmp_path / "bad.crt"
    bad.write_text("-----BEGIN CERTIFICATE-----\nnot a cert\n-----END CERTIFICATE-----\n")
    with pytest.raises(ReportError, match="CA file"):
        make_client(Broker("h", 8883, "c", tls=True, ca_file=bad))
    with pytest.raises(ReportError, match="certificate or key"):
        make_client(Broker("h", 8883, "c", tls=True, cert_file=bad, key_file=bad))


def test_service_start_fails_clearly_on_missing_tls_files(tmp_path: Path) -> None:
    config = Config(
        device=DeviceConfig(state_dir=tmp_path),
        report=ReportConfig(ca_file=tmp_path / "nope.crt"),
    )

    async def start() -> None:
        service = ReportingService(config)
        try:
            await service.start()
        finally:
            await service.stop()

    with pytest.raises(ReportError, match="nope.crt"):
        asyncio.run(start())


def test_disabled_delivery_still_stores(tmp_path: Path) -> None:
    from edge.report.base import IncidentDraft, Severity

    config = Config(device=DeviceConfig(state_dir=tmp_path), report=ReportConfig(enabled=False))

    async def scenario() -> None:
        service = ReportingService(config)
        await service.start()
        await service.reporter.report(IncidentDraft(Severity.LOW, "noted"))
        health = service.health()
        assert not health.connected and health.last_error and "disabled" in health.last_error
        await service.stop()

    asyncio.run(scenario())
