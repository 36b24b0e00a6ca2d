"""A stand-in ollama server on loopback that speaks ``/api/chat``'s streaming protocol.

The real server cannot be installed on the build machines, so the ``ollama`` engine is tested
against this one. It answers the way ollama does: ``application/x-ndjson`` over chunked transfer
encoding, one message chunk per line with ``"done": false``, then a final chunk with
``"done": true``, ``done_reason`` and the eval counts; tool calls arrive as a chunk whose
``message.tool_calls`` holds ``{"function": {"name", "arguments"}}`` objects (with the ``id`` and
``index`` newer servers add). It records every request body so tests can check what was sent, and
it can fail the ways a real server does: unknown model (404), an error line mid-stream, a
connection dropped mid-reply, a stream that stops without its final chunk, a slow first byte.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_MODEL = "qwen2.5:1.5b"
"""The model the fake has "pulled" unless told otherwise (the engine's default tag)."""


@dataclass(frozen=True)
class Reply:
    """How the fake answers one ``/api/chat`` request."""

    content: tuple[str, ...] = ()
    """Text pieces, one streamed chunk each."""
    tool_calls: tuple[Mapping[str, Any], ...] = ()
    """Tool calls sent in one chunk after the text, as ``{"function": {...}}`` objects."""
    status: int = 200
    """HTTP status; anything but 200 sends ``{"error": error}`` as the whole body."""
    error: str = ""
    """Error text for a non-200 status, or for an error line mid-stream (with ``status`` 200)."""
    drop_after: int | None = None
    """Close the connection without finishing the body after this many chunks."""
    omit_done: bool = False
    """End the body cleanly but never send the ``"done": true`` chunk."""
    hold: threading.Event | None = None
    """After the first chunk, wait for this event before sending the rest (shows streaming)."""
    delay_s: float = 0.0
    """Wait this long before the response headers (to trip the client's timeout)."""
    pace_s: float = 0.0
    """Wait this long between chunks (a model generating tokens)."""
    done_reason: str = "stop"
    """``done_reason`` of the final chunk."""


def text(*pieces: str) -> Reply:
    """A streamed text reply."""
    return Reply(content=pieces)


def tool_call(name: str, arguments: Mapping[str, Any], *, preamble: str = "") -> Reply:
    """A reply that calls ``name`` natively (optionally after some text)."""
    call = {"id": f"call_{name}", "function": {"index": 0, "name": name, "arguments": arguments}}
    return Reply(content=(preamble,) if preamble else (), tool_calls=(call,))


Responder = Callable[[dict[str, Any]], Reply]
"""Chooses the reply to a decoded ``/api/chat`` request body."""


@dataclass
class FakeOllama:
    """An ollama look-alike on ``127.0.0.1`` at a free port; use it as a context manager."""

    respond: Responder = field(default=lambda body: text("Hello."))
    """Chooses each reply (requests for models not in ``models`` get a 404 first)."""
    models: frozenset[str] = frozenset({DEFAULT_MODEL})
    """Model tags the server has pulled."""
    requests: list[dict[str, Any]] = field(default_factory=list)
    """Every ``/api/chat`` request body received, in order."""
    hung_up: threading.Event = field(default_factory=threading.Event)
    """Set when a client closed its connection before the reply was fully sent."""
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL for ``llm.options.host``."""
        assert self._server is not None, "not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeOllama:
        """Bind a free loopback port and serve on a daemon thread."""
        fake = self

        class Handler(_ChatHandler):
            server_fake = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True  # a client's idle keep-alive must not block close()
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-ollama", daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOllama:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def chats(self) -> list[dict[str, Any]]:
        """Requests that were real turns, not warm-ups (``num_predict`` above 1)."""
        return [r for r in self.requests if r.get("options", {}).get("num_predict", 0) > 1]


def free_port() -> int:
    """A loopback port with nothing listening on it (for "server down")."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _ChatHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # chunked transfer encoding, like the real server
    server_fake: FakeOllama

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean."""

    def do_GET(self) -> None:
        """``GET /`` is how people check a server is up."""
        self._whole(200, b"Ollama is running", "text/plain; charset=utf-8")

    def do_POST(self) -> None:
        """``POST /api/chat``: record the request, then stream the chosen reply."""
        if self.path != "/api/chat":
            self._whole(404, b"404 page not found", "text/plain")
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        fake = self.server_fake
        fake.requests.append(body)
        model = body.get("model", "")
        if model not in fake.models:
            self._error(404, f"model '{model}' not found")
            return
        reply = fake.respond(body)
        time.sleep(reply.delay_s)
        if reply.status != 200:
            self._error(reply.status, reply.error)
            return
        try:
            self._stream(model, reply)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            fake.hung_up.set()

    def _stream(self, model: str, reply: Reply) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for sent, chunk in enumerate(_chunks(model, reply)):
            if reply.drop_after is not None and sent == reply.drop_after:
                # Mid-body EOF without the terminating chunk: what a crashed runner looks like.
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if sent == 1 and reply.hold is not None:
                reply.hold.wait(timeout=10)
            if sent:
                time.sleep(reply.pace_s)
            line = json.dumps(chunk).encode() + b"\n"
            self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _error(self, status: int, message: str) -> None:
        self._whole(status, json.dumps({"error": message}).encode(), "application/json")

    def _whole(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _chunks(model: str, reply: Reply) -> Iterator[dict[str, Any]]:
    """The NDJSON objects of one streamed reply, in order."""

    def chunk(message: dict[str, Any], **extra: Any) -> dict[str, Any]:
        now = datetime.now(UTC).isoformat()
        return {"model": model, "created_at": now, "message": message, **extra}

    for piece in reply.content:
        yield chunk({"role": "assistant", "content": piece}, done=False)
    if reply.tool_calls:
        message = {"role": "assistant", "content": "", "tool_calls": list(reply.tool_calls)}
        yield chunk(message, done=False)
    if reply.error:
        yield {"error": reply.error}
        return
    if reply.omit_done:
        return
    yield chunk(
        {"role": "assistant", "content": ""},
        done=True,
        done_reason=reply.done_reason,
        total_duration=412_000_000,
        load_duration=2_100_000,
        prompt_eval_count=57,
        prompt_eval_duration=120_000_000,
        eval_count=len(reply.content) + len(reply.tool_calls),
        eval_duration=290_000_000,
    )
