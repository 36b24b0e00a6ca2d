"""Write ``config.example.toml``: every setting with its default and its documentation.

The text comes from the settings dataclasses themselves (attribute docstrings in ``edge/config.py``
and in each engine's ``Options``), so the example cannot drift from the code; a test checks that
the committed file is current. Run: ``python scripts/make_config_example.py``.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import sys
import textwrap
from pathlib import Path
from typing import Any

from edge.config import ENGINE_KINDS, Config
from edge.engines.registry import engine_class

OUT = Path(__file__).resolve().parents[1] / "config.example.toml"

HEADER = """\
# edge settings. Every key is optional: the values below are the defaults.
# Copy to /etc/edge/config.toml (or pass --config) and change what your device needs.
# Any key can also be set from the environment: EDGE_<SECTION>__<KEY>=<TOML value>,
# e.g. EDGE_STT__OPTIONS__MODEL=base or EDGE_LISTEN__TRIGGERS='["ptt"]'.
# Generated from the code by scripts/make_config_example.py; do not edit by hand.
"""

_ENGINE_KINDS = ENGINE_KINDS


def attribute_docs(cls: type) -> dict[str, str]:
    """Attribute docstrings of a dataclass (the string literal after each field)."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    body = ast.parse(source).body[0]
    assert isinstance(body, ast.ClassDef)
    docs: dict[str, str] = {}
    previous: str | None = None
    for node in body.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            previous = node.target.id
        elif (
            previous
            and isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            docs[previous] = " ".join(node.value.value.split())
            previous = None
        else:
            previous = None
    return docs


def toml_value(value: Any) -> str | None:
    """A default as TOML, or None when TOML cannot express it (unset paths)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (str, Path)):
        return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(toml_value(v) or '""' for v in value) + "]"
    if isinstance(value, dict):
        return None
    return None


def section(name: str, obj: Any, lines: list[str], engine_kind: str | None = None) -> None:
    """Append ``[name]`` with every field of settings object ``obj``."""
    docs = attribute_docs(type(obj))
    lines.append(f"[{name}]")
    nested: list[tuple[str, Any]] = []
    for field in dataclasses.fields(obj):
        value = getattr(obj, field.name)
        if dataclasses.is_dataclass(value):
            nested.append((field.name, value))
            continue
        if field.name == "options" and engine_kind is not None:
            continue
        for line in textwrap.wrap(docs.get(field.name, ""), 96):
            lines.append(f"# {line}")
        text = toml_value(value)
        if field.name == "state_dir":
            default = "$STATE_DIRECTORY, else ~/.local/state/edge"
            lines.append(f'# state_dir = "/var/lib/edge"   # default: {default}')
        elif text is None:
            lines.append(f"# {field.name} = ...   (unset)")
        else:
            lines.append(f"{field.name} = {text}")
    lines.append("")
    if engine_kind is not None:
        options_section(f"{name}.options", engine_kind, obj.engine, lines)
    for key, value in nested:
        section(f"{name}.{key}", value, lines)


def options_section(name: str, kind: str, engine: str, lines: list[str]) -> None:
    """Append the default engine's options, documented from its ``Options`` dataclass."""
    options_cls = engine_class(kind, engine).Options
    lines.append(f"[{name}]   # options of the {engine!r} {kind} engine")
    defaults = options_cls()
    docs = attribute_docs(options_cls)
    for field in dataclasses.fields(defaults):
        for line in textwrap.wrap(docs.get(field.name, ""), 96):
            lines.append(f"# {line}")
        text = toml_value(getattr(defaults, field.name))
        lines.append(f"{field.name} = {text}" if text else f"# {field.name} = ...")
    lines.append("")


def render() -> str:
    """The whole example file."""
    config = Config()
    lines = [HEADER]
    class_docs = attribute_docs(Config)
    for field in dataclasses.fields(config):
        if class_docs.get(field.name):
            lines.append(f"# {class_docs[field.name]}")
        kind = field.name if field.name in _ENGINE_KINDS else None
        section(field.name, getattr(config, field.name), lines, engine_kind=kind)
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    """Write the example, or with ``--check`` report whether it is current."""
    text = render()
    if "--check" in sys.argv:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT.name} is out of date: run python scripts/make_config_example.py")
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
