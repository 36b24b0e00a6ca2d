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
from edge.report.reach import NET_FIX, ConnectProblem, connect_problem, refusal_problem

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
    except OSError as err:  # TLS trust/handshake (ssl.SSLError is an OSError), refused, timed out
        return [_result(connect_problem(err, where))]
    try:
        deadline = time.monotonic() + timeout_s
        while not answers and time.monotonic() < deadline:
            client.loop(timeout=0.1)
        if not answers:
            return [_fail(f"{where} accepted the connection but sent no CONNACK", NET_FIX)]
        reason = answers[0]
        if reason.is_failure:
            return [_result(refusal_problem(reason, where))]
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


def _fail(detail: str, fix: str) -> Result:
    return Result("broker", "fail", detail, fix)


def _result(problem: ConnectProblem) -> Result:
    return _fail(problem.message, problem.fix)


def _days_left(client: Any) -> float | None:
    sock = client.socket()
    if not isinstance(sock, ssl.SSLSocket):
        return None
    cert = sock.getpeercert()
    if not cert or "notAfter" not in cert:
        return None
    return (ssl.cert_time_to_seconds(str(cert["notAfter"])) - time.time()) / 86400
