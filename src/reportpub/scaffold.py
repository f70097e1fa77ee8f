"""``reportpub init``: a new project with a book.toml, two chapters and a bibliography that build as is."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from reportpub.config import safe_slug
from reportpub.diagnostics import ReportpubError

BOOK_TOML = """title = "報告書の題名"
subtitle = "副題"
authors = ["著者 太郎"]
publisher = "発行者"
language = "ja"
date = {date}
version = "1.0"
identifier = "urn:uuid:{uuid}"
slug = "{slug}"
bibliography = "references.json"
csl = "sist02"
chapters = ["01-introduction.md", "02-findings.md"]

[pdf]
paper = "A5"
bleed = "3mm"

[editions]
formats = ["pdf", "print", "epub", "html"]
modes = ["vertical", "horizontal"]
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
