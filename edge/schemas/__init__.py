"""The versioned JSON Schemas of every fleet message: the only thing device and console share.

One file per kind and major version (``<kind>-v<N>.json``, JSON Schema 2020-12), shipped as
package data so fleet tools validate with the same files the tests use. A payload names its own
schema in its ``schema`` field (``"edge.incident/2"``); status and telemetry from devices older
than their schema carry none and are read as version 1.

Compatibility rule (also in ``docs/fleet.md``): within a major version fields are only added,
and readers ignore fields they do not know. A new major version keeps every field of the last
one with the same meaning unless its description says otherwise; readers accept every version
listed in :data:`VERSIONS`.

``jsonschema`` is imported on first validation, not at import time.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any, Final

VERSIONS: Final[Mapping[str, tuple[int, ...]]] = {
    "incident": (1, 2),
    "status": (1,),
    "telemetry": (1,),
    "command": (1,),
    "command-result": (1,),
}
"""Known major versions per kind; the last is what edge writes."""


def current(kind: str) -> int:
    """The version edge writes for ``kind``."""
    return VERSIONS[kind][-1]


def schema_id(kind: str, version: int | None = None) -> str:
    """The ``schema`` field value, e.g. ``edge.incident/2``."""
    return f"edge.{kind}/{version or current(kind)}"


@functools.cache
def load(kind: str, version: int | None = None) -> dict[str, Any]:
    """The JSON Schema of ``kind`` at ``version`` (default: current).

    Raises:
        KeyError: no such kind or version.
    """
    number = version or current(kind)
    if number not in VERSIONS[kind]:
        raise KeyError(f"{kind} has no version {number}")
    text = resources.files(__name__).joinpath(f"{kind}-v{number}.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def version_of(kind: str, payload: Mapping[str, Any]) -> int | None:
    """The version ``payload`` claims (1 when it names none), or None for an unknown one."""
    named = payload.get("schema")
    if named is None:
        return 1
    prefix = f"edge.{kind}/"
    if not isinstance(named, str) or not named.startswith(prefix):
        return None
    try:
        number = int(named[len(prefix) :])
    except ValueError:
        return None
    return number if number in VERSIONS[kind] else None


@functools.cache
def _validator(kind: str, version: int) -> Any:
    import jsonschema

    cls = jsonschema.Draft202012Validator
    return cls(load(kind, version), format_checker=cls.FORMAT_CHECKER)


def problems(kind: str, payload: object, *, limit: int = 3) -> list[str]:
    """Why ``payload`` is not a valid ``kind`` message (empty when it is valid).

    Each problem is one short line naming the field: ``"severity: 'urgent' is not one of ..."``.
    """
    if not isinstance(payload, Mapping):
        return ["not a JSON object"]
    version = version_of(kind, payload)
    if version is None:
        return [f"schema: {payload.get('schema')!r} is not a known edge.{kind} version"]
    found = []
    for error in _validator(kind, version).iter_errors(payload):
        where = "/".join(str(p) for p in error.absolute_path) or "(payload)"
        found.append(f"{where}: {error.message[:200]}")
        if len(found) >= limit:
            break
    return found


def decode(raw: bytes) -> object:
    """``raw`` as JSON, or None when it is not UTF-8 JSON."""
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return None
