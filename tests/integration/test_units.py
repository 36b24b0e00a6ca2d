"""The systemd units: `systemd-analyze verify` says nothing, `security` rates edge OK or better.

systemd is not PID 1 here, so the units are checked offline. ``verify`` checks that ``ExecStart``
exists, so the checked copies point ``/opt/edge/venv`` at this checkout's virtualenv (the DESTDIR
install test checks the installed copies the same way). Before v254 ``verify`` exits 0 even for
parse errors ("Failed to parse ..., ignoring"), so any output at all fails the test.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
UNITS = REPO / "systemd"
NAMES = ("edge.service", "edge-ingest.service", "edge-ingest.path", "edge-ingest.timer")
VENV = Path(sys.executable).parent.parent


def systemd_analyze() -> str:
    """The tool, which `make system-deps` installs with Debian's systemd package."""
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.fail("systemd-analyze is missing: run `make system-deps` (Debian package systemd)")
    return tool


def verify(folder: Path, names: tuple[str, ...] = NAMES) -> str:
    """Everything `systemd-analyze verify` prints about the units in ``folder``."""
    result = subprocess.run(
        # Paths, not names: a bare name is looked up in systemd's unit path, not in the folder.
        [systemd_analyze(), "verify", "--man=no", *(str(folder / name) for name in names)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return (result.stdout + result.stderr).strip() + ("" if result.returncode == 0 else " (rc)")


def exposure(unit: Path) -> tuple[float, str]:
    """systemd-analyze security's overall exposure (0-10) and its label (SAFE, OK, ...)."""
    result = subprocess.run(
        [systemd_analyze(), "security", "--offline=true", "--no-pager", unit.name],
        cwd=unit.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    found = re.search(
        rf"Overall exposure level for {re.escape(unit.name)}: ([\d.]+) (\w+)", result.stdout
    )
    assert found, result.stdout + result.stderr
    return float(found[1]), found[2]


def checked_copy(tmp_path: Path) -> Path:
    """The units with /opt/edge/venv pointing at this checkout's virtualenv."""
    for name in NAMES:
        text = (UNITS / name).read_text()
        (tmp_path / name).write_text(text.replace("/opt/edge/venv", str(VENV)))
    return tmp_path


def settings(unit: str) -> dict[str, list[str]]:
    """Every ``Key=value`` of a unit file, values in order (keys may repeat)."""
    found: dict[str, list[str]] = {}
    for line in (UNITS / unit).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


def test_units_pass_verify_with_no_output_at_all(tmp_path: Path) -> None:
    assert verify(checked_copy(tmp_path)) == ""


def test_verify_does_report_a_broken_unit(tmp_path: Path) -> None:
    # The check above means something: a typo in a setting is printed (rc stays 0 before v254).
    folder = checked_copy(tmp_path)
    unit = folder / "edge.service"
    unit.write_text(unit.read_text().replace("ProtectSystem=strict", "ProtectSystem=strictt"))
    assert "ignoring: strictt" in verify(folder, ("edge.service",))


@pytest.mark.parametrize(("unit", "worst"), [("edge.service", 4.9), ("edge-ingest.service", 1.0)])
def test_security_rates_the_services_ok_or_better(unit: str, worst: float) -> None:
    score, label = exposure(UNITS / unit)
    assert score <= worst and label in ("PERFECT", "SAFE", "OK"), (score, label)


def test_the_daemon_keeps_access_to_audio_usb_gpio_serial_and_the_network() -> None:
    unit = settings("edge.service")
    assert unit["Type"] == ["notify"] and unit["NotifyAccess"] == ["main"]
    assert unit["DevicePolicy"] == ["closed"]
    allowed = {value.split()[0] for value in unit["DeviceAllow"]}
    assert {
        "char-alsa",
        "char-usb_device",
        "char-gpiochip",
        "char-ttyACM",
        "char-ttyUSB",
    } <= allowed
    assert "char-ttyAMA" in allowed  # /dev/serial0 on a Raspberry Pi
    assert unit.get("PrivateDevices", ["no"]) == ["no"]  # it would hide /dev/snd and the rest
    assert set(unit["SupplementaryGroups"][0].split()) == {"audio", "gpio", "dialout", "plugdev"}
    families = set(unit["RestrictAddressFamilies"][0].split())
    assert families == {"AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK"}  # MQTT, udev hot-plug
    assert "PrivateNetwork" not in unit and "IPAddressDeny" not in unit


def test_every_group_the_service_joins_is_made_by_sysusers() -> None:
    sysusers = (UNITS / "sysusers.d" / "edge.conf").read_text()
    members = set(re.findall(r"(?m)^m edge (\S+)$", sysusers))
    assert set(settings("edge.service")["SupplementaryGroups"][0].split()) == members
