"""A table's short columns are set unbroken, when the table still fits the narrowest measure."""

from __future__ import annotations

from reportpub.writers.pdf.short_columns import UNBROKEN_CLASS, keep_short_columns_unbroken
from reportpub.xhtml import parse_fragment, serialize


def marked(table: str) -> list[list[bool]]:
    """For each row of ``table``, whether each of its cells is marked unbroken."""
    root = parse_fragment(table)
    keep_short_columns_unbroken(root)
    serialize(root, html=True)  # the marks are written as the chapter's HTML is
    return [[UNBROKEN_CLASS in (cell.get("class") or "").split() for cell in row if cell.tag in ("td", "th")]
            for row in root.iter("tr")]


def table(*rows: tuple[str, ...]) -> str:
    return "<table><tbody>" + "".join(
        "<tr>" + "".join(f"<td>{text}</td>" for text in row) + "</tr>" for row in rows) + "</tbody></table>"


def test_a_date_column_beside_sentences_is_unbroken_and_the_sentences_wrap():
    rows = [("2024年12月31日", "ロシアと北朝鮮が包括的戦略パートナーシップ条約を締結した"), ("1961年", "条約を締結")]
    assert marked(table(*rows)) == [[True, False], [True, False]]


def test_columns_too_long_together_or_all_short_or_spanning_are_left_to_the_layout():
    long_cell = "露朝の軍事協力が深まる"  # eleven characters: more than a short cell
    assert marked(table(("2024年12月31日", long_cell))) == [[True, False]]
    assert marked(table((long_cell, long_cell))) == [[False, False]]  # no short column
    assert marked(table(("1961年", "条約"), ("2016年", "訓練"))) == [[False, False], [False, False]]  # all short
    # Two dates and a short word: seventeen characters, too many to keep unbroken in a narrow island.
    assert marked(table(("2024年12月31日", "2025年1月1日", "首脳会談", long_cell))) == [[False] * 4]
    spanning = '<table><tbody><tr><td colspan="2">1961年</td></tr><tr><td>1961年</td><td>' + long_cell + '</td></tr></tbody></table>'
    assert marked(spanning) == [[False], [False, False]]
