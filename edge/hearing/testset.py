"""The hearing test set: what is said, by whom, over which noise, in which room, made on demand.

Utterances come from the repo's question sets (``samples/questions/manual_qa.toml`` with its
paraphrases, ``demo.toml``, ``hearing.toml``: readings, incident commands, control words, codes).
Each is spoken twice: by a *dev* voice and by a *held-out* voice (``split.toml`` fixes which is
which), and each rendering gets a noise and, every other one, a room from its own side of the
split. A rendering is heard clean (dry, silent) or mixed at a speech-weighted SNR (see
:mod:`edge.hearing.mix`), reverberated first when it has a room.

Everything is deterministic: speech through :func:`edge.voices.speak` (piper with its noise scales
at 0, espeak-ng, flite), noise seeded by the item. Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np

from edge.events import Float32Array, Int16Array
from edge.hearing.mix import mix
from edge.hearing.noises import noise, reverberate, room_impulse

Side = Literal["dev", "held_out"]

SNRS: Final = (20.0, 10.0, 5.0, 0.0)
"""Speech-weighted SNRs of the noisy conditions (dB)."""
CLEAN: Final = None
"""The condition without noise or room."""
_PAD_S: Final = 0.5
"""Silence (or noise) before and after the words, as a push-to-talk capture has."""

SPLIT_FILE: Final = Path(__file__).with_name("split.toml")


@dataclass(frozen=True, slots=True)
class Voice:
    """A synthetic speaker."""

    name: str
    voice: str
    """``edge.voices`` voice: ``piper``, ``espeak:<voice>``, ``flite:<voice>``."""
    speed: float = 1.0
    pitch: int | None = None


@dataclass(frozen=True, slots=True)
class Room:
    """A synthetic room (impulse response)."""

    name: str
    rt60_s: float
    seed: int


@dataclass(frozen=True, slots=True)
class SplitSide:
    """Voices, noises and rooms of one side of the split."""

    voices: tuple[Voice, ...]
    noises: tuple[str, ...]
    rooms: tuple[Room, ...]


@dataclass(frozen=True, slots=True)
class Split:
    """The fixed dev / held-out split."""

    dev: SplitSide
    held_out: SplitSide

    def side(self, side: Side) -> SplitSide:
        """The ``dev`` or ``held_out`` side."""
        return self.dev if side == "dev" else self.held_out


@dataclass(frozen=True, slots=True)
class Utterance:
    """Something a technician says, and what a right answer holds."""

    uid: str
    """Stable id: source and index (``manual_qa:12.1``)."""
    kind: str
    """``manual``, ``no-answer``, ``reading``, ``incident``, ``control``, ``code``, ``demo``."""
    text: str
    values: tuple[str, ...] = ()
    """Strings the answer must contain (case-insensitive)."""
    severity: str | None = None
    """Incidents: the severity the report must carry."""
    keep: tuple[str, ...] = ()
    """Incidents: words the description must keep."""
    control: str | None = None
    """Control words: the words that must be heard."""
    component: str | None = None
    """The conversation's component from earlier turns (follow-up questions)."""


@dataclass(frozen=True, slots=True)
class Item:
    """One utterance in one voice, with its noise and room."""

    utterance: Utterance
    side: Side
    voice: Voice
    noise: str
    room: Room | None
    seed: int

    @property
    def key(self) -> str:
        """Stable id of the rendering."""
        return f"{self.utterance.uid}@{self.voice.name}"


@dataclass
class TestSet:
    """Utterances and their renderings."""

    utterances: list[Utterance]
    items: list[Item] = field(default_factory=list)

    def select(self, side: Side | None = None, kinds: tuple[str, ...] = ()) -> list[Item]:
        """Items of one side and/or some kinds."""
        return [
            i
            for i in self.items
            if (side is None or i.side == side) and (not kinds or i.utterance.kind in kinds)
        ]


def load_split(path: Path = SPLIT_FILE) -> Split:
    """Read the committed split."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))

    def side(table: dict[str, Any]) -> SplitSide:
        return SplitSide(
            voices=tuple(Voice(**v) for v in table["voice"]),
            noises=tuple(table["noises"]),
            rooms=tuple(Room(**r) for r in table["rooms"]),
        )

    return Split(dev=side(raw["dev"]), held_out=side(raw["held_out"]))


def load_utterances(questions_dir: Path) -> list[Utterance]:
    """Every utterance of the set, from the question files in ``questions_dir``."""
    found: list[Utterance] = []
    qa = tomllib.loads((questions_dir / "manual_qa.toml").read_text(encoding="utf-8"))
    for i, q in enumerate(qa["question"]):
        kind = "manual" if q.get("sections") else "no-answer"
        values = tuple(q.get("values", ()))
        component = q.get("component")
        for j, text in enumerate((q["text"], *q.get("paraphrases", ()))):
            found.append(Utterance(f"manual_qa:{i}.{j}", kind, text, values, component=component))
    demo = tomllib.loads((questions_dir / "demo.toml").read_text(encoding="utf-8"))
    for q in demo["question"]:
        found.append(Utterance(f"demo:{q['name']}", "demo", q["text"]))
    extra = tomllib.loads((questions_dir / "hearing.toml").read_text(encoding="utf-8"))
    for kind in ("reading", "incident", "control", "code"):
        for i, q in enumerate(extra.get(kind, ())):
            found.append(
                Utterance(
                    f"hearing:{kind}:{i}",
                    kind,
                    q["text"],
                    values=tuple(q.get("values", ())),
                    severity=q.get("severity"),
                    keep=tuple(q.get("keep", ())),
                    control=q.get("control"),
                )
            )
    return found


def build(questions_dir: Path, split: Split | None = None) -> TestSet:
    """The test set: each utterance once in a dev voice and once in a held-out voice.

    Voices, noises and rooms are dealt round-robin by the utterance's position, so every voice
    and noise gets a share of every kind of utterance; every other rendering is in a room.
    """
    split = split or load_split()
    utterances = load_utterances(questions_dir)
    test = TestSet(utterances)
    for i, utterance in enumerate(utterances):
        for side_name in ("dev", "held_out"):
            side: Side = "dev" if side_name == "dev" else "held_out"
            s = split.side(side)
            room = s.rooms[(i // 2) % len(s.rooms)] if i % 2 == 0 else None
            test.items.append(
                Item(
                    utterance,
                    side,
                    s.voices[i % len(s.voices)],
                    s.noises[(i + i // len(s.voices)) % len(s.noises)],
                    room,
                    seed=_seed(f"{utterance.uid}|{side}"),
                )
            )
    return test


def speech(item: Item, rate: int = 16_000) -> Float32Array:
    """The item's dry speech with the capture's silence around it (float, -1..1)."""
    from edge.voices import speak

    v = item.voice
    words = speak(item.utterance.text, v.voice, rate=rate, speed=v.speed, pitch=v.pitch)
    pad = np.zeros(int(_PAD_S * rate), dtype=np.float32)
    return np.concatenate([pad, words.astype(np.float32) / 32768.0, pad])


def render(item: Item, snr: float | None, rate: int = 16_000) -> Int16Array:
    """The item as the mic hears it: clean (``snr`` None) or in its room and noise at ``snr`` dB."""
    dry = speech(item, rate)
    if snr is None:
        return _int16(dry)
    wet = (
        dry
        if item.room is None
        else reverberate(dry, room_impulse(item.room.rt60_s, item.room.seed))
    )
    bed = noise(item.noise, len(wet) / rate + 0.01, item.seed)
    return _int16(mix(wet, bed, snr, rate))


def _int16(x: Float32Array) -> Int16Array:
    return np.clip(np.round(x * 32767.0), -32768, 32767).astype(np.int16)


def _seed(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
