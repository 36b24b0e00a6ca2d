"""llama.cpp's own messages go to Python logging, and nothing ever points fd 2 at /dev/null.

llama-cpp-python's ``verbose=False`` silences a model load by ``dup2``-ing /dev/null over the
whole process's fd 1 and 2 until the load ends (``llama_cpp._utils.suppress_stdout_stderr``,
upstream issue abetlen/llama-cpp-python#1874). edge loads its engines in parallel, so every message
another thread wrote meanwhile was lost: a missing speech model's error, printed while the LLM was
still loading, never reached the terminal or the journal.

:func:`quiet_llama` instead hands llama.cpp's C log (``llama_log_set``, which also covers ggml) to
the ``edge.engines.llama.cpp`` logger (its chatter at DEBUG, warnings and errors as such) and
replaces the fd swap with a no-op, so ``verbose=False`` keeps only its other effect: llama-cpp-
python's own ``print`` calls stay quiet. The version is pinned in ``pyproject.toml``; a test loads
the model while another thread writes to stderr and counts every line.
"""

from __future__ import annotations

import ctypes
import importlib
import logging
import threading
from types import TracebackType
from typing import Any

LOGGER = logging.getLogger("edge.engines.llama.cpp")
"""Where llama.cpp's messages go."""

# ggml_log_level in the llama.cpp this llama-cpp-python bundles (ggml.h): NONE 0, DEBUG 1,
# INFO 2, WARN 3, ERROR 4, CONT 5 (continues the previous message). Its INFO is ~200 lines per
# model load: DEBUG here.
_LEVELS = {
    0: logging.DEBUG,
    1: logging.DEBUG,
    2: logging.DEBUG,
    3: logging.WARNING,
    4: logging.ERROR,
}
_CONT = 5

# Modules of llama-cpp-python that imported the fd-swapping context manager by name.
_SWAPPING_MODULES = ("llama_cpp._utils", "llama_cpp._internals", "llama_cpp.llama")

_lock = threading.Lock()
_installed = False
_callback: Any = None  # the ctypes callback must stay referenced while C may call it
_pending = threading.local()


class _NoRedirect:
    """Stands in for ``suppress_stdout_stderr``: leaves every file descriptor alone."""

    def __init__(self, disable: bool = True) -> None:
        del disable

    def __enter__(self) -> _NoRedirect:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        return None


def quiet_llama() -> None:
    """Route llama.cpp's log to Python logging and disable the fd 1/2 swap (idempotent)."""
    global _installed, _callback
    with _lock:
        if _installed:
            return
        import llama_cpp
        import llama_cpp._logger  # noqa: F401  (installs its callback on import; ours replaces it)

        for name in _SWAPPING_MODULES:
            module = importlib.import_module(name)
            if hasattr(module, "suppress_stdout_stderr"):
                setattr(module, "suppress_stdout_stderr", _NoRedirect)  # noqa: B010
        _callback = llama_cpp.llama_log_callback(_on_log)
        llama_cpp.llama_log_set(_callback, ctypes.c_void_p(0))
        _installed = True


def _on_log(level: int, text: bytes | None, user_data: Any) -> None:
    # Called from whichever thread llama.cpp runs on; a message may arrive in pieces (CONT).
    del user_data
    piece = (text or b"").decode("utf-8", errors="replace")
    if level != _CONT:
        _pending.level = _LEVELS.get(level, logging.DEBUG)
    buffered = getattr(_pending, "text", "") + piece
    *lines, rest = buffered.split("\n")
    _pending.text = rest
    for line in lines:
        if line.strip():
            LOGGER.log(getattr(_pending, "level", logging.DEBUG), "%s", line.rstrip())
