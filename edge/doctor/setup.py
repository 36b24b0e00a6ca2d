"""Checks of the settings an installer writes: identity, board, wake word, secrets, state, user.

Each catches a mistake that runs silently otherwise: a device still called ``edge-dev`` reports as
every other such device, a Pi profile on a machine without Pi GPIO loses push-to-talk, a wake word
model that does not exist is only noticed when nobody can wake the device, a private key others
can read leaks, and checks run as root pass where the service (user ``edge``) would fail.
"""

from __future__ import annotations

import dataclasses
import os
import pwd

from edge.config import Config, DeviceConfig
from edge.doctor import Result
from edge.doctor.as_user import SERVICE_USER, service_user
from edge.private import open_to_others


def check_identity(config: Config) -> list[Result]:
    """``device.id`` and ``device.site`` are not left at their defaults."""
    defaults = {f.name: f.default for f in dataclasses.fields(DeviceConfig)}
    left = [
        f"device.{name} = {getattr(config.device, name)!r}"
        for name in ("id", "site")
        if getattr(config.device, name) == defaults[name]
    ]
    if left:
        return [
            Result(
                "identity",
                "warn",
                f"{' and '.join(left)}: the default, so the fleet cannot tell this device from "
                "any other left at it",
                "set device.id and device.site in the config file (letters, digits, '-', '_')",
            )
        ]
    return [Result("identity", "pass", f"{config.device.site}/{config.device.id}")]


def check_board(config: Config) -> list[Result]:
    """The board profile exists (config load already refused unknown ones) and fits this machine."""
    from edge.hw.board import available_boards, load_board
    from edge.hw.gpio import NO_PI_GPIO_FIX, pi_gpio_problem

    board = load_board(config.device.board)
    known = ", ".join(available_boards())
    detail = f"{board.name}: {board.description or 'no description'} (profiles: {known})"
    problem = pi_gpio_problem() if board.gpio.backend == "gpiozero" else None
    if problem is not None:
        return [Result("board", "warn", f"{detail}; {problem}", NO_PI_GPIO_FIX)]
    return [Result("board", "pass", detail)]


def check_wake_word(config: Config) -> list[Result]:
    """Every wake word model named in ``wake.options.models`` is one the manifest has."""
    from edge.models import ModelStore

    if "wake" not in config.listen.triggers:
        return [Result("wake-word", "skip", "not used (listen.triggers has no wake)")]
    if config.wake.engine != "openwakeword":
        return [Result("wake-word", "skip", f"engine {config.wake.engine!r} checks its own")]
    if config.wake.options.get("custom_model"):
        return [Result("wake-word", "pass", f"custom model {config.wake.options['custom_model']}")]
    store = ModelStore(config.device.state_dir / "models")
    known = sorted(e.name for e in store.entries.values() if e.role == "wake")
    models = config.wake.options.get("models", ("oww-hey_jarvis",))
    unknown = [str(m) for m in models if m not in known]
    if unknown:
        return [
            Result(
                "wake-word",
                "warn",
                f"unknown wake word model {', '.join(map(repr, unknown))}: nobody can wake edge",
                f"set wake.options.models to some of {', '.join(known)}",
            )
        ]
    return [Result("wake-word", "pass", ", ".join(map(str, models)))]


def check_secrets(config: Config) -> list[Result]:
    """The broker's private key and password file are not readable by every user."""
    report = config.report
    files = [("private key", report.key_file), ("password file", report.password_file)]
    present = [(what, path) for what, path in files if path is not None]
    if not present:
        return [Result("secrets", "skip", "no private key or password file configured")]
    open_ = [f"{what} {path}" for what, path in present if path.exists() and open_to_others(path)]
    if open_:
        return [
            Result(
                "secrets",
                "warn",
                f"{' and '.join(open_)} readable by every user",
                "chgrp edge FILE && chmod 0640 FILE (or 0600 when edge owns it)",
            )
        ]
    return [Result("secrets", "pass", "private key and password readable by edge only")]


def check_state(config: Config) -> list[Result]:
    """The state folder and its databases are closed to other users."""
    state = config.device.state_dir
    if not state.exists():
        return [Result("state", "skip", f"{state} does not exist yet")]
    paths = [state, *(state / name for name in ("outbox.db", "manuals.db"))]
    open_ = [str(p) for p in paths if p.exists() and open_to_others(p)]
    if open_:
        return [
            Result(
                "state",
                "warn",
                f"{', '.join(open_)} open to every user (incidents and manuals are private)",
                f"chmod -R o-rwx {state}",
            )
        ]
    return [Result("state", "pass", f"{state} closed to other users")]


def check_user(euid: int | None = None) -> list[Result]:
    """Which user the checks ran as, against the service's user."""
    euid = os.geteuid() if euid is None else euid
    name = _user_name(euid)
    if name == SERVICE_USER:
        return [Result("user", "pass", f"checked as {SERVICE_USER}, the service's user")]
    if euid == 0 and service_user() is not None:
        return [
            Result(
                "user", "skip", f"checked as root (--as-root); the service runs as {SERVICE_USER}"
            )
        ]
    if euid == 0:
        return [
            Result(
                "user",
                "warn",
                f"checked as root, and there is no user {SERVICE_USER} to check as: what "
                "passes here may fail for edge.service",
                "install edge (make install creates the user), then run edge doctor again",
            )
        ]
    return [Result("user", "skip", f"checked as {name}; edge.service runs as {SERVICE_USER}")]


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)
