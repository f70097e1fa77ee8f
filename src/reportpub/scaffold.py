"""``reportpub init``: a new project with a book.toml, two chapters and a bibliography that build as is."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from reportpub.config import safe_slug
from reportpub.diagnostics import ReportpubError

BOOK_TOML = """# book.toml: what the book is and which editions to make. Every key is explained,
# with its default, in reportpub's docs/book-toml.md. Text values go in quotes.

title = "報告書の題名"
subtitle = "副題"                        # optional
authors = ["著者 太郎"]
publisher = "発行者"                     # optional; the colophon's 発行者
language = "ja"
date = {date}                      # publication date; also the timestamp of every output
version = "1.0"                          # edition version, in the colophon (第1.0版)
identifier = "urn:uuid:{uuid}"  # keep it: it names this book in every edition
slug = "{slug}"                         # output file names: {slug}-vertical.pdf …
bibliography = "references.json"         # CSL-JSON, CSL-YAML or BibTeX, for [@key] citations
csl = "sist02"                           # or "japanese-humanities", "chicago-note", a .csl file
chapters = ["01-introduction.md", "02-findings.md"]   # reading order; default: *.md by name
# appendix = ["a1.md"]                   # appendix chapters after them, numbered 付録A …
# cover = "images/cover.jpg"             # your cover (PNG or JPEG); default: one set from the title

[pdf]
paper = "A5"                             # A4 A5 A6 B5 B6 shiroku shinsho, or "148mm 210mm"
bleed = "3mm"                            # around the print PDF's trim

[editions]
formats = ["pdf", "print", "epub", "html"]   # reader PDF, print PDF, EPUB 3, web edition
modes = ["vertical", "horizontal"]           # 縦組み, 横組み

# [toc]
# depth = 2                              # contents: 1 chapters, 2 and ## sections, 3 and ###

# [numbering]
# chapters = "第1章"                      # or "1", "第一章", "一"; "" (the default) for none
# appendix = "付録A"

# [colophon]
# isbn = "978-4-00-000000-0"
# printer = "印刷所"
# contact = "連絡先"
# history = [{{ version = "1.0", date = {date}, note = "初版発行" }}]
"""

CHAPTER_1 = """# はじめに

本報告書は、{{調査|ちょう|さ}}の結果をまとめたものです。2024年12月の時点で判明している事実に基づきます[@example2024]。

## 目的 {{#purpose}}

この章では《《目的》》を述べます。詳しくは[次の章](#findings)を参照してください[^note]。

[^note]: 注の本文です。
"""

CHAPTER_2 = """# 調査の結果 {#findings}

結果を表1にまとめます[@example2024, p. 12]。

Table: 調査の結果

| 項目 | 値 |
|------|----|
| 対象 | 12件 |
| 期間 | 3か月 |
"""

REFERENCES = """[
  {
    "id": "example2024",
    "type": "report",
    "title": "調査報告の例",
    "author": [{"family": "山田", "given": "花子"}],
    "publisher": "発行者",
    "issued": {"date-parts": [[2024, 12, 1]]},
    "language": "ja"
  }
]
"""


def create_project(directory: Path) -> None:
    if directory.exists() and any(directory.iterdir()):
        raise ReportpubError.at(str(directory), "directory exists and is not empty; choose a new one")
    manuscript = directory / "manuscript"
    (manuscript / "images").mkdir(parents=True)
    (directory / "styles").mkdir()
    (directory / "templates").mkdir()
    slug = safe_slug(directory.resolve().name)  # the rule book.toml's slug is checked against
    (manuscript / "book.toml").write_text(
        BOOK_TOML.format(date=dt.date.today().isoformat(), uuid=uuid.uuid4(), slug=slug), encoding="utf-8")
    (manuscript / "01-introduction.md").write_text(CHAPTER_1.replace("{{", "{").replace("}}", "}"), encoding="utf-8")
    (manuscript / "02-findings.md").write_text(CHAPTER_2, encoding="utf-8")
    (manuscript / "references.json").write_text(REFERENCES, encoding="utf-8")
    (directory / "styles" / "custom.css").write_text("/* Your CSS, layered over reportpub's theme. */\n", encoding="utf-8")
    (directory / ".gitignore").write_text("build/\n", encoding="utf-8")
