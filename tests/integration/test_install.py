"""`make install` into a staging root (DESTDIR): files, modes, the venv, idempotence, uninstall.

A full virtualenv from PyPI takes many minutes (llama-cpp-python compiles), so the install copies
this checkout's virtualenv (``EDGE_VENV_FROM``) and reinstalls edge into it as a wheel built from
this source; everything after that (relocation, models, units, config, snippets) is the same code
a device runs. systemd-sysusers and systemd-tmpfiles run with ``--root`` on the installed snippets.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_units import verify

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
UNITS = ("edge.service", "edge-ingest.service", "edge-ingest.path", "edge-ingest.timer")


def open_to_all(path: str) -> bool:
    """Every folder above ``path`` can be entered, and ``path`` run, by any user."""
    real = Path(os.path.realpath(path))
    return all(mode(p) & 0o001 for p in real.parents) and mode(real) & 0o005 == 0o005


def service_python() -> str:
    """A Python of this venv's X.Y version that the service user could run (install refuses others).

    A development venv on pyenv under /root is copied and rebased onto it (scripts/install.sh).
    """
    version = "{}.{}".format(*sys.version_info[:2])
    for candidate in (os.path.realpath(sys.executable), f"/usr/bin/python{version}"):
        if os.path.exists(candidate) and open_to_all(candidate):
            return candidate
    pytest.skip(f"no Python {version} here that other users can run")


def install(root: Path, action: str = "install", **env: str) -> str:
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO), action, f"DESTDIR={root}"],
        env={**os.environ, "EDGE_VENV_FROM": sys.prefix, "PYTHON": service_python(), **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def tree(root: Path) -> dict[str, tuple[int, int, int, str]]:
    """Every path under ``root``: mode, size, mtime (ns) and link target."""
    found = {}
    for path in [root, *root.rglob("*")]:
        info = path.lstat()
        target = os.readlink(path) if path.is_symlink() else ""
        found[str(path.relative_to(root))] = (info.st_mode, info.st_size, info.st_mtime_ns, target)
    return found


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("install") / "root"
    return root, install(root)


def test_files_land_in_place_with_their_modes(staged: tuple[Path, str]) -> None:
    root, _ = staged
    for unit in UNITS:
        assert mode(root / "usr/lib/systemd/system" / unit) == 0o644
    for snippet in ("sysusers.d/edge.conf", "tmpfiles.d/edge.conf", "udev/rules.d/70-edge.rules"):
        assert mode(root / "usr/lib" / snippet) == 0o644
    assert mode(root / "etc/edge") == 0o750
    assert mode(root / "etc/edge/config.toml") == 0o640  # may hold broker credentials
    assert mode(root / "var/lib/edge") == 0o750
    assert mode(root / "usr/local/bin/edge") == 0o755
    assert (root / "opt/edge/share/doc/install.md").is_file()  # the units' Documentation=
    # The shell's `edge` and the service read the same settings and state.
    assert "--config /etc/edge/config.toml" in (root / "usr/local/bin/edge").read_text()
    assert 'state_dir = "/var/lib/edge"' in (root / "etc/edge/config.toml").read_text()


def test_the_virtualenv_runs_from_its_final_path(staged: tuple[Path, str]) -> None:
    root, _ = staged
    venv = root / "opt/edge/venv"
    assert (venv / "bin/edge").read_text().splitlines()[0] == "#!/opt/edge/venv/bin/python"
    for script in (venv / "bin").iterdir():
        if script.is_file() and not script.is_symlink():
            head = script.read_bytes()[:400]
            assert str(root).encode() not in head and sys.prefix.encode() not in head, script
    probe = subprocess.run(
        [str(venv / "bin/python"), "-c", "import edge, sys; print(edge.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,  # not this checkout, whose edge/ `python -c` would import first
    )
    # A real install of this source, not the editable one of the copied development venv.
    assert probe.stdout.strip().startswith(str(venv / "lib"))


def test_the_virtualenv_runs_a_python_the_service_user_can_run(staged: tuple[Path, str]) -> None:
    root, out = staged
    python = root / "opt/edge/venv/bin/python"
    assert open_to_all(str(python)), os.path.realpath(python)
    if not open_to_all(sys.executable):  # this venv is on a private Python: the copy was rebased
        assert f"runs on {service_python()} instead of" in out


def test_models_are_verified_and_reachable_from_the_state_folder(staged: tuple[Path, str]) -> None:
    root, out = staged
    assert "models: " in out and " files ok" in out
    assert os.readlink(root / "var/lib/edge/models") == "/opt/edge/models"
    assert (root / "opt/edge/models/whisper-base/model.bin").is_file()


def test_installed_units_pass_verify(staged: tuple[Path, str], tmp_path: Path) -> None:
    root, _ = staged
    for unit in UNITS:  # verify checks ExecStart exists: look for it inside the staging root
        text = (root / "usr/lib/systemd/system" / unit).read_text()
        (tmp_path / unit).write_text(text.replace("/opt/edge/", f"{root}/opt/edge/"))
    assert verify(tmp_path, UNITS) == ""


def test_snippets_create_the_user_groups_and_folders(
    staged: tuple[Path, str], tmp_path: Path
) -> None:
    root, out = staged
    assert "on the device run: systemd-sysusers" in out  # DESTDIR: the live system is untouched
    (tmp_path / "etc").mkdir()
    users = root / "usr/lib/sysusers.d/edge.conf"
    subprocess.run(["systemd-sysusers", f"--root={tmp_path}", str(users)], check=True)
    passwd = (tmp_path / "etc/passwd").read_text()
    assert "edge:x:" in passwd and ":/var/lib/edge:/usr/sbin/nologin" in passwd
    groups = {line.split(":")[0]: line.split(":")[3] for line in (tmp_path / "etc/group").open()}
    assert all(groups[g].strip() == "edge" for g in ("audio", "gpio", "dialout", "plugdev"))
    folders = root / "usr/lib/tmpfiles.d/edge.conf"
    subprocess.run(["systemd-tmpfiles", f"--root={tmp_path}", "--create", str(folders)], check=True)
    uid = int(passwd.split("edge:x:")[1].split(":")[0])
    state = tmp_path / "var/lib/edge"
    assert (mode(state), state.stat().st_uid) == (0o750, uid)
    assert mode(state / "manuals") == 0o2770
    assert os.readlink(state / "models") == "/opt/edge/models"


def test_reinstall_changes_nothing_and_uninstall_keeps_the_state(staged: tuple[Path, str]) -> None:
    root, _ = staged
    before = tree(root)
    assert "nothing changed" in install(root)
    assert tree(root) == before

    config = root / "etc/edge/config.toml"
    config.write_text(config.read_text().replace('id = "edge-dev"', 'id = "pump-17"'))
    assert "kept as it is" in install(root)
    assert 'id = "pump-17"' in config.read_text()

    (root / "var/lib/edge/outbox.db").write_bytes(b"pending incidents")
    install(root, "uninstall")
    for gone in ("opt/edge", "usr/local/bin/edge", "usr/lib/udev/rules.d/70-edge.rules"):
        assert not (root / gone).exists(), gone
    assert not list((root / "usr/lib/systemd/system").iterdir())
    assert not (root / "var/lib/edge/models").is_symlink()
    assert (root / "var/lib/edge/outbox.db").read_bytes() == b"pending incidents"
    assert 'id = "pump-17"' in config.read_text()

    install(root, "uninstall", PURGE="1")
    assert not (root / "var/lib/edge").exists() and not (root / "etc/edge").exists()


def test_another_layout_is_written_into_the_units(tmp_path: Path) -> None:
    root = tmp_path / "root"
    layout = {"PREFIX": "/srv/edge", "STATEDIR": "/var/lib/edge-b", "SYSCONFDIR": "/etc/edge-b"}
    install(root, **layout)
    unit = (root / "usr/lib/systemd/system/edge.service").read_text()
    assert "ExecStart=/srv/edge/venv/bin/edge --config /etc/edge-b/config.toml" in unit
    assert "StateDirectory=edge-b\n" in unit and "ConfigurationDirectory=edge-b\n" in unit
    assert "/opt/edge" not in unit and "/var/lib/edge/" not in unit
    assert os.readlink(root / "var/lib/edge-b/models") == "/srv/edge/models"
    tmpfiles = (root / "usr/lib/tmpfiles.d/edge.conf").read_text()
    assert "L /var/lib/edge-b/models" in tmpfiles and "/srv/edge/models" in tmpfiles
    assert (root / "srv/edge/venv/bin/edge").read_text().startswith("#!/srv/edge/venv/bin/python")
