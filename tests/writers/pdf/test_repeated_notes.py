"""A note cited more than once (``[^a]`` called two or three times): in the PDFs its text is set
once, on the page of its first call, and every call shows its one number and links to it; the
EPUB and the web edition link every call to the note, each call with an id of its own. Read back
from a book whose notes are called twice and three times in one paragraph, on one page and on
later pages, in both writing modes, reader and print."""

from __future__ import annotations

import re
import subprocess
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

import pikepdf
import pytest

from tests.conftest import run_cli, run_epubcheck
from tests.writers.pdf.page_make_up import overprints, read_pages
from tests.writers.pdf.test_accessibility import _elements, structure_faults, validation_failures
from tests.writers.pdf.test_page_flow import book, paragraph, stranded

MODES = ["vertical", "horizontal"]
# The notes' texts, and how often each is called: note 1 twice in the first paragraph and once
# pages later, note 2 three times in one paragraph, note 3 on one page twice and pages later,
# note 4 (the second chapter's) twice.
NOTES = {1: ("二度引かれる注の本文です。", 3), 2: ("一つの段落で三度引かれる注の本文です。", 3),
         3: ("三度引かれ、最後は別のページで引かれる注の本文です。", 3), 4: ("第二章の注の本文です。", 2)}


def chapters() -> dict[str, str]:
    first = ["# 二度引く注",
             "最初の段落は同じ注を二度引きます[^a]。" + paragraph(0, 2) + "ここでもう一度引きます[^a]。" + paragraph(1, 1),
             "三度引く注は一つの段落の中にあります[^t]。" + paragraph(2, 1) + "二度目です[^t]、" + paragraph(3, 1)
             + "三度目です[^t]。",
             "別の段落で一度引き[^b]、" + paragraph(4, 2),
             "同じページの次の段落でまた引きます[^b]。" + paragraph(5, 2)]
    first += [paragraph(n, 4) for n in range(12)]
    first.append("遠いページで三度目を引きます[^b]。そして最初の注をまた引きます[^a]。" + paragraph(2, 3))
    first += [f"[^{label}]: {NOTES[number][0]}" for label, number in (("a", 1), ("t", 2), ("b", 3))]
    second = ["# 次の章", "新しい章の注です[^x]。" + paragraph(1, 3), paragraph(2, 4),
              "同じ注をもう一度[^x]。" + paragraph(3, 2), f"[^x]: {NOTES[4][0]}"]
    return {"01.md": "\n\n".join(first) + "\n", "02.md": "\n\n".join(second) + "\n"}


@pytest.fixture(scope="module")
def repeated_notes_book(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("notes") / "repeated"
    (root / "manuscript").mkdir(parents=True)
    (root / "manuscript" / "book.toml").write_text(
        book("41", "repeated", formats=("pdf", "print", "epub", "html")), encoding="utf-8")
    for name, text in chapters().items():
        (root / "manuscript" / name).write_text(text, encoding="utf-8")
    result = run_cli("build", str(root), "--jobs", "1")
    assert result.returncode == 0, result.stderr
    return root / "build"


EDITIONS = [f"{mode}{suffix}" for mode in MODES for suffix in ("", "-print")]


@pytest.mark.parametrize("edition", EDITIONS)
def test_a_note_called_again_is_set_once_and_every_call_shows_its_number(repeated_notes_book, edition):
    path = repeated_notes_book / f"repeated-{edition}.pdf"
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout.replace("\n", "")
    assert {number: text.count(words) for number, (words, _) in NOTES.items()} == {n: 1 for n in NOTES}
    pages = read_pages(path)
    calls = Counter(n for page in pages for n in page.calls)
    assert calls == Counter({number: count for number, (_, count) in NOTES.items()})
    # The note stands on the page of its first call; a later call may be pages after it.
    for number in NOTES:
        (note_page,) = [page.number for page in pages if number in page.notes]
        assert note_page == min(page.number for page in pages if number in page.calls)
    assert any(3 in page.calls and 3 not in page.notes for page in pages)  # called again on a later page
    assert [o for page in pages for o in overprints(page)] == []
    assert stranded(pages, 0.25) == []


def _line_starts(path: Path) -> list[str]:
    """Lines (columns) that begin with a note call or closing punctuation, as pageflow.py reads
    them: a line of digits alone is a call (or a page number) joined to the line after it."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    found = []
    for page in text.split("\f"):
        lines = [line.strip() for line in page.split("\n") if line.strip()]
        found += [f"{a} / {b}" for a, b in zip(lines, lines[1:])
                  if re.fullmatch(r"[0-9０-９]{1,2}", a) and len(b) > 10 and b[0] in "、。」）"]
        found += [line for line in lines if line[0] in "、。」）"]
    return found


@pytest.mark.parametrize("mode", MODES)
def test_no_line_begins_with_a_later_call_or_its_punctuation(repeated_notes_book, mode):
    assert _line_starts(repeated_notes_book / f"repeated-{mode}.pdf") == []


@pytest.mark.parametrize("mode", MODES)
def test_every_call_is_a_reference_linked_to_the_one_note(repeated_notes_book, mode):
    path = repeated_notes_book / f"repeated-{mode}.pdf"
    assert validation_failures(path, "ua1") == []
    assert structure_faults(path) == []
    with pikepdf.open(path) as pdf:
        elements = list(_elements(pdf))
        ids = [str(e.ID) for e in elements if e.S == pikepdf.Name.Note]
        assert len(ids) == len(NOTES) == len(set(ids))
        targets = Counter()
        for reference in (e for e in elements if e.S == pikepdf.Name.Reference):
            (link,) = [kid for kid in reference.K if isinstance(kid, pikepdf.Dictionary)]
            assert link.S == pikepdf.Name.Link
            (annotation,) = [kid.Obj for kid in link.K if isinstance(kid, pikepdf.Dictionary)
                             and kid.get("/Type") == pikepdf.Name.OBJR]
            number = int(str(annotation.Dest).removeprefix("note-"))
            assert str(annotation.Contents) == f"注{number}"
            targets[number] += 1
        assert targets == Counter({number: count for number, (_, count) in NOTES.items()})


def _ids_and_note_links(html: str) -> tuple[list[str], Counter]:
    ids = re.findall(r'\bid="([^"]+)"', html)
    links = Counter(re.findall(r'<a [^>]*href="#(note-\d+)"[^>]*role="doc-noteref"', html)
                    + re.findall(r'<a [^>]*role="doc-noteref"[^>]*href="[^"#]*#(note-\d+)"', html))
    return ids, links


@pytest.mark.parametrize("mode", MODES)
def test_the_epub_links_every_call_to_its_note(repeated_notes_book, mode):
    path = repeated_notes_book / f"repeated-{mode}.epub"
    assert run_epubcheck(path)["errors"] == 0
    with zipfile.ZipFile(path) as epub:
        chapters = [epub.read(name).decode() for name in sorted(epub.namelist())
                    if "chapter" in name and name.endswith(".xhtml")]
    links = Counter()
    for html in chapters:
        ids, found = _ids_and_note_links(html)
        assert len(ids) == len(set(ids))
        links += found
        for words, _ in NOTES.values():
            assert html.count(unicodedata.normalize("NFC", words)) <= 1
    # the EPUB numbers notes within the book, each chapter's list holding its own
    assert sorted(links.values()) == sorted(count for _, count in NOTES.values())


def test_the_web_edition_links_every_call_to_its_note(repeated_notes_book):
    html = (repeated_notes_book / "repeated.html").read_text(encoding="utf-8")
    ids, links = _ids_and_note_links(html)
    assert len(ids) == len(set(ids))  # each call has an id of its own; the note's back link goes to the first
    assert links == Counter({f"note-{number}": count for number, (_, count) in NOTES.items()})
    assert all(html.count(words) == 1 for words, _ in NOTES.values())
