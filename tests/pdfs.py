"""Small PDFs made on the spot (fpdf2), for tests of what a PDF's size does to ingest."""

from __future__ import annotations

from pathlib import Path

import pytest


def three_page_pdf(path: Path) -> Path:
    """A three-page text PDF at ``path`` (one short section of two sentences per page)."""
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.set_font("Helvetica", size=11)
    for part in ("pitch bearing", "yaw brake", "gearbox pump"):
        pdf.add_page()
        pdf.multi_cell(0, 10, f"Check the {part} seals.\nReplace the {part} filter yearly.")
    pdf.output(str(path))
    return path
