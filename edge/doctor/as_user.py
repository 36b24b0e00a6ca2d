"""``edge doctor`` run by root checks as the service user, because root can read everything.

An install whose virtualenv runs a Python under ``/root`` (pyenv), a config file or a private key
the service user cannot read: root passes all of these, and edge.service then fails with
"Permission denied". So root's doctor first proves the service user can start edge's Python at
all (a failure names the fix), then runs every check as that user and passes its output through.
"""

from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys
from collections.abc import Sequence

from edge.doctor import Result

SERVICE_USER = os.environ.get("EDGE_SERVICE_USER", "edge")
"""The user edge.service runs as (``systemd/sysusers.d/edge.conf``); the environment variable
``EDGE_SERVICE_USER`` names another (custom units, tests)."""

PYTHON_FIX = (
    "reinstall with a Python every user can run, e.g. Debian's: "
    "make install PYTHON=/usr/bin/python3"
)


def service_user() -> pwd.struct_passwd | None:
    """The service user's account, or None when it does not exist (edge not installed)."""
    try:
        return pwd.getpwnam(SERVICE_USER)
    except KeyError:
        return None


def run_as_service_user(user: pwd.struct_passwd, argv: Sequence[str], *, as_json: bool) -> int:
    """Run ``edge <argv>`` (a doctor command line) as ``user``; its exit status."""
    try:
        started = _as(user, [sys.executable, "-c", "import edge.cli"], capture=True)
        problem = started.stderr.strip().splitlines()[-1:] if started.returncode else []
    except OSError as err:  # exec refused: the interpreter is behind a folder the user cannot enter
        problem = [f"{err.strerror or err}"]
    except subprocess.TimeoutExpired:
        problem = ["it did not start within 60 s"]
    if problem:
        detail = f"user {user.pw_name} cannot run edge's Python {sys.executable}: {problem[0]}"
        _print_failure(Result("user", "fail", detail, PYTHON_FIX), as_json)
        return 1
    if not as_json:
        print(f"(checking as user {user.pw_name}, as edge.service runs; --as-root checks as root)")
        sys.stdout.flush()
    return _as(user, [sys.executable, "-m", "edge", *argv]).returncode


def _as(
    user: pwd.struct_passwd, argv: list[str], *, capture: bool = False
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        user=user.pw_uid,
        group=user.pw_gid,
        extra_groups=os.getgrouplist(user.pw_name, user.pw_gid),
        env={**os.environ, "HOME": user.pw_dir, "USER": user.pw_name, "LOGNAME": user.pw_name},
        stdin=subprocess.DEVNULL,
        capture_output=capture,
        text=True,
        timeout=60 if capture else None,
        check=False,
    )


def _print_failure(result: Result, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"ok": False, "checks": [result.as_dict()]}))
        return
    print(f"FAIL  {result.name}  {result.detail}\n      fix: {result.fix}\n\nNOT READY: 1 fail")
