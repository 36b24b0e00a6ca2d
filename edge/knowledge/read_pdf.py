"""PDF manuals to blocks: pypdf layout text per page, running headers/footers removed.

Layout mode keeps the horizontal position of text, so table columns survive as runs separated by
spaces and the plain-text reader can rebuild them; two-column pages are put in reading order first
(:mod:`edge.knowledge.pdf_columns`). Running headers and footers go
(:mod:`edge.knowledge.page_edges`).
Each line keeps its 1-based page number, which is what citations give.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from edge.knowledge.page_edges import edge_lines, running_lines
from edge.knowledge.pdf_columns import reading_order
from edge.knowledge.read_text import Line, parse_text
from edge.knowledge.records import Block

_LOGGER = logging.getLogger(__name__)


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
    repeated = running_lines(pages)
    lines: list[Line] = []
    for number, page in enumerate(pages, start=1):
        drop = edge_lines(page, repeated)
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
