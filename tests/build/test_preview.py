"""`reportpub preview` as an author uses it: open the page in a real browser, save a chapter,
see the page change; save a slip, see the error in the page; serve nothing but build/."""

import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.chromium import Chromium
from tests.conftest import book_toml

BOOK = book_toml(formats=["html", "epub"], modes=["horizontal"])


@pytest.fixture
def preview_server(make_project):
    """A project and its preview server, started from inside manuscript/ as an author might."""
    project = make_project({"01.md": "# 第一章\n\n最初の本文です。\n"}, book=BOOK)
    process = subprocess.Popen([sys.executable, "-m", "reportpub", "preview", "--port", "0", "--jobs", "1"],
                               cwd=project / "manuscript", stderr=subprocess.PIPE, text=True)
    line = process.stderr.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert match, line
    url = match.group(0)
    log: list[str] = []
    threading.Thread(target=lambda: log.extend(process.stderr), daemon=True).start()  # never let the pipe fill
    try:
        deadline = time.monotonic() + 120
        while not (project / "build" / "t.html").is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        yield project, url
    finally:
        process.terminate()
        process.wait(timeout=30)


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


@pytest.mark.slow
def test_saved_edit_and_slip_show_in_the_open_page(preview_server, tmp_path):
    project, url = preview_server
    chapter = project / "manuscript" / "01.md"
    with Chromium(tmp_path / "profile") as browser:
        page = browser.open(url)  # "/" leads to the web edition
        page.wait_for("document.body && document.body.innerText.includes('最初の本文です')")
        assert page.evaluate("location.pathname") == "/t.html"
        page.evaluate("window.reportpubMarker = 1")  # gone once the page reloads

        chapter.write_text("# 第一章\n\n書き換えた本文です。\n", encoding="utf-8")
        page.wait_for("document.body && document.body.innerText.includes('書き換えた本文です')")
        assert page.evaluate("typeof window.reportpubMarker") == "undefined"

        chapter.write_text("# 第一章\n\n閉じない{孫|まご\n", encoding="utf-8")
        shown = page.wait_for("(document.getElementById('reportpub-preview-errors') || {}).textContent")
        assert "manuscript/01.md:3: ruby '{孫|まご' is not closed" in shown
        assert "書き換えた本文です" in page.evaluate("document.body.innerText")  # the last good edition stays

        chapter.write_text("# 第一章\n\n直した本文です。\n", encoding="utf-8")
        page.wait_for("document.body.innerText.includes('直した本文です')")
        assert page.evaluate("document.getElementById('reportpub-preview-errors')") is None


@pytest.mark.slow
def test_serves_the_editions_and_nothing_else(preview_server):
    project, url = preview_server
    deadline = time.monotonic() + 120
    while not (project / "build" / "t-horizontal.epub").is_file() and time.monotonic() < deadline:
        time.sleep(0.2)
    status, body = fetch(url + "t-horizontal.epub")
    assert status == 200 and body == (project / "build" / "t-horizontal.epub").read_bytes()
    status, body = fetch(url + "index.html")
    assert status == 200 and b'id="reportpub-preview"' in body
    for outside in ("../manuscript/book.toml", "%2e%2e/manuscript/book.toml", ".build-state.json", ".cache/chapters"):
        assert fetch(url + outside)[0] == 404, outside
