"""A release is what the sources make now: built first, or refused with the reasons; every
edition, the download page and the manifest of one build; whole or not at all; never twice."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess

import pikepdf
import pytest

from tests.conftest import book_toml, run_cli

BOOK = book_toml(version="1.0", pdf={"paper": "A5"}, formats=["pdf", "html"], modes=["horizontal"])
RELEASED = {"t-horizontal.pdf", "t.html", "index.html", "manifest.json"}
MM = 72 / 25.4


@pytest.fixture
def project(make_project):
    return make_project({"01.md": "# 第一章\n\n本文です[^a]。\n\n[^a]: 注。\n"}, book=BOOK)


def set_book(project, old: str, new: str) -> None:
    path = project / "manuscript" / "book.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def digests(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def assert_one_current_build(project, folder, version: str) -> dict:
    """The folder holds every edition, the download page and the manifest of one build of the
    current sources: the manifest names each file's digest and every source's."""
    assert {p.name for p in folder.iterdir()} == RELEASED
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["edition"]["version"] == version
    files = digests(folder)
    assert {r["file"]: r["sha256"] for r in manifest["outputs"]} == {k: files[k] for k in ("t-horizontal.pdf", "t.html")}
    assert manifest["download_page"]["sha256"] == files["index.html"]
    inputs = {entry["file"]: entry["sha256"] for entry in manifest["inputs"]}
    for name in ("manuscript/book.toml", "manuscript/01.md"):
        assert inputs[name] == hashlib.sha256((project / name).read_bytes()).hexdigest()
    assert manifest["tools"]["weasyprint"] and manifest["tools"]["reportpub"]
    assert all(font["version"] and font["families"] and len(font["sha256"]) == 64 for font in manifest["fonts"])
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert files["t-horizontal.pdf"] in page and files["t.html"] in page  # the download page lists these very files
    return manifest


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_release_after_a_version_change_without_a_build_releases_the_new_version(project):
    assert run_cli("build", str(project)).returncode == 0
    set_book(project, 'version = "1.0"', 'version = "1.1"')
    result = run_cli("release", str(project))
    assert result.returncode == 0, result.stderr
    assert "released 4 file(s) to editions/1.1/: 2 edition(s), index.html and manifest.json" in result.stderr
    released = project / "editions" / "1.1"
    assert_one_current_build(project, released, "1.1")
    assert "第1.1版" in pdf_text(released / "t-horizontal.pdf")  # the colophon says the released version
    assert "第1.1版" in (released / "t.html").read_text(encoding="utf-8")
    assert all(not os.stat(p).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) for p in released.iterdir())
    assert run_cli("check", str(project), "--strict").returncode == 0  # build/ is the released build


def test_release_without_building_refuses_a_stale_build_with_the_reasons(project):
    assert run_cli("build", str(project)).returncode == 0
    set_book(project, 'version = "1.0"', 'version = "1.1"')
    result = run_cli("release", str(project), "--no-build")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert "build/t-horizontal.pdf: out of date: manuscript/book.toml changed" in lines
    assert "build/t.html: out of date: manuscript/book.toml changed" in lines
    assert "build/manifest.json: out of date: it is of version 1.0, book.toml says 1.1" in lines
    assert not (project / "editions").exists()


def test_a_mixed_build_is_reported_by_check_and_never_released_as_one_edition(project):
    assert run_cli("build", str(project)).returncode == 0
    set_book(project, 'paper = "A5"', 'paper = "B6"')
    assert run_cli("build", str(project), "--only", "pdf", "--mode", "horizontal").returncode == 0
    # build/ now holds a B6 PDF beside an A5 web edition: every file matches the manifest, yet it is mixed.
    check = run_cli("check", str(project))
    assert check.returncode == 0
    assert "build/t.html: warning: out of date: manuscript/book.toml changed" in check.stderr.splitlines()
    assert "1 file(s) are out of date" in check.stderr
    strict = run_cli("check", str(project), "--strict")
    assert strict.returncode == 1 and "Traceback" not in strict.stderr
    assert "build/t.html: out of date: manuscript/book.toml changed" in strict.stderr.splitlines()
    assert "t-horizontal.pdf" not in strict.stderr  # the PDF is of the current sources

    refused = run_cli("release", str(project), "--no-build")
    assert refused.returncode == 1 and "build/t.html: out of date: manuscript/book.toml changed" in refused.stderr
    assert not (project / "editions").exists()

    result = run_cli("release", str(project))
    assert result.returncode == 0, result.stderr
    assert "wrote build/t.html" in result.stderr and "wrote build/t-horizontal.pdf" not in result.stderr
    released = project / "editions" / "1.0"
    assert_one_current_build(project, released, "1.0")
    with pikepdf.open(released / "t-horizontal.pdf") as pdf:
        box = [float(v) for v in pdf.pages[0].trimbox]
    assert box[2] - box[0] == pytest.approx(128 * MM, abs=0.5) and box[3] - box[1] == pytest.approx(182 * MM, abs=0.5)


def test_check_explains_an_edited_chapter_and_a_removed_edition(project):
    assert run_cli("build", str(project)).returncode == 0
    assert "build/ matches manifest.json and is up to date with the sources" in run_cli("check", str(project)).stderr
    (project / "manuscript" / "01.md").write_text("# 第一章\n\n本文を直しました。\n", encoding="utf-8")
    (project / "build" / "t.html").unlink()
    strict = run_cli("check", str(project), "--strict")
    assert strict.returncode == 1
    lines = strict.stderr.splitlines()
    assert "build/t-horizontal.pdf: out of date: manuscript/01.md changed" in lines
    assert "build/t.html: listed in manifest.json but missing" in lines


def test_release_twice_refuses_and_keeps_the_first(project):
    assert run_cli("release", str(project)).returncode == 0  # builds first: there was no build/
    released = project / "editions" / "1.0"
    first = digests(released)
    (project / "manuscript" / "01.md").write_text("# 第一章\n\n別の本文。\n", encoding="utf-8")
    again = run_cli("release", str(project))
    assert again.returncode == 1 and "Traceback" not in again.stderr
    assert ("editions/1.0: version 1.0 is already released and is never overwritten; "
            "raise 'version' in manuscript/book.toml for a new edition") in again.stderr.splitlines()
    assert "wrote" not in again.stderr  # refused before building anything
    assert digests(released) == first
    assert [p.name for p in (project / "editions").iterdir()] == ["1.0"]


def test_a_release_that_fails_midway_leaves_nothing(project, monkeypatch):
    from reportpub.build import build
    from reportpub.build import release as release_module
    from reportpub.diagnostics import ReportpubError
    from reportpub.project import Project

    opened = Project.open(project)
    build(opened, jobs=1, report=lambda message: None)
    real_copy, copied = shutil.copy2, []

    def copy_then_fail(source, target):
        copied.append(source)
        if len(copied) == 3:
            raise OSError(28, "No space left on device")
        return real_copy(source, target)

    monkeypatch.setattr(release_module.shutil, "copy2", copy_then_fail)
    with pytest.raises(OSError):
        release_module.release(opened)
    assert len(copied) == 3
    assert list((project / "editions").iterdir()) == []  # no 1.0, no half-copied temporary folder

    # A file of build/ changed after the build is never released either.
    monkeypatch.setattr(release_module.shutil, "copy2", real_copy)
    (project / "build" / "t.html").write_text("tampered", encoding="utf-8")
    with pytest.raises(ReportpubError) as refused:
        release_module.release(opened)
    assert "build/t.html: out of date: the file in build/ was changed or replaced" in map(str, refused.value.diagnostics)
    assert list((project / "editions").iterdir()) == []
