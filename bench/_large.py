"""Large manuals made by the repo, for the ingest benchmark and the oversize tests.

Usage: ``python -m bench._large KIND OUT [--size N]`` with KIND ``pdf`` (N pages), ``table``
(N rows), ``text`` (N MB) or ``line`` (N MB on one line).

The text reads like a maintenance manual (numbered chapters and sections, paragraphs of
inspection and repair sentences, procedures, small limit tables) and is drawn from a seeded
generator, so every run makes the same bytes. A page of the PDF holds about 450 words, like a
printed A4 manual in 10 pt type.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from edge.knowledge.records import Block

SEED: Final = 2000
_PARTS: Final = (
    ("Yaw brake caliper", "YAW-BRK"),
    ("Gearbox oil pump", "GBX-PMP"),
    ("Pitch bearing", "PIT-BRG"),
    ("Main shaft bearing", "MSH-BRG"),
    ("Generator cooling fan", "GEN-FAN"),
    ("Hydraulic accumulator", "HYD-ACC"),
    ("Tower ladder fall arrest", "TWR-FAL"),
    ("Converter cabinet filter", "CNV-FLT"),
    ("Anemometer mast", "MET-ANE"),
    ("Slip ring unit", "SLR-UNT"),
)
_CHECKS: Final = (
    "Inspect the {part} for cracks, corrosion and oil residue before every service.",
    "Check that the {part} turns freely by hand; a rough spot means the bearing is worn.",
    "Measure the clearance of the {part} with a feeler gauge and record it in the log.",
    "Torque the {part} fixing bolts to {n} N m in a cross pattern, in two passes.",
    "Replace the {part} seal if the leak rate exceeds {m} drops per minute.",
    "Clean the {part} with a lint-free cloth; never use compressed air near the seals.",
    "The {part} temperature must stay below {n} degrees Celsius during normal operation.",
    "Lock out the rotor and the yaw drive before you open the {part} housing.",
    "Grease the {part} with {m} grams of the approved grease every {n} operating hours.",
    "If the {part} alarm persists after a reset, stop the turbine and call the service desk.",
    "Wear cut-resistant gloves and eye protection when working on the {part}.",
    "Record the serial number of a replaced {part} in the turbine's maintenance record.",
)


def _sentence(rng: random.Random) -> str:
    part, _ = rng.choice(_PARTS)
    return rng.choice(_CHECKS).format(
        part=part.lower(), n=rng.randrange(20, 900, 5), m=rng.randrange(2, 60)
    )


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences))


def manual_blocks(seed: int = SEED) -> Iterator[Block]:
    """An endless maintenance manual: chapters of sections of paragraphs, steps and tables."""
    rng = random.Random(seed)
    yield Block("heading", "WT-9000 Service Manual (generated)", level=1)
    chapter = 0
    while True:
        chapter += 1
        part, code = _PARTS[chapter % len(_PARTS)]
        yield Block("heading", f"{chapter} {part} service, series {chapter}", level=2)
        for section in range(1, 7):
            yield Block("heading", f"{chapter}.{section} {part} ({code}) check {section}", level=3)
            for _ in range(rng.randrange(2, 5)):
                yield Block("paragraph", _paragraph(rng, rng.randrange(3, 8)))
            if section % 3 == 0:
                steps = tuple(_sentence(rng) for _ in range(rng.randrange(3, 7)))
                yield Block("steps", items=steps)
            if section % 4 == 0:
                rows = [("Parameter", "Minimum", "Maximum", "Unit")]
                for k in range(rng.randrange(3, 7)):
                    low = rng.randrange(1, 50)
                    rows.append((f"{part} value {k + 1}", str(low), str(low + 40), "bar"))
                yield Block("table", rows=tuple(rows))


def write_pdf(out: Path, pages: int) -> Path:
    """A text PDF of ``pages`` pages (fpdf2, a dev dependency)."""
    scripts = Path(__file__).resolve().parents[1] / "scripts"
    sys.path.insert(0, str(scripts))
    from render_manual_pdf import render_blocks

    return render_blocks("WT-9000 Service Manual (generated)", manual_blocks(), out, pages=pages)


def write_table(out: Path, rows: int) -> Path:
    """A Markdown manual holding one parts table of ``rows`` rows."""
    rng = random.Random(SEED)
    with out.open("w", encoding="utf-8") as f:
        f.write("# WT-9000 Spare Parts Catalogue (generated)\n\n## 1 Parts list\n\n")
        f.write("| Part number | Description | Component | Torque (N m) | Stock |\n")
        f.write("|---|---|---|---|---|\n")
        for i in range(rows):
            part, code = rng.choice(_PARTS)
            torque, stock = rng.randrange(5, 900, 5), rng.randrange(0, 40)
            f.write(f"| P-{i:07d} | {part} kit {i % 97} | {code} | {torque} | {stock} |\n")
    return out


def write_text(out: Path, megabytes: float) -> Path:
    """A plain-text manual of about ``megabytes`` MB: numbered sections of paragraphs."""
    rng = random.Random(SEED)
    limit = int(megabytes * 1_000_000)
    written = 0
    section = 0
    with out.open("w", encoding="utf-8") as f:
        written += f.write("WT-9000 Field Notes (generated)\n===============================\n\n")
        while written < limit:
            section += 1
            written += f.write(f"{section} {_PARTS[section % len(_PARTS)][0]} notes\n\n")
            for _ in range(rng.randrange(3, 7)):
                written += f.write(_paragraph(rng, rng.randrange(3, 9)) + "\n\n")
    return out


def write_one_line(out: Path, megabytes: float) -> Path:
    """``megabytes`` MB of sentences on a single line (no newline at all)."""
    rng = random.Random(SEED)
    limit = int(megabytes * 1_000_000)
    written = 0
    with out.open("w", encoding="utf-8") as f:
        while written < limit:
            written += f.write(_sentence(rng) + " ")
    return out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("kind", choices=("pdf", "table", "text", "line"))
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", type=float, help="pages, rows or MB (default 2000/200000/50/20)")
    args = parser.parse_args(argv)
    makers = {
        "pdf": (write_pdf, 2000),
        "table": (write_table, 200_000),
        "text": (write_text, 50),
        "line": (write_one_line, 20),
    }
    make, default = makers[args.kind]
    size = args.size if args.size is not None else default
    args.out.parent.mkdir(parents=True, exist_ok=True)
    print(make(args.out, int(size) if args.kind in ("pdf", "table") else size))  # type: ignore[operator]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
