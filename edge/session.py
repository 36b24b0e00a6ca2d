"""The conversation's state machine: IDLE -> LISTENING -> THINKING -> SPEAKING.

The session is the only place that starts or interrupts a turn. Triggers (push-to-talk, wake word,
speech onsets) arrive from the hardware and the listener; the session opens captures, runs turns,
and on barge-in stops playback first (pause within one capture block), then cancels the turn,
keeping only what the technician actually heard in the conversation.

When the assistant falls idle with a notice still due (an incident stored after its turn was cut),
the session speaks it in a turn of its own, which a press or speech interrupts like any answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Final, Literal

from edge.aio import TaskSet, cancel_and_wait
from edge.assistant import Assistant
from edge.audio.playback import PlaybackQueue
from edge.audio.source import AudioSource
from edge.bus import EventBus
from edge.dialogue.conversation import Exchange
from edge.events import (
    AssistantState,
    BargeIn,
    CaptureEnded,
    StateChanged,
    TranscriptEvent,
    Trigger,
    TurnEnded,
    TurnId,
)
from edge.listener import Capture, Listener
from edge.metrics import TurnTimer
from edge.responder import Part
from edge.turn import Turn, TurnOutcome, first_pieces
from edge.turntaking.continuation import continues
from edge.turntaking.endpoint import looks_incomplete

_LOGGER = logging.getLogger(__name__)

_NOT_HEARD: Final = "Sorry, I didn't catch that."
"""Said when a push-to-talk or wake-word turn produced no words."""


class Session:
    """Starts, runs and interrupts turns; keeps the assistant's state."""

    def __init__(
        self,
        assistant: Assistant,
        playback: PlaybackQueue,
        bus: EventBus,
        source: AudioSource,
        *,
        preroll_s: float = 0.5,
        barge_in: bool = True,
        wake_interrupts: bool = False,
        continue_s: float = 0.0,
    ) -> None:
        """Create the session; attach a listener with :meth:`attach` before running.

        Args:
            assistant: loaded engines, tools and memory.
            playback: the queue the output device plays.
            bus: where state and turn events are published.
            source: the capture source (for stream-time to clock conversion).
            preroll_s: audio kept from before a trigger.
            barge_in: speech over the answer interrupts it.
            wake_interrupts: the wake word interrupts an answer (only with echo cancellation).
            continue_s: speech over an answer that starts this soon after the technician's last
                word continues their request (see ``edge.turntaking.continuation``); 0: never.
        """
        self.assistant = assistant
        self.playback = playback
        self.bus = bus
        self.source = source
        self.preroll_s = preroll_s
        self.barge_in = barge_in
        self.wake_interrupts = wake_interrupts
        self.continue_s = continue_s
        self.state = AssistantState.IDLE
        self.turn_id = TurnId(0)
        self.listener: Listener | None = None
        self._tasks = TaskSet("session")
        self._turn_task: asyncio.Task[None] | None = None
        self._timers: dict[int, TurnTimer] = {}
        self._paused_for: TurnId | None = None
        self._answering: Capture | None = None
        """The capture whose turn runs now (a request that may be continued)."""
        self.turns_done = 0
        """Turns finished (completed or interrupted)."""
        self._closed = False
        self.idle = asyncio.Event()
        """Set while nothing is captured, thought about or played."""
        self.idle.set()
        assistant.notices.on_post = self._notice_posted

    async def settle(self) -> None:
        """Wait until nothing is captured, thought about or played."""
        while True:
            await self.idle.wait()
            await self.playback.drain()
            if self.idle.is_set():
                return

    def attach(self, listener: Listener) -> None:
        """Connect the listener whose events this session handles."""
        self.listener = listener

    # -- triggers ---------------------------------------------------------------------------------

    def ptt_pressed(self, source: str, at: float | None = None) -> None:
        """A push-to-talk button went down: interrupt any answer and listen at once."""
        listener = self._listener()
        if listener.capture is not None and listener.capture.held:
            return
        self._interrupt("ptt", at if at is not None else self.source.clock_at(listener.stream_time))
        if listener.capture is not None:
            listener.capture.held = True  # already capturing (wake or VAD): the button holds it
            return
        start = listener.stream_time - self.preroll_s
        self._open("ptt", start, held=True, at=at)

    def ptt_released(self, source: str, at: float | None = None, reason: str = "released") -> None:
        """A push-to-talk button went up (or its link was lost): end the capture now."""
        listener = self._listener()
        capture = listener.capture
        if capture is None or not capture.held:
            return
        self._timer(capture.turn_id).mark("endpoint", at)
        listener.end_capture("ptt" if reason == "released" else f"ptt-{reason}")

    def on_wake(self, name: str, score: float, stream_time: float) -> None:
        """The wake word was heard: listen (during an answer only when echo is cancelled)."""
        listener = self._listener()
        if listener.capture is not None:
            return
        if self._turn_task is not None and not self._turn_task.done():
            if not self.wake_interrupts:
                _LOGGER.debug("Wake word %s ignored while speaking (no echo cancellation)", name)
                return
            self._interrupt("wake", self.source.clock_at(stream_time))
        # The audio before the detection holds the wake word itself: start after it.
        self._open("wake", stream_time, at=self.source.clock_at(stream_time))

    def on_onset(self, stream_time: float) -> None:
        """Possible speech over the answer: pause playback at once (resumed if it was nothing).

        While the answer is still being prepared the pause keeps it from starting.
        """
        if self.barge_in and self.state in (AssistantState.THINKING, AssistantState.SPEAKING):
            self.assistant.metrics.count("barge_in_pauses")
            self.playback.pause()
            self._paused_for = self.turn_id
            self._timer(self.turn_id).mark("barge_in_onset", self.source.clock_at(stream_time))

    def on_onset_confirmed(self, onset_time: float) -> None:
        """The technician is speaking: interrupt the answer (if any) and capture from the onset."""
        busy = self._turn_task is not None and not self._turn_task.done()
        if busy:
            if not self.barge_in:
                return
            previous = self._continued(onset_time)
            self._interrupt("speech", self.source.clock_at(onset_time))
            at = self.source.clock_at(onset_time)
            self._open("barge_in", onset_time - self.preroll_s, at=at, continues=previous)
        else:
            self._open("vad", onset_time - self.preroll_s, at=self.source.clock_at(onset_time))

    def on_onset_rejected(self) -> None:
        """It was not speech: continue the answer where it paused."""
        if self._paused_for is not None:
            self._paused_for = None
            self.assistant.metrics.count("barge_in_resumes")
            self.playback.resume()

    def on_capture_end(self, capture: Capture, reason: str) -> None:
        """A capture ended: run its turn (or go back to idle when nothing was said)."""
        timer = self._timer(capture.turn_id)
        timer.mark("endpoint")
        self.bus.publish(CaptureEnded(capture.turn_id, reason))
        if capture.speech_end is not None:
            timer.mark("speech_end", self.source.clock_at(capture.speech_end))
        if reason == "no-speech" and not capture.held:
            self._tasks.spawn(capture.transcriber.close(), name=f"close:{capture.turn_id}")
            self._set_state(AssistantState.IDLE)
            self._timers.pop(int(capture.turn_id), None)
            return
        self._set_state(AssistantState.THINKING)
        self._listener().turn_active = True
        self._answering = capture
        self._turn_task = self._tasks.spawn(
            self._run_turn(capture, timer), name=f"turn:{capture.turn_id}"
        )

    def prepare(self, turn_id: TurnId, transcript: str) -> None:
        """The technician paused and ``transcript`` covers all they said: start on the answer.

        Speculative and free of side effects: the answer's first words are worked out and
        synthesized while the endpoint is still deciding (or the button is still held), so the
        turn that follows finds them ready. Speech that goes on only makes the work unused.
        """
        listener = self._listener()
        capture = listener.capture
        if self._closed or capture is None or capture.turn_id != turn_id:
            return
        if self.assistant.responder is None or self.assistant.speech_memo is None:
            return
        if looks_incomplete(transcript):
            return  # "the torque for the": more is coming
        self._tasks.spawn(self._prepare(transcript), name=f"prepare:{turn_id}")

    async def _prepare(self, transcript: str) -> None:
        assistant = self.assistant
        assert assistant.responder is not None and assistant.speech_memo is not None
        memo = assistant.speech_memo
        try:
            sentences = await assistant.responder.prepare(transcript)
        except Exception as err:  # noqa: BLE001 - only a head start; the turn does it properly
            _LOGGER.info("Could not prepare an answer to %r: %s", transcript, err)
            return
        for sentence in sentences:
            for piece in first_pieces(sentence)[:1]:
                if piece in memo:
                    continue
                tts = assistant.threads["tts"].run(assistant.tts.synthesize, piece)
                synthesis = self._tasks.spawn(tts, name="prepare:tts")
                memo.coming(piece, synthesis)
                await asyncio.shield(synthesis)

    def on_source_end(self) -> None:
        """The capture source ended (a file): nothing to do, turns in flight finish."""
        _LOGGER.info("Audio source ended")

    # -- turns ------------------------------------------------------------------------------------

    def _open(
        self,
        trigger: Trigger,
        start: float,
        *,
        held: bool = False,
        at: float | None = None,
        continues: Capture | None = None,
    ) -> None:
        self.turn_id = TurnId(self.turn_id + 1)
        timer = self._timer(self.turn_id)
        timer.trigger = trigger
        timer.mark("trigger", at)
        self._listener().open_capture(self.turn_id, trigger, start, held=held, continues=continues)
        timer.mark("listening")
        self._set_state(AssistantState.LISTENING)

    def _new_turn(self, turn_id: TurnId, timer: TurnTimer) -> Turn:
        assistant = self.assistant
        return Turn(
            turn_id,
            tts=assistant.tts,
            tts_thread=assistant.threads["tts"],
            playback=self.playback,
            fillers=assistant.fillers,
            timer=timer,
            min_sentence_chars=assistant.config.tts.min_sentence_chars,
            thinking=assistant.fillers.get(assistant.config.tts.thinking_filler),
            thinking_after_s=assistant.config.tts.thinking_filler_ms / 1000,
            on_audio=lambda: self._speaking(turn_id),
            memo=assistant.speech_memo,
            notices=assistant.notices,
            earcon=assistant.earcon,
        )

    async def _run_turn(self, capture: Capture, timer: TurnTimer) -> None:
        turn_id = capture.turn_id
        assistant = self.assistant
        assert assistant.responder is not None
        turn = self._new_turn(turn_id, timer)
        transcript = ""
        interrupted = True
        try:
            # Inside the try: a turn cut while still transcribing ends like any other turn.
            transcript = await capture.transcriber.final()
            timer.mark("stt_final")
            self.bus.publish(TranscriptEvent(turn_id, transcript, is_final=True))
            if transcript:
                heard = capture.transcriber.heard
                await turn.speak(
                    assistant.responder.respond(transcript, turn_id, timer, heard=heard)
                )
            elif capture.trigger in ("ptt", "wake"):
                await turn.speak(_say(_NOT_HEARD))
            interrupted = False
        finally:
            await capture.transcriber.close()
            outcome = turn.outcome(interrupted=interrupted)
            if transcript and not capture.continued:  # a continued request is the next turn's
                assistant.conversation.add(
                    Exchange(
                        transcript, outcome.heard, interrupted, assistant.responder.component_id
                    )
                )
            self._end_turn(turn_id, timer, transcript, outcome, continued=capture.continued)

    def _continued(self, onset_time: float) -> Capture | None:
        """The capture whose request speech starting at ``onset_time`` goes on with, if any."""
        capture = self._answering
        responder = self.assistant.responder
        if capture is None or capture.turn_id != self.turn_id or responder is None:
            return None
        if not continues(
            reason=capture.reason,
            held=capture.held,
            speech_end=capture.speech_end,
            onset=onset_time,
            window_s=self.continue_s,
            acting=responder.may_act(capture.turn_id),
        ):
            return None
        _LOGGER.info("Turn %d: the technician went on with the request", capture.turn_id)
        capture.continued = True
        return capture

    def _end_turn(
        self,
        turn_id: TurnId,
        timer: TurnTimer,
        transcript: str,
        outcome: TurnOutcome,
        *,
        then_notices: bool = True,
        continued: bool = False,
    ) -> None:
        timer.mark("done")
        stages = self.assistant.metrics.record(timer)
        self._timers.pop(int(turn_id), None)
        self.turns_done += 1
        self.bus.publish(
            TurnEnded(
                turn_id,
                transcript,
                outcome.heard,
                outcome.dropped,
                outcome.interrupted,
                stages,
                dict(timer.marks),
                continued,
            )
        )
        if self.turn_id == turn_id:
            self._listener().speaking = False
            self._listener().turn_active = False
            self._set_state(AssistantState.IDLE)
            if then_notices:
                self._notice_posted()

    # -- notices ----------------------------------------------------------------------------------

    def _notice_posted(self) -> None:
        """A notice may be due: speak it now if nothing else is going on.

        Not after "stop": the technician hears it with the answer to their next request.
        """
        responder = self.assistant.responder
        if responder is not None and responder.dialogue.hushed:
            return
        task = self._turn_task
        # Called from the end of a turn, whose own task is still finishing: that one is not busy.
        busy = task is not None and not task.done() and task is not asyncio.current_task()
        capturing = self.listener is not None and self.listener.capture is not None
        if self._closed or self.state != AssistantState.IDLE or busy or capturing:
            return  # the next turn, or the next idle moment, says it
        if not self.assistant.notices.due() or self.assistant.responder is None:
            return
        self.turn_id = TurnId(self.turn_id + 1)
        timer = self._timer(self.turn_id)
        timer.trigger = "notice"
        timer.mark("trigger")
        self._set_state(AssistantState.THINKING)
        self._listener().turn_active = True
        self._turn_task = self._tasks.spawn(
            self._run_notices(self.turn_id, timer), name=f"notices:{self.turn_id}"
        )

    async def _run_notices(self, turn_id: TurnId, timer: TurnTimer) -> None:
        assert self.assistant.responder is not None
        turn = self._new_turn(turn_id, timer)
        interrupted = True
        try:
            await turn.speak(self.assistant.responder.notices_due())
            interrupted = False
        finally:
            # Not again at once if it ran to the end: a notice that still did not play fully
            # (no output device?) waits for the next turn instead of looping.
            outcome = turn.outcome(interrupted=interrupted)
            self._end_turn(turn_id, timer, "", outcome, then_notices=False)

    def _speaking(self, turn_id: TurnId) -> None:
        if turn_id == self.turn_id:
            self._listener().speaking = True
            self._set_state(AssistantState.SPEAKING)

    def _interrupt(self, reason: Literal["speech", "ptt", "wake"], onset: float) -> None:
        """Stop the current answer now: drop queued audio, cancel the turn (side effects finish).

        Args:
            reason: what interrupted.
            onset: clock time of the speech onset or button press that interrupted.
        """
        task = self._turn_task
        if task is None or task.done():
            return
        self.playback.clear()
        self.playback.resume()  # a pause at the onset must not silence the next answer
        self._paused_for = None
        self._listener().speaking = False
        self._listener().turn_active = False
        turn_id = self.turn_id
        timer = self._timer(turn_id)
        timer.mark("barge_in_onset", onset)
        task.cancel()
        self._tasks.spawn(
            self._after_interrupt(task, turn_id, reason, timer), name=f"barge-in:{turn_id}"
        )

    async def _after_interrupt(
        self,
        task: asyncio.Task[None],
        turn_id: TurnId,
        reason: Literal["speech", "ptt", "wake"],
        timer: TurnTimer,
    ) -> None:
        await cancel_and_wait(task)
        onset = timer.marks["barge_in_onset"]
        for _ in range(50):  # the device notices the stop at its next block (<= 100 ms)
            if self.playback.stopped_at is not None and self.playback.stopped_at >= onset - 0.5:
                break
            await asyncio.sleep(0.01)
        reaction = None
        if self.playback.stopped_at is not None and self.playback.stopped_at >= onset - 0.5:
            reaction = max(0.0, self.playback.stopped_at - onset)
        self.assistant.metrics.count("barge_ins")
        self.bus.publish(BargeIn(turn_id, reason, reaction))
        _LOGGER.info(
            "Turn %d interrupted by %s; playback stopped %s after onset",
            turn_id,
            reason,
            "n/a" if reaction is None else f"{reaction * 1000:.0f} ms",
        )

    # -- helpers ----------------------------------------------------------------------------------

    def _timer(self, turn_id: TurnId) -> TurnTimer:
        return self._timers.setdefault(int(turn_id), TurnTimer(int(turn_id)))

    def _listener(self) -> Listener:
        if self.listener is None:
            raise RuntimeError("Session.attach(listener) was not called")
        return self.listener

    def _set_state(self, state: AssistantState) -> None:
        if state != self.state:
            old, self.state = self.state, state
            self.bus.publish(StateChanged(old, state, self.turn_id))
        if state == AssistantState.IDLE:
            self.idle.set()
        else:
            self.idle.clear()

    async def close(self) -> None:
        """Cancel the turn in flight; side-effecting tools still finish (bounded)."""
        self._closed = True
        await self._tasks.close()
        assert self.assistant.responder is not None
        if not await self.assistant.responder.shielded.wait(limit_s=10.0):
            _LOGGER.error("A side-effecting tool did not finish within 10 s of shutdown")
        await self.assistant.toolbox.close()


async def _say(text: str) -> AsyncIterator[Part]:
    yield Part(text)
