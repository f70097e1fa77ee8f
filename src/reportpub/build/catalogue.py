"""build/index.html: the readers' download page, listing every edition with size and SHA-256."""

from __future__ import annotations

import base64
from pathlib import Path

from reportpub.build.manifest import OutputRecord
from reportpub.model import Book
from reportpub.templates import Templates

MODE_LABELS = {"vertical": "縦組み", "horizontal": "横組み"}
FORMAT_LABELS = {
    "pdf": ("PDF", "画面で読む・保存用（PDF/A）"),
    "print": ("印刷用PDF", "印刷所入稿用（PDF/X、裁ち落とし・トンボ付き）"),
    "epub": ("EPUB", "電子書籍リーダー用（リフロー）"),
    "html": ("Web版", "ブラウザで読む単一HTMLファイル"),
}


def size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def write_download_page(book: Book, templates: Templates, records: list[OutputRecord],
                        cover: tuple[str, bytes] | None, target: Path) -> None:
    editions = []
    for record in records:
        edition = record.edition
        name, description = FORMAT_LABELS[edition.format]
        label = name if edition.format == "html" else f"{name}（{MODE_LABELS[edition.mode]}）"
        editions.append({"file": edition.name, "label": label, "description": description,
                         "size_label": size_label(record.size), "sha256": record.sha256})
    cover_uri = f"data:{cover[0]};base64," + base64.b64encode(cover[1]).decode() if cover else None
    target.write_text(templates.render("index.html", book, editions=editions, cover=cover_uri), encoding="utf-8")
