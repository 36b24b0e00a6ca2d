import numpy as np
import pytest

from edge.turntaking.bargein import (
    EchoGuard,
    EchoGuardSettings,
    NoiseFloor,
    Onset,
    OnsetDetector,
    OnsetSettings,
)

pytestmark = pytest.mark.unit

F = 0.032


def feed(
    det: OnsetDetector, start: float, frames: list[bool], *, sound: list[bool] | None = None
) -> tuple[list[Onset], float]:
    """Feed speech verdicts (and sound verdicts, default: none beyond the speech) frame by frame."""
    out, t = [], start
    for i, speech in enumerate(frames):
        t += F
        out.append(det.update(t, F, sound[i] if sound else False, speech))
    return out, t


def test_onset_after_two_frames_then_confirmed() -> None:
    det = OnsetDetector(OnsetSettings(onset_s=0.064, confirm_s=0.25, resume_s=0.5))
    events, _ = feed(det, 1.0, [False, True, True, True, True, True, True, True, True])
    assert events.index(Onset.ONSET) == 2
    assert det.last_onset_at == pytest.approx(1.0 + F)
    assert Onset.CONFIRMED in events and events.index(Onset.CONFIRMED) == 8


def test_short_blip_is_rejected_after_resume_time() -> None:
    det = OnsetDetector(OnsetSettings(onset_s=0.064, confirm_s=0.25, resume_s=0.2))
    events, _ = feed(det, 0.0, [True, True, True] + [False] * 8)
    assert events.count(Onset.ONSET) == 1
    assert events.count(Onset.REJECTED) == 1 and Onset.CONFIRMED not in events
    assert not det.active


def test_sound_before_speech_pauses_early_and_speech_confirms_from_its_start() -> None:
    # "Stop": a fricative the VAD scores low for ~100 ms, then the vowel.
    det = OnsetDetector(OnsetSettings(onset_s=0.064, confirm_s=0.25, resume_s=0.3))
    speech = [False, False, False, False] + [True] * 8
    sound = [False, True, True, True] + [True] * 8
    events, _ = feed(det, 2.0, speech, sound=sound)
    assert events.index(Onset.ONSET) == 2
    assert det.last_onset_at == pytest.approx(2.0 + F)
    assert events.index(Onset.CONFIRMED) == 3 + 8
    assert Onset.REJECTED not in events


def test_sound_that_never_becomes_speech_is_rejected() -> None:
    # A spanner dropped on the nacelle floor: loud, not speech; playback resumes.
    det = OnsetDetector(OnsetSettings(onset_s=0.064, confirm_s=0.25, resume_s=0.3))
    sound = [True] * 4 + [False] * 10
    events, _ = feed(det, 0.0, [False] * len(sound), sound=sound)
    assert events.index(Onset.ONSET) == 1
    # Quiet counts from the onset's start, as no speech was ever heard: 0.3 s is 10 frames.
    assert events.index(Onset.REJECTED) == 9
    assert Onset.CONFIRMED not in events


def test_noise_floor_follows_quiet_at_once_and_loud_slowly() -> None:
    floor = NoiseFloor(rise_db_per_s=2.0, initial_db=-60.0)
    assert floor.update(-70.0, F) == -60.0
    assert floor.level_db == -70.0
    for _ in range(31):  # ~1 s of speech
        floor.update(-20.0, F)
    assert floor.level_db == pytest.approx(-70.0 + 2.0 * 31 * F)


def test_single_frame_never_makes_an_onset() -> None:
    det = OnsetDetector(OnsetSettings(onset_s=0.064))
    events, _ = feed(det, 0.0, [True, False] * 10)
    assert Onset.ONSET not in events


def bands(*levels: float) -> np.ndarray:
    return np.array(levels, dtype=np.float64)


def test_guard_lets_everything_through_when_nothing_plays() -> None:
    guard = EchoGuard(bands=2)
    guard.played(bands(-90, -90))
    assert guard.user_bands(bands(-40, -40)).tolist() == [True, True]


def test_guard_blocks_echo_and_learns_its_level_per_band() -> None:
    guard = EchoGuard(EchoGuardSettings(margin_db=6, prior_gain_db=0), bands=2)
    # Echo comes back 25 dB below the playback in band 0, 20 dB below in band 1.
    for _ in range(400):
        guard.played(bands(-20, -30))
        assert not guard.user_bands(bands(-45, -50)).any()
    assert guard.echo_gain_db == pytest.approx([-25, -20], abs=1)
    # The technician, 15 dB above the echo in band 1 only, is recognised there.
    guard.played(bands(-20, -30))
    assert guard.user_bands(bands(-45, -35)).tolist() == [False, True]


def test_guard_never_credits_more_echo_reduction_than_its_floor() -> None:
    guard = EchoGuard(EchoGuardSettings(margin_db=6, min_gain_db=-30), bands=1)
    for _ in range(400):
        guard.played(bands(-10))
        guard.user_bands(bands(-60))  # the canceller is doing 50 dB here
    assert guard.echo_gain_db[0] == -30
    # A transient the canceller handles worse (-36 dB) is still echo, not the technician.
    guard.played(bands(-10))
    assert not guard.user_bands(bands(-46)).any()


def test_guard_hears_a_fricative_where_the_answer_is_quiet() -> None:
    # The answer is a loud vowel (band 0); the technician's "s" is high (band 1).
    guard = EchoGuard(EchoGuardSettings(margin_db=6, prior_gain_db=-20), bands=2)
    guard.played(bands(-10, -60))
    assert guard.user_bands(bands(-28, -30)).tolist() == [False, True]


def test_guard_remembers_the_echo_tail() -> None:
    guard = EchoGuard(EchoGuardSettings(prior_gain_db=-20, tail_frames=3), bands=1)
    guard.played(bands(-10))
    guard.played(bands(-90))  # playback paused: its echo still rings for a while
    assert not guard.user_bands(bands(-30)).any()
    guard.played(bands(-90))
    guard.played(bands(-90))  # the loud frame has left the tail
    assert guard.user_bands(bands(-30)).all()


def test_guard_never_learns_from_the_technician() -> None:
    guard = EchoGuard(EchoGuardSettings(margin_db=6, prior_gain_db=-25), bands=1)
    before = guard.echo_gain_db.copy()
    for _ in range(50):
        guard.played(bands(-20))
        assert guard.user_bands(bands(-10)).all()
    assert guard.echo_gain_db == pytest.approx(before)


def test_guard_reacts_fast_when_echo_gets_louder() -> None:
    guard = EchoGuard(EchoGuardSettings(margin_db=6, prior_gain_db=-30), bands=1)
    guard.played(bands(-20))
    assert not guard.user_bands(bands(-46)).any()  # -26 dB: inside the margin, so echo
    assert guard.echo_gain_db[0] == pytest.approx(-28)  # moved halfway at once


def test_guard_settings_mean_the_same_time_whatever_the_frame() -> None:
    # Settings are written for 32 ms frames; a guard on 16 ms hops keeps twice as many frames of
    # playback and learns half as much per frame.
    settings = EchoGuardSettings(tail_frames=7, learn_up=0.5)
    hop = EchoGuard(settings, bands=1, frame_s=0.016)
    frame = EchoGuard(settings, bands=1, frame_s=0.032)
    assert hop._played.maxlen == 14 and frame._played.maxlen == 7
    for guard, n in ((hop, 2), (frame, 1)):
        for _ in range(n):
            guard.played(np.array([-20.0]))
            guard.user_bands(np.array([-17.0]))  # echo 3 dB over the prior: learned upwards
    assert hop.echo_gain_db[0] == pytest.approx(frame.echo_gain_db[0])
