import numpy as np
import pytest

from edge.audio.linear_aec import LinearEchoCanceller

pytestmark = pytest.mark.unit


def test_blocks_of_the_wrong_size_are_refused() -> None:
    canceller = LinearEchoCanceller(block=512)
    with pytest.raises(ValueError, match="512"):
        canceller.cancel(np.zeros(256, np.int16), np.zeros(256, np.int16))


def test_a_longer_delay_gets_a_longer_filter() -> None:
    rate, block = 16_000, 512
    near = LinearEchoCanceller.for_delay(rate, block, 0)
    far = LinearEchoCanceller.for_delay(rate, block, 100)  # 100 ms: 4 more blocks of 32 ms
    assert far._weights.shape[0] == near._weights.shape[0] + 4


def test_a_pure_delay_is_learned_and_cancelled() -> None:
    rng = np.random.default_rng(1)
    reference = rng.normal(0, 3000, 512 * 120).astype(np.int16)
    echo = np.concatenate([np.zeros(200), reference[:-200] * 0.5]).astype(np.int16)
    canceller = LinearEchoCanceller()
    out = []
    for i in range(0, len(reference), 512):
        out.append(canceller.cancel(echo[i : i + 512], reference[i : i + 512]))
        canceller.learn()
    tail = np.concatenate(out[-20:]).astype(np.float64)
    erle = 10 * np.log10(np.mean(echo[-20 * 512 :].astype(np.float64) ** 2) / np.mean(tail**2))
    assert erle > 30


def test_nothing_is_learned_while_nothing_plays() -> None:
    rng = np.random.default_rng(2)
    canceller = LinearEchoCanceller()
    for _ in range(20):
        noise = rng.normal(0, 300, 512).astype(np.int16)  # the room, no playback
        out = canceller.cancel(noise, np.zeros(512, np.int16))
        canceller.learn()
        assert np.array_equal(out, noise)
    assert not canceller._weights.any()


def test_half_frame_blocks_cover_the_same_echo_path() -> None:
    # The listener cancels 16 ms hops so that barge-in onsets are judged a hop sooner.
    assert LinearEchoCanceller.for_delay(16_000, 256, 0)._weights.shape[0] == 8
    rng = np.random.default_rng(3)
    reference = rng.normal(0, 3000, 256 * 240).astype(np.int16)
    echo = np.concatenate([np.zeros(700), reference[:-700] * 0.5]).astype(np.int16)
    canceller = LinearEchoCanceller.for_delay(16_000, 256, 0)
    out = []
    for i in range(0, len(reference), 256):
        out.append(canceller.cancel(echo[i : i + 256], reference[i : i + 256]))
        canceller.learn()
    tail = np.concatenate(out[-40:]).astype(np.float64)
    erle = 10 * np.log10(np.mean(echo[-40 * 256 :].astype(np.float64) ** 2) / np.mean(tail**2))
    assert erle > 30
