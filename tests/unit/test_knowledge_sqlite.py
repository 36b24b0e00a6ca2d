"""The sqlite driver choice: stdlib when it can load extensions, else sqlean, else a clear error."""

from __future__ import annotations

import importlib
import types
from pathlib import Path
from typing import Any

import pytest

from edge.errors import KnowledgeError
from edge.knowledge import sqlite as chooser

pytestmark = pytest.mark.unit


def fake_stdlib(loads_extensions: bool) -> types.ModuleType:
    module = types.ModuleType("sqlite3")

    class Connection:
        pass

    if loads_extensions:
        Connection.enable_load_extension = lambda self, on: None  # type: ignore[attr-defined]
    module.Connection = Connection  # type: ignore[attr-defined]
    return module


def test_stdlib_is_used_when_it_can_load_extensions(monkeypatch: pytest.MonkeyPatch) -> None:
    stdlib = fake_stdlib(True)
    monkeypatch.setattr(chooser, "sqlite3", stdlib)
    assert chooser.driver() is stdlib


def test_sqlean_is_used_when_the_stdlib_cannot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chooser, "sqlite3", fake_stdlib(False))
    assert chooser.driver().__name__ == "sqlean"


def test_a_clear_error_with_a_fix_when_nothing_can(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chooser, "sqlite3", fake_stdlib(False))
    real = importlib.import_module

    def no_sqlean(name: str, *args: Any) -> Any:
        if name == "sqlean":
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(chooser.importlib, "import_module", no_sqlean)
    with pytest.raises(KnowledgeError) as err:
        chooser.driver()
    assert err.value.code == "sqlite-no-extensions" and "sqlean.py" in (err.value.fix or "")


def test_extension_load_failure_is_a_knowledge_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import sqlite_vec

    def broken(conn: Any) -> None:
        raise chooser.driver().OperationalError("wrong ELF class")

    monkeypatch.setattr(sqlite_vec, "load", broken)
    with pytest.raises(KnowledgeError) as err:
        chooser.connect(tmp_path / "x.db")
    assert err.value.code == "sqlite-vec-load-failed" and err.value.fix


def test_connect_loads_sqlite_vec(tmp_path: Path) -> None:
    conn = chooser.connect(tmp_path / "x.db")
    assert conn.execute("select vec_version()").fetchone()[0].startswith("v0.1")
    conn.close()
