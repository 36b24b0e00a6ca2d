"""PCM conversion and WAV files: any rate, width and channel count in; mono int16 out.

WAV is parsed here rather than with :mod:`wave` because field recordings arrive as IEEE-float and
WAVE_FORMAT_EXTENSIBLE files too, which :mod:`wave` rejects.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path
from typing import Final

import numpy as np

from edge.errors import AudioError
from edge.events import Float32Array, Int16Array

_PCM: Final = 1
_FLOAT: Final = 3
_EXTENSIBLE: Final = 0xFFFE
_MAX_WAV_BYTES: Final = 512 * 1024 * 1024


def read_wav(path: Path) -> tuple[Float32Array, int]:
    """Read a WAV file as float32 samples shaped (frames, channels) in -1..1, and its rate.

    Raises:
        AudioError: the file is missing, not a WAV file, has a damaged header (``audio-bad-
            header``: sizes or channel layout that contradict the file), or an unsupported
            encoding.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise AudioError("audio-unreadable", f"cannot read {path}: {err.strerror}") from None
    if len(data) > _MAX_WAV_BYTES:
        raise AudioError("audio-too-large", f"{path} is larger than 512 MiB")
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioError(
            "audio-invalid", f"{path} is not a WAV file", fix="record or convert it to .wav"
        )
    fmt: tuple[int, int, int, int] | None = None
    pcm = b""
    pos = 12
    while pos + 8 <= len(data):
        chunk_id = data[pos : pos + 4]
        if not _is_chunk_id(chunk_id) and _is_chunk_id(data[pos - 1 : pos + 3]):
            pos -= 1  # a writer that left out the pad byte after an odd-sized chunk
            chunk_id = data[pos : pos + 4]
        if not _is_chunk_id(chunk_id):
            if any(data[pos:]):
                # What follows the last chunk is neither a chunk nor padding: a size field
                # (usually the data chunk's) claims less than the file holds.
                raise _bad_header(path, f"{len(data) - pos} bytes after the declared chunks")
            break
        size = struct.unpack_from("<I", data, pos + 4)[0]
        if chunk_id == b"data" and size in _STREAMING_SIZES:
            size = len(data) - pos - 8  # written while streaming: the data runs to the end
        elif chunk_id != b"data" and pos + 8 + size > len(data):
            # A cut-short data chunk is read as far as it goes; any other chunk running past the
            # end means its size (or the one before it) is wrong.
            raise _bad_header(path, f"chunk {chunk_id!r} claims more bytes than the file holds")
        body = data[pos + 8 : pos + 8 + size]
        if chunk_id == b"fmt " and len(body) >= 16:
            fmt = _format(body, path)
        elif chunk_id == b"data":
            pcm = body
        pos += 8 + size + (size & 1)
    if fmt is None:
        raise AudioError("audio-invalid", f"{path} has no format chunk; the file is damaged")
    tag, channels, rate, bits = fmt
    return _decode(pcm, tag, bits, channels, path), rate


_STREAMING_SIZES: Final = (0, 0xFFFFFFFF)
"""Data sizes a recorder writes when it cannot seek back (a pipe): read to the end of the file."""
_MAX_CHANNELS: Final = 64
"""More than any microphone array edge supports."""


def _is_chunk_id(chunk_id: bytes) -> bool:
    return len(chunk_id) == 4 and all(0x20 <= b <= 0x7E for b in chunk_id)


def _format(body: bytes, path: Path) -> tuple[int, int, int, int]:
    """(format tag, channels, rate, bits) of a ``fmt`` chunk whose fields agree with each other."""
    tag, channels, rate, byte_rate, block_align, bits = struct.unpack_from("<HHIIHH", body)
    if tag == _EXTENSIBLE and len(body) >= 26:
        tag = struct.unpack_from("<H", body, 24)[0]
    if channels < 1 or not 1_000 <= rate <= 384_000:
        raise _bad_header(path, f"it declares {channels} channels at {rate} Hz")
    width = (bits + 7) // 8
    if block_align != channels * width or byte_rate != rate * block_align:
        # e.g. a channel count of 1000 in a mono file: the frame size gives it away.
        raise _bad_header(
            path,
            f"{channels} channels of {bits} bits need {channels * width}-byte frames, "
            f"but it declares {block_align}-byte frames at {byte_rate} bytes/s",
        )
    if channels > _MAX_CHANNELS:
        raise AudioError(
            "audio-unsupported",
            f"{path} has {channels} channels; edge reads at most {_MAX_CHANNELS}",
            fix="mix it down to mono, e.g. sox in.wav -c 1 out.wav",
        )
    return tag, channels, rate, bits


def _bad_header(path: Path, why: str) -> AudioError:
    return AudioError(
        "audio-bad-header",
        f"{path} has a damaged WAV header: {why}",
        fix="re-export or re-record the file (e.g. sox in.wav -b 16 out.wav rewrites the header)",
    )


def _decode(pcm: bytes, tag: int, bits: int, channels: int, path: Path) -> Float32Array:
    width = bits // 8
    usable = len(pcm) - len(pcm) % (width * channels) if width else 0
    pcm = pcm[:usable]
    if tag == _FLOAT and bits in (32, 64):
        x = np.frombuffer(pcm, dtype="<f4" if bits == 32 else "<f8").astype(np.float32)
    elif tag == _PCM and bits == 8:
        x = (np.frombuffer(pcm, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif tag == _PCM and bits == 16:
        x = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
    elif tag == _PCM and bits == 24:
        raw = np.frombuffer(pcm, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        ints = raw[:, 0] | (raw[:, 1] << 8) | (raw[:, 2] << 16)
        ints = np.where(ints >= 1 << 23, ints - (1 << 24), ints)
        x = ints.astype(np.float32) / float(1 << 23)
    elif tag == _PCM and bits == 32:
        x = np.frombuffer(pcm, dtype="<i4").astype(np.float32) / float(1 << 31)
    else:
        raise AudioError(
            "audio-unsupported",
            f"{path} uses an unsupported encoding (format {tag}, {bits} bits)",
            fix="convert it to 16-bit PCM WAV, e.g. sox in.wav -b 16 out.wav",
        )
    return np.nan_to_num(x.reshape(-1, channels), nan=0.0, posinf=1.0, neginf=-1.0)


def to_mono(x: Float32Array) -> Float32Array:
    """Average channels of a (frames, channels) array into one channel."""
    return x.mean(axis=1).astype(np.float32) if x.ndim == 2 else x.astype(np.float32)


def resample(x: Float32Array, src_rate: int, dst_rate: int) -> Float32Array:
    """Resample mono float32 audio with a high-quality (soxr) filter."""
    if src_rate == dst_rate or len(x) == 0:
        return x.astype(np.float32)
    import soxr  # lazy: only needed when rates differ

    return np.asarray(soxr.resample(x, src_rate, dst_rate, quality="HQ"), dtype=np.float32)


def float_to_int16(x: Float32Array) -> Int16Array:
    """Convert -1..1 float audio to int16 with clipping."""
    return (np.clip(x, -1.0, 1.0) * 32767.0).astype(np.int16)


def int16_to_float(x: Int16Array) -> Float32Array:
    """Convert int16 audio to -1..1 float32."""
    return x.astype(np.float32) / 32768.0


def load_audio(path: Path, rate: int = 16_000) -> Int16Array:
    """Read a WAV file and convert it to mono int16 at ``rate``."""
    x, src_rate = read_wav(path)
    return float_to_int16(resample(to_mono(x), src_rate, rate))


def write_wav(path: Path, samples: Int16Array, rate: int) -> None:
    """Write mono int16 samples as a 16-bit PCM WAV file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.ascontiguousarray(samples, dtype="<i2").tobytes())


def dbfs(samples: Int16Array | Float32Array) -> float:
    """RMS level in dB relative to full scale (-120 for silence)."""
    if len(samples) == 0:
        return -120.0
    x = samples.astype(np.float64)
    if samples.dtype == np.int16:
        x /= 32768.0
    rms = float(np.sqrt(np.mean(x * x)))
    return max(-120.0, 20.0 * math.log10(rms + 1e-12))


def band_levels_db(samples: Int16Array, bands: int) -> np.ndarray:
    """Levels (dBFS) of ``bands`` equal-width frequency bands; their powers sum to the frame's.

    Cheap enough to run on every 32 ms frame (one 512-point FFT).
    """
    x = samples.astype(np.float64) / 32768.0
    n = len(x)
    spectrum = np.abs(np.fft.rfft(x)) ** 2 / (n * n)
    spectrum[1 : (n + 1) // 2] *= 2.0  # every bin but DC and Nyquist stands for two (Parseval)
    # Equal bands over bins 1..n/2, DC folded into the lowest: band k spans (k, k + 1] * width.
    power = np.array([part.sum() for part in np.array_split(spectrum[1:], bands)])
    power[0] += spectrum[0]
    return np.maximum(-120.0, 10.0 * np.log10(power + 1e-12))


def power_sum_db(levels_db: np.ndarray) -> float:
    """The level of the sum of the powers at ``levels_db`` (-120 for none)."""
    total = float(np.sum(10.0 ** (np.asarray(levels_db) / 10.0)))
    return max(-120.0, 10.0 * math.log10(total + 1e-12))
