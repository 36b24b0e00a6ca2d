"""Wake word and triggers: recall, false accepts per hour, CPU of always-on listening, PTT latency.

- Recall: "hey jarvis" / "alexa" from piper and four espeak-ng voices at three speeds, clean and
  mixed with noise at 20, 10 and 5 dB SNR, each padded with a second of noise or silence.
- False accepts per hour: over an hour of generated non-wake speech (technician sentences from
  several voices, shuffled with random gains and pauses) over varying noise. The sentences repeat,
  so this is a smoke figure for gross false triggering, not a field FA rate.
- CPU: openWakeWord + Silero VAD on every 80 ms chunk, as a share of one core.
- PTT latency: gpiozero MockFactory press -> ``PttPressed`` delivered on the asyncio loop.

Scores are computed once per chunk and every gate setting is applied to the stored scores.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import summary, table
from edge.engines.base import EngineContext
from edge.engines.registry import load_engine
from edge.models import ModelStore
from edge.voices import speak
from edge.wakeword import WakeGate, WakeGateSettings

RATE = 16_000
CHUNK = 1280
WAKE = {"hey jarvis": "hey_jarvis", "alexa": "alexa"}
VOICES = ("piper", "espeak:en-us", "espeak:en-gb", "espeak:en-us+f3", "espeak:en-us+m3")
SPEEDS = (0.85, 1.0, 1.2)
SNRS: tuple[float | None, ...] = (None, 20.0, 10.0, 5.0)
GATES = ((0.5, 1), (0.5, 2), (0.7, 2))
FA_HOURS = 1.0
SENTENCES = (
    "Check the hydraulic pressure on the yaw brake before you climb.",
    "What is the torque setting for the blade root bolts?",
    "Log an incident: oil leak at the main gearbox, severity two.",
    "The converter tripped on a grid fault at three in the morning.",
    "Read me the lockout procedure for the pitch system.",
    "How many millimetres of wear are allowed on the brake pads?",
    "The anemometer reads twelve metres per second at hub height.",
    "Open the manual at the section about generator bearings.",
    "I am in the nacelle and the service crane is not responding.",
    "Is it safe to rotate the hub with the rotor lock engaged?",
    "Replace the filter cartridge and note the serial number.",
    "The temperature on phase two is higher than the other phases.",
    "Tell me the limit for vibration on the drive train.",
    "Javelin, jarring, jars of jam and a travel guide.",
    "Alexander left the excavator at the access road.",
    "Hey, give me a hand with the harness, will you?",
    "A service visit is planned for Thursday at the northern site.",
    "Stop the turbine and wait for the blades to feather.",
)


def run(out_dir: Path) -> dict[str, Any]:
    """Run every measurement, print the tables, return the figures."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    wake = load_engine(
        "wake", "openwakeword", {"models": ["oww-hey_jarvis", "oww-alexa"]}, _context()
    )
    recall = _recall(wake, rng)
    false_accepts = _false_accepts(wake, rng)
    cpu = _cpu_share(wake, rng)
    latency = _ptt_latency()

    rows = []
    for threshold, patience in GATES:
        key = f"t{threshold}_p{patience}"
        rows.append(
            [
                f"{threshold} / {patience}",
                f"{recall[key]['recall']:.1%}",
                f"{recall[key]['clean']:.1%}",
                f"{recall[key]['snr5']:.1%}",
                f"{false_accepts[key]['per_hour']:.2f}",
            ]
        )
    header = ["threshold / patience", "recall", "clean", "5 dB SNR", "false accepts/h"]
    print(table(rows, header))
    print(f"{recall['trials']} wake trials; {false_accepts['hours']:.2f} h of non-wake audio")
    print(
        table(
            [
                ["wake + VAD CPU (share of one core)", f"{cpu['share_of_core']:.1%}"],
                ["wake ms per 80 ms chunk", f"{cpu['wake_ms_per_chunk']:.2f}"],
                ["VAD ms per 32 ms frame", f"{cpu['vad_ms_per_frame']:.3f}"],
                ["PTT press -> loop p50", f"{latency['p50'] * 1000:.3f} ms"],
                ["PTT press -> loop p95", f"{latency['p95'] * 1000:.3f} ms"],
            ],
            ["measure", "value"],
        )
    )
    print("Timings are noisy: the machine's 2 cores are shared with other work.")
    return {
        "recall": recall,
        "false_accepts": false_accepts,
        "cpu": cpu,
        "ptt_latency_s": latency,
        "gate_default": {"threshold": 0.5, "patience": 2, "refractory_s": 2.0},
    }


def _context() -> EngineContext:
    return EngineContext(ModelStore(Path("out/models")))


def _scores(wake: Any, audio: np.ndarray) -> np.ndarray:
    """Per-chunk scores, shape (chunks, 2): hey_jarvis, alexa."""
    wake.reset()
    rows = []
    for i in range(0, len(audio) - CHUNK + 1, CHUNK):
        s = wake.scores(audio[i : i + CHUNK])
        rows.append((s["hey_jarvis"], s["alexa"]))
    return np.asarray(rows, dtype=np.float32)


def _detections(scores: np.ndarray, threshold: float, patience: int) -> list[str]:
    gate = WakeGate(WakeGateSettings(threshold=threshold, patience=patience, refractory_s=2.0))
    found = []
    for i, (jarvis, alexa) in enumerate(scores):
        hit = gate.update({"hey_jarvis": float(jarvis), "alexa": float(alexa)}, (i + 1) * 0.08)
        if hit is not None:
            found.append(hit.name)
    return found


def _noise(rng: np.random.Generator, n: int) -> np.ndarray:
    """Unit-RMS noise: white, pink, or a nacelle-like hum over brown noise."""
    kind = rng.integers(3)
    white = rng.standard_normal(n)
    if kind == 0:
        x = white
    elif kind == 1:
        spectrum = np.fft.rfft(white)
        spectrum /= np.sqrt(np.maximum(1.0, np.arange(len(spectrum))))
        x = np.fft.irfft(spectrum, n)
    else:
        t = np.arange(n) / RATE
        brown = np.cumsum(white)
        brown -= np.convolve(brown, np.ones(801) / 801, mode="same")  # keep it from drifting
        x = brown / (np.std(brown) + 1e-9) + sum(np.sin(2 * np.pi * f * t) for f in (50, 100, 150))
    return x / (np.sqrt(np.mean(x * x)) + 1e-9)


def _mix(speech: np.ndarray, snr_db: float | None, rng: np.random.Generator) -> np.ndarray:
    pad = np.zeros(RATE, dtype=np.float32)
    x = np.concatenate([pad, speech.astype(np.float32), pad])
    if snr_db is not None:
        level = np.sqrt(np.mean(speech.astype(np.float32) ** 2)) / 10 ** (snr_db / 20)
        x = x + level * _noise(rng, len(x))
    return np.clip(x, -32768, 32767).astype(np.int16)


def _recall(wake: Any, rng: np.random.Generator) -> dict[str, Any]:
    trials: list[tuple[str, float | None, np.ndarray]] = []
    for text, name in WAKE.items():
        for voice in VOICES:
            for speed in SPEEDS:
                speech = speak(text, voice, speed=speed)
                for snr in SNRS:
                    trials.append((name, snr, _scores(wake, _mix(speech, snr, rng))))
    result: dict[str, Any] = {"trials": len(trials)}
    for threshold, patience in GATES:
        hits = [_detections(s, threshold, patience) == [name] for name, _, s in trials]
        clean = [h for h, (_, snr, _) in zip(hits, trials, strict=True) if snr is None]
        noisy = [h for h, (_, snr, _) in zip(hits, trials, strict=True) if snr == 5.0]
        result[f"t{threshold}_p{patience}"] = {
            "recall": float(np.mean(hits)),
            "clean": float(np.mean(clean)),
            "snr5": float(np.mean(noisy)),
        }
    return result


def _false_accepts(wake: Any, rng: np.random.Generator) -> dict[str, Any]:
    clips = [speak(s, v) for s in SENTENCES for v in VOICES[:4]]
    target = int(FA_HOURS * 3600 * RATE)
    segment = 60 * RATE
    produced = 0
    all_scores = []
    wake.reset()
    while produced < target:
        parts, length = [], 0
        while length < segment:
            clip = clips[rng.integers(len(clips))].astype(np.float32) * rng.uniform(0.3, 1.5)
            pause = np.zeros(int(rng.uniform(0.2, 2.0) * RATE), dtype=np.float32)
            parts += [clip, pause]
            length += len(clip) + len(pause)
        x = np.concatenate(parts)[:segment]
        speech_rms = np.sqrt(np.mean(x * x)) + 1e-9
        x = x + speech_rms / 10 ** (rng.uniform(5, 30) / 20) * _noise(rng, len(x))
        audio = np.clip(x, -32768, 32767).astype(np.int16)
        for i in range(0, len(audio) - CHUNK + 1, CHUNK):  # one continuous stream, no reset
            s = wake.scores(audio[i : i + CHUNK])
            all_scores.append((s["hey_jarvis"], s["alexa"]))
        produced += len(audio)
    scores = np.asarray(all_scores, dtype=np.float32)
    hours = produced / RATE / 3600
    result: dict[str, Any] = {"hours": hours, "max_score": float(scores.max())}
    for threshold, patience in GATES:
        count = len(_detections(scores, threshold, patience))
        result[f"t{threshold}_p{patience}"] = {"count": count, "per_hour": count / hours}
    return result


def _cpu_share(wake: Any, rng: np.random.Generator) -> dict[str, float]:
    vad = load_engine("vad", "silero", {}, _context())
    seconds = 60.0
    audio = (_noise(rng, int(seconds * RATE)) * 800).astype(np.int16)
    floats = audio.astype(np.float32) / 32768.0
    wake.reset()
    start_cpu = time.process_time()
    wake_s = vad_s = 0.0
    for i in range(0, len(audio) - CHUNK + 1, CHUNK):
        t = time.perf_counter()
        wake.scores(audio[i : i + CHUNK])
        wake_s += time.perf_counter() - t
    t = time.perf_counter()
    frames = 0
    for i in range(0, len(floats) - 512 + 1, 512):
        vad.speech_probability(floats[i : i + 512])
        frames += 1
    vad_s = time.perf_counter() - t
    cpu = time.process_time() - start_cpu
    chunks = len(audio) // CHUNK
    return {
        "share_of_core": cpu / seconds,
        "wake_ms_per_chunk": wake_s * 1000 / chunks,
        "vad_ms_per_frame": vad_s * 1000 / frames,
    }


def _ptt_latency(presses: int = 200) -> dict[str, Any]:
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    from edge.config import PttConfig
    from edge.events import PttPressed, PttReleased
    from edge.hw.board import load_board
    from edge.hw.ptt import GpioPtt

    saved = Device.pin_factory
    Device.pin_factory = MockFactory()
    delays: list[float] = []

    async def measure() -> None:
        got = threading.Event()
        pressed_at = [0.0]

        def emit(event: Any) -> None:
            if isinstance(event, PttPressed):
                delays.append(time.perf_counter() - pressed_at[0])
                got.set()
            elif isinstance(event, PttReleased):
                got.set()

        ptt = GpioPtt(PttConfig(bounce_ms=0), load_board("pi5"), emit)
        await ptt.start()
        pin = Device.pin_factory.pin(17)

        def press_many() -> None:
            for _ in range(presses):
                got.clear()
                pressed_at[0] = time.perf_counter()
                pin.drive_low()  # the library thread's view of a press
                got.wait(2)
                got.clear()
                pin.drive_high()
                got.wait(2)

        await asyncio.to_thread(press_many)
        await ptt.stop()

    try:
        asyncio.run(measure())
    finally:
        Device.pin_factory.reset()
        Device.pin_factory = saved
    return summary(delays)


if __name__ == "__main__":
    run(Path("out/bench"))
