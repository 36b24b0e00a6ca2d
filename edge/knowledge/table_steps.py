"""A procedure set as a table: "Step | Action" rows numbered 1, 2, 3 ... read as steps.

DOCX and DITA manuals often print a task as a table whose first column numbers the steps. Read as
rows, each step would be a sentence of its own ("Step 3, Action: Close the valve") that edge could
not walk through with "next"; read as steps, it is a procedure like any numbered list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

_STEP_HEADERS: Final = frozenset({"step", "steps", "no.", "no", "#", "item"})
_ACTION_HEADERS: Final = frozenset(
    {"action", "actions", "instruction", "instructions", "task", "what to do", "procedure"}
)


def procedure_rows(rows: Sequence[Sequence[str]]) -> tuple[str, ...]:
    """The steps of a procedure set as a table ("Step | Action", numbered 1, 2, 3 ...), else ().

    Each step is its action, with any other cell of the row after it ("Result: ...").
    """
    if len(rows) < 3:
        return ()
    header = [h.strip().lower() for h in rows[0]]
    if len(header) < 2 or header[0] not in _STEP_HEADERS:
        return ()
    action = next((i for i, h in enumerate(header) if h in _ACTION_HEADERS), None)
    numbers = [r[0].strip().rstrip(".") for r in rows[1:] if r]
    if action is None or numbers != [str(n) for n in range(1, len(numbers) + 1)]:
        return ()
    steps: list[str] = []
    for row in rows[1:]:
        others = [
            f"{rows[0][i].strip()}: {cell.strip()}"
            for i, cell in enumerate(row)
            if i not in (0, action) and cell.strip()
        ]
        steps.append(" ".join([row[action].strip(), *others]).strip())
    return tuple(steps)
