"""Immutable data types that flow through edge: audio, transcripts, messages, tools, events.

Nothing here does I/O or reads a clock. Times named ``*_time`` are seconds of *stream time* (derived
from sample counts of the input source); times named ``at`` are seconds on the monotonic clock.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NewType

import numpy as np
import numpy.typing as npt

TurnId = NewType("TurnId", int)
"""Generation counter of assistant turns; output events of older turns are stale."""

Int16Array = npt.NDArray[np.int16]
Float32Array = npt.NDArray[np.float32]


# --------------------------------------------------------------------------------------------------
# Audio


@dataclass(frozen=True, slots=True)
class AudioFormat:
    """Shape of raw little-endian PCM."""

    rate: int = 16_000
    """Samples per second per channel (Hz)."""
    width: int = 2
    """Bytes per sample (2 = s16le)."""
    channels: int = 1
    """Interleaved channels."""

    def __post_init__(self) -> None:
        if not 1_000 <= self.rate <= 384_000:
            raise ValueError(f"sample rate {self.rate} Hz is outside 1000..384000")
        if self.width not in (1, 2, 3, 4):
            raise ValueError(f"sample width {self.width} bytes is not 1, 2, 3 or 4")
        if not 1 <= self.channels <= 64:
            raise ValueError(f"channel count {self.channels} is outside 1..64")

    @property
    def bytes_per_second(self) -> int:
        """Bytes of PCM per second of audio."""
        return self.rate * self.width * self.channels

    def seconds(self, n_bytes: int) -> float:
        """Duration in seconds of ``n_bytes`` of PCM in this format."""
        return n_bytes / self.bytes_per_second


MONO_16K = AudioFormat(16_000, 2, 1)
"""The pipeline's capture format: what VAD, wake word and STT consume."""


@dataclass(frozen=True, slots=True, eq=False)
class AudioFrame:
    """A block of mono s16 PCM from the capture path."""

    samples: Int16Array
    """Mono int16 samples (read-only by convention)."""
    rate: int
    """Sample rate (Hz)."""
    stream_time: float
    """Seconds since the source started, at the first sample (from sample counts, not a clock)."""

    @property
    def duration(self) -> float:
        """Length of the frame in seconds."""
        return len(self.samples) / self.rate

    @property
    def end_time(self) -> float:
        """Stream time just after the last sample."""
        return self.stream_time + self.duration


@dataclass(frozen=True, slots=True, eq=False)
class Speech:
    """Synthesized audio for one piece of text (a sentence or a filler)."""

    text: str
    """The words this audio says."""
    samples: Int16Array
    """Mono int16 samples."""
    rate: int
    """Sample rate (Hz)."""

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.rate


# --------------------------------------------------------------------------------------------------
# Conversation and tools


Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True, slots=True)
class Message:
    """One entry of a conversation as the LLM sees it."""

    role: Role
    """Who said it."""
    content: str
    """What was said (for the assistant: what was actually heard by the technician)."""
    interrupted: bool = False
    """True when the assistant was cut off; ``content`` then holds only the heard part."""
    tool_name: str | None = None
    """For ``role == "tool"``: the tool whose result this is."""


@dataclass(frozen=True, slots=True)
class ToolExample:
    """A request that calls a tool, with the arguments the LLM should extract from it."""

    utterance: str
    """What a technician might say."""
    arguments: Mapping[str, Any] = field(default_factory=dict)
    """The arguments that utterance implies (only those in ``ToolSpec.llm_fills``)."""


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A tool the LLM may call, described with a JSON schema for its arguments."""

    name: str
    """Identifier the LLM uses, e.g. ``"query_technical_manuals"``."""
    description: str
    """One or two sentences for the LLM."""
    parameters: Mapping[str, Any]
    """JSON schema (type object) of the arguments."""
    side_effect: bool = False
    """True when the call changes the world (incident reports): it is shielded from barge-in."""
    slow: bool = False
    """True when filling the arguments may take long enough that a filler should play: it plays
    when the LLM must fill them (the words did not settle them), not when they come from the
    words; anything else slow is covered by the thinking filler."""
    filler: str | None = None
    """What to say at once while this tool runs (pre-synthesized at start-up)."""
    examples: tuple[ToolExample, ...] = ()
    """Requests that call this tool: they train the intent router and the LLM's few-shot prompt."""
    llm_fills: tuple[str, ...] = ()
    """Arguments the LLM extracts from the request; the device fills the rest itself."""
    needs_number: bool = False
    """Only a request that says a number can call it ("what is the brake pressure?" asks the
    manuals; "the brake pressure is 150 bar" is a reading): the intent router's fallback takes
    requests without one."""
    cue_words: tuple[str, ...] = ()
    """Lower-case words that name this tool's action ("incident"); empty: none needed. The
    intent router calls the tool only for a request that says one, and sends it a statement
    that says one when its examples score nearly as well as the best intent's."""
    cue_verbs: tuple[str, ...] = ()
    """Lower-case words that name this tool's action only as verbs ("log", "report"): they count
    as cue words where they are used as verbs, opening the request or taking an object ("log
    it", "please report a ..."), not as nouns ("the event log shows eight starts")."""
    urgent: bool = False
    """It may answer with a safety warning: then nothing is said before its answer (no filler,
    no pending notice), so the warning is the first thing heard."""
    statement: Callable[[str], bool] | None = field(default=None, compare=False, repr=False)
    """Recognizes, by its shape, a statement only this tool handles ("the compressor is pulling
    245 amps": a number and its unit, said as a fact). The intent router sends such a request
    here whatever its embedding is near: a reading of a part the examples never named embeds
    nearer the manuals' questions about that part than any example reading."""
    command: Callable[[str], bool] | None = field(default=None, compare=False, repr=False)
    """Recognizes a request that opens with this tool's command ("Log a high severity incident,
    fault code E-117 keeps coming back"): the intent router sends it here whatever else it names,
    since a fault code, a part or a reading pulls its embedding toward another tool."""


@dataclass(frozen=True, slots=True)
class ToolCall:
    """The LLM's decision to call a tool."""

    name: str
    """Tool name."""
    arguments: Mapping[str, Any]
    """Arguments as parsed from the LLM's JSON."""
    call_id: str = ""
    """Engine-provided id, when the engine has one."""


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a fact came from in the manuals."""

    document: str
    """Document title or file name."""
    section: str
    """Section title path, e.g. ``"4 Yaw system > 4.2 Yaw brake"``."""
    page: int | None = None
    """1-based page in the PDF, when the source has pages."""


@dataclass(frozen=True, slots=True)
class ToolResult:
    """What a tool produced: text to speak, and facts about it."""

    speech: tuple[str, ...]
    """Sentences to speak in order: structured data first, then explanation."""
    ok: bool = True
    """False when the tool could not do what was asked (the speech says why)."""
    cacheable: bool = False
    """True when the answer depends only on the manuals (never on live values or side effects)."""
    sources: tuple[SourceRef, ...] = ()
    """Manual passages the answer quotes."""
    data: Mapping[str, Any] = field(default_factory=dict)
    """Structured result for logs, tests and a larger LLM."""
    urgent: bool = False
    """True for safety warnings: spoken before anything else, never behind a filler."""
    more: Any = field(default=None, compare=False, repr=False)
    """``Awaitable[ToolResult]``: the rest of the answer, still being done (the incident an
    out-of-range reading raises). Its speech is said after this result's; the tool owns the
    work, so it finishes even when nobody waits."""


# --------------------------------------------------------------------------------------------------
# Control events (on the bus)


class AssistantState(enum.StrEnum):
    """What the assistant is doing, as LEDs and the wearable show it."""

    IDLE = "idle"
    LISTENING = "listening"
    THINKING = "thinking"
    SPEAKING = "speaking"
    ERROR = "error"


Trigger = Literal["ptt", "wake", "vad", "barge_in", "text"]


@dataclass(frozen=True, slots=True)
class PttPressed:
    """A push-to-talk button went down."""

    source: str
    """Which button: ``"gpio"``, ``"wearable"``, ``"script"``."""
    at: float
    """Monotonic clock seconds."""


@dataclass(frozen=True, slots=True)
class PttReleased:
    """A push-to-talk button went up (or its link was lost while held)."""

    source: str
    """Which button."""
    at: float
    """Monotonic clock seconds."""
    reason: str = "released"
    """``"released"``, ``"link-lost"`` or ``"timeout"``."""


@dataclass(frozen=True, slots=True)
class WakeDetected:
    """The wake word was heard."""

    name: str
    """Wake word model name."""
    score: float
    """Detector score, 0..1."""
    stream_time: float
    """Stream time of the end of the detecting chunk."""


@dataclass(frozen=True, slots=True)
class StateChanged:
    """The assistant moved to another state."""

    old: AssistantState
    new: AssistantState
    turn_id: TurnId


@dataclass(frozen=True, slots=True)
class TranscriptEvent:
    """An interim or final transcript of the technician's words."""

    turn_id: TurnId
    text: str
    """Whole transcript so far."""
    is_final: bool
    stable_chars: int = 0
    """Length of the prefix that two decodes agreed on (interim only)."""


@dataclass(frozen=True, slots=True)
class CaptureEnded:
    """The technician's utterance is over; the turn now thinks."""

    turn_id: TurnId
    reason: str
    """``complete`` (short pause after a finished sentence), ``long-pause``, ``max-length``,
    ``ptt`` (button released), ``no-speech``..."""


@dataclass(frozen=True, slots=True)
class BargeIn:
    """The technician interrupted the assistant."""

    turn_id: TurnId
    """The turn that was interrupted."""
    reason: Literal["speech", "ptt", "wake"]
    reaction_s: float | None
    """Seconds from the speech onset in the input stream to playback stopping, when measurable."""


@dataclass(frozen=True, slots=True)
class TurnEnded:
    """A turn finished, by completing or by being interrupted."""

    turn_id: TurnId
    transcript: str
    """What the technician said."""
    heard: str
    """What the assistant said that was actually played."""
    dropped: str
    """What the assistant had prepared but was not played."""
    interrupted: bool
    timings: Mapping[str, float] = field(default_factory=dict)
    """Stage timings of the turn (see ``edge.metrics``), in seconds."""
    marks: Mapping[str, float] = field(default_factory=dict)
    """When each stage mark was taken (monotonic clock, s): benchmarks line them up with the
    audio they played in."""
    continued: bool = False
    """The technician went on with this request right after the turn ended: the turn was taken
    back and the next one answers the whole request (``edge.turntaking.continuation``)."""


@dataclass(frozen=True, slots=True)
class ComponentStatus:
    """A hardware or service part changed health (mic, wearable, broker ...)."""

    component: str
    ok: bool
    detail: str = ""
    fix: str = ""
    """What to do about a part that is down, when the part knows (empty otherwise)."""


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the technician should hear that is not an answer (link lost, warning)."""

    text: str
    urgent: bool = False
