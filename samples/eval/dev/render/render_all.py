"""Render all PDF and DOCX manuals of the dev corpus. Deterministic."""
import os, sys
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
ROOT = os.path.dirname(HERE)
import pdfrender

JOBS_PDF = [
    ("hpu-hx30", "hpu-hx30-source.txt", "hpu-hx30-manual.pdf", "twocol"),
    ("rsc-vt75", "rsc-vt75-source.txt", "rsc-vt75-manual.pdf", "single"),
]
JOBS_DOCX = [
    ("genset-dg400", "genset-dg400-source.txt", "genset-dg400-manual.docx"),
]

def main(only=None):
    for mid, src, out, style in JOBS_PDF:
        if only and mid not in only: continue
        s = os.path.join(ROOT, mid, src)
        if os.path.exists(s):
            pdfrender.render(s, os.path.join(ROOT, mid, out), style)
            print("rendered", out)
    for mid, src, out in JOBS_DOCX:
        if only and mid not in only: continue
        s = os.path.join(ROOT, mid, src)
        if os.path.exists(s):
            import docxrender
            docxrender.render(s, os.path.join(ROOT, mid, out))
            print("rendered", out)

if __name__ == "__main__":
    main(sys.argv[1:] or None)
