"""PDF exports with Chinese text (fpdf2), air-gapped: the glyphs come from the Noto Sans SC
web font the app already ships (npm @fontsource/noto-sans-sc). That font is split into
~100 unicode-range subsets (woff2); a document embeds only the subsets its text needs,
converted once to TrueType with fontTools and kept under var/fonts, the first as the main
font and the rest as fpdf2 fallback fonts."""
from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF

_LOCK = threading.Lock()


@lru_cache(maxsize=4)
def _faces(css_path: str) -> tuple[tuple[str, tuple[tuple[int, int], ...]], ...]:
    """(file stem, unicode ranges) of every subset in the font's CSS."""
    css = Path(css_path).read_text()
    out = []
    for m in re.finditer(r"src: url\(\./files/([^)]+?)\.woff2\)[^}]*?unicode-range: ([^;]+);",
                         css, re.S):
        ranges = []
        for part in m.group(2).split(","):
            a, _, b = part.strip().upper().removeprefix("U+").partition("-")
            ranges.append((int(a, 16), int(b or a, 16)))
        out.append((m.group(1), tuple(ranges)))
    return tuple(out)


def _fonts_for(text: str, font_dir: Path, cache_dir: Path) -> list[Path]:
    """TrueType files of the subsets that hold the characters of `text`."""
    chars = {ord(c) for c in text if not c.isspace()} | {ord("0"), ord("A")}
    faces = _faces(str(font_dir / "400.css"))
    need = [name for name, ranges in faces
            if any(any(a <= c <= b for a, b in ranges) for c in chars)]
    need.sort()
    cache_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    with _LOCK:
        for name in need:
            target = cache_dir / f"{name}.ttf"
            if not target.exists():
                font = TTFont(font_dir / "files" / f"{name}.woff2")
                font.flavor = None
                tmp = target.with_suffix(".tmp")
                font.save(tmp)
                tmp.replace(target)
            paths.append(target)
    return paths


def table_pdf(*, title: str, subtitle: str, headers: list[str], rows: list[list[str]],
              widths: tuple[int, ...], node_modules: Path, var: Path) -> bytes:
    """A landscape A4 document: a title, a line under it, and the table."""
    text = title + subtitle + "".join(headers) + "".join("".join(r) for r in rows)
    fonts = _fonts_for(text, node_modules / "@fontsource" / "noto-sans-sc", var / "fonts")
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(True, margin=12)
    names = []
    for path in fonts:
        pdf.add_font(path.stem, fname=str(path))
        names.append(path.stem)
    pdf.set_fallback_fonts(names[1:])
    pdf.add_page()
    pdf.set_font(names[0], size=14)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(names[0], size=9)
    pdf.multi_cell(0, 6, subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    from fpdf.fonts import FontFace
    with pdf.table(col_widths=widths, line_height=5, text_align="LEFT",
                   first_row_as_headings=True,  # one weight shipped: headings are shaded
                   headings_style=FontFace(emphasis="", fill_color=(235, 238, 242))) as table:
        for values in [headers, *rows]:
            row = table.row()
            for value in values:
                row.cell(value or "")
    return bytes(pdf.output())
