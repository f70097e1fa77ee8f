"""EPUB Accessibility 1.1: the package metadata of both EPUB editions, figures' alternative
text, and Ace by DAISY's verdict on the sample and on a book with figures."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from tests.conftest import DEFAULT_BOOK, run_ace, run_epubcheck
from tests.writers.test_epub import MODES, NS, package, read

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def accessibility_meta(epub) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for meta in package(epub).iterfind("opf:metadata/opf:meta[@property]", NS):
        found.setdefault(meta.get("property"), []).append(meta.text)
    return found


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


FIGURE_WITH_ALT = '![北部の地図](images/map.png "クルスク州の地図。前線は州の南西部を東西に走る。")'
FIGURE_WITHOUT_ALT = "![兵員の推移](images/chart.png)"


@pytest.fixture(scope="module")
def figure_epubs(tmp_path_factory):
    """{(mode, all_alt): epub}: a book whose every figure has alternative text, and one where a
    figure has only its caption; the second also sets its own accessibility summary."""
    from reportpub.build import read_book
    from reportpub.project import Project
    from reportpub.templates import Templates
    from reportpub.writers.epub import write_epub

    built = {}
    for all_alt in (True, False):
        root = tmp_path_factory.mktemp("figures") / "project"
        (root / "manuscript" / "images").mkdir(parents=True)
        book = DEFAULT_BOOK + ("" if all_alt else 'accessibility_summary = "著者の要約。"\n')
        (root / "manuscript" / "book.toml").write_text(book, encoding="utf-8")
        figures = FIGURE_WITH_ALT + ("" if all_alt else "\n\n" + FIGURE_WITHOUT_ALT)
        (root / "manuscript" / "01.md").write_text(
            f"# 第1章\n\n{{彷彿|ほう|ふつ}}とさせる本文。\n\n{figures}\n\n| 年 | 兵員 |\n| --- | --- |\n| 2024 | 1万 |\n",
            encoding="utf-8")
        for name in ("map.png", "chart.png"):
            (root / "manuscript" / "images" / name).write_bytes(png())
        project = Project.open(root)
        for mode in MODES:
            built[(mode, all_alt)] = root / f"{mode}.epub"
            write_epub(read_book(project), project, mode, Templates(project), built[(mode, all_alt)])
    return built


@pytest.mark.parametrize("mode", MODES)
def test_sample_declares_its_accessibility(built_epubs, mode):
    epub = built_epubs[mode]
    assert package(epub).get(XML_LANG) == "ja"
    meta = accessibility_meta(epub)
    assert meta["schema:accessMode"] == ["textual"]  # the sample has no figures
    assert meta["schema:accessModeSufficient"] == ["textual"]
    writing = "verticalWriting" if mode == "vertical" else "horizontalWriting"
    assert meta["schema:accessibilityFeature"] == [
        "structuralNavigation", "tableOfContents", "readingOrder", "rubyAnnotations", writing]
    assert meta["schema:accessibilityHazard"] == ["none"]
    [summary] = meta["schema:accessibilitySummary"]
    assert "ルビ" in summary and ("縦組み" if mode == "vertical" else "横組み") in summary
    assert meta["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]


@pytest.mark.parametrize("mode", MODES)
def test_figures_with_alternative_text(figure_epubs, mode):
    epub = figure_epubs[(mode, True)]
    chapter = read(epub, "EPUB/chapter-001.xhtml").decode()
    assert 'alt="クルスク州の地図。前線は州の南西部を東西に走る。"' in chapter
    assert "北部の地図</figcaption>" in chapter and "title=" not in chapter
    meta = accessibility_meta(epub)
    assert meta["schema:accessMode"] == ["textual", "visual"]
    assert meta["schema:accessModeSufficient"] == ["textual", "textual,visual"]
    assert "alternativeText" in meta["schema:accessibilityFeature"]
    assert "図にはすべて代替テキストがあります" in meta["schema:accessibilitySummary"][0]
    assert meta["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    result = run_epubcheck(epub)
    assert result["errors"] == 0 and result["warnings"] == 0, "\n".join(result["messages"])


@pytest.mark.parametrize("mode", MODES)
def test_a_figure_without_alternative_text_claims_no_conformance(figure_epubs, mode):
    epub = figure_epubs[(mode, False)]
    chapter = read(epub, "EPUB/chapter-001.xhtml").decode()
    assert 'alt="兵員の推移"' in chapter  # the caption stands in, so the image is never silent
    meta = accessibility_meta(epub)
    assert meta["schema:accessModeSufficient"] == ["textual,visual"]
    assert "alternativeText" not in meta["schema:accessibilityFeature"]
    assert "dcterms:conformsTo" not in meta
    assert meta["schema:accessibilitySummary"] == ["著者の要約。"]  # book.toml's own


def test_check_warns_of_a_figure_without_alternative_text(make_project):
    from tests.conftest import run_cli

    root = make_project({"01.md": f"# 第1章\n\n本文。\n\n{FIGURE_WITH_ALT}\n\n段落。\n\n{FIGURE_WITHOUT_ALT}\n"},
                        files={"manuscript/images/map.png": png(), "manuscript/images/chart.png": png()})
    result = run_cli("check", str(root))
    assert result.returncode == 0, result.stderr
    warnings = [line for line in (result.stdout + result.stderr).splitlines() if "alternative text" in line]
    assert warnings == ["manuscript/01.md:9: warning: figure 'images/chart.png' has no alternative text apart from "
                        'its caption: write ![caption](images/chart.png "what the figure shows")']


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_ace_finds_no_violation_in_the_sample(built_epubs, tmp_path, mode):
    violations = run_ace(built_epubs[mode], tmp_path / "ace")
    assert violations == [], "\n".join(violations)


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_ace_finds_no_violation_in_a_book_with_figures_ruby_and_a_table(figure_epubs, tmp_path, mode):
    violations = run_ace(figure_epubs[(mode, True)], tmp_path / "ace")
    assert violations == [], "\n".join(violations)
    with zipfile.ZipFile(figure_epubs[(mode, True)]) as archive:
        assert "EPUB/images/map.png" in archive.namelist()
