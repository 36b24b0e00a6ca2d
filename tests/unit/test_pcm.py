import struct
import wave
from pathlib import Path

import numpy as np
import pytest

from edge.audio.pcm import band_levels_db, dbfs, load_audio, power_sum_db, read_wav, write_wav
from edge.errors import AudioError

pytestmark = pytest.mark.unit


def tone(rate: int, seconds: float = 0.5, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return 0.5 * np.sin(2 * np.pi * freq * t)


def write_pcm(path: Path, x: np.ndarray, rate: int, width: int, channels: int) -> Path:
    frames = np.repeat(x[:, None], channels, axis=1)
    if width == 1:
        data = (frames * 127 + 128).astype(np.uint8).tobytes()
    elif width == 2:
        data = (frames * 32767).astype("<i2").tobytes()
    elif width == 3:
        ints = (frames * (2**23 - 1)).astype("<i4").reshape(-1)
        data = b"".join(struct.pack("<i", int(v))[:3] for v in ints)
    else:
        data = (frames * (2**31 - 1)).astype("<i4").tobytes()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(data)
    return path


def write_float(path: Path, x: np.ndarray, rate: int, extensible: bool = False) -> Path:
    data = x.astype("<f4").tobytes()
    if extensible:
        fmt = struct.pack(
            "<HHIIHHHHIH14s", 0xFFFE, 1, rate, rate * 4, 4, 32, 22, 32, 4, 3, b"\x00" * 14
        )
    else:
        fmt = struct.pack("<HHIIHH", 3, 1, rate, rate * 4, 4, 32)
    body = (
        b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 44100, 48000])
@pytest.mark.parametrize("width", [1, 2, 3, 4])
@pytest.mark.parametrize("channels", [1, 2, 6])
def test_any_pcm_wav_becomes_16k_mono(tmp_path: Path, rate: int, width: int, channels: int) -> None:
    path = write_pcm(tmp_path / "in.wav", tone(rate), rate, width, channels)
    out = load_audio(path, 16000)
    assert out.dtype == np.int16
    assert len(out) == pytest.approx(8000, abs=2)
    assert dbfs(out) == pytest.approx(dbfs(np.float32(0.5) * np.ones(1)) - 3.0, abs=1.0)


@pytest.mark.parametrize("extensible", [False, True])
def test_float_wav_is_read(tmp_path: Path, extensible: bool) -> None:
    x, rate = read_wav(write_float(tmp_path / "f.wav", tone(48000), 48000, extensible))
    assert rate == 48000 and x.shape == (24000, 1)
    assert np.max(np.abs(x)) == pytest.approx(0.5, abs=1e-3)


def test_not_a_wav_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("torque values: 210 Nm")
    with pytest.raises(AudioError) as err:
        load_audio(path)
    assert err.value.code == "audio-invalid"
    assert "not a WAV file" in err.value.message


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AudioError) as err:
        load_audio(tmp_path / "nope.wav")
    assert err.value.code == "audio-unreadable"


def test_truncated_header_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.wav"
    path.write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt ")
    with pytest.raises(AudioError, match="damaged"):
        load_audio(path)


def test_unsupported_encoding_names_the_fix(tmp_path: Path) -> None:
    fmt = struct.pack("<HHIIHH", 6, 1, 8000, 8000, 1, 8)  # A-law
    body = (
        b"WAVEfmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", 4)
        + b"\x01\x02\x03\x04"
    )
    path = tmp_path / "alaw.wav"
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    with pytest.raises(AudioError) as err:
        load_audio(path)
    assert err.value.code == "audio-unsupported" and "sox" in (err.value.fix or "")


def test_empty_data_gives_empty_audio(tmp_path: Path) -> None:
    path = write_pcm(tmp_path / "empty.wav", np.zeros(0), 16000, 2, 1)
    assert len(load_audio(path)) == 0


def test_write_then_read_round_trip(tmp_path: Path) -> None:
    samples = (np.arange(1000) % 200 - 100).astype(np.int16) * 100
    write_wav(tmp_path / "x.wav", samples, 22050)
    x, rate = read_wav(tmp_path / "x.wav")
    assert rate == 22050
    np.testing.assert_array_equal((x[:, 0] * 32768).astype(np.int16), samples)


def test_band_levels_split_the_frame_power_by_frequency() -> None:
    rate, n = 16_000, 512
    t = np.arange(n) / rate
    tone = (0.1 * 32768 * np.sin(2 * np.pi * 6_250 * t)).astype(np.int16)  # band 12: 6-6.5 kHz
    levels = band_levels_db(tone, 16)
    assert int(np.argmax(levels)) == 12
    assert power_sum_db(levels) == pytest.approx(dbfs(tone), abs=0.01)
    assert levels[:10].max() < levels[12] - 30


def test_power_sum_of_nothing_is_silence() -> None:
    assert power_sum_db(np.array([])) == -120.0
    assert power_sum_db(np.array([-20.0, -20.0])) == pytest.approx(-20 + 10 * np.log10(2))
