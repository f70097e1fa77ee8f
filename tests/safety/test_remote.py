"""Remote resources with allow_remote = true: fetched once per build, redirects only to http(s), no silent loss.

Every server here listens on loopback only.
"""

from __future__ import annotations

import time

import pytest

from reportpub.safety import remote
from reportpub.diagnostics import DiagnosticCollector
from reportpub.safety.remote import (
    FetchFailed,
    RemoteReference,
    fetch,
    fetch_remote_references,
    template_references,
)
from tests.conftest import book_toml, loopback_server, run_cli

CSS = b"p { color: #123456; }"


@pytest.fixture
def loopback():
    """A loopback HTTP server: /ok.css, /moved (302 to /ok.css), /to-file (302 to file:), /loop
    (302 to itself), /slow (answers after 2 s), anything else 404. Returns (base URL, paths requested)."""
    targets = {"/moved": "/ok.css", "/to-file": "file:///etc/passwd", "/loop": "/loop"}

    def answer(path):
        if path == "/ok.css":
            return 200, {"Content-Type": "text/css"}, CSS
        if path in targets:
            return 302, {"Location": targets[path]}, b""
        if path == "/slow":
            time.sleep(2)
        return 404, {}, b""

    with loopback_server(answer) as server:
        yield server


def test_fetch_follows_redirects_to_http_only(loopback):
    base, _ = loopback
    resource, redirects = fetch(f"{base}/ok.css")
    assert (resource.body, resource.content_type, redirects) == (CSS, "text/css", [])
    resource, redirects = fetch(f"{base}/moved")
    assert resource.body == CSS and resource.final_url == f"{base}/ok.css" and resource.url == f"{base}/moved"
    assert redirects == [f"redirected (302) to '{base}/ok.css'"]
    with pytest.raises(FetchFailed, match="redirected to 'file:///etc/passwd', which is not an http\\(s\\) URL; not followed"):
        fetch(f"{base}/to-file")
    with pytest.raises(FetchFailed, match="more than 5 redirects"):
        fetch(f"{base}/loop")
    with pytest.raises(FetchFailed, match="HTTP 404"):
        fetch(f"{base}/gone.css")


def test_a_fetch_that_times_out_fails(loopback, monkeypatch):
    base, _ = loopback
    monkeypatch.setattr(remote, "TIMEOUT_SECONDS", 0.5)
    with pytest.raises(FetchFailed, match="no answer within 0.5 s"):
        fetch(f"{base}/slow")


def test_each_url_is_fetched_once_and_every_referrer_warned(loopback):
    base, hits = loopback
    problems = DiagnosticCollector()
    references = [RemoteReference(f"{base}/moved", "styles/a.css", 1), RemoteReference(f"{base}/moved", "styles/b.css", 4),
                  RemoteReference(f"{base}/gone.css", "templates/web.html", 7), RemoteReference(f"{base}/ok.css", "styles/a.css", 2)]
    fetched = fetch_remote_references(references, problems)
    assert hits == ["/moved", "/ok.css", "/gone.css", "/ok.css"]  # /ok.css once as the redirect's target, once by name
    assert {r.url: r.body for r in fetched} == {f"{base}/moved": CSS, f"{base}/gone.css": None, f"{base}/ok.css": CSS}
    assert [str(d) for d in problems.diagnostics] == [
        f"styles/a.css:1: warning: '{base}/moved' was redirected (302) to '{base}/ok.css'",
        f"styles/b.css:4: warning: '{base}/moved' was redirected (302) to '{base}/ok.css'",
        f"templates/web.html:7: warning: could not fetch '{base}/gone.css': HTTP 404 Not Found; the edition is made without it",
    ]


def test_template_references_are_what_a_template_embeds():
    text = ('<link rel="stylesheet" href="https://e.invalid/a.css">\n<a href="https://e.invalid/page">x</a>\n'
            '<img src="http://e.invalid/b.png"><p style="background: url(https://e.invalid/c.png)">\n')
    assert [(r.url, r.line) for r in template_references(text, "templates/web.html")] == [
        ("https://e.invalid/a.css", 1), ("http://e.invalid/b.png", 3), ("https://e.invalid/c.png", 3)]


def book(formats: list[str], modes: list[str]) -> str:
    return book_toml(title="本", authors=None, allow_remote=True, formats=formats, modes=modes)


def test_a_redirected_or_failed_fetch_is_a_warning_and_an_error_when_strict(make_project, loopback):
    base, hits = loopback
    root = make_project({"01.md": "# 一\n\n本文。\n"}, book=book(["epub", "html"], ["horizontal"]),
                        files={"styles/remote.css": f'@import url("{base}/moved");\n\np {{ background: url("{base}/to-file"); }}\n'})
    result = run_cli("build", str(root))
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert f"styles/remote.css:1: warning: '{base}/moved' was redirected (302) to '{base}/ok.css'" in lines
    assert (f"styles/remote.css:3: warning: could not fetch '{base}/to-file': redirected to 'file:///etc/passwd', "
            "which is not an http(s) URL; not followed; the edition is made without it") in lines
    assert hits == ["/moved", "/ok.css", "/to-file"]
    (root / "styles" / "remote.css").write_text(f'@import url("{base}/gone.css");\n', encoding="utf-8")
    result = run_cli("build", "--strict", str(root))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"styles/remote.css:1: could not fetch '{base}/gone.css': HTTP 404 Not Found; the edition is made without it"]


def test_one_fetch_per_url_per_build_across_every_edition(make_project, loopback):
    base, hits = loopback
    root = make_project({"01.md": "# 一\n\n本文。\n"},
                        book=book(["pdf", "epub", "html"], ["vertical", "horizontal"]),
                        files={"styles/a.css": f'@import url("{base}/ok.css");\n',
                               "styles/b.css": f'@import url("{base}/ok.css");\n'})
    result = run_cli("build", "--jobs", "2", str(root))
    assert result.returncode == 0, result.stderr
    assert hits == ["/ok.css"]
