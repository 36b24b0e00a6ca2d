"""Control's answer reaches the technician's ears: console -> broker -> device -> spoken when idle.

The real assistant (engines, sample manuals) in a simulated room, a real mosquitto, the console
and the device's reporting service; the technician has just logged an incident when a dispatcher
acknowledges it. The session says it in a turn of its own at the next idle moment, and the
console's history then shows that the technician was told.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from edge.assistant import Assistant
from edge.audio.sim import Script
from edge.config import Config
from edge.daemon import notice_speaker
from edge.fleet.console import Console, ConsoleSettings
from edge.report.base import IncidentDraft, Severity
from edge.report.control import ControlMessages
from edge.report.localbroker import LocalBroker, mosquitto_available
from edge.report.mqtt import Broker
from edge.report.service import ReportingService
from edge.scenario import run_scenario
from tests.integration.fleet_env import device_config, until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not mosquitto_available(), reason="apt-get install mosquitto"),
]


def test_acknowledgement_is_spoken_at_the_next_idle_moment(
    config: Config, fresh: Assistant, tmp_path: Path
) -> None:
    script = Script()
    script.silence(14.0)  # the technician says nothing: the assistant is idle throughout
    quiet = replace(config, listen=replace(config.listen, triggers=("ptt",)))

    async def scenario() -> tuple[object, list[str]]:
        with LocalBroker(tmp_path / "broker") as broker:
            console = Console(
                ConsoleSettings(database=tmp_path / "fleet.db"),
                Broker("127.0.0.1", broker.port, "fleet-console"),
            )
            await console.start(web=False)
            control: ControlMessages
            device = ReportingService(
                device_config(tmp_path, broker.port), on_command=lambda: control.due()
            )
            control = ControlMessages(device, notice_speaker(fresh))
            await device.start()
            telling = asyncio.ensure_future(control.run())
            receipt = await device.reporter.report(
                IncidentDraft(Severity.HIGH, "oil leak at the gearbox", component_id="GBX")
            )
            assert await until(lambda: console.stats.stored_incidents == 1)
            room = asyncio.ensure_future(run_scenario(quiet, fresh, script, limit_s=60))
            await asyncio.sleep(1.0)
            await console.act(receipt.incident_id, "acknowledge", user="dana", role="dispatcher")

            def history() -> list[str]:
                return [str(e.detail) for e in console.queries.history(receipt.incident_id)]

            told = await until(lambda: "technician told of acknowledge" in history(), 30)
            run = await room
            lines = history()  # before stop(), which closes the database
            telling.cancel()
            await asyncio.gather(telling, return_exceptions=True)
            await device.stop()
            await console.stop()
            assert told, lines
            return run, lines

    run, history = asyncio.run(scenario())
    heard = [t.heard for t in run.turns]  # type: ignore[attr-defined]
    assert heard == ["Control acknowledged the incident: oil leak at the gearbox."], heard
    assert run.turns[0].transcript == ""  # type: ignore[attr-defined]  # asked by nobody
    assert len(fresh.notices) == 0
    assert history[-1] == "technician told of acknowledge"
