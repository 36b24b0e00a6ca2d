"""What a tool is, and the request context the device hands it.

A tool has a :class:`~edge.events.ToolSpec` (name, JSON schema, examples, which arguments the LLM
fills) and two steps: :meth:`Tool.prepare` checks and completes the arguments (the device fills the
extras: transcript, turn, component from the conversation) and :meth:`Tool.run` does the work.
``prepare`` raises :class:`~edge.errors.ToolError` with a message fit to be spoken.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from edge.events import ToolResult, ToolSpec, TurnId

if TYPE_CHECKING:
    from edge.hearing.bias import Heard


@dataclass(frozen=True, slots=True)
class ToolRequest:
    """Facts about the turn that a tool may use."""

    turn_id: TurnId
    """The turn asking."""
    transcript: str
    """The technician's words, as transcribed."""
    component_id: str | None = None
    """Component the conversation is about, when known from earlier turns."""
    machine: str | None = None
    """Title of the manual of the machine being worked on, when known from earlier turns: it
    settles which manual answers when the words fit two."""
    history: tuple[str, ...] = field(default_factory=tuple)
    """Recent technician utterances, oldest first (for follow-up questions)."""
    heard: Heard | None = None
    """How the words were heard: the recognizer's confidence and every correction made to them
    (``edge.hearing.bias``); ``heard.doubtful`` asks for a check-back before acting."""
    confirmed: bool = False
    """The technician said yes to a read-back of this request: act without asking again."""


class Tool(Protocol):
    """A capability the assistant can call."""

    spec: ToolSpec
    """Name, description, argument schema and examples."""

    def prepare(self, arguments: Mapping[str, Any], request: ToolRequest) -> dict[str, Any]:
        """Validate ``arguments`` and fill what the device knows; raise ToolError if unusable."""
        ...

    async def run(self, arguments: Mapping[str, Any], request: ToolRequest) -> ToolResult:
        """Do the work and say what came of it."""
        ...


class WordsFirst(Protocol):
    """A tool that may not need the LLM: the request's own words can settle its arguments.

    The tiny LLM costs hundreds of milliseconds to seconds on a busy device; a tool that can
    read what it needs from the transcript ("gearbox oil sump temperature is 92 degrees",
    "log a high severity incident: ...") answers without it.
    """

    def from_words(self, request: ToolRequest) -> dict[str, Any] | None:
        """Arguments from the words alone, or None when the LLM must help.

        Arguments are returned only when the words settle everything the LLM would fill;
        the LLM is then not asked.
        """
        ...


class Demanding(Protocol):
    """A side-effecting tool that cannot act on some words at all (an incident with no description).

    Such words start nothing: the tool only asks for what is missing, so the request may still be
    taken back and joined with what the technician goes on to say.
    """

    def lacks(self, request: ToolRequest) -> str | None:
        """What the words lack before anything can be done ("description"), or None."""
        ...

    def supplied(self, request: str, words: str) -> str:
        """The request once ``words``, said when asked, supply what ``request`` lacked."""
        ...


def lacks(tool: Tool, request: ToolRequest) -> str | None:
    """What ``request``'s words lack for ``tool`` to act (see :class:`Demanding`), or None."""
    check = getattr(tool, "lacks", None)
    missing: str | None = None if check is None else check(request)
    return missing


def supplied(tool: Tool, request: str, words: str) -> str:
    """``request`` with the ``words`` said to complete it (see :class:`Demanding`)."""
    join = getattr(tool, "supplied", None)
    return f"{request} {words}" if join is None else str(join(request, words))


def from_words(tool: Tool, request: ToolRequest) -> dict[str, Any] | None:
    """``tool``'s arguments from the words alone, if it can read them (see :class:`WordsFirst`)."""
    reader = getattr(tool, "from_words", None)
    if reader is None:
        return None
    arguments: dict[str, Any] | None = reader(request)
    return arguments


class Toolbox:
    """The tools available in this run, by name."""

    def __init__(self, tools: list[Tool] | None = None) -> None:
        self._tools: dict[str, Tool] = {}
        for tool in tools or []:
            self.add(tool)

    def add(self, tool: Tool) -> None:
        """Make ``tool`` available (names must be unique)."""
        if tool.spec.name in self._tools:
            raise ValueError(f"tool {tool.spec.name!r} registered twice")
        self._tools[tool.spec.name] = tool

    def get(self, name: str) -> Tool | None:
        """The tool called ``name``, if any."""
        return self._tools.get(name)

    def specs(self) -> list[ToolSpec]:
        """Specs of every tool, in registration order."""
        return [t.spec for t in self._tools.values()]

    async def close(self) -> None:
        """Let tools finish work they carry on after answering (e.g. reports being stored)."""
        for tool in self._tools.values():
            close = getattr(tool, "close", None)
            if close is not None:
                await close()

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __len__(self) -> int:
        return len(self._tools)
