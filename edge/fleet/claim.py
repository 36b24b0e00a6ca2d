"""Who holds a client id: two fleet clients with one id must not share a stream silently.

MQTT lets a second client with the same id take the session over; mosquitto 2.0 just closes the
first one's socket (no "Session taken over" reason reaches it), paho reconnects it, which takes
the session back, and the two alternate, each seeing part of the messages. So every fleet
client (console, watcher) claims its id: on its first connection it publishes a retained claim
``{"instance": <random>, "at": <unix s>}`` on ``edge-clients/<client id>`` and subscribes there.

* A claim from another instance made *after* ours means we were displaced: we publish a notice
  (so the newcomer can warn that the id was in use), stop reconnecting, and report it.
* A notice naming our instance tells us the id was in use by another client, which stopped.
* Older claims (a previous run's retained one) are ignored.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Final, Literal

_LOGGER = logging.getLogger(__name__)

ROOT: Final = "edge-clients"
"""Topic root of claims (the broker ACL lets fleet clients read and write it)."""

Verdict = Literal["displaced", "was-in-use"]


@dataclass
class Claim:
    """This process's claim on ``client_id``."""

    client_id: str
    instance: str = field(default_factory=lambda: secrets.token_hex(8))
    at: float = field(default_factory=time.time)
    claimed: bool = False
    """Our claim was published (once per process: reconnects do not claim again)."""
    displaced: bool = False
    """Another instance took the id over; we stopped."""

    def connected(self, client: Any) -> None:
        """On every connection (paho thread): subscribe to claims; claim once."""
        client.subscribe(self.topic, qos=1)
        if not self.claimed:
            client.publish(self.topic, self.payload(), qos=1, retain=True)
            self.claimed = True

    def received(self, client: Any, msg: Any) -> Verdict | None:
        """A message on :attr:`topic` (paho thread): act on it, and say what it meant."""
        if msg.qos > 0:
            client.ack(msg.mid, msg.qos)
        found = self.judge(bytes(msg.payload))
        if found is None:
            return None
        verdict, other = found
        if verdict == "displaced" and not self.displaced:
            self.displaced = True
            client.publish(self.topic, self.notice(other), qos=1)
            client.disconnect()  # after the notice; paho then stops reconnecting
        elif verdict == "was-in-use":
            _LOGGER.warning(
                "Client id %s was in use by another fleet client (instance %s); it has stopped."
                " Give each one its own client id.",
                self.client_id,
                other,
            )
        return verdict

    @property
    def topic(self) -> str:
        """Where claims for this client id go."""
        return f"{ROOT}/{self.client_id}"

    def payload(self) -> bytes:
        """Our claim."""
        return json.dumps({"instance": self.instance, "at": self.at}).encode()

    def notice(self, newer: str) -> bytes:
        """Told to the instance that displaced us."""
        return json.dumps({"displaced": self.instance, "by": newer, "at": time.time()}).encode()

    def judge(self, raw: bytes) -> tuple[Verdict, str] | None:
        """What a message on :attr:`topic` means for us (None: nothing)."""
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, ValueError):
            return None
        if not isinstance(body, dict):
            return None
        if body.get("by") == self.instance and body.get("displaced") != self.instance:
            return "was-in-use", str(body.get("displaced"))
        other, at = body.get("instance"), body.get("at")
        newer = isinstance(at, (int, float)) and at >= self.at
        if isinstance(other, str) and other != self.instance and newer:
            return "displaced", other
        return None
