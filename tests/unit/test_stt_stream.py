import asyncio

import numpy as np
import pytest

from edge.aio import EngineThread
from edge.engines.base import SttResult
from edge.stt_stream import StreamingTranscriber

pytestmark = pytest.mark.unit

RATE = 16000
BLOCK = 512


class CountingStt:
    """Says how many seconds it was given; remembers every call."""

    rate = RATE

    def __init__(self) -> None:
        self.calls: list[tuple[float, str | None]] = []
        self.drafts: list[bool] = []

    def transcribe(
        self, audio: np.ndarray, *, prompt: str | None = None, draft: bool = False
    ) -> SttResult:
        seconds = len(audio) / RATE
        self.calls.append((seconds, prompt))
        self.drafts.append(draft)
        return SttResult(f"words {seconds:.1f}.", seconds)


async def feed(t: StreamingTranscriber, seconds: float, voiced: bool) -> None:
    for _ in range(int(seconds * RATE / BLOCK)):
        t.push(np.ones(BLOCK, dtype=np.int16), voiced)
        await asyncio.sleep(0)  # let decodes run, as the live loop does


def test_interim_transcripts_while_speaking() -> None:
    async def scenario() -> list[tuple[str, int]]:
        interims: list[tuple[str, int]] = []
        t = StreamingTranscriber(
            CountingStt(),
            EngineThread("t"),
            interim_s=0.5,
            on_interim=lambda text, stable: interims.append((text, stable)),
        )
        await feed(t, 2.0, voiced=True)
        await asyncio.sleep(0.1)
        await t.close()
        return interims

    interims = asyncio.run(scenario())
    assert len(interims) >= 2
    assert all(text.startswith("words") for text, _ in interims)


def test_final_reuses_the_preflight_when_nothing_was_said_after() -> None:
    async def scenario() -> tuple[str, float | None, int]:
        stt = CountingStt()
        t = StreamingTranscriber(stt, EngineThread("t"), interim_s=10)
        await feed(t, 2.0, voiced=True)
        t.preflight()
        await feed(t, 0.5, voiced=False)
        calls_before = len(stt.calls)
        text = await t.final()
        return text, t.final_decode_s, len(stt.calls) - calls_before

    text, cost, extra_calls = asyncio.run(scenario())
    assert text == "words 2.0."
    assert cost == 0.0 and extra_calls == 0


def test_interims_are_drafts_and_never_become_the_final() -> None:
    async def scenario() -> tuple[str, list[bool]]:
        stt = CountingStt()
        t = StreamingTranscriber(stt, EngineThread("t"), interim_s=0.5)
        await feed(t, 2.0, voiced=True)
        await asyncio.sleep(0.1)
        text = await t.final()
        return text, stt.drafts

    text, drafts = asyncio.run(scenario())
    assert text == "words 2.0."
    assert drafts[:-1] and all(drafts[:-1]) and drafts[-1] is False


def test_no_interims_when_turned_off() -> None:
    async def scenario() -> list[bool]:
        stt = CountingStt()
        t = StreamingTranscriber(stt, EngineThread("t"), interim_s=None)
        await feed(t, 3.0, voiced=True)
        await t.final()
        return stt.drafts

    assert asyncio.run(scenario()) == [False]


def test_speech_after_the_preflight_forces_a_new_decode() -> None:
    async def scenario() -> tuple[str, int]:
        stt = CountingStt()
        t = StreamingTranscriber(stt, EngineThread("t"), interim_s=10, commit_min_s=100)
        await feed(t, 1.0, voiced=True)
        t.preflight()
        await feed(t, 0.2, voiced=False)
        await feed(t, 1.0, voiced=True)  # "the torque for the ... yaw brake"
        calls_before = len(stt.calls)
        text = await t.final()
        return text, len(stt.calls) - calls_before

    text, extra = asyncio.run(scenario())
    assert extra == 1
    assert text.startswith("words 2.")


def test_long_utterance_commits_at_pauses_so_final_decodes_only_the_tail() -> None:
    async def scenario() -> tuple[str, list[tuple[float, str | None]]]:
        stt = CountingStt()
        t = StreamingTranscriber(
            stt, EngineThread("t"), interim_s=100, prompt="glossary", commit_min_s=3.0
        )
        await feed(t, 4.0, voiced=True)
        t.preflight()  # a pause after 4 s of speech commits those 4 s
        await feed(t, 0.3, voiced=False)
        await asyncio.sleep(0.05)
        await feed(t, 1.5, voiced=True)
        text = await t.final()
        return text, stt.calls

    text, calls = asyncio.run(scenario())
    final_seconds, final_prompt = calls[-1]
    assert final_seconds < 2.5  # the tail only, not the whole 5.8 s
    assert final_prompt is not None and "glossary" in final_prompt and "words 4.0." in final_prompt
    assert text.startswith("words 4.0. words")


def test_silence_only_gives_empty_text() -> None:
    async def scenario() -> str:
        t = StreamingTranscriber(CountingStt(), EngineThread("t"))
        await feed(t, 1.0, voiced=False)
        return await t.final()

    assert asyncio.run(scenario()) == ""


class PromptEchoingStt(CountingStt):
    """Whisper on a near-silent tail: copies the committed words it was given as its prompt."""

    def transcribe(
        self, audio: np.ndarray, *, prompt: str | None = None, draft: bool = False
    ) -> SttResult:
        first = super().transcribe(audio, prompt=prompt, draft=draft)
        if prompt and "words" in prompt:
            return SttResult(prompt.removeprefix("glossary").strip(), first.audio_seconds)
        return first


def test_a_tail_that_only_repeats_the_committed_words_is_dropped() -> None:
    async def scenario() -> str:
        t = StreamingTranscriber(
            PromptEchoingStt(),
            EngineThread("t"),
            interim_s=100,
            prompt="glossary",
            commit_min_s=3.0,
        )
        await feed(t, 4.0, voiced=True)
        t.preflight()  # commits "words 4.0."
        await feed(t, 0.3, voiced=False)
        await asyncio.sleep(0.05)
        await feed(t, 0.5, voiced=True)  # a breath the VAD called voice: the tail is decoded
        return await t.final()

    assert asyncio.run(scenario()) == "words 4.0."


class InventingStt(CountingStt):
    """Whisper on silence after a commit: invents a word ("I'm")."""

    def transcribe(
        self, audio: np.ndarray, *, prompt: str | None = None, draft: bool = False
    ) -> SttResult:
        first = super().transcribe(audio, prompt=prompt, draft=draft)
        if prompt and "words" in prompt:
            return SttResult("I'm", first.audio_seconds)
        return first


def test_silence_after_a_commit_is_not_decoded() -> None:
    async def scenario() -> tuple[str, int]:
        stt = InventingStt()
        t = StreamingTranscriber(
            stt, EngineThread("t"), interim_s=0.5, prompt="glossary", commit_min_s=3.0
        )
        await feed(t, 4.0, voiced=True)
        t.preflight()  # commits "words 4.0."
        await asyncio.sleep(0.05)
        calls = len(stt.calls)
        await feed(t, 1.5, voiced=False)  # the technician has finished: silence only
        await asyncio.sleep(0.05)
        return await t.final(), len(stt.calls) - calls

    text, decodes_after = asyncio.run(scenario())
    assert decodes_after == 0
    assert text == "words 4.0."


class SlowStt(CountingStt):
    """A loaded machine: every decode takes a while."""

    def transcribe(
        self, audio: np.ndarray, *, prompt: str | None = None, draft: bool = False
    ) -> SttResult:
        import time

        time.sleep(0.15)
        return super().transcribe(audio, prompt=prompt, draft=draft)


@pytest.mark.parametrize("stt", [CountingStt, SlowStt])
def test_what_a_decode_covers_does_not_depend_on_how_busy_the_machine_is(stt: type) -> None:
    # Two phrases with a pause between them; interims running when each pause begins. However
    # late the decodes run, the pause commits exactly the first phrase (and a short tail), and the
    # final transcript is the same words an idle machine hears.
    async def scenario() -> tuple[str, list[float]]:
        engine = stt()
        t = StreamingTranscriber(engine, EngineThread("t"), interim_s=0.3, commit_min_s=1.5)
        await feed(t, 2.0, voiced=True)
        await feed(t, 0.2, voiced=False)
        t.preflight()
        await feed(t, 0.6, voiced=False)  # the slow engine is still on the interim
        await feed(t, 1.0, voiced=True)
        await feed(t, 0.2, voiced=False)
        t.preflight()
        await feed(t, 0.4, voiced=False)
        text = await t.final()
        full = [s for (s, _), draft in zip(engine.calls, engine.drafts, strict=True) if not draft]
        await t.close()
        return text, full

    text, full = asyncio.run(scenario())
    assert text == "words 2.2. words 1.8."
    assert full == pytest.approx([2.18, 1.76], abs=0.02)


def test_a_blip_of_voice_after_the_last_commit_adds_no_invented_words() -> None:
    # The VAD's last frames of a phrase, or a breath, after the preflight committed it: decoded
    # alone, Whisper makes words of them ("oil leak at the gearbox. I'm not.").
    async def scenario() -> tuple[str, int]:
        stt = CountingStt()
        t = StreamingTranscriber(stt, EngineThread("t"), interim_s=None, commit_min_s=3.0)
        await feed(t, 3.2, voiced=True)
        await feed(t, 0.3, voiced=False)
        t.preflight()
        await feed(t, 0.3, voiced=False)
        await feed(t, 0.1, voiced=True)
        await feed(t, 0.3, voiced=False)
        calls = len(stt.calls)
        text = await t.final()
        await t.close()
        return text, len(stt.calls) - calls

    assert asyncio.run(scenario()) == ("words 3.5.", 0)


def test_no_draft_starts_as_a_pause_begins() -> None:
    # A draft started on the pause's first frames would hold up the pause's preflight decode.
    async def scenario() -> tuple[list[bool], list[bool]]:
        stt = CountingStt()
        t = StreamingTranscriber(stt, EngineThread("t"), interim_s=0.5)
        await feed(t, 0.45, voiced=True)
        await feed(t, 0.2, voiced=False)  # a draft is due by now, but the technician paused
        in_pause = list(stt.drafts)
        await feed(t, 0.1, voiced=True)  # they go on: the draft starts
        await asyncio.sleep(0.1)
        await t.close()
        return in_pause, stt.drafts

    in_pause, drafts = asyncio.run(scenario())
    assert in_pause == []
    assert drafts == [True]


def test_a_settled_transcript_is_corrected_once_before_the_turn_ends() -> None:
    # The answer prepared at the pause is the answer to the corrected words, and the final
    # transcript finds the correction made instead of waiting for it.
    from edge.hearing.bias import Heard

    corrected: list[str] = []

    def bias(text: str, confidence: float | None) -> Heard:
        corrected.append(text)
        return Heard(text.replace("words", "E-124"), text, confidence)

    async def scenario() -> tuple[list[str], str]:
        settled: list[str] = []
        t = StreamingTranscriber(
            CountingStt(), EngineThread("t"), interim_s=10, bias=bias, on_settled=settled.append
        )
        await feed(t, 2.0, voiced=True)
        t.preflight()
        await feed(t, 0.5, voiced=False)
        await asyncio.sleep(0.1)
        return settled, await t.final()

    settled, final = asyncio.run(scenario())
    assert settled == ["E-124 2.0."] and final == "E-124 2.0."
    assert corrected == ["words 2.0."]
