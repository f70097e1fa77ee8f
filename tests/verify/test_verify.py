"""reportpub verify: a released file is rebuilt from the sources it carries and compared byte for
byte; identical, or exactly what differs — the edition, the part, the font or tool version."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from tests.conftest import REPOSITORY, book_toml, run_cli, run_epubcheck

VERIFIED = "verified: identical to a build of its attached sources"

# No slug: the file names come from the project folder's name, which the rebuild must reproduce.
BOOK = book_toml(title="検証の本", authors=["著者 太郎"], version="1.0", slug=None, bibliography="refs.json", csl="house-style.csl", formats=["pdf", "epub"], modes=["horizontal"])
CHAPTER = "# 第一章\n\n本文です[@tanaka2020]。記号も使います😀。\n\n![港の図](images/port.png)\n"
REFERENCES = json.dumps([{"id": "tanaka2020", "type": "book", "title": "試験の書", "issued": {"date-parts": [[2020]]},
                          "author": [{"family": "田中", "given": "一郎"}], "publisher": "出版社"}], ensure_ascii=False)


def png(colour: str, size=(60, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


SOURCES = {
    "manuscript/refs.json": REFERENCES,
    "manuscript/house-style.csl": (REPOSITORY / "src/reportpub/citing/styles/sist02.csl").read_bytes(),
    "manuscript/images/port.png": png("navy"),
}


@pytest.fixture
def project(make_project):
    """A book whose PDF needs more than its chapters to be built again: a bibliography in a
    style of the project's own, a figure."""
    return make_project({"01.md": CHAPTER}, book=BOOK, name="kensho", files=SOURCES)


def released(project: Path) -> Path:
    result = run_cli("release", str(project))
    assert result.returncode == 0, result.stderr
    return project / "editions" / "1.0"


def test_the_reader_pdf_carries_every_source_it_is_built_from(make_project, tmp_path):
    # A stylesheet with an image beside it, in the reader PDF only (the EPUB does not carry
    # the files a stylesheet names).
    book = BOOK.replace('formats = ["pdf", "epub"]', 'formats = ["pdf"]')
    styled = make_project({"01.md": CHAPTER}, book=book, name="kensho", files={
        **SOURCES, "styles/extra.css": "h1 { background: url(rule.png) no-repeat left bottom; padding-bottom: 4pt; }\n",
        "styles/rule.png": png("firebrick", (200, 4)), "styles/unused.png": png("white")})
    elsewhere = tmp_path / "another" / "kensho"
    shutil.copytree(styled, elsewhere)
    folder = released(styled)
    with pikepdf.open(folder / "kensho-horizontal.pdf") as pdf:
        names = sorted(pdf.attachments)
        record = json.loads(pdf.attachments["reportpub-build.json"].get_file().read_bytes())
    assert names == ["manuscript/01.md", "manuscript/book.toml", "manuscript/house-style.csl",
                     "manuscript/images/port.png", "manuscript/refs.json", "reportpub-build.json",
                     "styles/extra.css", "styles/rule.png"]
    assert record["slug"] == "kensho" and record["format"] == "pdf" and record["mode"] == "horizontal"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert record["tools"] == manifest["tools"]
    assert sorted(entry["file"] for entry in manifest["inputs"]) == [n for n in names if n != "reportpub-build.json"]
    # The stylesheet's image is named in the PDF by its place in the project, not on the disk.
    assert released(elsewhere).joinpath("kensho-horizontal.pdf").read_bytes() == (folder / "kensho-horizontal.pdf").read_bytes()
    result = run_cli("verify", str(folder / "kensho-horizontal.pdf"))
    assert result.returncode == 0 and result.stderr.strip().splitlines()[-1] == VERIFIED, result.stderr


def test_a_release_made_from_a_copy_elsewhere_verifies_identical(project, tmp_path):
    copy = tmp_path / "elsewhere" / "deeper" / "kensho"
    shutil.copytree(project, copy)
    folder = released(copy)
    shelf = tmp_path / "archive-shelf" / "kensho-1.0"  # where an archivist stores it, away from any project
    shutil.copytree(folder, shelf)
    shutil.rmtree(project)  # nothing of the project is needed

    pdf = run_cli("verify", str(shelf / "kensho-horizontal.pdf"))
    assert pdf.returncode == 0, pdf.stderr
    assert pdf.stderr.strip().splitlines()[-1] == VERIFIED

    renamed = tmp_path / "archive-shelf" / "report-as-filed.pdf"  # a lone PDF, renamed: its record names the edition
    shutil.copy(shelf / "kensho-horizontal.pdf", renamed)
    assert run_cli("verify", str(renamed)).returncode == 0

    epub = run_cli("verify", str(shelf / "kensho-horizontal.epub"))
    assert epub.returncode == 0, epub.stderr
    assert epub.stderr.strip().splitlines()[-1] == VERIFIED
    checked = run_epubcheck(shelf / "kensho-horizontal.epub")
    assert checked["errors"] == 0 and checked["warnings"] == 0, checked["messages"]

    whole = run_cli("verify", str(shelf))
    assert whole.returncode == 0, whole.stderr
    assert whole.stderr.strip().splitlines()[-1] == VERIFIED


def test_a_pdf_with_one_byte_changed_is_not_identical_and_says_where(project, tmp_path):
    folder = released(project)
    data = bytearray((folder / "kensho-horizontal.pdf").read_bytes())
    offset = len(data) // 3
    data[offset] ^= 0x01
    changed = tmp_path / "kensho-horizontal.pdf"
    changed.write_bytes(bytes(data))
    result = run_cli("verify", str(changed))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == "not verified: kensho-horizontal.pdf is not identical to a build of its attached sources"
    assert lines[0].startswith(f"kensho-horizontal.pdf (reader PDF, horizontal): byte {offset} differs, in object ")
    assert ": the " in lines[0] or ": a link" in lines[0]  # the object is named for what it is in the book


def test_an_epub_with_a_changed_file_names_it(project, tmp_path):
    import zipfile

    folder = released(project)
    shelf = tmp_path / "shelf"
    shutil.copytree(folder, shelf)
    epub = shelf / "kensho-horizontal.epub"
    epub.chmod(0o644)
    with zipfile.ZipFile(folder / "kensho-horizontal.epub") as source, zipfile.ZipFile(epub, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("nav.xhtml"):
                data = data.replace("第一章".encode(), "第壱章".encode())
            out.writestr(info, data)
    result = run_cli("verify", str(epub))
    assert result.returncode == 1
    member = next(line for line in result.stderr.splitlines() if "nav.xhtml differs" in line)
    assert member.startswith("kensho-horizontal.epub (EPUB, horizontal): ")
    whole = run_cli("verify", str(shelf))
    assert whole.returncode == 1
    assert any(line.startswith("kensho-horizontal.epub (EPUB, horizontal): ") for line in whole.stderr.splitlines())
    assert not any(line.startswith("kensho-horizontal.pdf") for line in whole.stderr.splitlines())


def modified_symbola(tmp_path: Path) -> Path | None:
    """A fontconfig setup whose Symbola is another version of the system's (same glyphs, a higher
    revision, as an update would bring): fontconfig prefers it."""
    from fontTools.ttLib import TTFont

    found = subprocess.run(["fc-match", "-f", "%{file}", "Symbola"], capture_output=True, text=True).stdout
    if "Symbola" not in found:
        return None
    font = TTFont(found)
    font["head"].fontRevision = 99.0
    for record in font["name"].names:
        if record.nameID == 5:
            record.string = "Version 99.0"
    (tmp_path / "fonts").mkdir()
    font.save(tmp_path / "fonts" / "Symbola-99.ttf")
    config = tmp_path / "fonts.conf"
    config.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                      f'<fontconfig><dir>{tmp_path / "fonts"}</dir>'
                      '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
                      f'<cachedir>{tmp_path / "fontconfig-cache"}</cachedir></fontconfig>\n', encoding="utf-8")
    return config


def test_a_pdf_built_with_another_version_of_a_font_names_the_font(project, tmp_path):
    import os
    import sys

    config = modified_symbola(tmp_path)
    if config is None:
        pytest.skip("Symbola is not installed")
    environment = {**os.environ, "FONTCONFIG_FILE": str(config)}
    release = subprocess.run([sys.executable, "-m", "reportpub", "release", str(project)], env=environment,
                             capture_output=True, text=True, timeout=600)
    assert release.returncode == 0, release.stderr
    folder = project / "editions" / "1.0"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert any(font["version"] == "Version 99.0" for font in manifest["fonts"])

    result = run_cli("verify", str(folder / "kensho-horizontal.pdf"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    font_lines = [line for line in result.stderr.splitlines() if "font Symbola" in line]
    assert font_lines and "the file embeds Version 99.0, this machine has Version" in font_lines[0], result.stderr
    assert not any("font Noto" in line for line in result.stderr.splitlines())  # only the font that differs

    whole = run_cli("verify", str(folder))
    assert whole.returncode == 1
    assert any(line.startswith("manifest.json: font Symbola: built with Version 99.0") for line in whole.stderr.splitlines())


def test_what_verify_cannot_take(project, tmp_path):
    folder = released(project)
    nothing = run_cli("verify", str(tmp_path / "missing.pdf"))
    assert nothing.returncode == 1 and f"{tmp_path / 'missing.pdf'}: no such file or release folder" in nothing.stderr
    alone = tmp_path / "alone.epub"
    shutil.copy(folder / "kensho-horizontal.epub", alone)
    lone = run_cli("verify", str(alone))
    assert lone.returncode == 1 and "no manifest.json beside it lists this file" in lone.stderr

    # An attached name that climbs out of the project is never written anywhere.
    evil = tmp_path / "evil.pdf"
    with pikepdf.open(folder / "kensho-horizontal.pdf") as pdf:
        pdf.attachments["../../escaped.txt"] = pikepdf.AttachedFileSpec(pdf, b"x", filename="../../escaped.txt")
        pdf.save(evil)
    refused = run_cli("verify", str(evil))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "an attached source is named '../../escaped.txt', which is not a path inside a project" in refused.stderr
