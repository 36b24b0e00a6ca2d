"""Why a broker connection failed, said so an installer can act on it.

One classifier for every place that connects: the daemon's MQTT link, ``edge incidents log`` and
``retry`` (through the same link) and ``edge doctor``'s broker check. A certificate the device does
not trust is named as such, with the fix, instead of "unreachable".
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Literal

ProblemKind = Literal["tls-trust", "tls", "network", "refused"]

TLS_FIX = (
    "check report.ca_file (the fleet CA), that report.host matches the broker certificate's "
    "name, and the clock (edge doctor: clock)"
)
NET_FIX = "check report.host/port, the network, and that the broker runs (nc -vz host port)"
AUTH_FIX = (
    "check report.username/password_file and the client certificate; the broker's ACL must "
    "allow this device (deploy/mosquitto/acl)"
)


@dataclass(frozen=True, slots=True)
class ConnectProblem:
    """A failed connection attempt: what kind, what happened, what to do."""

    kind: ProblemKind
    message: str
    """One line naming the broker and the cause."""
    fix: str

    def __str__(self) -> str:
        return f"{self.message} (fix: {self.fix})"


def connect_problem(err: BaseException | None, where: str) -> ConnectProblem:
    """Classify the exception a connection attempt to ``where`` (``host:port``) raised."""
    if isinstance(err, ssl.SSLCertVerificationError):
        detail = err.verify_message or err.reason or str(err)
        return ConnectProblem(
            "tls-trust", f"{where}: TLS certificate not trusted: {detail}", TLS_FIX
        )
    if isinstance(err, ssl.SSLError):
        return ConnectProblem("tls", f"{where}: TLS handshake failed: {err.reason or err}", TLS_FIX)
    if err is None:
        return ConnectProblem("network", f"{where} unreachable", NET_FIX)
    return ConnectProblem("network", f"{where} unreachable: {_reason(err)}", NET_FIX)


def refusal_problem(reason: object, where: str) -> ConnectProblem:
    """The broker answered the CONNECT with a failure (``reason``: paho's reason code)."""
    code = getattr(reason, "value", None)
    suffix = f" (code {code})" if code is not None else ""
    return ConnectProblem("refused", f"{where} refused edge: {reason}{suffix}", AUTH_FIX)


def _reason(err: BaseException) -> str:
    if isinstance(err, TimeoutError):
        return "timed out"
    return getattr(err, "strerror", None) or str(err) or type(err).__name__
