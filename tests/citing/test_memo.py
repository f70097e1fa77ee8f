"""The memo of formatted citations (citing/memo.py): a second reading of the book runs no
citeproc and gives the same notes and references; every input the notes read (a bibliography
entry, the style, the citation's locator) makes the reading format again and changes the notes."""

from __future__ import annotations

import json

from reportpub.citing.formatter import CitationFormatter
from tests.citing.test_sist02 import ISSUE_BIBTEX
from tests.conftest import book_toml

CHAPTERS = {
    "01.md": "# 第1章\n\n本文[@kato2022]。次[@tanaka2019, p. 10]。英語の論文[@lucas2012]。\n",
    "02.md": "# 第2章\n\n同じ本[@tanaka2019, p. 12]。手引き[@mlit2023]。\n",
}


def book_of(style: str = "sist02") -> str:
    return book_toml(authors=["著者 太郎"], version="1.0", slug="test", bibliography="references.bib", csl=style)


def read(root):
    """(every note's HTML, every reference's HTML) of the book at ``root``, read as a build reads it."""
    from reportpub.build import read_book
    from reportpub.project import Project

    book = read_book(Project.open(root))
    return ([note.html for chapter in book.chapters for note in chapter.notes],
            [reference.html for reference in book.references])


def fresh(root):
    """The same, with no memo on disk: what a forced build formats."""
    import shutil

    shutil.rmtree(root / "build" / ".cache" / "citations", ignore_errors=True)
    return read(root)


def test_a_second_reading_takes_every_citation_from_the_memo(make_project, monkeypatch):
    root = make_project(CHAPTERS, book=book_of(), files={"manuscript/references.bib": ISSUE_BIBTEX})
    first = read(root)
    assert len(first[0]) == 5 and len(first[1]) == 4
    assert list((root / "build" / ".cache" / "citations").glob("*.json"))
    calls = []
    real = CitationFormatter._run_citeproc
    monkeypatch.setattr(CitationFormatter, "_run_citeproc", lambda self, *a: calls.append(a) or real(self, *a))
    assert read(root) == first
    assert calls == []


def test_a_changed_bibliography_entry_is_formatted_again(make_project):
    root = make_project(CHAPTERS, book=book_of(), files={"manuscript/references.bib": ISSUE_BIBTEX})
    before = read(root)
    bib = root / "manuscript" / "references.bib"
    bib.write_text(ISSUE_BIBTEX.replace("移動の貧困：高齢社会の交通と福祉", "移動の豊かさ"), encoding="utf-8")
    after = read(root)
    assert after != before
    assert any("移動の豊かさ" in note for note in after[0]) and any("移動の豊かさ" in r for r in after[1])
    assert after == fresh(root)


def test_a_changed_style_is_formatted_again(make_project):
    root = make_project(CHAPTERS, book=book_of("sist02"), files={"manuscript/references.bib": ISSUE_BIBTEX})
    sist02 = read(root)
    (root / "manuscript" / "book.toml").write_text(book_of("chicago-note"), encoding="utf-8")
    chicago = read(root)
    assert chicago != sist02
    assert chicago == fresh(root)
    # An own .csl file: its text is part of the memo's name, so editing it formats again.
    from reportpub.citing.formatter import style_path

    csl = style_path("sist02").read_text(encoding="utf-8")
    (root / "manuscript" / "own.csl").write_text(csl, encoding="utf-8")
    (root / "manuscript" / "book.toml").write_text(book_of("own.csl"), encoding="utf-8")
    own = read(root)
    assert own == fresh(root)
    (root / "manuscript" / "own.csl").write_text(csl.replace('delimiter=". "', 'delimiter=" / "'), encoding="utf-8")
    edited = read(root)
    assert edited != own and edited == fresh(root)


def test_a_changed_locator_is_formatted_again(make_project):
    root = make_project(CHAPTERS, book=book_of("chicago-note"), files={"manuscript/references.bib": ISSUE_BIBTEX})
    before = read(root)
    chapter = root / "manuscript" / "02.md"
    chapter.write_text(CHAPTERS["02.md"].replace("p. 12", "p. 99"), encoding="utf-8")
    after = read(root)
    assert after != before and any("99" in note for note in after[0])
    assert after == fresh(root)


def test_a_damaged_memo_is_not_trusted(make_project):
    root = make_project(CHAPTERS, book=book_of(), files={"manuscript/references.bib": ISSUE_BIBTEX})
    good = read(root)
    for memo in (root / "build" / ".cache" / "citations").glob("*.json"):
        memo.write_bytes(memo.read_bytes()[:-20])
    assert read(root) == good


def test_the_memo_keeps_only_what_the_book_cites(make_project, monkeypatch):
    root = make_project(CHAPTERS, book=book_of("chicago-note"), files={"manuscript/references.bib": ISSUE_BIBTEX})

    def memo_calls():
        from reportpub.cache import Cache

        [memo] = [path for path in (root / "build" / ".cache" / "citations").glob("*.json") if not path.name.startswith(".")]
        return set(json.loads(Cache(memo.parent).get(memo.stem, "json")))

    read(root)
    before = memo_calls()
    chapter = root / "manuscript" / "02.md"
    chapter.write_text(CHAPTERS["02.md"].replace("p. 12", "p. 99").replace("手引き[@mlit2023]。", ""), encoding="utf-8")
    after = read(root)
    kept = memo_calls()
    # The old locator's note and every call of the work no longer cited are gone; the new locator's is there.
    assert len(kept - before) == 1 and len(before - kept) >= 3
    assert after == fresh(root)
    assert memo_calls() == kept  # a reading with no memo makes the same calls
    calls = []
    real = CitationFormatter._run_citeproc
    monkeypatch.setattr(CitationFormatter, "_run_citeproc", lambda self, *a: calls.append(a) or real(self, *a))
    assert read(root) == after and calls == []  # every call the book makes is still kept
