"""``edge devices`` runs on a machine without sound cards, GPIO or mic arrays."""

from __future__ import annotations

import json

import pytest

from edge.cli import main

pytestmark = pytest.mark.unit


def test_devices_json_lists_board_and_ports(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["devices", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["board"]["name"] == "generic"
    assert isinstance(report["sound"], list) and isinstance(report["serial"], list)


def test_devices_text_names_the_board(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDGE_DEVICE__BOARD", "pi5")
    assert main(["devices"]) == 0
    assert "gpiozero (ptt 17" in capsys.readouterr().out
