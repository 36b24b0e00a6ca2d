"""Render a Markdown manual from samples/manuals/ as a paged PDF (fpdf2, pure Python).

Usage: ``python scripts/render_manual_pdf.py [SOURCE.md] [-o OUT.pdf]``; the default renders the
WT-2000 manual to ``tests/data/generated/manuals/wt2000-maintenance.pdf``.

Each chapter starts on a new page and every page has a running header and a "Page N of M" footer,
like a printed manual, so ingestion has real page numbers (and running lines) to deal with. The
output is byte-for-byte reproducible (fixed creation date), so re-ingesting it is a no-op.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Iterable
from pathlib import Path

from fpdf import FPDF

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from edge.knowledge.read_markdown import parse_markdown  # noqa: E402
from edge.knowledge.records import Block  # noqa: E402

DEFAULT_SOURCE = ROOT / "samples" / "manuals" / "wt2000-maintenance.md"
DEFAULT_OUT = ROOT / "tests" / "data" / "generated" / "manuals" / "wt2000-maintenance.pdf"
_FIXED_DATE = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
_REPLACEMENTS = {"\u2013": "-", "\u2014": "-", "\u2264": "<=", "\u2265": ">=", "\u03a9": "Ohm"}


def _latin1(text: str) -> str:
    """Core PDF fonts cover Latin-1 only (which has ° · µ ±); map the rest to ASCII."""
    for old, new in _REPLACEMENTS.items():
        text = text.replace(old, new)
    return text.encode("latin-1", "replace").decode("latin-1")


class _ManualPdf(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.manual_title = _latin1(title)
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(True, margin=20)
        self.set_creation_date(_FIXED_DATE)
        self.set_title(self.manual_title)
        self.alias_nb_pages()

    def header(self) -> None:
        self.set_font("Helvetica", "I", 8)
        self.cell(0, 6, self.manual_title, new_x="LMARGIN", new_y="NEXT", align="R")
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Helvetica", "I", 8)
        self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="C")


def render(source: Path, out: Path) -> Path:
    """Render the Markdown manual ``source`` to the PDF ``out``; return ``out``."""
    blocks = parse_markdown(source.read_text(encoding="utf-8"))
    title = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), source.stem)
    return render_blocks(title, blocks, out)


def render_blocks(
    title: str, blocks: Iterable[Block], out: Path, *, pages: int | None = None
) -> Path:
    """Render ``blocks`` under ``title`` to the PDF ``out``, stopping at ``pages`` pages if set."""
    pdf = _ManualPdf(title)
    pdf.add_page()
    first_chapter = True
    for block in blocks:
        if pages is not None and pdf.page_no() >= pages:
            break
        if block.kind == "heading":
            if block.level == 2 and not first_chapter:
                pdf.add_page()  # chapters start on a new page, as in a printed manual
            first_chapter = first_chapter and block.level != 2
            _heading(pdf, block)
        elif block.kind == "paragraph":
            pdf.set_font("Helvetica", "", 10)
            pdf.multi_cell(0, 5, _latin1(block.text), new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.ln(3)
        elif block.kind in ("steps", "list"):
            _items(pdf, block)
        elif block.kind == "table":
            _table(pdf, block)
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))
    return out


def _heading(pdf: FPDF, block: Block) -> None:
    size = {1: 16, 2: 14, 3: 12}.get(block.level, 11)
    pdf.set_font("Helvetica", "B", size)
    pdf.ln(2)
    pdf.multi_cell(0, size * 0.5, _latin1(block.text), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(3)


def _items(pdf: FPDF, block: Block) -> None:
    pdf.set_font("Helvetica", "", 10)
    for number, item in enumerate(block.items, start=1):
        mark = f"{number}." if block.kind == "steps" else "-"
        pdf.cell(8, 5, mark)
        # Wrapped lines hang under the text, as printed procedures do.
        pdf.multi_cell(0, 5, _latin1(item), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(3)


def _table(pdf: FPDF, block: Block) -> None:
    pdf.set_font("Helvetica", "", 9)
    width = len(block.rows[0])
    longest = [max(len(row[c]) for row in block.rows) for c in range(width)]
    # Never narrower than the longest word: fpdf2 would break "PITCH-HYD" mid-word.
    words = [
        max(len(w) for row in block.rows for w in row[c].split() or [""]) for c in range(width)
    ]
    widths = tuple(max(8, min(n, 45), w + 4) for n, w in zip(longest, words, strict=True))
    with pdf.table(
        col_widths=widths, v_align="TOP", text_align="LEFT", line_height=5, padding=1
    ) as table:
        for cells in block.rows:
            row = table.row()
            for cell in cells:
                row.cell(_latin1(cell))
    pdf.ln(4)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    print(render(args.source, args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
