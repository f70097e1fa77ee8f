"""The repository's own sample report, built as `make` builds it: every edition, and what a reader finds in it."""

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import REPOSITORY, run_epubcheck

SOURCE = REPOSITORY.parent / "shared" / "source" / "report-source.txt"
EDITIONS = ["report-vertical.pdf", "report-vertical-print.pdf", "report-vertical.epub", "report-horizontal.pdf",
            "report-horizontal-print.pdf", "report-horizontal.epub", "report.html", "index.html", "manifest.json"]
URLS = [
    "https://jp.reuters.com/world/north-korea/ZQOCWOJCXVMIJH4ETYJ6N5W6B4-2024-12-04/",
    "https://www.bbc.com/japanese/articles/cpdv1zddl0zo",
    "https://mainichi.jp/articles/20241015/k00/00m/030/010000c",
    "https://news.yahoo.co.jp/articles/a979f05dd139eaa57f3849c2c27bcf2849972186",
    "https://japanese.joins.com/JArticle/328219?sectcode=A00&servcode=A00",
]


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def epub_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "".join(archive.read(n).decode() for n in sorted(archive.namelist()) if n.endswith(".xhtml"))


def test_every_default_edition_is_built(sample_build):
    assert sorted(p.name for p in sample_build.iterdir() if not p.name.startswith(".")) == sorted(EDITIONS)


def test_the_source_urls_survive_in_every_edition(sample_build):
    texts = {
        "pdf": re.sub(r"\s+", "", pdf_text(sample_build / "report-horizontal.pdf")),
        "epub": epub_text(sample_build / "report-vertical.epub").replace("&amp;", "&"),
        "html": (sample_build / "report.html").read_text(encoding="utf-8").replace("&amp;", "&"),
    }
    for url in URLS:
        for name, text in texts.items():
            assert url in text, (name, url)
    if SOURCE.is_file():  # the sample was made from it: its URLs are the ones above
        assert sorted(re.findall(r"https://\S+?(?=[^\x00-\x7f]|\s|$)", SOURCE.read_text(encoding="utf-8"))) == sorted(URLS)


def test_citation_notes_and_references_list(sample_build):
    text = pdf_text(sample_build / "report-horizontal.pdf")
    flat = re.sub(r"\s+", "", text)
    # SIST 02 (the sample's csl = "sist02"): plain titles, ". " between elements, ISO dates
    assert "注2北朝鮮とロシアの「包括的戦略的パートナーシップ条約」の発効を伝える記事.ロイター.2024-12-04." in flat
    assert "注3同上." in flat
    assert "注8前掲注6." in flat  # a later citation of an earlier source, after an author's own note
    references = flat[flat.rindex("参考文献"):]
    outlets = [references.index(o) for o in (".BBCニュースジャパン.", ".Yahoo!ニュース.", ".ロイター.", ".毎日新聞.", ".中央日報.")]
    assert outlets == sorted(outlets)  # sorted by reading: うくらいな…, きたちょうせんと…, きたちょうせんに…, まふのふか…


def test_epubs_pass_epubcheck(sample_build):
    for name in ("report-vertical.epub", "report-horizontal.epub"):
        result = run_epubcheck(sample_build / name)
        assert (result["errors"], result["warnings"]) == (0, 0), result["messages"]


def test_vertical_edition_looks_vertical(sample_build):
    text = pdf_text(sample_build / "report-vertical.pdf")
    assert "１９６１年" in text and "包括的戦略パートナーシップ条約" in text
    xhtml = epub_text(sample_build / "report-vertical.epub")
    assert '<span class="tcy">19</span>' in xhtml  # 6月19日


def test_manifest_describes_the_build(sample_build):
    manifest = json.loads((sample_build / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(o["file"] for o in manifest["outputs"]) == sorted(e for e in EDITIONS if e not in ("index.html", "manifest.json"))
    conformance = {o["file"]: o.get("conformance") for o in manifest["outputs"]}
    assert conformance["report-vertical.pdf"] == "PDF/A-3a, PDF/UA-1" and conformance["report-vertical-print.pdf"] == "PDF/X-4"
    assert "manuscript/references.json" in {i["file"] for i in manifest["inputs"]}
    assert any(f["file"].endswith("NotoSerifCJK-Regular.ttc") for f in manifest["fonts"])


def test_download_page_lists_every_edition(sample_build):
    page = (sample_build / "index.html").read_text(encoding="utf-8")
    manifest = json.loads((sample_build / "manifest.json").read_text(encoding="utf-8"))
    for output in manifest["outputs"]:
        assert f'href="{output["file"]}"' in page and output["sha256"] in page
    assert 'src="data:image/png;base64,' in page
    assert not re.search(r'(src|href)="(https?:)?//', page)  # self-contained: nothing fetched from a network
    assert "縦組み" in page and "横組み" in page and "印刷用PDF" in page


@pytest.mark.slow
def test_download_page_in_a_real_browser(sample_build, tmp_path):
    """Headless Chromium at a phone's width: the page renders, with the cover and the editions."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (make installs it)")
    screenshot = tmp_path / "index.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
                    f"--screenshot={screenshot}", "--window-size=390,1400", (sample_build / "index.html").as_uri()],
                   capture_output=True, timeout=120, check=True)
    image = Image.open(screenshot).convert("RGB")
    assert image.size == (390, 1400)
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50  # text and the cover, not a blank page
    # the cover's indigo band is drawn in the top part of the page
    top = image.crop((0, 0, 390, 400)).getcolors(maxcolors=1 << 20)
    assert any(b > r + 30 and b > 60 for _, (r, g, b) in top)


def test_chapter_openings_carry_their_text(sample_build):
    """The first chapter's opening page holds its opening paragraphs, not the heading alone
    (a note that does not fit must not push the chapter's text to the next page)."""
    for name in ("report-vertical.pdf", "report-horizontal.pdf"):
        path = sample_build / name
        pages = pdf_text(path).split("\f")
        opening = next(page for page in pages if "はじめに" in page and "目次" not in page)
        assert "軍事協力が深化" in re.sub(r"\s+", "", opening), name


def test_sample_styles_colour_the_running_heads(sample_build):
    """The repository's styles/running-head.css reaches the PDFs: the running heads (7 pt) are
    indigo, the text stays black."""
    import pymupdf

    for name in ("report-vertical.pdf", "report-horizontal.pdf"):
        heads, text = set(), set()
        with pymupdf.open(sample_build / name) as document:
            for page in document:
                for block in page.get_text("dict")["blocks"]:
                    for line in block.get("lines", []):
                        for span in line["spans"]:
                            if span["text"].strip():
                                (heads if round(span["size"]) == 7 else text).add(span["color"])
        assert 0x233A58 in heads, (name, sorted(map(hex, heads)))
        assert 0x233A58 not in text and 0 in text, name


def test_per_character_ruby_reads_base_first_in_the_web_edition(sample_build):
    html = (sample_build / "report.html").read_text(encoding="utf-8")
    # {彷彿|ほう|ふつ} in document order, as a screen reader reads it: both bases, then the reading.
    assert "<ruby>彷彿<rp>(</rp><rt>ほうふつ</rt><rp>)</rp></ruby>" in html
    assert "彷<rp>" not in html
