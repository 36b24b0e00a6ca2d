"""Control words: "stop", "next", "repeat", "go to step 5", "yes" ... recognised before any routing.

A control word is a whole turn ("Stop.", "OK, done.", "What step am I on?"), possibly wrapped in
politeness or hesitation ("please", "um", "okay"). A stop word may also lead a new request
("Stop. What is the yaw brake pressure?": the request is answered; the stop was the barge-in) or
end a turn whose start was the assistant's own echo ("... the turbine log. Stop.").

whisper tiny.en mishears short commands, and the same way again and again ("Stop." -> "Scott.",
"Next." -> "Max."). The spellings measured with the repo's voices (``scripts/measure_controls.py``,
``docs/dialogue.md``) are listed with each phrase; a short turn that is none of them is compared
by sound with every phrase, and taken for the closest when it is close enough. Which commands a
turn may be depends on the conversation: "next" means something only in a procedure, "yes" only
after a read-back, so the caller says which are possible.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Final

from edge.knowledge.numbers import find_numbers


class Command(enum.StrEnum):
    """What a control turn asks for."""

    STOP = "stop"
    """Stop talking; nothing more is said, nothing is restarted."""
    CANCEL = "cancel"
    """Stop talking and drop what is open (a procedure, a read-back)."""
    REPEAT = "repeat"
    """Say the last answer again."""
    SLOWER = "slower"
    """Say the last answer again, slower."""
    NEXT = "next"
    """The next step of the procedure."""
    BACK = "back"
    """The previous step."""
    GOTO = "goto"
    """A step by number (:attr:`Control.step`)."""
    WHERE = "where"
    """Which step is this?"""
    LEFT = "left"
    """How many steps are left?"""
    READ_ALL = "read_all"
    """Every remaining step at once."""
    MORE = "more"
    """The rest of the last answer."""
    WHY = "why"
    """The explanation behind the last answer."""
    SOURCE = "source"
    """Where the last answer came from (the full citation)."""
    YES = "yes"
    """Confirms a read-back."""
    NO = "no"
    """Rejects a read-back."""


ALWAYS: Final = frozenset(
    {
        Command.STOP,
        Command.CANCEL,
        Command.REPEAT,
        Command.SLOWER,
        Command.MORE,
        Command.WHY,
        Command.SOURCE,
    }
)
"""Commands that mean something in any state of the conversation."""
PROCEDURE: Final = frozenset(
    {Command.NEXT, Command.BACK, Command.GOTO, Command.WHERE, Command.LEFT, Command.READ_ALL}
)
"""Commands that need an open procedure."""
CONFIRM: Final = frozenset({Command.YES, Command.NO})
"""Commands that answer a read-back."""

# Each command's phrases after normalisation (lower case, no punctuation), then the spellings
# whisper tiny.en wrote for them in the measurement's dev voices (docs/dialogue.md).
_PHRASES: Final[dict[Command, tuple[str, ...]]] = {
    Command.STOP: (
        "stop",
        "stop it",
        "stop talking",
        "stop there",
        "stop stop",
        "quiet",
        "be quiet",
        "quiet please",
        "silence",
        "shut up",
        "enough",
        "that's enough",
        "that's enough thanks",
        "hold on",
        "wait",
        "wait wait",
        "hush",
        "okay stop",
        "ok stop",
        "all right stop",
        # measured: whisper tiny.en on the dev voices (docs/dialogue.md)
        "start",
        "start talking",
        "start start",
        "start stop",
        "liet",
    ),
    Command.CANCEL: (
        "cancel",
        "cancel that",
        "cancel it",
        "never mind",
        "nevermind",
        "forget it",
        "forget that",
        "abort",
        "scrap that",
        # measured: whisper tiny.en on the dev voices (docs/dialogue.md)
        "console",
        "that reminded",
    ),
    Command.REPEAT: (
        "repeat",
        "repeat that",
        "repeat please",
        "repeat it",
        "say that again",
        "say it again",
        "again",
        "come again",
        "pardon",
        "pardon me",
        "what did you say",
        "sorry what",
        "once more",
        "one more time",
        # measured: whisper tiny.en on the dev voices (docs/dialogue.md)
        "hey again",
        "hey now again",
    ),
    Command.SLOWER: (
        "slower",
        "slower please",
        "slow down",
        "say it slower",
        "say that slower",
        "more slowly",
        "slowly",
        "too fast",
        "again slower",
        "repeat slower",
        # measured: whisper tiny.en on the dev voices (docs/dialogue.md)
        "flower",
        "floor",
        "slow air",
        "slow it",
        "sl w",
    ),
    Command.NEXT: (
        "next",
        "next step",
        "next one",
        "next please",
        "what's next",
        "what is next",
        "what's the next step",
        "what is the next step",
        "go on",
        "continue",
        "carry on",
        "done",
        "ok done",
        "okay done",
        "done next",
        "i'm done",
        "that's done",
        "finished",
        "got it next",
        "move on",
        # measured: whisper tiny.en on the dev voices (docs/dialogue.md)
        "what is the next tab",
        "what's the next tab",
    ),
    Command.BACK: (
        "back",
        "go back",
        "step back",
        "previous",
        "previous step",
        "previous one",
        "last step",
        "one back",
        "back one",
        "back please",
        "the step before",
        # measured: whisper tiny.en on the dev voices (docs/dialogue.md)
        "boc",
        "go mac",
    ),
    Command.WHERE: (
        "what step am i on",
        "which step am i on",
        "what step are we on",
        "which step",
        "what step",
        "where am i",
        "where are we",
        "current step",
        "what step is this",
        # measured: whisper tiny.en on the dev voices (docs/dialogue.md)
        "what step am i",
    ),
    Command.LEFT: (
        "how many left",
        "how many steps left",
        "how many more",
        "how many more steps",
        "how many to go",
        "how many steps to go",
        "how much left",
        "how much more",
    ),
    Command.READ_ALL: (
        "read all",
        "read them all",
        "read it all",
        "read all steps",
        "read all the steps",
        "read everything",
        "all steps",
        "all the steps",
        "read the whole thing",
        "read the whole procedure",
        "read the rest",
        "the whole procedure",
        # measured: whisper tiny.en on the dev voices (docs/dialogue.md)
        "redal",
        "retall",
        "redoil",
        "rito",
    ),
    Command.MORE: (
        "more",
        "tell me more",
        "more details",
        "details",
        "the details",
        "give me the details",
        "more please",
        "the rest",
        "what else",
        "anything else",
        "and",
        "go on then",
        # measured: whisper tiny.en on the dev voices (docs/dialogue.md)
        "details details",
    ),
    Command.WHY: (
        "why",
        "why is that",
        "why so",
        "how come",
        "explain",
        "explain that",
        # measured: whisper tiny.en on the dev voices (docs/dialogue.md)
        "y",
    ),
    Command.SOURCE: (
        "source",
        "what source",
        "what's the source",
        "what is the source",
        "where is that from",
        "where's that from",
        "where does that come from",
        "which section",
        "what section",
        "which manual",
        "citation",
        "reference",
        # measured: whisper tiny.en on piper (live suite, push-to-talk)
        "tors",
    ),
    Command.YES: (
        "yes",
        "yeah",
        "yep",
        "yup",
        "correct",
        "that's correct",
        "that's right",
        "right",
        "affirmative",
        "confirm",
        "confirmed",
        "yes please",
        "yes correct",
        "yes log it",
        "do it",
        "go ahead",
        "ok",
        "okay",
        "sure",
    ),
    Command.NO: (
        "no",
        "nope",
        "negative",
        "wrong",
        "that's wrong",
        "incorrect",
        "not right",
        "no that's wrong",
        "no thanks",
        "don't",
    ),
}
_GOTO: Final = re.compile(
    r"^(?:(?:go|skip|jump|move|take me|back) (?:to|ahead to|back to) )?(?:step|stop|steps) "
    r"(?:number )?(?P<n>\d+|[a-z]+(?: [a-z]+)?)$"
)
_STEP_WORDS: Final = {"to": 2, "too": 2, "for": 4, "fore": 4, "won": 1, "ate": 8, "tree": 3}
_FILLERS: Final = frozenset(
    {"please", "um", "uh", "er", "erm", "hmm", "hey", "so", "edge", "thanks", "thank", "you"}
)
_OPENERS: Final = ("okay ", "ok ", "all right ", "alright ", "right ", "and ", "now ")
_LEADING: Final = frozenset({Command.STOP, Command.CANCEL, Command.YES, Command.NO})
"""Commands that may lead a new request ("Stop. What is ...?", "No, it was 82 degrees.")."""
_TRAILING: Final = frozenset({Command.STOP, Command.CANCEL})
"""Commands that may end a turn whose start was the assistant's own echo."""
TAIL_WORDS: Final = 1
"""Words after a whole command that are taken for a scrap of mishearing, not a request."""
SHORT_WORDS: Final = 3
"""Turns of at most this many words are compared by sound when no phrase matches exactly."""
SOUND_LIKE: Final = 0.75
"""Least similarity of sound (0..1) for a short turn to count as a phrase it was not written as."""


@dataclass(frozen=True, slots=True)
class Control:
    """A recognised control turn."""

    command: Command
    step: int | None = None
    """For :attr:`Command.GOTO`: the step number asked for (1-based)."""
    rest: str = ""
    """A request that followed a leading stop word ("Stop. What is ...?"), to answer next."""
    exact: bool = True
    """False when matched by sound (a likely mishearing), not by its spelling."""


def normalize(text: str) -> str:
    """Lower case, apostrophes kept, other punctuation and extra spaces gone."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^a-z0-9' -]+", " ", text)
    text = re.sub(r"(?<![a-z])'|'(?![a-z])", " ", text)
    return " ".join(text.replace("-", " ").split())


def parse(text: str, possible: Collection[Command] = ALWAYS) -> Control | None:
    """The control command ``text`` is, among ``possible`` ones; None for any other request."""
    whole = _match(normalize(text), possible)
    if whole is not None:
        return whole
    clauses = [c for c in (normalize(c) for c in re.split(r"[.!?,;]+", text)) if c]
    if len(clauses) < 2:
        return None
    first = _match(clauses[0], _LEADING & set(possible), fuzzy=False)
    if first is not None:
        rest = _after_first_clause(text)
        again = parse(rest, possible) if rest else None
        return again or Control(first.command, rest=rest)
    first = _match(clauses[0], set(possible), fuzzy=False)
    if first is not None and sum(len(c.split()) for c in clauses[1:]) <= TAIL_WORDS:
        # "What step am I, Vaughn?": a whole command and a scrap misheard after it.
        return first
    last = _match(clauses[-1], _TRAILING & set(possible), fuzzy=False)
    if last is not None and not text.rstrip().endswith("?"):
        return last  # "... the turbine log. Stop.": the start was the assistant's own echo
    return None


def _match(words: str, possible: Collection[Command], *, fuzzy: bool = True) -> Control | None:
    words = _strip_fillers(words)
    if not words:
        return None
    if Command.GOTO in possible and (m := _GOTO.match(words)):
        step = _step_number(m.group("n"))
        if step is not None:
            return Control(Command.GOTO, step=step)
    for command in possible:
        if words in _PHRASES.get(command, ()):
            return Control(command)
    if not fuzzy or re.search(r"\d", words):
        return None  # a number or a code ("next to M5") is content, never a misheard command
    if (opening := _first_word_misheard(words, possible)) is not None:
        return opening
    if len(words.split()) > SHORT_WORDS:
        return None
    best = _closest(words, possible)
    return Control(best, exact=False) if best is not None else None


def _first_word_misheard(words: str, possible: Collection[Command]) -> Control | None:
    """A phrase of three or more words heard with only its first word wrong.

    Whisper has no context for the first word of a short turn: "read all the steps" comes out
    as "bring all the steps"; the rest of the phrase still says which command it is.
    """
    said = words.split()
    if len(said) < 3:
        return None
    for command in possible:
        for phrase in _PHRASES.get(command, ()):
            known = phrase.split()
            if len(known) == len(said) and known[1:] == said[1:]:
                return Control(command, exact=False)
    return None


def _strip_fillers(words: str) -> str:
    for opener in _OPENERS:
        # "okay done", "ok stop" are phrases in their own right; "okay next" is "next".
        if words.startswith(opener) and not _known(words):
            words = words[len(opener) :]
    kept = [w for w in words.split() if w not in _FILLERS]
    return " ".join(kept) if kept else ""


def _known(words: str) -> bool:
    return any(words in phrases for phrases in _PHRASES.values())


def _step_number(said: str) -> int | None:
    """The step number ``said`` is ("5", "five", "twenty one", "to"), None for any other words."""
    if said in _STEP_WORDS:
        return _STEP_WORDS[said]
    found = find_numbers(said)
    whole = len(found) == 1 and found[0].start == 0 and found[0].end == len(said)
    if whole and float(found[0].value).is_integer() and found[0].value >= 1:
        return int(found[0].value)
    return None


def _after_first_clause(text: str) -> str:
    m = re.search(r"[.!?,;]+\s*", text)
    return text[m.end() :].strip() if m else ""


def _closest(words: str, possible: Iterable[Command]) -> Command | None:
    heard = sound_key(words)
    if len(heard) < 3:
        return None  # "no", "why": too short to tell apart by sound
    scored: list[tuple[float, Command]] = []
    for command in possible:
        for phrase in _PHRASES.get(command, ()):
            key = sound_key(phrase)
            if key[:1] == heard[:1]:  # whisper keeps the first sound far more often than not
                scored.append((_similarity(heard, key), command))
    if not scored:
        return None
    score, command = max(scored, key=lambda s: s[0])
    return command if score >= SOUND_LIKE else None


def sound_key(words: str) -> str:
    """A rough key of how ``words`` sound: consonant classes, vowels folded to two marks.

    Voiced and unvoiced pairs share a class (whisper swaps them: "stob", "bag" for "back"),
    as do letters that spell one sound ("ck", "c", "k", "q").
    """
    text = normalize(words).replace(" ", "")
    for a, b in (("ph", "f"), ("ck", "k"), ("qu", "kw"), ("x", "ks"), ("th", "t"), ("sh", "s")):
        text = text.replace(a, b)
    text = re.sub(r"c(?=[eiy])", "s", text)
    classes = str.maketrans("bdgvzcqj'", "ptkfskksx")
    text = text.translate(classes).replace("x", "")
    text = re.sub(r"[eiy]+", "e", text)  # front vowels
    text = re.sub(r"[aou]+", "o", text)  # back and open vowels
    text = re.sub(r"(.)\1+", r"\1", text)  # doubled letters are one sound
    return text


def _similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return 1.0 - _levenshtein(a, b) / max(len(a), len(b))


def _levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
