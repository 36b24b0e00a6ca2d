"""Running headers, footers and page numbers: lines at a page's edges that repeat on most pages.

A PDF's layout text, and a plain-text manual extracted from one (pages split by form feeds), carry
the running header ("OBC-20 Bridge Crane  ·  Service Manual  ·  Rev. C"), the footer and the page
number on every page. Left in, they land in the middle of paragraphs and tables. A line counts
as running when it (digits masked) or its first run of text is at the top or bottom of most
pages, so a header that names the current chapter ("Manual    3 Technical data") goes too.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Final

_PAGE_MARK: Final = re.compile(r"(^|\s)(page\s+)?\d{1,4}(\s*(of|/)\s*\d{1,4})?\s*$", re.IGNORECASE)
_DIGITS: Final = re.compile(r"\d+")
_RUNS: Final = re.compile(r"\s{2,}")


def _key(line: str) -> str:
    return _DIGITS.sub("#", " ".join(line.split()))


def _first_key(line: str) -> str:
    """The key of the first run of text of a line with several ("Manual    2 Safety")."""
    runs = _RUNS.split(line.strip())
    return "<first>" + _key(runs[0]) if runs[0] else ""


def running_lines(pages: list[list[str]]) -> set[str]:
    """Lines (digits masked) at the top or bottom of most pages: running headers and footers."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for page in pages:
        content = [line for line in page if line.strip()]
        edges = content[:2] + content[-2:]
        counts.update({_key(line) for line in edges} | {_first_key(line) for line in edges})
    counts.pop("", None)
    return {line for line, n in counts.items() if n >= max(3, len(pages) // 2)}


def edge_lines(page: list[str], repeated: set[str]) -> set[int]:
    """Indexes of running lines and page numbers, peeled from the top and bottom inwards."""
    content = [k for k, line in enumerate(page) if line.strip()]
    drop: set[int] = set()
    for order in (content[:2], content[::-1][:2]):
        seen: set[str] = set()
        for k in order:
            key = _key(page[k])
            running = key in repeated or _first_key(page[k]) in repeated
            # The same words twice in a row are the running header and then the title itself.
            if key in seen or (not running and not is_page_mark(page[k])):
                break
            seen.add(key)
            drop.add(k)
    return drop


def is_page_mark(line: str) -> bool:
    """A line holding only a page number, "Page 3" or "3 of 14"."""
    stripped = line.strip()
    return bool(stripped) and len(stripped) <= 20 and bool(_PAGE_MARK.fullmatch(stripped))


def form_fed_lines(text: str) -> tuple[list[tuple[str, int]], int]:
    """The lines of text whose pages are split by form feeds, each with its page, edges removed.

    ``pdftotext`` writes a form feed between pages; so do many manuals kept as plain text. The
    pages give citations their page numbers, and their running lines are dropped as a PDF's are.
    Returns the lines and the number of pages.
    """
    pages = [page.splitlines() for page in text.split("\f")]
    if pages and not any(line.strip() for line in pages[-1]):
        pages.pop()  # the form feed after the last page
    repeated = running_lines(pages)
    lines: list[tuple[str, int]] = []
    for number, page in enumerate(pages, start=1):
        drop = edge_lines(page, repeated)
        lines.extend((line, number) for k, line in enumerate(page) if k not in drop)
        lines.append(("", number))  # a page break ends a paragraph
    return lines, len(pages)
