"""Typed errors with stable codes, raised at stage boundaries.

A user (technician, installer) sees ``message`` and ``fix``; scripts and incident reports use
``code``. ``CancelledError`` and ``TimeoutError`` are never wrapped.
"""

from __future__ import annotations


class EdgeError(Exception):
    """Base class: something failed that a person can understand and act on."""

    def __init__(self, code: str, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        """Stable machine-readable code, e.g. ``"model-missing"``."""
        self.message = message
        """What went wrong, in one sentence."""
        self.fix = fix
        """What to do about it, when known."""

    def __str__(self) -> str:
        return f"{self.message} (fix: {self.fix})" if self.fix else self.message


class ConfigError(EdgeError):
    """A setting is missing, unknown or out of range."""

    def __init__(self, key: str, message: str, *, fix: str | None = None) -> None:
        super().__init__("config-invalid", f"{key}: {message}", fix=fix)
        self.key = key


class ModelError(EdgeError):
    """A model file is missing, truncated or corrupt."""


class EngineError(EdgeError):
    """An engine could not be found, loaded or run."""


class AudioError(EdgeError):
    """Audio input or output is unusable (bad file, missing device, wrong format)."""


class NoSpeechError(EdgeError):
    """The audio held no speech to answer."""

    def __init__(
        self,
        detail: str = "no speech heard",
        fix: str = "play the file back: it should hold a spoken question, not silence or noise",
    ) -> None:
        super().__init__("no-speech", detail, fix=fix)


class ToolError(EdgeError):
    """A tool was called with arguments it cannot use, or failed.

    ``needs`` is set when the message is a question whose answer completes the request ("Which
    one: the sump or the start temperature?"): the next words are taken with the request.
    """

    def __init__(
        self, code: str, message: str, *, fix: str | None = None, needs: str | None = None
    ) -> None:
        super().__init__(code, message, fix=fix)
        self.needs = needs
        """What the question asks for ("which"), or None."""


class KnowledgeError(EdgeError):
    """The manuals store cannot be opened, read or written."""
