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
island's table by its classes, not by the position of the island it sits in. The ``page``
property (which named page a box asks for) is left out: it never changes a width, and it is
all that differs between an island's table in islands.py's measurement and in its chapter.
Shared within one layout (one LayoutContext), as WeasyPrint keeps its own, or, inside
``shared_between_layouts()``, across the layouts made within it (the measurement's and the
chapter's: layout.PdfLayout.render).

Tied to WeasyPrint 70's ``table_and_columns_preferred_widths`` (pyproject.toml bounds the
version): the grid it returns is rebuilt for each copy, as WeasyPrint builds it.
"""

from __future__ import annotations

import contextlib
from xml.etree import ElementTree

from weasyprint.css.properties import INITIAL_VALUES
from weasyprint.layout import preferred
from weasyprint.layout import table as table_layout

_weasyprint_preferred_widths = preferred.table_and_columns_preferred_widths
_installed = False
_KEYED_STYLES = tuple(name for name in sorted(INITIAL_VALUES) if name != "page")
_across_layouts: dict | None = None  # set by shared_between_layouts()


def _key(table) -> tuple | None:
    """What a table's column widths depend on: its content as written and its computed styles."""
    if table.element is None:
        return None
    styles = tuple(repr(table.style[name]) for name in _KEYED_STYLES)
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
    shared = (_across_layouts if _across_layouts is not None
              else context.__dict__.setdefault("reportpub_table_widths", {}))
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


@contextlib.contextmanager
def shared_between_layouts():
    """Within it, every layout made shares its tables' column widths with the others."""
    global _across_layouts
    outer = _across_layouts
    _across_layouts = {} if outer is None else outer
    try:
        yield
    finally:
        _across_layouts = outer


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
