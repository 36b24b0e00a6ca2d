#!/bin/sh
# Rebuild every rendered manual of the test corpus, then run the checker.
# Deterministic: running it twice gives byte-identical files.
# Needs: a Python with python-docx, fpdf2 and pypdf (pip install python-docx fpdf2 pypdf)
#        DejaVu fonts in /usr/share/fonts/truetype/dejavu/ (Debian package fonts-dejavu-core)
set -e
cd "$(dirname "$0")/.."
PY=${PY:-python3}

$PY render/render_pdf.py ruled ka45-compressor/ka45-compressor-manual.src ka45-compressor/ka45-compressor-manual.pdf \
    "KA-45 Rotary Screw Compressor Service Manual" "Kestrel Airtech · KAS-SM-0452 Rev. C"
$PY render/render_pdf.py shaded et3000-forklift/et3000-forklift-manual.src et3000-forklift/et3000-forklift-manual.pdf \
    "Brennan Series 3000 Electric Lift Truck Service Manual — BMH-SM-3000" "BMH-SM-3000 · Second printing 03/2024"
$PY render/render_text.py cs80-pumpskid/cs80-pumpskid-manual.src cs80-pumpskid/cs80-pumpskid-manual.txt
$PY render/render_docx.py mx12-switchgear/mx12-switchgear-manual.src mx12-switchgear/mx12-switchgear-manual.docx \
    "MX-12 Metal-Clad Switchgear Maintenance Manual · VE-MM-1207"
# cws220-chiller (HTML) and hpg250-genset (Markdown) are written directly; their source is the manual itself.
$PY render/check.py
