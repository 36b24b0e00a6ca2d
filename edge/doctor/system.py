"""Checks of the machine itself: Python, SQLite, models, disk, clock, the systemd service."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from edge.config import Config
from edge.doctor import Result
from edge.errors import EdgeError

MIN_PYTHON = (3, 11)
DISK_FAIL_BYTES = 500_000_000
"""Below this much free space the outbox and the manuals database may fail to grow."""
DISK_WARN_BYTES = 2_000_000_000
SERVICE = "edge.service"
_TOOL_TIMEOUT_S = 5.0


def check_python() -> list[Result]:
    """The interpreter is new enough (tomllib, asyncio.timeout, TaskGroup)."""
    version = ".".join(str(part) for part in sys.version_info[:3])
    if sys.version_info[:2] >= MIN_PYTHON:
        return [Result("python", "pass", f"Python {version} ({sys.executable})")]
    wanted = ".".join(str(part) for part in MIN_PYTHON)
    return [
        Result(
            "python",
            "fail",
            f"Python {version}; edge needs {wanted} or newer",
            f"install python{wanted}, then as root: make install PYTHON=/usr/bin/python{wanted}",
        )
    ]


def check_sqlite() -> list[Result]:
    """SQLite can load sqlite-vec, through the same loader the manuals store uses."""
    from edge.knowledge.sqlite import connect

    try:
        conn = connect(":memory:")
    except EdgeError as err:
        return [Result("sqlite", "fail", err.message, err.fix or "")]
    try:
        (vec,) = conn.execute("select vec_version()").fetchone()
        (lib,) = conn.execute("select sqlite_version()").fetchone()
    finally:
        conn.close()
    return [Result("sqlite", "pass", f"SQLite {lib} with sqlite-vec {vec}")]


def check_models(config: Config) -> list[Result]:
    """Every model file of the manifest: present, right size and sha256 (``edge models verify``)."""
    from edge.models import ModelStore

    checks = list(ModelStore(config.device.state_dir / "models").verify())
    bad = [c for c in checks if c.status in ("missing", "corrupt")]
    stale = [c for c in checks if c.status == "version"]
    if bad:
        first = bad[0]
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        detail = f"{len(bad)} of {len(checks)} files bad: {first.model}: {first.detail}{more}"
        return [Result("models", "fail", detail, f"{first.fix}; then: edge models verify")]
    if stale:
        detail = f"{len(stale)} files come from another package version: {stale[0].detail}"
        return [Result("models", "warn", detail, stale[0].fix)]
    return [Result("models", "pass", f"{len(checks)} files match the manifest")]


def check_disk(config: Config) -> list[Result]:
    """Free space where the outbox and the manuals live."""
    state = config.device.state_dir
    probe = state
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    detail = f"{free / 1e9:.1f} GB free at {probe}"
    fix = f"free space on the file system of {state} (old logs: journalctl --vacuum-size=100M)"
    if not state.exists():
        return [Result("disk", "warn", f"{state} does not exist yet; {detail}", _state_fix(state))]
    if not os.access(state, os.W_OK):
        return [Result("disk", "warn", f"{state} is not writable by this user; {detail}", "")]
    if free < DISK_FAIL_BYTES:
        return [Result("disk", "fail", detail, fix)]
    if free < DISK_WARN_BYTES:
        return [Result("disk", "warn", detail, fix)]
    return [Result("disk", "pass", detail)]


def check_outbox(config: Config) -> list[Result]:
    """The incident outbox is sound, and no corrupt one was moved aside earlier.

    Read-only: the doctor (often run as root) must never create or move the service's files.
    """
    import sqlite3

    from edge.report.outbox import quarantined_copies
    from edge.report.service import outbox_path

    path = outbox_path(config)
    results = []
    if not path.exists():
        results.append(Result("outbox", "pass", f"{path} not created yet (made at first start)"))
    else:
        # Even a read-only open of a WAL database creates its -wal and -shm files (owned by
        # root when the doctor runs as root, and then unusable by the service). With no -wal
        # file the daemon is not writing and the file is all there is: read it as immutable.
        live = path.with_name(path.name + "-wal").exists()
        uri = f"file:{path}?{'mode=ro' if live else 'immutable=1'}"
        try:
            with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
                problems = [row[0] for row in db.execute("PRAGMA quick_check").fetchall()]
                pending = db.execute("SELECT COUNT(*) FROM outbox WHERE state = 'pending'")
                waiting = int(pending.fetchone()[0])
        except sqlite3.Error as err:
            problems, waiting = [str(err)], 0
        if problems == ["ok"]:
            results.append(Result("outbox", "pass", f"{path}: {waiting} incidents pending"))
        else:
            detail = f"{path} is damaged: {'; '.join(str(p) for p in problems[:2])}"
            fix = "restart edge: it moves the damaged file aside and starts a fresh outbox"
            results.append(Result("outbox", "fail", detail, fix))
    for copy in quarantined_copies(path):
        detail = f"a corrupt outbox was moved aside: {copy}"
        fix = f"recover its incidents (sqlite3 {copy} .recover), then delete it"
        results.append(Result("outbox", "warn", detail, fix))
    return results


def _state_fix(state: Path) -> str:
    return f"make install (as root) creates it; or: mkdir -m 0700 -p {state}"


def check_clock() -> list[Result]:
    """The clock is synchronised: TLS certificates and incident times depend on it."""
    answer = _tool("timedatectl", "show", "-p", "NTPSynchronized", "--value")
    fix = "enable time sync (as root: timedatectl set-ntp true) or give the device a network once"
    if answer == "yes":
        return [Result("clock", "pass", "synchronised (timedatectl)")]
    if answer == "no":
        return [Result("clock", "warn", "not synchronised (timedatectl)", fix)]
    if Path("/run/systemd/timesync/synchronized").exists():
        return [Result("clock", "pass", "synchronised (systemd-timesyncd)")]
    return [Result("clock", "warn", "sync state unknown (no timedatectl answer)", fix)]


def service_state() -> tuple[str | None, str]:
    """``systemctl is-active edge`` and the daemon's STATUS line; (None, why) without systemd."""
    if not Path("/run/systemd/system").is_dir():
        return None, "systemd is not running here"
    active = _tool("systemctl", "is-active", SERVICE)
    if active is None:
        return None, "systemctl did not answer"
    status = _tool("systemctl", "show", "-p", "StatusText", "--value", SERVICE) or ""
    return active, status


def check_service() -> list[Result]:
    """The daemon runs under systemd."""
    active, status = service_state()
    if active is None:
        return [Result("service", "warn", f"{SERVICE}: {status}", "run edge on a systemd host")]
    if active == "active":
        return [Result("service", "pass", f"{SERVICE} active: {status or 'no status line'}")]
    return [
        Result(
            "service",
            "fail",
            f"{SERVICE} is {active}",
            "as root: systemctl enable --now edge; why it stopped: journalctl -u edge -n 50",
        )
    ]


def _tool(*argv: str) -> str | None:
    """A system tool's one-line answer, or None when it is missing, fails or takes too long."""
    if shutil.which(argv[0]) is None:
        return None
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=_TOOL_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    answer = done.stdout.strip()
    # is-active exits 3 for "inactive" but still answers; other tools answer only on success.
    return answer if answer and (done.returncode == 0 or argv[1] == "is-active") else None
