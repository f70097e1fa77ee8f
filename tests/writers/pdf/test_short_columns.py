"""A table's short columns are set unbroken, when the table still fits the narrowest measure;
no table breaks a number or a word in its cells to narrow a column."""

from __future__ import annotations

import weasyprint

from reportpub.theme import THEME_DIR
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


def test_a_narrow_table_breaks_no_number_and_no_word_in_its_cells():
    # The root's overflow-wrap: anywhere let WeasyPrint count a number as breakable at every
    # digit when it shared a narrow table's width out: 「+168」 was set 「+16」/「8」 in an A6
    # island. The theme's cells break a word only when it is longer than the cell can be.
    theme = [weasyprint.CSS(filename=str(THEME_DIR / "base.css")),
             weasyprint.CSS(string="@page { size: 60mm 200mm; margin: 0 } body { font-family: 'Noto Serif CJK JP' }")]
    rows = [("報道件数（件）", "+168", "2,024"), ("砲弾供与（万発）", "-1,543", "+103"), ("派遣部隊（個）", "Guardian", "305")]
    document = weasyprint.HTML(string='<html lang="ja"><body style="width: 30mm">' + table(*rows) + "</body></html>").render(
        stylesheets=theme)
    cells: dict = {}

    def walk(box, cell=None):
        if type(box).__name__ == "TableCellBox":
            cell = cells.setdefault(id(box), [])
        if type(box).__name__ == "LineBox" and cell is not None:
            cell.append("".join(text.text for text in box.descendants() if hasattr(text, "text") and text.text))
            return
        for child in getattr(box, "children", ()):
            walk(child, cell)

    walk(document.pages[0]._page_box)
    lines = [line for cell in cells.values() for line in cell]
    assert len(cells) == 9 and any(len(cell) > 1 for cell in cells.values()), "the labels wrap"
    for word in ("+168", "2,024", "-1,543", "+103", "Guardian", "305"):
        assert word in lines, (word, lines)
