"""The broker check: reachable, TLS certificate valid, credentials accepted (the CONNACK).

It connects once with the daemon's own client setup (``edge.report.mqtt.make_client``: the same
CA, client certificate, user and password) under the client id ``<device>-doctor``, so the
running daemon's session is not taken over, with a clean session that expires at once.
"""

from __future__ import annotations

import ssl
import time
from typing import Any

from edge.config import Config
from edge.doctor import Result
from edge.errors import EdgeError

CERT_WARN_DAYS = 14
"""Warn when the broker's certificate expires sooner than this."""


def check_broker(config: Config, timeout_s: float) -> list[Result]:
    """Connect to ``[report]``'s broker and wait for its CONNACK."""
    from edge.report.mqtt import Broker, connect_properties, make_client

    report = config.report
    if not report.enabled:
        return [Result("broker", "skip", "incident reporting is off (report.enabled = false)")]
    where = f"{report.host}:{report.port}"
    try:
        broker = Broker.from_config(report, config.device, suffix="-doctor")
        client = make_client(broker)
    except EdgeError as err:
        return [Result("broker", "fail", err.message, err.fix or "")]
    answers: list[Any] = []
    client.on_connect = lambda c, u, flags, reason, props: answers.append(reason)
    client.connect_timeout = timeout_s
    try:
        client.connect(
            report.host,
            report.port,
            keepalive=max(5, int(timeout_s)),
            clean_start=True,
            properties=connect_properties(0),
        )
    except ssl.SSLCertVerificationError as err:
        return [_fail(f"{where}: TLS certificate not trusted: {err.verify_message}", _TLS_FIX)]
    except ssl.SSLError as err:
        return [_fail(f"{where}: TLS handshake failed: {err.reason or err}", _TLS_FIX)]
    except OSError as err:  # refused, unreachable, timed out (TimeoutError is an OSError)
        return [_fail(f"{where} unreachable: {_reason(err)}", _NET_FIX)]
    try:
        deadline = time.monotonic() + timeout_s
        while not answers and time.monotonic() < deadline:
            client.loop(timeout=0.1)
        if not answers:
            return [_fail(f"{where} accepted the connection but sent no CONNACK", _NET_FIX)]
        reason = answers[0]
        if reason.is_failure:
            return [_fail(f"{where} refused edge: {reason} (code {reason.value})", _AUTH_FIX)]
        security = "TLS" if broker.tls else "no TLS"
        user = f", user {broker.username}" if broker.username else ""
        detail = f"{where} accepted {broker.client_id} ({security}{user})"
        days = _days_left(client) if broker.tls else None
        if days is not None and days < CERT_WARN_DAYS:
            text = f"{detail}; its certificate expires in {days:.0f} days"
            return [Result("broker", "warn", text, "renew the broker's certificate")]
        return [Result("broker", "pass", detail)]
    finally:
        client.disconnect()


_TLS_FIX = (
    "check report.ca_file (the fleet CA), that report.host matches the broker certificate's "
    "name, and the clock (edge doctor: clock)"
)
_NET_FIX = "check report.host/port, the network, and that the broker runs (nc -vz host port)"
_AUTH_FIX = (
    "check report.username/password_file and the client certificate; the broker's ACL must "
    "allow this device (deploy/mosquitto/acl)"
)


def _fail(detail: str, fix: str) -> Result:
    return Result("broker", "fail", detail, fix)


def _reason(err: BaseException) -> str:
    if isinstance(err, TimeoutError):
        return "timed out"
    return getattr(err, "strerror", None) or str(err) or type(err).__name__


def _days_left(client: Any) -> float | None:
    sock = client.socket()
    if not isinstance(sock, ssl.SSLSocket):
        return None
    cert = sock.getpeercert()
    if not cert or "notAfter" not in cert:
        return None
    return (ssl.cert_time_to_seconds(str(cert["notAfter"])) - time.time()) / 86400
