"""Logins for fleet managers: scrypt password hashes, server-side sessions, CSRF tokens, roles.

* Passwords are hashed with scrypt (``hashlib.scrypt``, n=2**15, r=8, p=1: OWASP's minimum for
  scrypt) and a random 16-byte salt; the stored form names its parameters, so they can be raised
  later without breaking old hashes. Comparison is constant-time.
* A session is a random 32-byte token in an HttpOnly, SameSite=Strict cookie; the database keeps
  only its SHA-256, so a stolen database does not hold live cookies.
* Every session has its own CSRF token; every form that changes something carries it and the
  server compares it in constant time.
* Roles: ``viewer`` reads; ``dispatcher`` also acknowledges, assigns, comments and closes.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Final, Literal

from edge.errors import EdgeError
from edge.fleet.db import Database

Role = Literal["viewer", "dispatcher"]
ROLES: Final[tuple[Role, ...]] = ("viewer", "dispatcher")

_N, _R, _P = 2**15, 8, 1
_MAXMEM: Final = 64 * 1024 * 1024
MIN_PASSWORD: Final = 10
"""Shortest password accepted (characters)."""


class AuthError(EdgeError):
    """A user cannot be created or changed (bad name, weak password, unknown role)."""


def hash_password(password: str, *, n: int = _N, r: int = _R, p: int = _P) -> str:
    """``scrypt$n$r$p$salt$hash`` (base64) of ``password``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=32)
    return "$".join(["scrypt", str(n), str(r), str(p), _b64(salt), _b64(digest)])


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches the ``stored`` hash (constant-time compare)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        actual = hashlib.scrypt(
            password.encode(),
            salt=_unb64(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=_MAXMEM,
            dklen=len(_unb64(digest)),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, _unb64(digest))


@functools.cache
def _dummy() -> str:
    # A hash to check against when the user does not exist, so timing does not reveal names.
    return hash_password(secrets.token_urlsafe(16))


@dataclass(frozen=True, slots=True)
class Session:
    """A logged-in user."""

    user: str
    role: Role
    csrf: str
    """The token every form of this session must carry."""

    @property
    def can_act(self) -> bool:
        """May acknowledge, assign, comment and close."""
        return self.role == "dispatcher"


class Accounts:
    """Users and sessions in the fleet database."""

    def __init__(self, db: Database, *, session_s: float = 12 * 3600) -> None:
        self._db = db
        self._session_s = session_s

    def add_user(self, name: str, password: str, role: str, *, replace: bool = False) -> None:
        """Create (or with ``replace``, reset) a user.

        Raises:
            AuthError: bad name, short password, unknown role, or the user exists.
        """
        name = name.strip()
        if not name or len(name) > 64 or not all(c.isalnum() or c in "._-@" for c in name):
            raise AuthError("fleet-user", f"bad user name {name!r}", fix="letters, digits, ._-@")
        if role not in ROLES:
            raise AuthError("fleet-user", f"unknown role {role!r}", fix="viewer or dispatcher")
        if len(password) < MIN_PASSWORD:
            raise AuthError(
                "fleet-user",
                f"the password is shorter than {MIN_PASSWORD} characters",
                fix="choose a longer password",
            )
        exists = self._db.one("SELECT 1 FROM users WHERE name = ?", (name,)) is not None
        if exists and not replace:
            raise AuthError("fleet-user", f"user {name} exists", fix="use --replace to reset")
        hashed = hash_password(password)
        with self._db.transaction() as tx:
            tx.execute(
                "INSERT INTO users (name, password_hash, role, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash,"
                " role = excluded.role",
                (name, hashed, role, time.time()),
            )
            if exists:  # a reset password ends the user's sessions
                tx.execute("DELETE FROM sessions WHERE user_name = ?", (name,))

    def users(self) -> list[tuple[str, str]]:
        """(name, role) of every user."""
        return [(r[0], r[1]) for r in self._db.rows("SELECT name, role FROM users ORDER BY name")]

    def remove_user(self, name: str) -> bool:
        """Delete a user and their sessions; False if there was none."""
        with self._db.transaction() as tx:
            tx.execute("DELETE FROM sessions WHERE user_name = ?", (name,))
            return tx.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount > 0

    def login(self, name: str, password: str, now: float | None = None) -> str | None:
        """A new session token when ``password`` is right, else None."""
        row = self._db.one("SELECT password_hash FROM users WHERE name = ?", (name,))
        ok = verify_password(password, row[0] if row else _dummy())
        if row is None or not ok:
            return None
        now = time.time() if now is None else now
        token = secrets.token_urlsafe(32)
        with self._db.transaction() as tx:
            tx.execute("DELETE FROM sessions WHERE expires_at < ?", (now,))
            tx.execute(
                "INSERT INTO sessions (token_hash, user_name, csrf, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (_digest(token), name, secrets.token_urlsafe(32), now, now + self._session_s),
            )
        return token

    def session(self, token: str | None, now: float | None = None) -> Session | None:
        """The live session of ``token``, or None."""
        if not token or len(token) > 100:
            return None
        now = time.time() if now is None else now
        row = self._db.one(
            "SELECT s.user_name, u.role, s.csrf FROM sessions s"
            " JOIN users u ON u.name = s.user_name WHERE s.token_hash = ? AND s.expires_at > ?",
            (_digest(token), now),
        )
        return Session(row[0], row[1], row[2]) if row else None

    def logout(self, token: str | None) -> None:
        """End the session of ``token``."""
        if token:
            self._db.execute("DELETE FROM sessions WHERE token_hash = ?", (_digest(token),))


def csrf_ok(session: Session, given: object) -> bool:
    """Whether a form's CSRF token is this session's."""
    return isinstance(given, str) and hmac.compare_digest(given.encode(), session.csrf.encode())


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))
