"""The sample's EPUBs in a real reading engine: foliate-js (the renderer of the Foliate reader,
installed by make into node_modules/) in headless Chromium, paged through from the cover to
the colophon on a phone-sized and a tablet-sized screen, in both writing modes.

Every page shown must hold something (a screenshot with ink on it): a content document that
overflows its screen, as a cover sized in vh/vw did, gives the reader a blank page after it.
Every content document must open with its heading on its first page."""

from __future__ import annotations

import functools
import http.server
import threading
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from reportpub.editions import MODES
from tests.chromium import Chromium
from tests.conftest import REPOSITORY

FOLIATE = REPOSITORY / "node_modules" / "foliate-js"
SCREENS = {"phone": (390, 844), "tablet": (820, 1180)}
PAGE_LIMIT = 2000  # far more pages than the sample has on the smallest screen: a turn that never ends fails

# The reader page: foliate-js's <foliate-view> filling the window, and two functions the test
# calls: open the book at its first page, turn one page. Each returns where the reader is.
READER = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>
html, body { margin: 0; height: 100%; background: #fff; }
foliate-view { display: block; width: 100vw; height: 100vh; }
</style></head><body><script type="module">
import './foliate-js/view.js'
const view = document.createElement('foliate-view')
document.body.append(view)
let last = null
view.addEventListener('relocate', event => { last = event.detail })
const settled = () => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))
const where = async () => {
  await settled()
  const { doc, index } = view.renderer.getContents()[0]
  const heading = doc.querySelector('h1, h2, .title')
  const range = last.range
  return {
    section: view.book.sections[index].id, index, page: view.renderer.page, pages: view.renderer.pages,
    text: range.toString().replace(/\\s+/g, '').slice(0, 40),
    heading: heading ? heading.textContent.replace(/\\s+/g, '') : null,
    headingShown: heading ? range.intersectsNode(heading) : null,
    atEnd: view.renderer.atEnd,
  }
}
window.reader = {
  async open(url) { await view.open(url); await view.init({}); await document.fonts.ready; return where() },
  async next() { await view.next(); return where() },
}
window.readerReady = true
</script></body></html>
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def served(tmp_path):
    """A loopback HTTP server for the reader page, foliate-js and the book (ES modules are
    not loaded from file: URLs); yields (folder it serves, its URL)."""
    if not (FOLIATE / "view.js").is_file():
        pytest.skip("foliate-js is not installed (make installs it into node_modules/)")
    root = tmp_path / "site"
    root.mkdir()
    (root / "foliate-js").symlink_to(FOLIATE, target_is_directory=True)
    (root / "reader.html").write_text(READER, encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def has_ink(screenshot: Path) -> bool:
    """Whether anything but the white page shows (anti-aliased text counts)."""
    grey = Image.open(screenshot).convert("L")
    return grey.point(lambda value: 255 if value < 200 else 0).getbbox() is not None


def page_through(browser: Chromium, url: str, width: int, height: int, shots: Path) -> list[dict]:
    """Every page foliate-js shows of the book at ``url``, in reading order, each with whether
    its screenshot has ink."""
    page = browser.open(f"{url}/reader.html")
    browser.call("Emulation.setDeviceMetricsOverride",
                 {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, page.session)
    page.wait_for("window.readerReady === true")
    shown = [page.evaluate(f"window.reader.open({(url + '/book.epub')!r})")]
    while len(shown) < PAGE_LIMIT:
        shown[-1]["ink"] = has_ink(page.screenshot(shots / f"{len(shown):04d}.png"))
        if shown[-1]["atEnd"]:
            return shown
        shown.append(page.evaluate("window.reader.next()"))
    raise AssertionError(f"paging did not reach the end after {PAGE_LIMIT} pages")


def spine(epub: Path) -> list[str]:
    """The content documents of the EPUB's spine, as foliate-js names its sections."""
    import xml.etree.ElementTree as etree

    with zipfile.ZipFile(epub) as archive:
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
    ns = {"opf": "http://www.idpf.org/2007/opf"}
    hrefs = {item.get("id"): item.get("href") for item in opf.iterfind("opf:manifest/opf:item", ns)}
    return ["EPUB/" + hrefs[ref.get("idref")] for ref in opf.iterfind("opf:spine/opf:itemref", ns)]


@pytest.mark.slow
@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("mode", MODES)
def test_no_blank_page_and_every_section_opens_with_its_heading(built_epubs, served, tmp_path, mode, screen):
    root, url = served
    epub = built_epubs[mode]
    (root / "book.epub").symlink_to(epub)
    shots = tmp_path / "shots"
    shots.mkdir()
    width, height = SCREENS[screen]
    with Chromium(tmp_path / "profile", width, height) as browser:
        pages = page_through(browser, url, width, height, shots)

    blank = [f"page {number} ({p['section']}, its page {p['page']} of {p['pages'] - 2}, text {p['text']!r})"
             for number, p in enumerate(pages, 1) if not p["ink"]]
    assert not blank, f"blank pages in the {mode} EPUB on a {screen} ({width}×{height}): " + "; ".join(blank)

    sections = [p["section"] for p in pages]
    assert list(dict.fromkeys(sections)) == spine(epub), "the reader skipped or reordered content documents"
    assert sections[0].endswith("cover.xhtml") and sections.count(sections[0]) == 1, \
        f"the cover takes {sections.count(sections[0])} pages"
    firsts = [p for previous, p in zip([None] + pages, pages) if previous is None or previous["section"] != p["section"]]
    for first in firsts:
        if first["heading"] is not None:
            assert first["headingShown"], \
                f"{first['section']} does not open with its heading {first['heading']!r} (shows {first['text']!r})"
