"""Build the hardware parts a config asks for, for the daemon to start and stop as one.

``build_hardware(config, bus)`` returns a :class:`Hardware` holding the GPIO PTT button, the status
LED/buzzer, the wearable link and the mic array watcher (each None when not configured or not on
this board). Audio devices (``edge.audio.alsa``) and the wake engine are built by the listener.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from edge.bus import EventBus
from edge.config import Config, EchoCancel
from edge.hw import Emit, HardwarePart
from edge.hw.board import BoardProfile, load_board
from edge.hw.feedback import GpioFeedback
from edge.hw.mic_array import AecDecision, MicArray, needs_software_aec
from edge.hw.ptt import GpioPtt
from edge.hw.wearable import WearableLink

_LOGGER = logging.getLogger(__name__)


@dataclass
class Hardware:
    """The daemon's hardware parts, started in order and stopped in reverse."""

    board: BoardProfile
    ptt: GpioPtt | None = None
    feedback: GpioFeedback | None = None
    wearable: WearableLink | None = None
    mic_array: MicArray | None = None
    parts: list[HardwarePart] = field(default_factory=list)

    async def start(self) -> None:
        """Start every part (absent hardware is reported by the part, never raised)."""
        for part in self.parts:
            await part.start()

    async def stop(self) -> None:
        """Stop every part, last started first; one failing stop does not skip the others."""
        for part in reversed(self.parts):
            try:
                await part.stop()
            except Exception:
                _LOGGER.exception("Stopping %s failed", part.name)

    def aec(self, echo_cancel: EchoCancel, output_device: str) -> AecDecision:
        """Who cancels the assistant's echo, given the playback device's name now."""
        status = self.mic_array.status if self.mic_array is not None else None
        return needs_software_aec(echo_cancel, status, output_device)


def build_hardware(config: Config, bus: EventBus, emit: Emit | None = None) -> Hardware:
    """The parts ``config`` enables on its board; events go to ``emit`` (or ``bus.publish``)."""
    board = load_board(config.device.board)
    emit = emit or bus.publish
    hw = Hardware(board)
    max_hold_s = config.endpoint.ptt_max_s
    if config.mic_array.enabled:
        hw.mic_array = MicArray(config.mic_array, emit, bus)
        hw.parts.append(hw.mic_array)
    if "ptt" in config.listen.triggers and board.has_gpio and board.gpio.ptt_pin is not None:
        hw.ptt = GpioPtt(config.ptt, board, emit, max_hold_s=max_hold_s)
        hw.parts.append(hw.ptt)
    if board.has_gpio and (config.feedback.led or config.feedback.buzzer):
        hw.feedback = GpioFeedback(config.feedback, board, bus, emit)
        hw.parts.append(hw.feedback)
    if config.wearable.enabled:
        hw.wearable = WearableLink(
            config.wearable, emit, bus, ptt=config.ptt, max_hold_s=max_hold_s
        )
        hw.parts.append(hw.wearable)
    return hw
