"""PDF manuals to blocks: pypdf layout text per page, running headers/footers removed.

Layout mode keeps the horizontal position of text, so table columns survive as runs separated by
spaces and the plain-text reader can rebuild them; two-column pages are put in reading order first
(:mod:`edge.knowledge.pdf_columns`). Running headers and footers are recognised by their first run
of text too, so a header that names the current chapter ("Manual    3 Technical data") goes.
Each line keeps its 1-based page number, which is what citations give.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Final

from edge.knowledge.pdf_columns import reading_order
from edge.knowledge.read_text import Line, parse_text
from edge.knowledge.records import Block

_LOGGER = logging.getLogger(__name__)

_PAGE_MARK: Final = re.compile(r"(^|\s)(page\s+)?\d{1,4}(\s*(of|/)\s*\d{1,4})?\s*$", re.IGNORECASE)
_DIGITS: Final = re.compile(r"\d+")
_RUNS: Final = re.compile(r"\s{2,}")


class PdfTextError(Exception):
    """The PDF has no extractable text (scanned images) or could not be decoded."""


class TooManyPages(PdfTextError):
    """The PDF has more pages than the reader was allowed."""


def read_pdf(
    path: Path,
    *,
    max_pages: int | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> tuple[str, list[Block], int]:
    """Title (from metadata, may be empty), blocks and page count of the PDF at ``path``.

    Args:
        path: the PDF.
        max_pages: refuse a longer PDF before extracting any text.
        on_page: called with (pages read, pages in all) after each page.

    Raises:
        TooManyPages: it has more than ``max_pages`` pages.
        PdfTextError: the file is not a readable PDF or holds no text.
    """
    import pypdf
    from pypdf.errors import PyPdfError

    try:
        reader = pypdf.PdfReader(str(path), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfTextError("the PDF is encrypted")
        count = len(reader.pages)
        if max_pages is not None and count > max_pages:
            raise TooManyPages(f"{count} pages, more than {max_pages}")
        pages = []
        for done, pdf_page in enumerate(reader.pages, start=1):
            pages.append(_page_lines(pdf_page.extract_text(extraction_mode="layout")))
            if on_page is not None:
                on_page(done, count)
        metadata = reader.metadata
        title = str(metadata.get("/Title") or "") if metadata is not None else ""
    except PdfTextError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, AttributeError) as err:
        # pypdf raises a wide range of errors on damaged files; all mean "cannot read this PDF".
        raise PdfTextError(f"not a readable PDF ({type(err).__name__}: {err})") from err
    if not any(line.strip() for page in pages for line in page):
        raise PdfTextError("the PDF has no text layer (scanned pages need OCR first)")
    repeated = _running_lines(pages)
    lines: list[Line] = []
    for number, page in enumerate(pages, start=1):
        drop = _edge_lines(page, repeated)
        # Headers and footers go first: read as columns they would land mid-page.
        kept = reading_order([line for k, line in enumerate(page) if k not in drop])
        lines.extend((line, number) for line in kept)
        lines.append(("", number))  # a page break ends a paragraph
    return " ".join(title.split()), parse_text(lines), len(pages)


def _page_lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.splitlines()]
    # Layout mode indents everything by the left margin; remove the common indent.
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return [line[cut:] for line in lines]


def _key(line: str) -> str:
    return _DIGITS.sub("#", " ".join(line.split()))


def _first_key(line: str) -> str:
    """The key of the first run of text of a line with several ("Manual    2 Safety")."""
    runs = _RUNS.split(line.strip())
    return "<first>" + _key(runs[0]) if runs[0] else ""


def _running_lines(pages: list[list[str]]) -> set[str]:
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


def _edge_lines(page: list[str], repeated: set[str]) -> set[int]:
    """Indexes of running lines and page numbers, peeled from the top and bottom inwards."""
    content = [k for k, line in enumerate(page) if line.strip()]
    drop: set[int] = set()
    for order in (content[:2], content[::-1][:2]):
        seen: set[str] = set()
        for k in order:
            key = _key(page[k])
            running = key in repeated or _first_key(page[k]) in repeated
            # The same words twice in a row are the running header and then the title itself.
            if key in seen or (not running and not _is_page_mark(page[k])):
                break
            seen.add(key)
            drop.add(k)
    return drop


def _is_page_mark(line: str) -> bool:
    """A line holding only a page number, "Page 3" or "3 of 14"."""
    stripped = line.strip()
    return bool(stripped) and len(stripped) <= 20 and bool(_PAGE_MARK.fullmatch(stripped))
