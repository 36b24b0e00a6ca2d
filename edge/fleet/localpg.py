"""A throwaway PostgreSQL server in a temporary folder, on a free loopback port (tests, benchmarks).

Uses Debian's ``postgresql`` package binaries (``/usr/lib/postgresql/<major>/bin/initdb`` and
``pg_ctl``). PostgreSQL refuses to run as root, so under root the cluster belongs to ``nobody``
and every command runs through ``runuser``. The cluster trusts loopback connections of its one
user ``edge`` (it lives only as long as the test) and has no Unix socket.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from edge.errors import EdgeError
from edge.report.localbroker import free_port

USER = "edge"
"""The cluster's superuser name."""


def pg_bin() -> Path | None:
    """The newest installed PostgreSQL's ``bin`` folder, or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    return Path(found[-1]).parent if found else None


class LocalPostgres:
    """A PostgreSQL cluster in a fresh temporary folder; :attr:`url` once started."""

    def __init__(self, *, port: int | None = None) -> None:
        bindir = pg_bin()
        if bindir is None:
            raise EdgeError(
                "postgres-missing", "PostgreSQL is not installed", fix="apt-get install postgresql"
            )
        self._bin = bindir
        self.port = port or free_port()
        # Not under a 0700 pytest folder: the server user must reach its data directory.
        self.root = Path(tempfile.mkdtemp(prefix="edge-pg-", dir="/tmp"))
        self.data = self.root / "data"
        self._as: list[str] = []
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.root, nobody.pw_uid, nobody.pw_gid)
            self._as = ["runuser", "-u", "nobody", "--"]
        self.url = f"postgresql://{USER}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 120.0) -> None:
        done = subprocess.run(
            [*self._as, *args], capture_output=True, text=True, timeout=timeout, cwd=self.root
        )
        if done.returncode != 0:
            raise EdgeError(
                "postgres-failed",
                f"{Path(args[0]).name} failed: {(done.stderr or done.stdout)[-2000:]}",
            )

    def start(self) -> None:
        """Create the cluster (first time) and start it; returns when it accepts connections."""
        if not (self.data / "PG_VERSION").exists():
            self._run(
                str(self._bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                USER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",  # a throwaway cluster: no fsync at creation
            )
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories=''"
            " -c fsync=on -c max_connections=100 -c shared_buffers=128MB"
        )
        self._run(
            str(self._bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        """Stop the server (fast shutdown)."""
        if (self.data / "postmaster.pid").exists():
            self._run(str(self._bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        """Stop and delete the cluster."""
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> LocalPostgres:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def postgres_available() -> bool:
    """True when Debian's PostgreSQL server binaries are installed."""
    return pg_bin() is not None and shutil.which("runuser") is not None
