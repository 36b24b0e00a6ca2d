"""Manuals on the device: ingest, hybrid search, extractive answers, limits and a semantic cache.

:class:`Knowledge` is the one object the rest of edge uses. Its methods block; run them on one
worker thread (``edge.aio.EngineThread``). The SQLite connection may be used from a thread other
than the one that opened it, but from one thread at a time. ``components``, ``resolve_component``,
``component``, ``glossary`` and ``limits`` read an in-memory snapshot and are safe from any thread
(the event loop included); the snapshot is refreshed on the worker when the database changes,
also when another process (``edge ingest``) changed it.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

import numpy as np

from edge.engines.base import Embedder
from edge.events import ToolResult
from edge.knowledge.abbreviations import learned, listed, merged, spelled
from edge.knowledge.answer import (
    answer_holds_kind,
    asks_for_procedure,
    compose,
    fit,
    machine_first,
    not_found,
    relevant,
)
from edge.knowledge.cache import SemanticCache, conversation_context, question_keys
from edge.knowledge.components import ComponentIndex, merge
from edge.knowledge.ingest import IngestLimits, Ingestor, expand_paths
from edge.knowledge.initialisms import initialisms, spelled_out
from edge.knowledge.limit_match import Described, codes, describe, normal_code, words
from edge.knowledge.machines import machine_name, machine_stems, machine_words, machines_named
from edge.knowledge.numbers import code_figures, find_numbers, stated_values
from edge.knowledge.progress import ProgressCallback
from edge.knowledge.records import Component, DocumentInfo, Hit, IngestOutcome, Limit
from edge.knowledge.search import EXACT_LIMIT, SearchOptions, search
from edge.knowledge.spoken import written
from edge.knowledge.store import Store, Vector
from edge.knowledge.terms import (
    WORDS_NOT_CODES,
    code_said_as_number,
    codes_in_question,
    codes_in_text,
    is_thread_size,
    misheard_code,
    normalize_code,
    quantity_not_code,
    stems,
    unknown_codes,
)

__all__ = ["Component", "DocumentInfo", "Hit", "IngestOutcome", "Knowledge", "Limit"]

_LOGGER = logging.getLogger(__name__)

GLOSSARY_WORDS: Final = 60
"""Longest glossary (words): Whisper's prompt holds ~224 tokens and must leave room."""
_MEMO: Final = 64
SEARCH_MODES: Final = ("auto", "exact", "coarse")
"""How the vector pass runs; see :meth:`Knowledge.open`."""
NAME_CHUNKS: Final = 3
"""A code printed in more chunks than this names a machine (see :meth:`Knowledge._names`) ..."""
NAME_CHAPTERS: Final = 2
"""... when they lie in more chapters than this; a code a manual's title prints always does."""


def _spread_like_a_name(spread: tuple[int, int]) -> bool:
    """Whether a code one manual prints in (chunks, chapters) is spread as a machine's name is."""
    chunks, chapters = spread
    return chunks > NAME_CHUNKS and chapters > NAME_CHAPTERS


_NEAR_TIE: Final = 0.9
"""Fused scores this close to the best (10 %) leave the choice to what the passages hold."""
ANSWER_HITS: Final = 6
"""Passages an answer is chosen from. The first near ties compete on what they hold; the others
are there for a best passage that lacks the kind of value asked ("how often do I change the
oil": the caution over the oil-change steps ranks first, the interval table fifth)."""
FIT_PER_SCORE: Final = 5.0
"""Weight of the fused score (relative to the best) against a passage's fit: ~0.5 per 10 %."""


@dataclass(frozen=True, slots=True)
class _Snapshot:
    index: ComponentIndex
    limits: tuple[Limit, ...]
    described: tuple[Described, ...]
    names: dict[str, tuple[str, ...]]
    vocabulary: frozenset[str]
    codes: dict[str, str]
    titles: dict[str, list[int]]
    title_codes: frozenset[str]
    """Codes the manuals' titles print, normalised: each names its machine."""
    own_names: dict[tuple[str, str], str]
    """(document title, component ID) -> the component's name in that manual."""
    machine_words: dict[str, frozenset[str]]
    """A word or pair that names one manual's machine ("power unit") -> its titles."""
    initialisms: dict[str, str]
    """Initials of a section title ("PPE") -> its words ("personal protective equipment")."""
    abbreviations: dict[str, str]
    """An abbreviation the manuals use ("LO") -> the words it stands for ("lube oil")."""
    vector_count: int
    version: int


def _spelled(text: str, snap: _Snapshot) -> str:
    """``text`` with what its initialisms and abbreviations stand for beside them.

    A code the manuals print with a space ("DTC 4120") is written joined first: its letters
    are no initialism to spell out between them and its number.
    """

    def joined(m: re.Match[str]) -> str:
        if (len(m[2]) == 1 and m[1].lower() in WORDS_NOT_CODES) or quantity_not_code(
            m[1], text[m.end(2) :]
        ):
            return m[0]  # "a 2 mm gap", "a 12 volt block": an article, not the code A2 or A12
        if m[3] and normalize_code(m[0]) in snap.vocabulary:
            return f"{m[1]}-{m[2]}{m[3]}"
        if normalize_code(f"{m[1]}{m[2]}") in snap.vocabulary:
            return f"{m[1]}-{m[2]}" + (f" {m[3]}" if m[3] else "")
        return m[0]

    text = _SPACED_CODE.sub(joined, text)
    return spelled(spelled_out(text, snap.initialisms), snap.abbreviations)


_SPACED_CODE: Final = re.compile(r"\b([A-Za-z]{1,4}) (\d{1,5}[A-Za-z]?)(?: ([A-Za-z]))?\b")
"""A code said with spaces: "DTC 4120", "TRIP 50 N" (the letter after its number said apart),
"M 2" ("m two says 152 degrees")."""


def _limit_key(lim: Limit) -> tuple[object, ...]:
    # The manual's title is in the key: two machines' manuals may print the very same limit
    # ("Insulation resistance, min. 10 MΩ"), and each machine keeps its own.
    document = lim.source.document if lim.source else ""
    return (document, lim.component_id, lim.parameter.lower(), lim.unit, lim.minimum, lim.maximum)


def describe_all(
    limits: Iterable[Limit],
    names: dict[str, tuple[str, ...]],
    documents: dict[str, tuple[list[Component], list[str]]],
    abbreviations: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[Described, ...]:
    """Every limit with its words, and the IDs and words of the manual it comes from.

    A component is named as its own manual names it: two manuals may both call something "M1"
    (a main drive motor in one, a traction motor in the other). ``abbreviations``: per manual
    title, what its abbreviations stand for.
    """
    doc_codes: dict[str, frozenset[str]] = {}
    doc_words: dict[str, frozenset[str]] = {}
    doc_names: dict[str, dict[str, tuple[str, ...]]] = {}
    for title, (components, texts) in documents.items():
        text = " ".join(texts)
        doc_codes[title] = frozenset({normal_code(c.id) for c in components} | codes(text))
        doc_words[title] = frozenset(words(text))
        doc_names[title] = {c.id: (c.name, *c.aliases) for c in components}
    out = []
    none: frozenset[str] = frozenset()
    for lim in limits:
        title = lim.source.document if lim.source else ""
        # Only the manual's own names: an ID it does not define is no part another manual
        # calls by that ID ("M1" is the hoist motor of a crane, a fan motor of a transformer).
        own = doc_names.get(title, {}) if title in doc_names else names
        out.append(
            describe(
                lim,
                own,
                doc_codes.get(title, none),
                doc_words.get(title, none),
                (abbreviations or {}).get(title),
            )
        )
    return tuple(out)


class Knowledge:
    """The manuals store of one device."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        *,
        cache_threshold: float,
        cache: bool,
        search_mode: str = "auto",
    ) -> None:
        if search_mode not in SEARCH_MODES:
            raise ValueError(f"search_mode must be one of {', '.join(SEARCH_MODES)}")
        self._search_mode = search_mode
        self._store = store
        self._embedder = embedder
        self._memo: OrderedDict[str, Vector] = OrderedDict()
        self._cache = SemanticCache(store, cache_threshold, enabled=cache)
        self._snap = self._load_snapshot()

    @classmethod
    def open(
        cls,
        db_path: Path,
        embedder: Embedder,
        *,
        cache_threshold: float = 0.95,
        cache: bool = True,
        search_mode: str = "auto",
    ) -> Knowledge:
        """Open (or create) the manuals database at ``db_path``.

        Args:
            db_path: SQLite file (``Config.knowledge_db``).
            embedder: sentence encoder; the database remembers which one built it.
            cache_threshold: cosine similarity for reusing a past answer
                (``knowledge.cache_threshold``).
            cache: whether the semantic cache is used (``knowledge.cache``).
            search_mode: ``"auto"`` (exact float KNN up to :data:`EXACT_LIMIT` vectors, a
                binary-quantised first pass with exact re-ranking above), or ``"exact"`` /
                ``"coarse"`` to force one (the benchmark compares them).

        Raises:
            KnowledgeError: sqlite-vec cannot be loaded, or the file is unusable or was built with
                another embedding model (the ``fix`` says what to do).
        """
        store = Store.open(Path(db_path), dim=int(embedder.dim), model=embedder.model_name)
        return cls(
            store, embedder, cache_threshold=cache_threshold, cache=cache, search_mode=search_mode
        )

    def close(self) -> None:
        """Close the database."""
        self._store.close()

    # -- snapshot ---------------------------------------------------------------------------------

    def _load_snapshot(self) -> _Snapshot:
        codes = self._store.codes()
        titles: dict[str, list[int]] = {}
        for doc in self._store.documents():
            titles.setdefault(doc.title, []).append(doc.doc_id)
        index = ComponentIndex(merge(self._store.components()))
        # The same manual as PDF and Markdown gives the same limits twice; keep one.
        limits = tuple({_limit_key(lim): lim for lim in self._store.limits()}.values())
        names = {c.id: (c.name, *c.aliases) for c in index.components}
        terms = self._store.document_terms()
        tables = self._store.tables()
        own_abbreviations = {
            title: learned(tables.get(title, ()), {c.id: c.name for c in comps}, texts)
            for title, (comps, texts) in terms.items()
        }
        # A limit is described by every abbreviation its manual defines, its list included.
        limit_abbreviations = {
            title: {**listed(tables.get(title, ()), texts), **own_abbreviations[title]}
            for title, (_, texts) in terms.items()
        }
        return _Snapshot(
            index=index,
            limits=limits,
            described=describe_all(limits, names, terms, limit_abbreviations),
            names=names,
            vocabulary=frozenset(codes),
            codes=codes,
            titles=titles,
            title_codes=frozenset(normalize_code(c) for t in titles for c in codes_in_text(t)),
            own_names={(title, c.id): c.name for title, (comps, _) in terms.items() for c in comps},
            machine_words=machine_words({title: texts for title, (_, texts) in terms.items()}),
            initialisms=initialisms(self._store.section_titles()),
            abbreviations=merged(own_abbreviations.values()),
            vector_count=self._store.vector_count(),
            version=self._store.data_version(),
        )

    def _refresh(self, *, force: bool = False) -> _Snapshot:
        if force or self._store.data_version() != self._snap.version:
            self._snap = self._load_snapshot()
            self._cache.reload()
        return self._snap

    def refresh(self) -> None:
        """Reload the in-memory snapshot if the database changed (e.g. ``edge ingest`` ran)."""
        self._refresh()

    # -- questions --------------------------------------------------------------------------------

    def embed(self, text: str) -> Vector:
        """The embedding of ``text``, memoised.

        A turn that embedded its transcript once (for the cache or the router) gets the same
        vector back for free when the tool searches.
        """
        vector = self._memo.get(text)
        if vector is None:
            vector = np.asarray(self._embedder.embed([text])[0], dtype=np.float32)
            self._memo[text] = vector
            if len(self._memo) > _MEMO:
                self._memo.popitem(last=False)
        else:
            self._memo.move_to_end(text)
        return vector

    def search(
        self,
        question: str,
        *,
        component_id: str | None = None,
        k: int = 3,
        vector: np.ndarray | None = None,
        prefer_component: str | None = None,
        machine: str | None = None,
    ) -> list[Hit]:
        """The ``k`` chunks that best answer ``question``, best first.

        Args:
            question: the technician's words.
            component_id: only chunks about this component (a hard filter).
            k: how many hits.
            vector: the question's embedding, when the caller already has it.
            prefer_component: rank this component's chunks a little higher (a soft filter).
            machine: title of the manual of the machine being worked on: its chunks' scores
                count double when the question names no machine (a soft filter).
        """
        snap = self._refresh()
        question = _spelled(written(question), snap)
        vec = self.embed(question) if vector is None else np.asarray(vector, dtype=np.float32)
        named = self._named_documents(question, snap)
        mode = self._search_mode
        if mode == "auto":
            mode = "exact" if snap.vector_count <= EXACT_LIMIT else "coarse"
        options = SearchOptions(
            k=k,
            component_id=component_id,
            prefer_component=prefer_component,
            mode=mode,
            prefer_documents=named,
            machine_documents=named or frozenset(snap.titles.get(machine, ()) if machine else ()),
        )
        vocabulary = snap.vocabulary - self._names(question, snap)
        return search(self._store, question, vec, vocabulary, options)

    def _names(self, question: str, snap: _Snapshot) -> frozenset[str]:
        """Codes in the question that name a machine rather than a thing in it.

        "WC-180" or "MP-6L12T" is printed all over its manual, and in its title: a chunk holding
        it is no more likely to answer than any other, and one without it still may ("the RLA on
        the WC-180"). A code printed in a few chunks ("E-117", "M24") points at them, and so does
        one printed often within a chapter or two: a fault code in its table, in the title of the
        section about it and in that section's paragraphs ("Returning to service after F-06").
        """
        return frozenset(
            c
            for c in codes_in_question(question, snap.vocabulary)
            if c in snap.title_codes
            # A thread size ("M12") is a size every manual prints, not a thing of one of them.
            or _spread_like_a_name(self._store.code_spread(c, whole_store=is_thread_size(c)))
        )

    def _named_documents(self, question: str, snap: _Snapshot) -> frozenset[int]:
        """Manuals the question names, by code or by the words for their machine.

        A code only they print ("the WC-180"), or words of their title only they use much ("the
        power unit", "on the truck").
        """
        said = codes_in_question(question, snap.vocabulary)
        # A thread size ("M30") is every machine's: it names none.
        found = self._store.code_documents([c for c in said if not is_thread_size(c)])
        total = len({d for ids in snap.titles.values() for d in ids})
        named = [docs for docs in found.values() if len(docs) < max(2, total)]
        by_code = {d for docs in named for d in docs}
        machines = machines_named(question, snap.machine_words)
        by_words = {d for title in machines for d in snap.titles.get(title, ())}
        if len(by_words) >= max(2, total):
            by_words = set()  # words naming every manual name none
        return frozenset(by_code | by_words)

    def answer(
        self,
        question: str,
        *,
        component_id: str | None = None,
        vector: np.ndarray | None = None,
        machine: str | None = None,
    ) -> ToolResult:
        """Answer ``question`` from the manuals, quoting them.

        ``component_id`` is the conversation's component, used when the question names none;
        ``machine`` the manual of the machine being worked on, preferred when it names none.
        """
        snap = self._refresh()
        question = written(question)
        spelled_question = _spelled(question, snap)
        if spelled_question != question:
            # "What PPE ...": the words of the title it stands for are searched and matched too
            # (the turn's vector is of the words without them).
            question, vector = spelled_question, None
        mine = frozenset(snap.titles.get(machine, ())) if machine else frozenset()

        def printed_here(found: list[str]) -> list[str]:
            documents = self._store.code_documents(found)
            return [c for c in found if documents.get(c, set()) & mine]

        number, code = code_said_as_number(question, snap.vocabulary, printed_here)
        if code:
            # "What's a 5104": the manuals' F5104, searched and matched as the code it is.
            question = re.sub(rf"\b{number}\b", snap.codes[code], question, count=1)
        named = snap.index.resolve(question)
        component = named or (snap.index.get(component_id) if component_id else None)
        names = self._names(question, snap)
        codes = [c for c in codes_in_question(question, snap.vocabulary) if c not in names]
        unknown = unknown_codes(question, snap.vocabulary)
        if not unknown or codes:
            return self._answer(question, vector, codes, component, machine)
        known = misheard_code(unknown[0], snap.vocabulary) if len(unknown) == 1 else None
        if known is None:
            return not_found(question, component, unknown)
        # Answer for the code it was probably ("E-170" for "E one seventeen"), saying so first.
        printed = snap.codes[known]
        result = self._answer(
            question.replace(unknown[0], printed), None, [known], component, machine
        )
        heard = f"The manuals have no {unknown[0]}; this is {printed}."
        return replace(result, speech=(heard, *result.speech))

    def _answer(
        self,
        question: str,
        vector: np.ndarray | None,
        codes: list[str],
        component: Component | None,
        machine: str | None,
    ) -> ToolResult:
        hits = self.search(
            question,
            vector=vector,
            k=ANSWER_HITS,
            prefer_component=component.id if component else None,
            machine=machine,
        )
        # "What's the oil in this power unit": the title page says "power unit" and nothing
        # else asked. A passage that shares no word of the question but the machine's name
        # (its words, or its code printed in the manual's title) does not answer, however alike
        # the two read.
        asked = stems(question) - machine_stems(question, self._snap.machine_words)
        names = stems(" ".join(self._names(question, self._snap)))
        hits = [
            h for h in hits if h.codes_matched or (asked - (names & stems(h.document))) & _words(h)
        ]
        if not hits:
            return not_found(question, component, ())
        skipped: list[str] = []
        mine = frozenset(self._snap.titles.get(machine, ())) if machine else frozenset()
        hits = machine_first(hits, mine, codes)
        first = hits[0]

        def fits(hit: Hit) -> bool:
            return relevant(hit, codes, at_machine=hit.doc_id in mine)

        if fits(first):
            # Fused scores this close say little: among near ties the passage that holds the
            # question's words and the kind of value asked answers ("what's the intake valve
            # clearance": the text with "0.30 mm", not the valve-sequence table beside it); a
            # dead heat goes to the one covering more of the question's words.
            near = [
                h
                for h in hits[1:]
                if h.score >= first.score * _NEAR_TIE
                and fits(h)
                # At a machine, its manual's passage is not passed over for another's.
                and (first.doc_id not in mine or h.doc_id in mine)
            ]
            naming = machine_stems(question, self._snap.machine_words)
            rated = [
                (
                    fit(question, h, codes, skipped, machine=naming, names=self._part_names(h))
                    + FIT_PER_SCORE * h.score / first.score,
                    h,
                )
                for h in [first, *near]
            ]
            best: Hit | None = max(rated, key=lambda r: (round(r[0], 3), r[1].coverage))[1]
        else:
            # Near-ties in the fused ranking are common ("lockout tagout" vs "rotor lock"): when
            # the first hit is not relevant, a runner-up may answer, but only one that also covers
            # most of the question's words (similarity alone let "tyre pressure for the van"
            # through).
            best = next((h for h in hits[1:] if h.coverage >= 0.5 and fits(h)), None)
        if best is None:
            return not_found(question, component, ())
        if machine is not None and self._another_machines(question, best, machine):
            # At the elevator, "how often is the hydraulic oil changed" answered from the
            # forklift's manual would be a wrong interval for the machine in front of them.
            said = (
                f"Not in the {machine_name(machine)} manual; "
                f"the {machine_name(best.document)} manual has it."
            )
            data = {"found": False, "declined": "other-machine", "elsewhere": best.document}
            return ToolResult(speech=(said,), ok=False, data=data)
        if best.kind != "steps" and asks_for_procedure(question):
            # "How do I change the oil": the section's text came up (its warning, its interval);
            # its procedure answers.
            best = self._procedure_of(best) or best
        result = compose(question, best, codes, component, self._part_names(best))
        if result.data.get("declined") or (result.ok and not answer_holds_kind(question, result)):
            # A row or sentence about it without the kind of value asked ("how heavy a battery":
            # "only fit batteries within the range on the nameplate"): a passage of the manual
            # that has it answers; when none does, the declined answer or the sentence stands.
            return self._another_passage(question, hits, best, codes, component) or result
        if result.ok:
            # A passage passed over for instructions to an assistant is still reported.
            flagged = list(dict.fromkeys([*result.data.get("flagged", ()), *skipped]))
            return replace(result, data={**result.data, "flagged": flagged})
        # Everything the best hit said was instructions to an assistant (a tampered manual): the
        # next relevant hit answers, so one bad manual cannot silence another's real answer.
        for other in (h for h in hits if h is not best and relevant(h, codes)):
            fallback = compose(question, other, codes, component, self._part_names(other))
            if fallback.ok:
                flagged = [*result.data.get("flagged", ()), *fallback.data.get("flagged", ())]
                return replace(fallback, data={**fallback.data, "flagged": flagged})
        return result

    def _procedure_of(self, hit: Hit) -> Hit | None:
        """The first procedure of ``hit``'s section, as a hit in its place (None if it has none)."""
        found = self._store.section_procedures(hit.doc_id, hit.section)
        if not found:
            return None
        row = self._store.chunk_rows(found[:1])[found[0]]
        return replace(
            hit,
            chunk_id=found[0],
            kind="steps",
            text=row["text"],
            items=row["items"],
            intro=row["intro"],
            rows=(),
            row_similarities=(),
            components=row["components"],
        )

    def _another_passage(
        self,
        question: str,
        hits: list[Hit],
        best: Hit,
        codes: list[str],
        component: Component | None,
    ) -> ToolResult | None:
        """Another passage of ``best``'s manual that holds the kind of value ``best`` lacked.

        The best passage is about it and holds no such value ("what's the intake valve
        clearance": the valve-sequence table; "what should the accumulator precharge be": the
        maintenance schedule). Another relevant passage of the manual may (the procedure's
        intro: "The intake valve clearance must be 0.30 mm"). A figure the question states ("the
        forty litre accumulator", "a 16 mm tube") must be in it: without it, the passage is about
        another size. None when no passage does.
        """
        figures = stated_values(question)
        for other in hits:
            if (
                other is best
                or other.doc_id != best.doc_id
                or not relevant(other, codes)
                # A figure in a code counts here: "forty six?" is the "ISO VG 46" it names, and
                # "ES thirty thirty" the "ES-30/30".
                or not figures <= _figures_in(_passage_text(other))
            ):
                continue
            found = compose(question, other, codes, component, self._part_names(other))
            if found.ok and answer_holds_kind(question, found, judged=False):
                return found
        return None

    def _another_machines(self, question: str, hit: Hit, machine: str) -> bool:
        """``hit`` is from another manual than the machine being worked on's.

        Only when the question names no machine: naming one asks about it.
        """
        snap = self._snap
        mine = snap.titles.get(machine, [])
        return bool(mine) and hit.doc_id not in mine and not self._named_documents(question, snap)

    def _part_names(self, hit: Hit) -> dict[str, str]:
        """Names of the components ``hit`` holds by ID, as its manual names them."""
        named = ((cid, self.component_name(cid, hit.document)) for cid in hit.components)
        return {cid: name for cid, name in named if name}

    # -- components, glossary, limits (in memory, any thread) -------------------------------------

    def components(self) -> list[Component]:
        """Every component the manuals define, by ID."""
        return list(self._snap.index.components)

    def component(self, component_id: str) -> Component | None:
        """The component with this ID (or name), if known."""
        return self._snap.index.get(component_id)

    def component_name(self, component_id: str, document: str | None = None) -> str | None:
        """The name of ``component_id`` as ``document`` (a manual's title) calls it.

        Two manuals may give one ID to different parts ("M1": a main drive motor, a traction
        motor); a limit's part is named as its own manual names it, and not at all when that
        manual does not name it (another manual's part of that ID is not this one). Without a
        document, the name the manuals agree on first.
        """
        snap = self._snap
        if document and document in snap.titles:
            return snap.own_names.get((document, component_id))
        found = snap.index.get(component_id)
        return found.name if found else None

    def machines_named(self, text: str) -> frozenset[str]:
        """Titles of the manuals ``text`` names by the words for their machine ("the skid")."""
        return machines_named(text, self._snap.machine_words)

    def resolve_component(self, text: str) -> str | None:
        """ID of the component named in ``text`` ("yaw brake" -> ``"YAW-BRK"``), if any."""
        found = self._snap.index.resolve(text)
        return found.id if found else None

    def codes(self) -> dict[str, str]:
        """Every code the manuals contain: normalized (``e117``) -> as printed (``E-117``)."""
        return dict(self._snap.codes)

    def limits(self, component_id: str | None = None) -> list[Limit]:
        """Operating limits of one component (or all), as the manuals' limits tables give them."""
        return [
            lim
            for lim in self._snap.limits
            if component_id is None or lim.component_id == component_id
        ]

    def described_limits(self) -> tuple[Described, ...]:
        """Every limit with the words that describe it, for matching spoken readings."""
        return self._snap.described

    def spell_out(self, transcript: str) -> str:
        """``transcript`` with the words its initialisms and abbreviations stand for beside them.

        "LO pressure is 3.8 bar" -> "LO (lube oil) pressure is 3.8 bar", when the manuals use
        "LO" for lube oil (see :mod:`edge.knowledge.abbreviations`).
        """
        return _spelled(transcript, self._snap)

    def component_names(self, machine: str | None = None) -> dict[str, tuple[str, ...]]:
        """Component ID -> its name and aliases.

        At a ``machine`` (its manual's title) an ID its manual defines is named as that manual
        names it: "M1" said at the escalator is its main drive motor, not the crane's hoist
        motor or a turbine's PT100 sensor kit.
        """
        snap = self._snap
        if machine is None:
            return snap.names
        own = {cid: (name,) for (title, cid), name in snap.own_names.items() if title == machine}
        return {**snap.names, **own}

    def glossary(self) -> str:
        """Domain words for the speech recogniser's prompt (at most ~60 words).

        Product names, component names, bolt sizes and units. Whisper reads the prompt as the
        text said just before, so the prompt must look like speech: component IDs nobody says
        ("YAW-BRK") and long lists of fault codes make it spell letters ("O-E-L-E-G") or repeat
        itself. Measured on the 83 spoken sample questions (whisper tiny.en): codes included,
        mean WER 0.30; names and bolt sizes only, 0.17; no prompt, 0.18 (and "Aubrey caliper").
        Fault codes need no help: "E 117" is matched to E-117 by the manuals' code index.
        """
        snap = self._snap
        shown = sorted(set(snap.codes.values()))
        products = [c for c in shown if any(c in title for title in snap.titles)]
        words = [*products, *(c.name for c in snap.index.components)]
        text = ", ".join(dict.fromkeys(words))
        bolts = sorted((c for c in shown if re.fullmatch(r"M\d{1,2}", c)), key=lambda c: int(c[1:]))
        for bolt in bolts:
            if len(f"{text}, {bolt}".split()) > GLOSSARY_WORDS - 4:
                break
            text = f"{text}, {bolt}" if text else bolt
        return f"{text}, N·m, bar, rpm, °C." if text else "N·m, bar, rpm, °C."

    # -- semantic cache ---------------------------------------------------------------------------

    def cache_lookup(
        self,
        vector: np.ndarray,
        *,
        question: str | None = None,
        component_id: str | None = None,
        machine: str | None = None,
    ) -> ToolResult | None:
        """A past answer for a question meaning the same, or None.

        Args:
            vector: the transcript's embedding (``embed(transcript)``).
            question: the transcript; when given, codes and numbers must match exactly. Without
                it only answers to questions without codes or numbers are reused, because "M24"
                and "M30" questions embed almost identically. Pass it.
            component_id: the conversation's component (``ToolRequest.component_id``).
            machine: the machine being worked on (``ToolRequest.machine``).
        """
        snap = self._refresh()
        keys = None
        if question is not None:
            keys = question_keys(question, codes_in_question(question, snap.vocabulary))
            if snap.index.resolve(question) is not None:
                component_id = None  # the question names its part: the conversation's is moot
        return self._cache.lookup(
            np.asarray(vector, dtype=np.float32),
            keys=keys,
            context=conversation_context(component_id, machine),
        )

    def cache_store(
        self,
        question: str,
        vector: np.ndarray,
        result: ToolResult,
        *,
        component_id: str | None = None,
        machine: str | None = None,
    ) -> None:
        """Remember ``result`` as the answer to ``question`` (ignored unless it is cacheable)."""
        snap = self._refresh()
        named = snap.index.resolve(question) is not None
        doc_ids = sorted({d for s in result.sources for d in snap.titles.get(s.document, [])})
        self._cache.store_answer(
            question,
            np.asarray(vector, dtype=np.float32),
            result,
            keys=question_keys(question, codes_in_question(question, snap.vocabulary)),
            named=named,
            context=conversation_context(None if named else component_id, machine),
            doc_ids=doc_ids,
        )

    # -- library ----------------------------------------------------------------------------------

    def ingest(
        self,
        paths: Iterable[Path],
        *,
        limits: IngestLimits | None = None,
        progress: ProgressCallback | None = None,
    ) -> list[IngestOutcome]:
        """Ingest files and folders of manuals; one outcome per file, bad files included.

        Args:
            paths: files and folders.
            limits: largest manual accepted (pages, MB); none by default.
            progress: receives pages read and texts embedded as the work goes on.
        """
        ingestor = Ingestor(self._store, self._embedder, limits=limits, progress=progress)
        outcomes = [ingestor.ingest(path) for path in expand_paths(paths)]
        self._refresh(force=True)
        return outcomes

    def documents(self) -> list[DocumentInfo]:
        """The stored manuals."""
        return self._store.documents()

    def remove(self, ref: str) -> list[DocumentInfo]:
        """Remove manuals matching ``ref`` (doc id, path, file name or title); return them."""
        wanted = ref.strip()
        gone = [
            d
            for d in self._store.documents()
            if wanted in (str(d.doc_id), d.path, Path(d.path).name)
            or d.title.lower() == wanted.lower()
            or (wanted and Path(wanted).exists() and str(Path(wanted).resolve()) == d.path)
        ]
        if gone:
            with self._store.transaction():
                for doc in gone:
                    self._store.delete_document(doc.doc_id)
            self._refresh(force=True)
        return gone


def _passage_text(hit: Hit) -> str:
    """Everything ``hit`` says: its text, intro, table cells and steps."""
    cells = (cell for row in hit.rows for cell in row)
    return " ".join([hit.text, hit.intro, *cells, *hit.items])


def _words(hit: Hit) -> frozenset[str]:
    """Stems of everything ``hit`` says, its section titles included."""
    return frozenset(stems(f"{' '.join(hit.section)} {_passage_text(hit)}"))


def _figures_in(text: str) -> set[float]:
    """Every figure ``text`` prints, in codes too, and its codes' figures said group by group."""
    return {n.value for n in find_numbers(text)} | code_figures(text)
