"""Typed errors of incident reporting, with stable codes (see :class:`edge.errors.EdgeError`)."""

from __future__ import annotations

from edge.errors import EdgeError


class ReportError(EdgeError):
    """The outbox cannot store or read incidents, or the broker settings are unusable.

    Codes: ``outbox-unavailable`` (cannot open or write the SQLite outbox), ``outbox-unknown-id``
    (no such incident), ``mqtt-config`` (TLS or credential files missing or unreadable).
    """
