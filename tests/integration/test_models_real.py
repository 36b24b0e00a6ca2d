"""The real manifest against the installed model packages; whisper base joined from its two parts.

``make`` installs the packages the manifest pins, so every file must be there with its size and
sha256; whisper base arrives as two package halves that ``edge models assemble`` joins once.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

import numpy as np
import pytest

from edge.engines import registry
from edge.engines.base import EngineContext
from edge.models import ModelStore, load_manifest, manifest_path, sha256_of
from edge.voices import speak
from tests.text import word_error_rate

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def whisper_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModelStore]:
    """A store whose models folder holds whisper base, assembled once for the module."""
    store = ModelStore(tmp_path_factory.mktemp("assembled"))
    store.assemble("whisper-base")
    yield store


def test_the_wheel_carries_the_manifest_where_the_store_looks() -> None:
    # An installed edge has no models/ folder: it reads the copy the wheel puts in edge/data.
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    included = project["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert included["models/manifest.toml"] == "edge/data/models.toml"
    if os.environ.get("EDGE_MODELS_MANIFEST") is None:
        assert manifest_path().read_bytes() == (REPO / "models/manifest.toml").read_bytes()


def test_every_packaged_file_matches_the_manifest(tmp_path: Path) -> None:
    checks = [c for c in ModelStore(tmp_path).verify() if not c.path.startswith(str(tmp_path))]
    assert checks, "the manifest lists no files"
    bad = [(c.model, c.path, c.status, c.detail) for c in checks if c.status != "ok"]
    assert not bad, bad


def test_pinned_versions_are_the_installed_ones() -> None:
    for entry in load_manifest().values():
        for file in entry.files:
            assert importlib.metadata.version(file.package) == file.version, file.requirement


def test_each_model_has_a_role_licence_and_origin() -> None:
    roles = set(get_args(registry.EngineKind))  # every model serves one kind of engine
    for entry in load_manifest().values():
        assert entry.role in roles, entry.name
        assert entry.license and entry.origin, entry.name
        for file in entry.files:
            assert len(file.sha256) == 64 and file.size > 0, file.path


def test_whisper_base_parts_join_to_the_manifest_hash(whisper_base: ModelStore) -> None:
    entry = whisper_base.entry("whisper-base")
    [joined] = [a for a in entry.assemble if a.output == "model.bin"]
    assert len(joined.parts) == 2
    model = whisper_base.path("whisper-base", "model.bin")
    assert (
        model.stat().st_size
        == joined.size
        == sum(f.size for f in entry.files if f.path in joined.parts)
    )
    assert sha256_of(model) == joined.sha256
    checks = list(whisper_base.verify(["whisper-base"]))
    assert {c.status for c in checks} == {"ok"}, checks
    assert sorted(p.name for p in whisper_base.directory("whisper-base").iterdir()) == [
        "config.json",
        "model.bin",
        "tokenizer.json",
        "vocabulary.txt",
    ]


def test_assembled_whisper_base_transcribes(whisper_base: ModelStore) -> None:
    stt = registry.load_engine(
        "stt", "faster-whisper", {"model": "base"}, EngineContext(whisper_base)
    )
    text = "Check the oil level at the main bearing."
    heard = stt.transcribe(speak(text).astype(np.float32) / 32768.0).text
    assert word_error_rate(text, heard) <= 0.15, heard


def test_piper_without_noise_speaks_a_sentence_the_same_way_twice(tmp_path: Path) -> None:
    # The test speech relies on this (edge.voices): by default piper renders randomly.
    context = EngineContext(ModelStore(tmp_path))
    fixed = registry.load_engine("tts", "piper", {"noise_scale": 0, "noise_w_scale": 0}, context)
    free = registry.load_engine("tts", "piper", {}, context)
    text = "Torque the yaw brake caliper bolts to 900 newton metres."
    assert np.array_equal(fixed.synthesize(text), fixed.synthesize(text))
    assert not np.array_equal(free.synthesize(text), free.synthesize(text))


def _edge(*args: str, state_dir: Path) -> subprocess.CompletedProcess[str]:
    config = state_dir / "edge.toml"
    config.write_text(f'[device]\nstate_dir = "{state_dir}"\n')
    return subprocess.run(
        [sys.executable, "-m", "edge", "--config", str(config), "models", *args],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if k != "EDGE_MODELS_MANIFEST"},
    )


def test_the_commands_name_the_fix_then_assemble(tmp_path: Path) -> None:
    before = _edge("verify", "whisper-base", state_dir=tmp_path)
    assert before.returncode == 1
    assert "fix: edge models assemble whisper-base" in before.stdout
    assemble = _edge("assemble", state_dir=tmp_path)
    assert assemble.returncode == 0, assemble.stderr
    assert f"whisper-base: {tmp_path / 'models' / 'whisper-base'}" in assemble.stdout
    after = _edge("verify", "whisper-base", state_dir=tmp_path)
    assert after.returncode == 0, after.stdout
    assert "9/9 files ok" in after.stdout
