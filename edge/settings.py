"""Build frozen settings dataclasses from TOML-shaped data, with errors that name the key.

Every settings class is a frozen dataclass. Field types drive validation (``bool``, ``int``,
``float``, ``str``, ``Path``, ``Literal[...]``, ``tuple[X, ...]``, ``Mapping[str, Any]``, nested
settings, ``X | None``); floats must be finite (TOML's ``nan`` and ``inf`` are refused); ranges
come from :func:`setting` metadata; ``__post_init__`` may raise ``ValueError`` for rules that span
fields. Any problem becomes a :class:`ConfigError` naming the full key (``stt.options.model``),
the bad value and what is allowed; a required field left out is one too, never a ``TypeError``.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar, Union, get_args, get_origin

from edge.errors import ConfigError

T = TypeVar("T")

_MIN = "edge_min"
_MAX = "edge_max"


def setting(default: Any, *, min: float | None = None, max: float | None = None) -> Any:  # noqa: A002
    """Declare a settings field with an inclusive numeric range."""
    meta = {_MIN: min, _MAX: max}
    if isinstance(default, (list, dict, set)):
        raise TypeError("use tuples or MappingProxyType for settings defaults")
    return dataclasses.field(default=default, metadata=meta)


def build(cls: type[T], raw: Any, key: str) -> T:
    """Validate ``raw`` (a table) against settings class ``cls``; ``key`` is its dotted path."""
    if not isinstance(raw, Mapping):
        raise ConfigError(key, f"expected a table, got {_show(raw)}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    kwargs: dict[str, Any] = {}
    for name, value in raw.items():
        attr = str(name).replace("-", "_")
        if attr not in fields:
            raise ConfigError(
                f"{key}.{name}" if key else str(name),
                "unknown setting",
                fix=_suggest(attr, list(fields)),
            )
        field = fields[attr]
        kwargs[attr] = _coerce(hints[attr], value, f"{key}.{name}" if key else str(name))
        _check_range(field, kwargs[attr], f"{key}.{name}" if key else str(name))
    missing = [
        name
        for name, f in fields.items()
        if name not in kwargs
        and f.init
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        # A required setting the table leaves out is the user's to fix, never a TypeError.
        raise ConfigError(
            f"{key}.{missing[0]}" if key else missing[0],
            "missing required setting",
            fix=f"add {missing[0]} to [{key}]" if key else f"set {missing[0]}",
        )
    try:
        return cls(**kwargs)
    except ValueError as err:
        raise ConfigError(key or "config", str(err)) from None


def describe(cls: type[Any]) -> dict[str, str]:
    """Map each field of a settings class to a short description of what it accepts."""
    hints = typing.get_type_hints(cls)
    return {f.name: _type_name(hints[f.name]) for f in dataclasses.fields(cls)}


def _coerce(tp: Any, value: Any, key: str) -> Any:
    origin = get_origin(tp)
    args = get_args(tp)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        errors: list[ConfigError] = []
        for option in options:
            try:
                return _coerce(option, value, key)
            except ConfigError as err:
                errors.append(err)
        raise errors[0]
    if origin is typing.Literal:
        if value not in args:
            allowed = ", ".join(repr(a) for a in args)
            raise ConfigError(key, f"{_show(value)} is not allowed", fix=f"use one of {allowed}")
        return value
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise ConfigError(key, f"expected a list, got {_show(value)}")
        item = args[0]
        return tuple(_coerce(item, v, f"{key}[{i}]") for i, v in enumerate(value))
    if origin in (Mapping, dict, typing.Mapping) or tp is Mapping:
        if not isinstance(value, Mapping):
            raise ConfigError(key, f"expected a table, got {_show(value)}")
        return dict(value)
    if dataclasses.is_dataclass(tp):
        return build(tp, value, key)  # type: ignore[arg-type]
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(key, f"expected true or false, got {_show(value)}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(key, f"expected a whole number, got {_show(value)}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(key, f"expected a number, got {_show(value)}")
        if not math.isfinite(value):
            # TOML has nan and inf; every comparison with NaN is false, so no range catches it.
            raise ConfigError(
                key, f"{_show(value)} is not a finite number", fix="use an ordinary number"
            )
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(key, f"expected text, got {_show(value)}")
        return value
    if tp is Path:
        if not isinstance(value, (str, Path)) or not str(value):
            raise ConfigError(key, f"expected a path, got {_show(value)}")
        return Path(value).expanduser()
    if tp is Any:
        return value
    raise TypeError(f"settings type {tp!r} at {key} is not supported")


def _check_range(field: dataclasses.Field[Any], value: Any, key: str) -> None:
    low, high = field.metadata.get(_MIN), field.metadata.get(_MAX)
    if value is None or (low is None and high is None):
        return
    if (low is not None and value < low) or (high is not None and value > high):
        raise ConfigError(key, f"{_show(value)} is out of range", fix=f"use {low} .. {high}")


def _suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    listed = ", ".join(sorted(known))
    return f"did you mean {close[0]!r}? known settings: {listed}" if close else f"known: {listed}"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _type_name(tp: Any) -> str:
    origin, args = get_origin(tp), get_args(tp)
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in args)
    if origin in (Union, types.UnionType):
        return " | ".join(_type_name(a) for a in args)
    if origin is tuple:
        return f"list of {_type_name(args[0])}"
    return getattr(tp, "__name__", str(tp))
