"""The console in a real headless browser (Debian's chromium, driven by Playwright).

A dispatcher logs in, sees an incident arrive without reloading, filters, acknowledges; the device
(the real reporting service and command handler, on a real mosquitto) receives the command and
the technician is told. Screenshots of each page go to out/fleet/screens/.
"""

import asyncio
import json
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from edge.fleet.console import Console, ConsoleSettings
from edge.report.base import Citation, IncidentDraft, Reading, Severity
from edge.report.localbroker import LocalBroker, mosquitto_available
from edge.report.mqtt import Broker
from edge.report.service import ReportingService
from tests.integration.fleet_env import device_config, until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not mosquitto_available(), reason="apt-get install mosquitto"),
]

CHROMIUM = Path("/usr/bin/chromium")
SCREENS = Path(__file__).resolve().parents[2] / "out" / "fleet" / "screens"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "gearbox-oil-2026"


class Fleet:
    """Broker, console and two devices running on their own event loop in a thread."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.broker = LocalBroker(tmp / "broker")
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.told: list[str] = []
        self.console: Console
        self.devices: dict[str, ReportingService] = {}

    def run(self, coro: Any, timeout: float = 30.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def start(self) -> None:
        self.broker.start()
        self.thread.start()
        self.run(self._start())

    async def _start(self) -> None:
        settings = ConsoleSettings(database=self.tmp / "fleet.db", port=0)
        self.console = Console(settings, Broker("127.0.0.1", self.broker.port, "fleet-console"))
        self.console.accounts.add_user("dana", PASSWORD, "dispatcher")
        self.console.accounts.add_user("val", PASSWORD, "viewer")
        await self.console.start()
        for device_id in ("wtg-07", "wtg-12"):
            config = device_config(self.tmp, self.broker.port, device_id, "north-ridge")
            service = ReportingService(config, on_command=self._command_for(device_id))
            await service.start()
            self.devices[device_id] = service
        assert await until(lambda: len(self.console.queries.devices()) == 2)

    def _command_for(self, device_id: str) -> Any:
        def due() -> None:
            self.loop.create_task(self._tell(device_id))

        return due

    async def _tell(self, device_id: str) -> None:
        # The daemon speaks these at the next idle moment; here the technician's ear is a list.
        service = self.devices[device_id]
        for announcement in await service.announcements():
            self.told.append(announcement.text)
            await service.announced(announcement.command_id)

    def report(self, device_id: str, draft: IncidentDraft) -> str:
        async def go() -> str:
            receipt = await self.devices[device_id].reporter.report(draft)
            return receipt.incident_id

        return str(self.run(go()))

    def telemetry(self, device_id: str, points: int) -> None:
        """Telemetry as the device sends it, with a spread of latencies, for the plot."""

        async def go() -> None:
            service = self.devices[device_id]
            assert service._link is not None
            now = time.time()
            for i in range(points):
                body = json.loads(service.telemetry())
                body["ts"] = time.strftime(
                    "%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(now - 60 * (points - i))
                )
                body["latency_ms"] = {
                    "p50": 420.0 + 15 * (i % 5),
                    "p95": 880.0 + 40 * (i % 7),
                    "n": 20,
                }
                body["cpu_temp_c"] = 52.5
                body["disk"] = {"free_mb": 21_504.0, "total_mb": 59_392.0}
                body["wearable"] = {"link": True, "battery_pct": 76, "charging": False}
                body["mic"] = {"ok": True, "detail": "XVF3800"}
                service._link.publish(service._telemetry_topic, json.dumps(body).encode(), qos=1)
                await asyncio.sleep(0.01)

        self.run(go())

    def stop(self) -> None:
        async def go() -> None:
            for service in self.devices.values():
                await service.stop()
            await self.console.stop()

        self.run(go())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()
        self.broker.stop()


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Fleet]:
    running = Fleet(tmp_path)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("chromium is missing: apt-get install chromium chromium-driver")
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="edge-chromium-")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
            viewport={"width": 1280, "height": 800},
        )
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


def shot(page: Any, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def test_dispatcher_sees_it_live_filters_acknowledges_and_the_technician_is_told(
    fleet: Fleet, browser: Any
) -> None:
    base = f"http://127.0.0.1:{fleet.console.port}"
    page = browser.new_page()
    page.goto(base + "/incidents")
    assert page.url.endswith("/login")  # no anonymous access
    shot(page, "1-login")
    page.fill("input[name=user]", "dana")
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit]")
    assert page.locator(".error").inner_text() == "Wrong user name or password."
    page.fill("input[name=user]", "dana")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/incidents")
    page.wait_for_selector("#live-state:has-text('live')")
    page.evaluate("window.__same_page = true")  # gone if the page reloads

    low = fleet.report("wtg-12", IncidentDraft(Severity.LOW, "Paint flaking off the nacelle cover"))
    high = fleet.report(
        "wtg-07",
        IncidentDraft(
            Severity.HIGH,
            "Gearbox oil sump temperature 92 °C is above the 85 °C limit",
            transcript="gearbox oil sump temperature is 92 degrees",
            component_id="GBX",
            component_name="gearbox",
            readings=(Reading("GBX", "Oil sump temperature", 92.0, "°C", None, 85.0),),
            citation=Citation("WT-2000 Wind Turbine Maintenance Manual", "12 Operating limits", 31),
            source="device",
        ),
    )
    page.wait_for_selector(f"#incident-{high}")
    page.wait_for_selector(f"#incident-{low}")
    assert page.evaluate("window.__same_page") is True  # arrived live, no reload
    shot(page, "2-incidents-live")

    page.select_option("select[name=severity]", "high")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector(f"#incident-{high}")
    assert page.locator(f"#incident-{low}").count() == 0
    assert page.locator("#incident-rows tr").count() == 1
    shot(page, "3-incidents-filtered")

    page.click(f"#incident-{high} a")
    page.wait_for_selector("#state:has-text('active')")
    body = page.inner_text("main")
    assert "Oil sump temperature: 92.0 °C" in body and "max 85.0" in body
    assert "WT-2000 Wind Turbine Maintenance Manual, section 12 Operating limits, page 31" in body
    assert "online" in body  # the device at the time
    shot(page, "4-incident")
    page.click("#ack")
    page.wait_for_selector("#state:has-text('acknowledged')")
    # The device applies it, the technician is told, and the page shows it without a reload.
    page.wait_for_selector("text=technician told of acknowledge", timeout=20_000)
    expected = (
        "Control acknowledged the incident:"
        " gearbox oil sump temperature 92 °C is above the 85 °C limit."
    )
    assert fleet.told == [expected]
    state = fleet.devices["wtg-07"].lifecycle.state(high)
    assert state.state == "acknowledged"
    shot(page, "5-incident-acknowledged")

    # A forged form (no CSRF token) is refused, and a viewer cannot act.
    forged = page.request.post(f"{base}/incidents/{high}/close", form={"csrf": "forged"})
    assert forged.status == 403

    fleet.telemetry("wtg-07", 30)
    page.goto(base + "/devices")
    page.wait_for_selector("#device-north-ridge-wtg-07")
    row = page.inner_text("#device-north-ridge-wtg-07")
    assert "online" in row and "76 %" in row and "52.5 °C" in row
    shot(page, "6-devices")
    page.click("#device-north-ridge-wtg-07 a")
    page.wait_for_selector("svg.plot polyline.p95")
    shot(page, "7-device")

    export = page.request.get(f"{base}/export/incidents.csv?severity=high")
    assert export.status == 200 and high in export.text() and low not in export.text()
    lines = page.request.get(f"{base}/export/incidents.json").text().splitlines()
    assert {json.loads(x)["incident_id"] for x in lines} == {high, low}

    page.click("header form button")  # log out
    page.wait_for_url(base + "/login")
    page.fill("input[name=user]", "val")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{base}/incidents/{low}")
    assert page.locator("#ack").count() == 0
    csrf = page.locator("header input[name=csrf]").get_attribute("value")
    refused = page.request.post(f"{base}/incidents/{low}/close", form={"csrf": csrf or ""})
    assert refused.status == 403
    shot(page, "8-incident-viewer")
