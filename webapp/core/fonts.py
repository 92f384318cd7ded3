"""The interface font: Noto Sans SC cut down to the characters the interface itself writes.

The npm package `@fontsource/noto-sans-sc` splits the font into 101 files by unicode-range;
a map page needs ~26 of them (467 kB) because its labels spread over many ranges. Every
character of the message catalogs, the page templates and the Henan place names, with
printable ASCII, fits into one file of ~140 kB (`webapp/static/fonts/lw-ui.woff2`, family
"LW UI", first in the font stack). Characters it lacks (an employer's or a person's name)
fall back, one by one, to the Noto Sans SC ranges, fetched only when such a character shows.

Built with fontTools (subset each range file to the characters it holds, merge, WOFF2);
`make fonts` rebuilds it after the catalogs gain characters (a test names the missing ones).
"""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

from geo.core.config import ROOT

NOTO = ROOT / "node_modules" / "@fontsource" / "noto-sans-sc"
OUT = ROOT / "webapp" / "static" / "fonts" / "lw-ui.woff2"


def ui_characters(root: Path = ROOT) -> set[str]:
    """Every character the interface writes: catalogs (all languages), templates (their
    non-ASCII text), place names of the committed boundaries, printable ASCII."""
    chars = {chr(c) for c in range(0x20, 0x7F)}
    for path in sorted((root / "geo" / "core" / "messages").glob("*/*.json")):
        for value in json.loads(path.read_text(encoding="utf-8")).values():
            if isinstance(value, str):
                chars.update(value)
    for path in sorted((root / "webapp" / "templates").rglob("*.html")):
        chars.update(c for c in path.read_text(encoding="utf-8") if ord(c) > 0x7F)
    for path in sorted((root / "data" / "henan").glob("*.geojson")):
        for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
            chars.update(feature["properties"].get("name") or "")
    return {c for c in chars if c.isprintable() or c == " "}


def _codepoints(spec: str) -> set[int]:
    out: set[int] = set()
    for part in spec.split(","):
        first, _, last = part.strip().removeprefix("U+").partition("-")
        out.update(range(int(first, 16), int(last or first, 16) + 1))
    return out


def noto_ranges(noto: Path = NOTO) -> dict[str, set[int]]:
    """{file of the Noto Sans SC package: the code points it holds} (its 400.css)."""
    css = (noto / "400.css").read_text(encoding="utf-8")
    return {name: _codepoints(spec) for name, spec in re.findall(
        r"url\(\./files/([^)]+\.woff2)\).*?unicode-range: ([^;]+);", css, re.S)}


def build(out: Path = OUT, noto: Path = NOTO) -> tuple[int, int]:
    """Write the interface font; returns (characters, bytes)."""
    from fontTools import subset
    from fontTools.merge import Merger
    from fontTools.ttLib import TTFont

    wanted = {ord(c) for c in ui_characters()}
    parts = []
    for name, held in noto_ranges(noto).items():
        here = wanted & held
        if not here:
            continue
        font = TTFont(noto / "files" / name)
        options = subset.Options()
        options.layout_features = ["*"]
        options.notdef_outline = True
        cut = subset.Subsetter(options)
        cut.populate(unicodes=here)
        cut.subset(font)
        font.flavor = None
        buffer = io.BytesIO()
        font.save(buffer)
        buffer.seek(0)
        parts.append(buffer)
    merged = Merger().merge(parts)
    merged.flavor = "woff2"
    merged.recalcTimestamp = False  # the same characters give the same bytes
    merged["head"].modified = merged["head"].created
    out.parent.mkdir(parents=True, exist_ok=True)
    merged.save(out)
    return len(wanted), out.stat().st_size


if __name__ == "__main__":
    n, size = build()
    print(f"{OUT.relative_to(ROOT)}: {n} characters, {size / 1000:.0f} kB")
