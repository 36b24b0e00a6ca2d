"""The recognition bias's lexicon, read from the manuals on the device."""

from __future__ import annotations

from typing import Any

from edge.hearing.bias import Lexicon


def lexicon_from(knowledge: Any) -> Lexicon:
    """What ``knowledge`` (``edge.knowledge.Knowledge``) contains: codes, units, component units."""
    component_units: dict[str, set[str]] = {}
    for limit in knowledge.limits():
        component_units.setdefault(limit.component_id, set()).add(limit.unit)
    units = frozenset(u for found in component_units.values() for u in found)
    return Lexicon(
        codes=knowledge.codes(),
        units=units | {"N·m", "mm", "bar", "°C", "rpm", "%"},
        component_units={c: frozenset(u) for c, u in component_units.items()},
    )
