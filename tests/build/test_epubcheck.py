"""`reportpub check` runs EPUBCheck on the EPUBs in build/: a clean EPUB passes, a broken one is an
error at its file with EPUBCheck's message id."""

import zipfile

import pytest

from reportpub.build.epubcheck import check_epub, unavailable
from tests.conftest import book_toml, run_cli

BOOK = book_toml(formats=["epub"], modes=["vertical", "horizontal"])


@pytest.fixture
def built(make_project):
    if unavailable():
        pytest.skip(unavailable())
    root = make_project({"01.md": "# 第一章\n\n本文です。\n"}, book=BOOK)
    assert run_cli("build", str(root)).returncode == 0
    return root


def test_check_validates_every_epub(built):
    result = run_cli("check", str(built))
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().endswith(
        "build/ matches manifest.json and is up to date with the sources; EPUBCheck passes 2 EPUB(s)"), result.stderr


def test_a_broken_epub_is_an_error_at_its_file(built, tmp_path):
    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(built / "build" / "t-horizontal.epub") as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            if item.filename != "EPUB/nav.xhtml":  # the navigation document an EPUB 3 must have
                target.writestr(item, source.read(item))
    found = check_epub(broken, "build/t-horizontal.epub")
    errors = [str(d) for d in found if d.severity == "error"]
    assert errors and all(e.startswith("build/t-horizontal.epub: EPUBCheck ") for e in errors), errors
    assert any("RSC-001" in e and "nav.xhtml" in e for e in errors), errors
