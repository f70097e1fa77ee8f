"""Tables that are copies of each other share their column widths within a layout.

The vertical PDF writes each upright island once per width it may be set at (islands.py),
and measures it at each of them in a layout of its own: the same table stands four times in
a document. WeasyPrint works out a table's column widths (the min- and max-content width of
every cell, which for Japanese text means breaking each cell at every character) once per
table box, so it did that work four times over (7 % of a profile of the vertical PDF).
The widths depend only on the table's content and styles, never on the width the table is
laid out at; so the first copy's are handed to the others.

Copies are found by their content: the table element as written (the HTML islands.py copies)
and every computed style of the table box, which holds what the table inherits from where
it stands. Two tables alike in both are styled alike within, for the stylesheets style an
island's table by its classes, not by the position of the island it sits in. Shared only
within one layout (one LayoutContext), as WeasyPrint keeps its own.

Tied to WeasyPrint 70's ``table_and_columns_preferred_widths`` (pyproject.toml bounds the
version): the grid it returns is rebuilt for each copy, as WeasyPrint builds it.
"""

from __future__ import annotations

from xml.etree import ElementTree

from weasyprint.css.properties import INITIAL_VALUES
from weasyprint.layout import preferred
from weasyprint.layout import table as table_layout

_weasyprint_preferred_widths = preferred.table_and_columns_preferred_widths
_installed = False


def _key(table) -> tuple | None:
    """What a table's column widths depend on: its content as written and its computed styles."""
    if table.element is None:
        return None
    styles = tuple(repr(table.style[name]) for name in sorted(INITIAL_VALUES))
    return ElementTree.tostring(table.element, encoding="unicode"), styles


def _zipped_grid(table) -> list:
    """The table's cells by column, as WeasyPrint's table_and_columns_preferred_widths builds them."""
    grid_width = grid_height = row_number = 0
    for row_group in table.children:
        for row in row_group.children:
            for cell in row.children:
                grid_width = max(cell.grid_x + cell.colspan, grid_width)
                grid_height = max(row_number + cell.rowspan, grid_height)
            row_number += 1
    grid = [[None] * grid_width for _ in range(grid_height)]
    row_number = 0
    for row_group in table.children:
        for row in row_group.children:
            for cell in row.children:
                grid[row_number][cell.grid_x] = cell
            row_number += 1
    return list(zip(*grid))


def table_and_columns_preferred_widths(context, box, outer=True):
    """WeasyPrint's, taking a copy's widths from the first copy laid out in this layout."""
    table = box.get_wrapped_table()
    if table in context.tables:
        return context.tables[table][outer]
    key = _key(table)
    shared = context.__dict__.setdefault("reportpub_table_widths", {})
    donor = shared.get(key) if key is not None else None
    if donor is None:
        result = _weasyprint_preferred_widths(context, box, outer)
        widths = context.tables[table]
        if key is not None and widths[False][-1]:  # a table with cells (an empty one is changed in place)
            shared[key] = widths
        return result
    grid = _zipped_grid(table)
    context.tables[table] = {
        side: (minimum, maximum, list(mins), list(maxes), list(percentages), list(constrainedness), spacing, grid)
        for side, (minimum, maximum, mins, maxes, percentages, constrainedness, spacing, _) in donor.items()}
    return context.tables[table][outer]


def install() -> None:
    """Give WeasyPrint's table layout the shared widths (once per process)."""
    global _installed
    if _installed:
        return
    if not hasattr(table_layout, "table_and_columns_preferred_widths"):
        raise RuntimeError("WeasyPrint's table layout is not the one reportpub's shared table widths were written for")
    preferred.table_and_columns_preferred_widths = table_and_columns_preferred_widths
    table_layout.table_and_columns_preferred_widths = table_and_columns_preferred_widths
    _installed = True
