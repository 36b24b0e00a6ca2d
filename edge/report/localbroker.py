"""A throwaway mosquitto on a free loopback port, with its own config (tests, benchmarks, demos).

The recipe (verified on mosquitto 2.0.11, see docs/design.md "Facts we rely on"): bind port 0 to
find a free port, write ``listener <port> 127.0.0.1``, poll until it accepts; SIGTERM to stop
(mosquitto saves ``mosquitto.db`` on exit); ``user <me>`` when running as root, or mosquitto drops
to user ``mosquitto``, cannot write into a 0700 temp dir, and persistence silently fails.
:func:`make_pki` makes a fleet CA, a broker certificate and client certificates with openssl;
:class:`Recorder` is a plain subscriber that keeps every message, duplicates included.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edge.errors import EdgeError


def mosquitto_available() -> bool:
    """True when the ``mosquitto`` binary is installed."""
    return _mosquitto() is not None


def _mosquitto() -> str | None:
    return shutil.which("mosquitto") or next(
        (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if os.path.exists(p)),
        None,
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalBroker:
    """mosquitto in ``workdir`` on 127.0.0.1; ``extra_conf`` is appended to the listener block.

    Without ``extra_conf`` the broker allows anonymous clients. Persistence is on (saved every
    second and at SIGTERM), so a restart keeps sessions and queued messages.
    """

    def __init__(
        self,
        workdir: Path,
        extra_conf: str = "",
        *,
        max_queued: int = 100_000,
        port: int | None = None,
    ) -> None:
        exe = _mosquitto()
        if exe is None:
            raise EdgeError(
                "mosquitto-missing", "mosquitto is not installed", fix="apt-get install mosquitto"
            )
        self._exe = exe
        self.workdir = workdir
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        (workdir / "data").mkdir(parents=True, exist_ok=True)
        self.log = workdir / "mosquitto.log"
        self.conf = workdir / "mosquitto.conf"
        lines = [
            f"listener {self.port} 127.0.0.1",
            "persistence true",
            f"persistence_location {workdir}/data/",
            "autosave_interval 1",
            f"log_dest file {self.log}",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
            # The default (1000) silently drops QoS 1 messages for a slow or offline reader.
            f"max_queued_messages {max_queued}",
        ]
        if os.geteuid() == 0:
            lines.append(f"user {pwd.getpwuid(os.geteuid()).pw_name}")
        lines.append(extra_conf if extra_conf else "allow_anonymous true")
        self.conf.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def start(self, timeout_s: float = 5.0) -> None:
        """Start mosquitto and wait until its port accepts connections."""
        self.proc = subprocess.Popen(
            [self._exe, "-c", str(self.conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.2):
                    return
            except OSError:
                time.sleep(0.02)
        log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
        self.stop()
        raise EdgeError("mosquitto-failed", f"mosquitto did not open port {self.port}: {log}")

    def stop(self, timeout_s: float = 5.0) -> None:
        """SIGTERM (mosquitto saves its database) and wait; SIGKILL if it hangs."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout_s)

    def restart(self) -> None:
        """Stop and start again on the same port, with the same data."""
        self.stop()
        self.start()

    @property
    def running(self) -> bool:
        """The broker process is alive."""
        return self.proc is not None and self.proc.poll() is None

    def __enter__(self) -> LocalBroker:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def make_pki(folder: Path, clients: Sequence[str], *, days: int = 2) -> Path:
    """Make a test PKI in ``folder`` with the ``openssl`` command; returns ``folder``.

    A fleet CA (``ca.crt``), a broker certificate (``broker.crt``/``.key``) for 127.0.0.1 and
    localhost, and per entry of ``clients`` a client certificate ``<cn>.crt``/``<cn>.key``.
    EC P-256 keys; the private keys are mode 0600.
    """
    folder.mkdir(parents=True, exist_ok=True)

    def sh(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    sh(
        "req",
        "-x509",
        *ec,
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        str(days),
        "-subj",
        "/CN=fleet-ca",
    )
    for cn, ext in [("broker", "subjectAltName=DNS:localhost,IP:127.0.0.1")] + [
        (c, "extendedKeyUsage=clientAuth") for c in clients
    ]:
        (folder / f"{cn}.ext").write_text(ext + "\n", encoding="utf-8")
        sh("req", *ec, "-keyout", f"{cn}.key", "-out", f"{cn}.csr", "-subj", f"/CN={cn}")
        sign = ["-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", str(days)]
        sh("x509", "-req", "-in", f"{cn}.csr", *sign, "-out", f"{cn}.crt", "-extfile", f"{cn}.ext")
        os.chmod(folder / f"{cn}.key", 0o600)
    return folder


@dataclass(frozen=True, slots=True)
class Recorded:
    """One message as a subscriber got it."""

    topic: str
    payload: bytes
    retain: bool
    user_properties: tuple[tuple[str, str], ...]


class Recorder:
    """A persistent-session MQTT v5 subscriber that records every message (no de-duplication).

    ``clean_start=False`` from the first connect, so its subscription and queued messages survive
    a broker restart. ``client`` may adjust the paho client (TLS, credentials) before connecting.
    """

    def __init__(
        self,
        port: int,
        *,
        client_id: str = "recorder",
        topics: Sequence[str] = ("fleet/#",),
        host: str = "127.0.0.1",
        setup: Callable[[Any], None] | None = None,
    ) -> None:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        from edge.report.mqtt import connect_properties

        self.messages: list[Recorded] = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self._client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
        )
        self._client.reconnect_delay_set(1, 1)
        if setup is not None:
            setup(self._client)

        def on_connect(c: Any, u: Any, flags: Any, reason: Any, props: Any) -> None:
            if not reason.is_failure:
                c.subscribe([(t, 1) for t in topics])

        def on_subscribe(c: Any, u: Any, mid: int, reasons: Any, props: Any) -> None:
            self._subscribed.set()

        def on_message(c: Any, u: Any, msg: Any) -> None:
            props = getattr(msg.properties, "UserProperty", None) or []
            item = Recorded(msg.topic, bytes(msg.payload), bool(msg.retain), tuple(props))
            with self._lock:
                self.messages.append(item)

        self._client.on_connect = on_connect
        self._client.on_subscribe = on_subscribe
        self._client.on_message = on_message
        self._client.connect_async(
            host, port, keepalive=10, clean_start=False, properties=connect_properties(3600)
        )
        self._client.loop_start()
        if not self._subscribed.wait(5.0):
            self.close()
            raise EdgeError("recorder-failed", f"could not subscribe on {host}:{port}")

    def snapshot(self) -> list[Recorded]:
        """Messages so far, in arrival order."""
        with self._lock:
            return list(self.messages)

    def incident_ids(self) -> list[str]:
        """``incident_id`` of every incident message so far (duplicates included)."""
        import json

        return [
            json.loads(m.payload)["incident_id"]
            for m in self.snapshot()
            if m.topic.endswith("/incident")
        ]

    def wait_for(self, predicate: Callable[[Recorder], bool], timeout_s: float) -> bool:
        """Poll ``predicate(self)`` until true or ``timeout_s`` passed."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if predicate(self):
                return True
            time.sleep(0.02)
        return predicate(self)

    def close(self) -> None:
        """Disconnect (the session stays on the broker for its expiry)."""
        self._client.disconnect()
        self._client.loop_stop()
