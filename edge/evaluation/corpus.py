"""The evaluation corpus on disk: one folder per manual with ``questions.toml``.

Format (``samples/eval/<split>/README.md`` has the author's full description)::

    [manual]            id, title, file, machine, format
    [[question]]        kind, text, sections, values       (no sections: the manuals have no answer)
    [[reading]]         text, component, parameter, expect = high | low | ok, limit, sections

The project's own sample set (``samples/manuals`` with ``samples/questions/manual_qa.toml``) is
read into the same shape, as the split ``samples``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

SPLITS: Final = ("dev", "test", "samples")
Expect = Literal["high", "low", "ok"]


class CorpusError(Exception):
    """The corpus folder or one of its files is missing or malformed."""


@dataclass(frozen=True, slots=True)
class EvalQuestion:
    """A question and what a right answer holds."""

    kind: str
    text: str
    sections: tuple[str, ...]
    """Leaf headings or table captions that answer it; empty when the manuals have no answer."""
    values: tuple[str, ...]
    """Strings the spoken answer must contain (see :mod:`edge.evaluation.matching`)."""

    @property
    def answerable(self) -> bool:
        """Whether the manual holds the answer."""
        return bool(self.sections)


@dataclass(frozen=True, slots=True)
class EvalReading:
    """A spoken meter reading and how it compares with the manual's limit."""

    text: str
    component: str
    parameter: str
    expect: Expect
    limit: str
    """The limit as the manual states it, e.g. ``"max. 75 °C"``."""
    sections: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EvalManual:
    """One manual of a split, with its questions and readings."""

    id: str
    title: str
    path: Path
    machine: str
    format: str
    questions: tuple[EvalQuestion, ...]
    readings: tuple[EvalReading, ...]
    document_hint: str = ""
    """Part of the ingested title that identifies it (the ``samples`` split only)."""
    any_document: bool = False
    """Its questions may be answered from any manual (the sample set's questions that name no
    document: most are about the WT-2000 manual, a few about the others)."""


def load_split(root: Path, split: str) -> list[EvalManual]:
    """The manuals of ``split`` under ``root``, in a stable order.

    ``root`` is ``samples/eval`` for dev and test, the repo's ``samples`` folder for ``samples``.

    Raises:
        CorpusError: unknown split, missing folder, or a malformed ``questions.toml``.
    """
    if split not in SPLITS:
        raise CorpusError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    if split == "samples":
        return _samples(root)
    folder = root / split
    if not folder.is_dir():
        raise CorpusError(f"no {split} split at {folder}")
    manuals = [_manual(d) for d in sorted(folder.iterdir()) if (d / "questions.toml").is_file()]
    if not manuals:
        raise CorpusError(f"no manuals with a questions.toml in {folder}")
    return manuals


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise CorpusError(f"{path}: {err}") from err


def _manual(folder: Path) -> EvalManual:
    raw = _toml(folder / "questions.toml")
    try:
        head = raw["manual"]
        questions = tuple(
            EvalQuestion(
                kind=str(q["kind"]),
                text=str(q["text"]),
                sections=tuple(q.get("sections", ())),
                values=tuple(q.get("values", ())),
            )
            for q in raw.get("question", ())
        )
        readings = tuple(
            EvalReading(
                text=str(r["text"]),
                component=str(r.get("component", "")),
                parameter=str(r.get("parameter", "")),
                expect=_expect(r["expect"]),
                limit=str(r.get("limit", "")),
                sections=tuple(r.get("sections", ())),
            )
            for r in raw.get("reading", ())
        )
        path = folder / str(head["file"])
        manual = EvalManual(
            id=str(head["id"]),
            title=str(head.get("title", head["id"])),
            path=path,
            machine=str(head.get("machine", "")),
            format=str(head.get("format", "")),
            questions=questions,
            readings=readings,
        )
    except (KeyError, TypeError, ValueError) as err:
        raise CorpusError(f"{folder / 'questions.toml'}: missing or bad field {err}") from err
    if not path.is_file():
        raise CorpusError(f"{folder / 'questions.toml'} names {path.name}, which is not there")
    return manual


def _expect(value: object) -> Expect:
    if value == "high" or value == "low" or value == "ok":
        return value
    raise ValueError(f"expect must be high, low or ok, not {value!r}")


_SAMPLE_MANUALS: Final = (
    ("wt2000-maintenance.md", "WT-2000", "wind turbine", "markdown"),
    ("sl240-service-lift.html", "SL-240", "service lift", "html"),
    ("htw1500-torque-wrench.txt", "HTW-1500", "hydraulic torque wrench", "text"),
)


def _samples(root: Path) -> list[EvalManual]:
    """The project's own question set, grouped by the manual each question is about."""
    raw = _toml(root / "questions" / "manual_qa.toml")
    manuals = []
    for name, hint, machine, fmt in _SAMPLE_MANUALS:
        # Questions without a document are about the WT-2000 manual (see manual_qa.toml).
        questions = tuple(
            EvalQuestion(
                kind=str(q.get("kind", "")),
                text=str(q["text"]),
                sections=tuple(q.get("sections", ())),
                values=tuple(q.get("values", ())),
            )
            for q in raw.get("question", ())
            if q.get("document", "WT-2000") == hint and not q.get("component")
        )
        path = root / "manuals" / name
        if not path.is_file():
            raise CorpusError(f"sample manual {path} is missing")
        manuals.append(
            EvalManual(
                Path(name).stem,
                hint,
                path,
                machine,
                fmt,
                questions,
                (),
                document_hint=hint,
                any_document=hint == "WT-2000",
            )
        )
    return manuals
