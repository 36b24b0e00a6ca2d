"""The live voice path, wired: capture source -> listener -> session -> turns -> playback queue.

:func:`build_voice_path` is what the daemon runs on a device and what tests, benchmarks and
``edge run --source`` run on a simulated room; only the source and the output device differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from edge.assistant import Assistant
from edge.audio.echo import EchoReference, SoftwareAec
from edge.audio.linear_aec import LinearEchoCanceller
from edge.audio.playback import PlaybackQueue
from edge.audio.source import AudioSource
from edge.bus import EventBus
from edge.config import Config
from edge.events import TranscriptEvent, TurnId
from edge.hearing.denoise import DenoiseStream
from edge.listener import Listener, ListenerSettings, WakeDetector
from edge.session import Session
from edge.turntaking.bargein import EchoGuard, EchoGuardSettings, OnsetSettings
from edge.turntaking.endpoint import EndpointSettings, Words, judge_words


@dataclass
class VoicePath:
    """The wired live path."""

    listener: Listener
    session: Session
    playback: PlaybackQueue
    reference: EchoReference


def endpoint_settings(config: Config) -> EndpointSettings:
    """End-of-turn settings from the config."""
    e = config.endpoint
    return EndpointSettings(
        min_speech_s=e.min_speech_ms / 1000,
        turn_pause_s=e.turn_pause_ms / 1000,
        turn_threshold=e.turn_threshold,
        sure_threshold=e.turn_sure_threshold,
        short_pause_s=e.short_pause_ms / 1000,
        preflight_s=e.preflight_ms / 1000,
        long_pause_s=e.long_pause_ms / 1000,
        max_utterance_s=e.max_utterance_s,
        no_speech_timeout_s=e.no_speech_timeout_s,
    )


def build_voice_path(
    config: Config,
    assistant: Assistant,
    source: AudioSource,
    playback: PlaybackQueue,
    bus: EventBus,
    *,
    wake: WakeDetector | None = None,
) -> VoicePath:
    """Wire listener and session for ``source`` (capture) and ``playback`` (output)."""
    listen = config.listen
    reference = EchoReference(source.rate, playback.rate)
    playback.add_listener(reference.push)
    aec = SoftwareAec(source.rate, listen.echo_delay_ms) if listen.echo_cancel == "webrtc" else None
    canceller = None
    if listen.echo_cancel == "software":
        hop = assistant.vad.frame_samples // 2  # the listener's onset hop
        canceller = LinearEchoCanceller.for_delay(source.rate, hop, listen.echo_delay_ms)
    barge = config.barge_in
    settings = ListenerSettings(
        preroll_s=config.audio.preroll_ms / 1000,
        endpoint=endpoint_settings(config),
        barge=OnsetSettings(barge.onset_ms / 1000, barge.confirm_ms / 1000, barge.resume_ms / 1000),
        barge_threshold=barge.threshold,
        onset_snr_db=barge.onset_snr_db,
        open_mic="vad" in listen.triggers,
        barge_in=listen.barge_in == "speech",
        ptt_max_s=config.endpoint.ptt_max_s,
    )
    session = Session(
        assistant,
        playback,
        bus,
        source,
        preroll_s=settings.preroll_s,
        barge_in=listen.barge_in != "off",
        wake_interrupts=listen.echo_cancel != "none",
        continue_s=config.endpoint.continue_ms / 1000,
    )

    def transcriber(turn_id: TurnId) -> Any:
        def interim(text: str, stable: int) -> None:
            bus.publish(TranscriptEvent(turn_id, text, is_final=False, stable_chars=stable))
            if judge_words(text) in (Words.COMPLETE, Words.TRAILING):
                # A draft that reads finished: start on its answer while the technician may
                # still be speaking. The final transcript usually asks the same, and then finds
                # the answer's first words synthesized (the speech memo is keyed by the words
                # spoken, not by the transcript), which takes TTS off the end of the turn.
                session.prepare(turn_id, text)

        def settled(text: str) -> None:
            session.prepare(turn_id, text)

        return assistant.transcriber(turn_id, on_interim=interim, on_settled=settled)

    listener = Listener(
        source,
        assistant.vad,
        session,
        transcriber,
        settings,
        reference=reference,
        aec=aec,
        canceller=canceller,
        guard=EchoGuard(
            EchoGuardSettings(margin_db=barge.echo_margin_db),
            frame_s=assistant.vad.frame_samples // 2 / source.rate,
        ),
        wake=wake if "wake" in listen.triggers else None,
        denoise=DenoiseStream(assistant.denoise) if assistant.denoise is not None else None,
        turn=assistant.turn_judge(),
    )
    session.attach(listener)
    return VoicePath(listener, session, playback, reference)
