"""Vertical islands longer than a column, cut into pieces that each fit one.

An upright island stands across the columns of a vertical page, its length along them at
most a column's (islands.py). A table or a code block longer than that was scaled whole
to fit, its text shrinking with its length (a forty-row table to a quarter of the body
size). A Japanese book continues it instead: the table goes on in the columns to its left,
or at the head of the next page, its caption marked 続き and its header repeated; code goes
on likewise. So the cut falls between rows (lines of code) where the island's measured
layout reaches a column's length, and each piece becomes an island of its own, set in
order by the page make-up (writers/pdf/page_flow.py) and measured as such.

A table's pieces keep the whole table's column widths (``table-layout: fixed``), so that
its columns line up from piece to piece. Cut at all only is a table whose rows stand alone
(no cell spanning rows, no footer) and code that is plain text; anything else is scaled
whole, as before. A piece that still comes out longer than a column (a row taller than a
column, a continued caption that wraps) is scaled, by little.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from weasyprint.formatting_structure import boxes

PX_PER_MM = 96 / 25.4
# A piece is cut to this share of a column's length, so that its continued caption, one
# line longer at most, still fits.
BUDGET = 0.96
CONTINUED = "（続き）"
# Marks what a later piece repeats (its caption and header), text the manuscript has once:
# the EPUB's page-list does not count it (writers/pdf/parts.py).
REPEATED_CLASS = "island-repeated"
COLUMN_SLACK_MM = 0.05
# A table of rows standing alone, as the manuscript's tables are written (Python-Markdown).
TABLE = re.compile(r'\s*<table\b(?P<attributes>[^>]*)>\s*(?P<caption><caption>.*?</caption>)?\s*'
                   r'(?P<head><thead>.*?</thead>)?\s*<tbody>(?P<rows>.*?)</tbody>\s*</table>\s*', re.DOTALL)
ROW = re.compile(r'<tr\b.*?</tr>', re.DOTALL)
SPANS_ROWS = re.compile(r'<t[dh]\b[^>]*\srowspan\s*=')  # a cell's attribute, not the word in a cell's text
# Plain code: no markup inside it, so any line may begin a piece.
CODE = re.compile(r'\s*<pre\b(?P<attributes>[^>]*)><code(?P<code_attributes>[^>]*)>(?P<text>[^<]*)</code></pre>\s*')
ID = re.compile(r'\sid="[^"]*"')


@dataclass
class Cut:
    """Where an island is cut: the rows (lines) each piece after the first begins with, and a
    table's column widths and width (mm)."""
    starts: list[int]
    columns: list[float] = field(default_factory=list)
    width: float = 0.0

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Cut":
        return cls(**data)


def cut(content: str, box, column_length_mm: float) -> Cut | None:
    """Where to cut the island ``content``, laid out at its natural width as the float
    ``box`` (islands.py's measurement), longer than ``column_length_mm``; None when it is
    not a table or code that may be cut, or holds a single row."""
    table, code = TABLE.fullmatch(content), CODE.fullmatch(content)
    if table is not None and SPANS_ROWS.search(table.group("rows")) is None:
        table_box = _first(box, boxes.TableBox)
        rows = _body_rows(table_box) if table_box is not None else []
        if len(rows) != len(ROW.findall(table.group("rows"))) or len(rows) < 2:
            return None
        extents = [((row.position_y - box.position_y) / PX_PER_MM,
                    (row.position_y + row.margin_height() - box.position_y) / PX_PER_MM) for row in rows]
        starts = _starts(extents, box.margin_height() / PX_PER_MM, column_length_mm)
        return Cut(starts, [w / PX_PER_MM for w in table_box.column_widths],
                   table_box.border_width() / PX_PER_MM) if starts else None
    if code is not None:
        lines = _code_lines(code.group("text"))
        pre = _first(box, boxes.BlockBox, "pre")
        line_boxes = [child for child in pre.children if isinstance(child, boxes.LineBox)] if pre is not None else []
        if len(lines) < 2 or pre is None:
            return None
        if len(line_boxes) == len(lines):  # no line wrapped: each line's own extent
            extents = [((line.position_y - box.position_y) / PX_PER_MM,
                        (line.position_y + line.height - box.position_y) / PX_PER_MM) for line in line_boxes]
        else:  # lines wrapped: spread the text's height over them evenly
            top = (pre.content_box_y() - box.position_y) / PX_PER_MM
            step = pre.height / PX_PER_MM / len(lines)
            extents = [(top + n * step, top + (n + 1) * step) for n in range(len(lines))]
        starts = _starts(extents, box.margin_height() / PX_PER_MM, column_length_mm)
        return Cut(starts) if starts else None
    return None


def _starts(extents: list[tuple[float, float]], height: float, column_length_mm: float) -> list[int]:
    """The rows (lines) pieces after the first begin with, each piece as many as fit in the
    budget with the island's head (caption, header) and foot (its last rule) around them."""
    head, foot = extents[0][0], height - extents[-1][1]
    room = column_length_mm * BUDGET - head - foot
    starts, begin = [], 0
    for n, (_, bottom) in enumerate(extents):
        if n > begin and bottom - extents[begin][0] > room:
            starts.append(n)
            begin = n
    return starts


def _first(box, kind, tag: str | None = None):
    """The first box under ``box`` of ``kind`` (and of element ``tag``)."""
    for child in getattr(box, "children", ()):
        element = getattr(child, "element", None)
        if isinstance(child, kind) and (tag is None or (element is not None and element.tag == tag)):
            return child
        if (found := _first(child, kind, tag)) is not None:
            return found
    return None


def _body_rows(table_box) -> list:
    """The rows of a table box's body row groups, none when it has a footer."""
    groups = table_box.children
    if any(group.is_footer for group in groups):
        return []
    return [row for group in groups if not group.is_header for row in group.children]


def pieces(content: str, where: Cut) -> list[str]:
    """The island ``content`` cut into its pieces' contents: a table's with its caption
    (marked continued after the first), its header and its column widths; code's with the
    lines of each."""
    table = TABLE.fullmatch(content)
    if table is not None:
        rows = ROW.findall(table.group("rows"))
        # Written in rounded millimetres, a column can come out a hair narrower than measured
        # and wrap its widest cell: each is given a little more.
        columns = "".join(f'<col style="width: {width + COLUMN_SLACK_MM:.3f}mm">' for width in where.columns)
        width = where.width + COLUMN_SLACK_MM * len(where.columns)
        caption, head = table.group("caption") or "", table.group("head") or ""
        attributes = ID.sub("", table.group("attributes"))
        made = []
        for n, (begin, end) in enumerate(_ranges(where.starts, len(rows))):
            this_caption, this_head = caption, head
            if n:
                this_caption = _repeated(caption.replace("</caption>", CONTINUED + "</caption>"), "caption")
                this_head = _repeated(head, "thead")
            made.append(f'<table{table.group("attributes") if n == 0 else attributes} '
                        f'style="table-layout: fixed; width: {width:.3f}mm">{this_caption}'
                        f'<colgroup>{columns}</colgroup>{this_head}<tbody>{"".join(rows[begin:end])}</tbody></table>')
        return made
    code = CODE.fullmatch(content)
    lines = _code_lines(code.group("text"))
    attributes = ID.sub("", code.group("attributes"))
    return [f'<pre{code.group("attributes") if n == 0 else attributes}><code{code.group("code_attributes")}>'
            + "".join(line + "\n" for line in lines[begin:end]) + '</code></pre>'
            for n, (begin, end) in enumerate(_ranges(where.starts, len(lines)))]


def _repeated(markup: str, tag: str) -> str:
    """A caption or header as a later piece repeats it (REPEATED_CLASS)."""
    return markup.replace(f"<{tag}>", f'<{tag} class="{REPEATED_CLASS}">', 1)


def _code_lines(text: str) -> list[str]:
    """The lines of a code block's text, without the newline that ends the last."""
    return text.removesuffix("\n").split("\n")


def _ranges(starts: list[int], count: int) -> list[tuple[int, int]]:
    """The (begin, end) of each piece, given where the pieces after the first begin."""
    bounds = [0, *starts, count]
    return list(zip(bounds, bounds[1:]))
