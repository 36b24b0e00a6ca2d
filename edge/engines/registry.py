"""Engines by name: a built-in table plus ``edge.engines`` entry points, imported lazily.

Third-party packages add engines with an entry point named ``<kind>.<name>``, for example
``[project.entry-points."edge.engines"] "stt.my-stt" = "my_pkg.stt:MyStt"``.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import logging
from collections.abc import Mapping
from typing import Any, Final, Literal

from edge.engines.base import EngineContext
from edge.errors import EdgeError, EngineError, ModelError
from edge.settings import build

_LOGGER = logging.getLogger(__name__)

EngineKind = Literal["vad", "turn", "wake", "stt", "llm", "tts", "embed", "denoise"]

ENTRY_POINT_GROUP: Final = "edge.engines"

_BUILTIN: Final[dict[str, dict[str, str]]] = {
    "vad": {"silero": "edge.engines.silero:SileroVad"},
    "turn": {"smart-turn": "edge.engines.smart_turn:SmartTurn"},
    "wake": {"openwakeword": "edge.engines.openwakeword:OpenWakeWord"},
    "stt": {"faster-whisper": "edge.engines.whisper:FasterWhisper"},
    "llm": {"llama-cpp": "edge.engines.llama:LlamaCpp", "ollama": "edge.engines.ollama:Ollama"},
    "tts": {"piper": "edge.engines.piper:Piper", "espeak-ng": "edge.engines.espeak:EspeakNg"},
    "embed": {
        "minilm": "edge.engines.minilm:MiniLm",
        "minilm-numpy": "edge.engines.minilm_numpy:MiniLmNumpy",
    },
    "denoise": {
        "webrtc": "edge.engines.webrtc_ns:WebRtcNoiseSuppressor",
        "rnnoise": "edge.engines.rnnoise:RnNoise",
        "deepfilternet": "edge.engines.deepfilternet:DeepFilterNet",
    },
}


def available(kind: str) -> list[str]:
    """Engine names usable for ``kind``: built in, or registered by installed packages."""
    names = set(_BUILTIN.get(kind, {}))
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        ep_kind, _, ep_name = ep.name.partition(".")
        if ep_kind == kind:
            names.add(ep_name)
    return sorted(names)


def engine_class(kind: str, name: str) -> Any:
    """Import and return the class registered as ``name`` for ``kind``.

    Raises:
        EngineError: ``engine-unknown`` or ``engine-package-missing``.
    """
    target = _BUILTIN.get(kind, {}).get(name) or _entry_point(kind, name)
    if target is None:
        choices = ", ".join(available(kind)) or "none"
        raise EngineError(
            "engine-unknown",
            f"no {kind} engine named {name!r}",
            fix=f"set {kind}.engine to one of: {choices}",
        )
    module_name, _, attr = target.partition(":")
    cls = getattr(importlib.import_module(module_name), attr)
    for module, package in getattr(cls, "requires", ()):
        if importlib.util.find_spec(module) is None:
            raise EngineError(
                "engine-package-missing",
                f"{kind} engine {name!r} needs the Python package {package!r}",
                fix=f"pip install '{package}' (or: make deps)",
            )
    return cls


def validate_options(kind: str, name: str, options: Mapping[str, Any], *, key: str) -> Any:
    """Check ``options`` against the engine's ``Options`` class; return the built options."""
    cls = _lookup_without_requirements(kind, name)
    return build(cls.Options, options, key)


def load_engine(kind: str, name: str, options: Mapping[str, Any], context: EngineContext) -> Any:
    """Create the ``name`` engine of ``kind`` with validated ``options``.

    Raises:
        EngineError: unknown engine, missing package, or the engine failed to load.
        ModelError: a model file is missing or corrupt (the message names the fix).
    """
    cls = engine_class(kind, name)
    opts = build(cls.Options, options, f"{kind}.options")
    try:
        return cls(opts, context)
    except (EdgeError, ModelError):
        raise
    except ImportError as err:
        raise EngineError(
            "engine-package-missing",
            f"{kind} engine {name!r} could not import {err.name or err}",
            fix="reinstall the dependencies: make deps",
        ) from err
    except Exception as err:
        raise EngineError(
            "engine-load-failed", f"{kind} engine {name!r} failed to load: {err}"
        ) from err


def _lookup_without_requirements(kind: str, name: str) -> Any:
    target = _BUILTIN.get(kind, {}).get(name) or _entry_point(kind, name)
    if target is None:
        return engine_class(kind, name)  # raises the engine-unknown error
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def _entry_point(kind: str, name: str) -> str | None:
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == f"{kind}.{name}":
            return str(ep.value)
    return None
