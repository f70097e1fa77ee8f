"""The contents' dot leaders are drawn as one text each, their dots where WeasyPrint puts them."""

from __future__ import annotations

import pymupdf
import pytest
import weasyprint
from weasyprint.layout import inline

from reportpub.writers.pdf import leaders

HTML = """<html lang="ja"><style>
@page { size: 120mm 80mm; margin: 10mm; }
body { font-family: "Noto Serif CJK JP"; font-size: 10pt; }
li::after { content: leader("·") "12"; }
.bold { font-family: "Noto Sans CJK JP"; font-weight: 700; }
</style><body><ol>
<li>第一章　はじめに</li><li class="bold">第二章　長い見出しの章</li><li>付録</li>
</ol></body></html>"""


def dots(pdf: bytes) -> list[tuple[float, float]]:
    """The origin (y, x) of every leader dot drawn, line by line."""
    with pymupdf.open(stream=pdf, filetype="pdf") as document:
        return sorted((round(char["origin"][1], 1), round(char["origin"][0], 1))
                      for block in document[0].get_text("rawdict")["blocks"] for line in block.get("lines", [])
                      for span in line["spans"] for char in span["chars"] if char["c"] == "·")


def text_objects(pdf: bytes) -> int:
    with pymupdf.open(stream=pdf, filetype="pdf") as document:
        return document[0].read_contents().count(b"TJ")


@pytest.fixture
def with_and_without(monkeypatch):
    monkeypatch.setattr(inline, "handle_leader", leaders._weasyprint_handle_leader)
    plain = weasyprint.HTML(string=HTML).write_pdf()
    monkeypatch.setattr(inline, "handle_leader", leaders.handle_leader)
    joined = weasyprint.HTML(string=HTML).write_pdf()
    return plain, joined


def test_leader_dots_stay_where_weasyprint_sets_them(with_and_without):
    plain, joined = with_and_without
    expected, got = dots(plain), dots(joined)
    assert len(got) == len(expected) > 60
    assert max(abs(a - b) for p, q in zip(expected, got) for a, b in zip(p, q)) <= 0.15


def test_each_leader_is_one_text(with_and_without):
    plain, joined = with_and_without
    # Three leaders: WeasyPrint draws every dot as a text of its own, here each leader is one.
    assert text_objects(plain) - text_objects(joined) == len(dots(plain)) - 3
