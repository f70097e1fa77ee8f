"""Citation notes in the editions: one note list through the book (PDF, web) or one per
chapter (the EPUB), where 同上 and 前掲注N never point into another chapter's list."""

from __future__ import annotations

import re
import zipfile

from tests.citing.test_sist02 import ISSUE_BIBTEX
from tests.conftest import book_toml, run_epubcheck

BOOK = book_toml(authors=["著者 太郎"], version="1.0", slug="test", bibliography="references.bib")

CHAPTERS = {
    "01.md": "# 第1章\n\n本文[@kato2022]。次[@tanaka2019, p. 10]。さらに[@tanaka2019, p. 12]。\n",
    "02.md": "# 第2章\n\n同じ本[@tanaka2019, p. 12]。先の論文[@kato2022, p. 40]。\n",
}


def plain(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment)).strip()


def test_notes_start_afresh_in_each_chapter_of_the_epub(make_project, tmp_path):
    from reportpub.build import read_book
    from reportpub.project import Project
    from reportpub.templates import Templates
    from reportpub.writers.epub import write_epub

    project = Project.open(make_project(CHAPTERS, book=BOOK, files={"manuscript/references.bib": ISSUE_BIBTEX}))
    book = read_book(project)
    notes = [note for chapter in book.chapters for note in chapter.notes]
    # one sequence through the book, as the PDF and the web edition show it
    assert [plain(n.html) for n in notes] == [
        "加藤誠. 郊外団地における高齢者の移動とバス路線. 交通学研究. 2022, vol. 65, no. 2, p. 33-48.",
        "田中一郎. 移動の貧困：高齢社会の交通と福祉. 東京, 東洋書房, 2019, p. 10.",
        "同上, p. 12.",
        "同上, p. 12.",
        "加藤誠, 前掲注1, p. 40.",
    ]
    # the EPUB's second chapter has a note list of its own: its first note cannot be 同上,
    # and a work it cites first is given in full there
    assert [plain(n.html_per_chapter) for n in notes[3:]] == [
        "田中一郎. 移動の貧困：高齢社会の交通と福祉. 東京, 東洋書房, 2019, p. 12.",
        "加藤誠. 郊外団地における高齢者の移動とバス路線. 交通学研究. 2022, vol. 65, no. 2, p. 33-48, p. 40.",
    ]
    assert [plain(n.html_per_chapter) for n in notes[:3]] == [plain(n.html) for n in notes[:3]]
    assert list(book.cited_keys) == ["kato2022", "tanaka2019"]

    for mode in ("vertical", "horizontal"):
        target = tmp_path / f"test-{mode}.epub"
        write_epub(book, project, mode, Templates(project), target)
        with zipfile.ZipFile(target) as archive:
            second = archive.read("EPUB/chapter-002.xhtml").decode()
        asides = re.findall(r"<aside\b.*?</aside>", second, re.DOTALL)
        assert len(asides) == 2
        assert "同上" not in second and "前掲" not in second
        assert "東洋書房" in plain(asides[0])
    result = run_epubcheck(tmp_path / "test-vertical.epub")  # the slower check, once
    assert result["errors"] == 0 and result["warnings"] == 0, "\n".join(result["messages"])
