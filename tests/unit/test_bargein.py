import pytest

from edge.bargein import EchoGuard, EchoGuardSettings, Onset, OnsetDetector, OnsetSettings

pytestmark = pytest.mark.unit

F = 0.032


def feed(det: OnsetDetector, start: float, frames: list[bool]) -> tuple[list[Onset], float]:
    out, t = [], start
    for speech in frames:
        t += F
        out.append(det.update(t, F, speech))
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


def test_single_frame_never_makes_an_onset() -> None:
    det = OnsetDetector(OnsetSettings(onset_s=0.064))
    events, _ = feed(det, 0.0, [True, False] * 10)
    assert Onset.ONSET not in events


def test_guard_lets_everything_through_when_nothing_plays() -> None:
    guard = EchoGuard()
    assert guard.is_user(mic_db=-40, playback_db=-90)


def test_guard_blocks_echo_and_learns_its_level() -> None:
    guard = EchoGuard(EchoGuardSettings(margin_db=6, prior_gain_db=0))
    # Echo comes back 25 dB below the playback (after AEC); the prior is conservative.
    for _ in range(200):
        assert not guard.is_user(mic_db=-45, playback_db=-20)
    assert guard.echo_gain_db == pytest.approx(-25, abs=1)
    # Now the technician, 15 dB above the echo, is recognised.
    assert guard.is_user(mic_db=-30, playback_db=-20)


def test_guard_never_learns_from_the_technician() -> None:
    guard = EchoGuard(EchoGuardSettings(margin_db=6, prior_gain_db=-25))
    before = guard.echo_gain_db
    for _ in range(50):
        assert guard.is_user(mic_db=-10, playback_db=-20)
    assert guard.echo_gain_db == before


def test_guard_reacts_fast_when_echo_gets_louder() -> None:
    guard = EchoGuard(EchoGuardSettings(margin_db=6, prior_gain_db=-30))
    assert not guard.is_user(mic_db=-46, playback_db=-20)  # -26 dB: inside the margin, so echo
    assert guard.echo_gain_db == pytest.approx(-28)  # moved halfway at once
