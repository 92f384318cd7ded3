"""Static files are cache-busted: pages link every CSS/JS file and npm package with the hash
of its content, such a URL is immutable for a year, and any other URL revalidates as before."""
import hashlib
import re

from geo.core.config import ROOT
from tests.conftest import bearer
from webapp.core.assets import IMMUTABLE, file_version


def linked(html: str) -> list[str]:
    return re.findall(r'(?:href|src|from)="(/(?:static|vendor)/[^"]+)"', html)


def test_pages_link_files_with_their_content_hash_and_those_urls_are_immutable(client, tokens):
    html = client.get("/map?area=410102", headers=bearer(tokens["command"])).get_data(as_text=True)
    urls = linked(html)
    assert any(u.startswith("/vendor/leaflet/leaflet.js?v=") for u in urls), urls
    assert any(u.startswith("/static/css/app.css?v=") for u in urls), urls
    assert any(u.startswith("/static/js/map/") for u in urls), urls
    for url in urls:
        path, _, query = url.partition("?v=")
        assert re.fullmatch(r"[0-9a-f]{12}", query), url
        r = client.get(url.replace("&amp;", "&"))
        assert r.status_code == 200 and r.headers["Cache-Control"] == IMMUTABLE, url
        plain = client.get(path)
        assert plain.status_code == 200 and "immutable" not in plain.headers.get(
            "Cache-Control", ""), path
    stale = client.get("/static/css/app.css?v=000000000000")
    assert stale.status_code == 200 and "immutable" not in stale.headers.get("Cache-Control", "")


def test_the_hash_is_of_the_content_and_follows_it(tmp_path):
    css = ROOT / "webapp" / "static" / "css" / "app.css"
    assert file_version(str(css)) == hashlib.sha1(css.read_bytes()).hexdigest()[:12]
    f = tmp_path / "a.js"
    f.write_text("one")
    first = file_version(str(f))
    f.write_text("two, longer")
    assert file_version(str(f)) != first
    assert file_version(str(tmp_path / "missing.js")) is None


def test_the_interface_font_holds_every_character_the_interface_writes(client):
    """A catalog string with a new character needs `make fonts` (webapp/core/fonts.py); the
    page would still show it, from a Noto Sans SC range file, but fetch that file for it."""
    from fontTools.ttLib import TTFont

    from webapp.core import fonts
    cmap = TTFont(fonts.OUT).getBestCmap()
    lacking = [c for c in fonts.ui_characters() if ord(c) not in cmap]

    def in_noto(c: str) -> bool:  # its range file holds it (✗ is in a range, not the font)
        return any(ord(c) in held and ord(c) in TTFont(fonts.NOTO / "files" / name).getBestCmap()
                   for name, held in fonts.noto_ranges().items())

    missing = sorted(c for c in lacking if in_noto(c))
    assert len(cmap) > 1000
    assert not missing, f"run `make fonts`: the interface font lacks {''.join(missing)!r}"
    assert fonts.OUT.stat().st_size < 200_000
    r = client.get("/static/fonts/lw-ui.woff2")
    assert r.status_code == 200 and r.data == fonts.OUT.read_bytes()
    css = client.get("/static/css/app.css").get_data(as_text=True)
    assert 'url("../fonts/lw-ui.woff2")' in css and 'font-family: "LW UI", "Noto Sans SC"' in css
