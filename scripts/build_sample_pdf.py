"""Build the sample policy PDF from its Markdown source, reproducibly (same input, same bytes).

    python scripts/build_sample_pdf.py            # writes corpus/samples/lindenwaard_kadernota_2025.pdf
    python scripts/build_sample_pdf.py --check    # fails if the committed PDF differs from a fresh build

Pages of the Markdown (separated by form feeds) become pages of the PDF, one to one; the build fails if a
page overflows. Long words get Dutch soft hyphens (pyphen), so lines end in hyphenated words as in real
documents and ingestion must repair them. Printed page labels differ from physical page numbers, as in
real reports: the title page has none, the contents page is 'ii', the body starts at '1'.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "corpus" / "samples" / "lindenwaard_kadernota_2025.md"
TARGET = SOURCE.with_suffix(".pdf")
FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]
FIXED_DATE = datetime(2025, 7, 3, 12, 0, tzinfo=UTC)


def _font(name: str) -> Path:
    for d in FONT_DIRS:
        if (d / name).is_file():
            return d / name
    sys.exit(f"Font {name} not found; install it with: apt-get install fonts-dejavu-core")


def _hyphenate(text: str, dic: object) -> str:
    def word(m: re.Match[str]) -> str:
        w = m.group(0)
        return dic.inserted(w, hyphen="\u00ad") if len(w) >= 9 else w  # type: ignore[attr-defined]

    return re.sub(r"[A-Za-zÀ-ÿ]+", word, text)


def build(target: Path) -> None:
    import pyphen
    from fpdf import FPDF

    dic = pyphen.Pyphen(lang="nl_NL")
    pages = [p.strip("\n") for p in SOURCE.read_text(encoding="utf-8").split("\f")]

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creation_date(FIXED_DATE)
    pdf.file_id = lambda: -1  # type: ignore[method-assign]  # no random document id: reproducible bytes
    pdf.set_title("Kadernota Sociaal Domein 2025-2028: Samen opgroeien in Lindenwaard")
    pdf.set_author("Gemeente Lindenwaard (fictief voorbeeld van beleidsscan)")
    pdf.set_creator("beleidsscan scripts/build_sample_pdf.py")
    pdf.add_font("DejaVu", "", str(_font("DejaVuSans.ttf")))
    pdf.add_font("DejaVu", "B", str(_font("DejaVuSans-Bold.ttf")))
    pdf.set_margins(22, 18, 22)
    pdf.set_auto_page_break(auto=False)
    body_w = pdf.w - pdf.l_margin - pdf.r_margin

    for number, page in enumerate(pages, start=1):
        pdf.add_page()
        if number == 1:
            pdf.set_page_label(label_style=None)
        elif number == 2:
            pdf.set_page_label(label_style="r", label_start=2)
        elif number == 3:
            pdf.set_page_label(label_style="D", label_start=1)
        lines = page.split("\n")
        if number == 1:
            pdf.set_y(80)
        for line in lines:
            stripped = line.strip()
            if not stripped:
                pdf.ln(1.6)
                continue
            if m := re.match(r"^(#{1,3})\s+(.*)$", stripped):
                level = len(m.group(1))
                size = {1: 16, 2: 12.5, 3: 11}[level] + (6 if number == 1 else 0)
                pdf.ln(2 if level > 1 else 0)
                pdf.set_font("DejaVu", "B", size)
                pdf.multi_cell(body_w, size * 0.5, m.group(2), align="C" if number == 1 else "L")
                pdf.ln(1.5)
                continue
            pdf.set_font("DejaVu", "", 10)
            if stripped.startswith("- "):
                x = pdf.l_margin
                pdf.set_x(x + 3)
                pdf.cell(4, 4.75, "•")
                pdf.multi_cell(body_w - 7, 4.75, _hyphenate(stripped[2:], dic), align="L")
            elif " | " in stripped:
                left, right = stripped.rsplit(" | ", 1)
                bold = "B" if right.startswith("Budget") or left.startswith("Totaal") else ""
                pdf.set_font("DejaVu", bold, 10)
                pdf.cell(body_w - 40, 5.6, left, border="B")
                pdf.cell(40, 5.6, right, border="B", align="R", new_x="LMARGIN", new_y="NEXT")
            else:
                align = "C" if number == 1 else "J"
                pdf.multi_cell(body_w, 4.75, _hyphenate(stripped, dic), align=align)
        print(f"page {number}: text ends at {pdf.get_y():.0f} mm", file=sys.stderr)
        if pdf.get_y() > pdf.h - 18:
            sys.exit(f"Page {number} overflows; shorten it in {SOURCE.name}.")
        if number >= 3:
            pdf.set_font("DejaVu", "", 8.5)
            pdf.set_y(pdf.h - 14)
            pdf.cell(body_w / 2, 5, "Kadernota Sociaal Domein 2025–2028")
            pdf.cell(body_w / 2, 5, str(number - 2), align="R")
    pdf.output(str(target))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare a fresh build with the committed PDF")
    args = parser.parse_args()
    if args.check:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / TARGET.name
            build(fresh)
            a, b = (hashlib.sha256(p.read_bytes()).hexdigest() for p in (fresh, TARGET))
            print(f"fresh {a}\ncommitted {b}")
            return 0 if a == b else 1
    build(TARGET)
    print(f"wrote {TARGET} ({TARGET.stat().st_size} bytes, sha256 {hashlib.sha256(TARGET.read_bytes()).hexdigest()})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
