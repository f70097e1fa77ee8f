"""Short table columns set unbroken, the long ones taking what the table has left.

A table narrower than its text (a date column beside a column of sentences, as a report's
timeline is) is laid out by WeasyPrint's automatic table layout, which shares the width
between the columns by their content's widths: Japanese text may break at any character,
so the short column was given less than its longest cell and its dates wrapped, a
character alone on the next line (「2024年2月1／日」, every row a line taller). A
typesetter sets such a column at its content's width and lets the long column wrap.

So a column whose every cell is short (SHORT_CELL characters at most, a half-width
character counting half: a date is seven) is marked unbroken (``white-space: nowrap``,
theme/pdf.css), when such columns together stay within SHORT_COLUMNS and a column that may
wrap is left, so that the table still fits the narrowest width it may be set at (a vertical
island's narrowest, islands.NARROWER, holds some sixteen characters of a table).
"""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as etree

from reportpub.xhtml import text_of

UNBROKEN_CLASS = "unbroken"
SHORT_CELL = 8.0  # characters (full-width)
SHORT_COLUMNS = 10.0  # characters, all short columns of a table together


def keep_short_columns_unbroken(root: etree.Element) -> None:
    """Mark the cells of each table's short columns unbroken."""
    for table in root.iter("table"):
        rows = list(table.iter("tr"))
        if any(cell.get("colspan") or cell.get("rowspan") for row in rows for cell in _cells(row)):
            continue  # columns that are not one cell a row: left to WeasyPrint
        longest: dict[int, float] = {}
        for row in rows:
            for column, cell in enumerate(_cells(row)):
                longest[column] = max(longest.get(column, 0.0), _length(text_of(cell).strip()))
        short = {column for column, length in longest.items() if length <= SHORT_CELL}
        if not short or len(short) == len(longest) or sum(longest[column] for column in short) > SHORT_COLUMNS:
            continue
        for row in rows:
            for column, cell in enumerate(_cells(row)):
                if column in short:
                    cell.set("class", " ".join(filter(None, [cell.get("class"), UNBROKEN_CLASS])))


def _cells(row: etree.Element) -> list[etree.Element]:
    return [cell for cell in row if cell.tag in ("td", "th")]


def _length(text: str) -> float:
    """A text's length in full-width characters."""
    return sum(1.0 if unicodedata.east_asian_width(character) in "WF" else 0.5 for character in text)
