"""Upright islands in the vertical PDF: figures, tables and code that keep horizontal setting.

On the turned frame an island is laid out at its width on the page and turned back a
quarter, so it stands upright. Turned, its height on the frame becomes its width across
the page's columns, which CSS cannot express; so each island is first measured in a small
layout of its own, at its natural width and at a few narrower ones, then written as a
group of floats at the frame's left — the head of the page (天) — one float per width.
The page-float layout (writers/pdf/page_flow.py) keeps the widest that fits in the
columns left on the page, or defers the island to the head of the next page while the
text goes on filling this one, as Japanese vertical books place a figure or a table. A
table or code longer than a column is cut into pieces that each fit one
(island_pieces.py), each piece an island of its own.

The content of an island is written once, in its widest float; the narrower floats of the
group (and of its measurement) are written empty, marked ``data-island-copy``, and given a
copy of the widest float's content in WeasyPrint's box tree, once it is built. Styling is
what a copy in the HTML costs most (the content's every element cascaded again: a table's
cells, each with WeasyPrint's pseudo-element look-ups), and the content is styled alike in
every float of the group: only the floats' width, height and turn differ, which the
content does not inherit.
"""

from __future__ import annotations

import html as html_module
import json
import math
import re
from dataclasses import dataclass

import weasyprint
import weasyprint.document
from weasyprint.formatting_structure import boxes

from reportpub.writers.pdf import island_pieces
from reportpub.writers.pdf.geometry import BODY_FONT_CSS, BODY_FONT_PT, PT_PER_MM

ISLAND = re.compile(r'<div class="island"><div class="island-content">(.*?)</div></div>', re.DOTALL)
PX_PER_MM = 96 / 25.4
# The narrower widths an island may also be set at, as fractions of the widest: a table
# rewraps its cells, a figure is shown smaller. Narrower than half it would be hard to read.
NARROWER = (0.8, 0.65, 0.5)
# No island is set narrower than this (mm).
MIN_WIDTH_MM = 30.0
# Islands leave this share of the text width to the notes at the page's left side, so that
# the notes of a page with a figure fit beside it (more notes move their call's line on).
NOTE_BAND = 0.2
NATURAL_SLACK_MM = 0.5
ID_ATTRIBUTE = re.compile(r'\sid="([^"]*)"')
# Marks a float written without its content: it takes a copy of the content of the float
# before it that is not so marked, in the box tree (_fill_copies).
COPY = "data-island-copy"
# The id of the measurement's float of each content, followed by its number.
MEASURED = "island-measure-"

_weasyprint_build_formatting_structure = weasyprint.document.build_formatting_structure
_installed = False
# A figure of one image and its caption: when it is longer than a column, its image is shrunk
# and the caption keeps its size; any other island (a table, code) is scaled as a whole.
IMAGE_FIGURE = re.compile(r'<figure\b[^>]*>\s*<img\b[^>]*>\s*<figcaption\b.*</figcaption>\s*</figure>', re.DOTALL)
FITTED_CLASS = "island-fitted"
# Columns under an island shorter than this many characters are not set (a column of two or
# three characters under a long table is no column): the island takes the column's whole
# length. The theme's .island leaves 1.5 em between an island and the text under it.
MIN_CHARACTERS_UNDER = 8
ISLAND_GAP_EM = 1.5


def _measured_boxes(box, found: dict) -> None:
    """The measurement's floats under ``box`` by their number, the first box of each (a float
    broken across pages has one on each)."""
    element = getattr(box, "element", None)
    if element is not None and (element_id := element.get("id", "")).startswith(MEASURED):
        found.setdefault(int(element_id[len(MEASURED):]), box)
        return
    for child in getattr(box, "children", ()):
        _measured_boxes(child, found)


@dataclass
class MeasuredIslands:
    """What measure_islands found: for each island of the document cut into its pieces
    (split_islands), its (width, height) in mm at each width it may be set at, widest first;
    and where the islands longer than a column are cut, by their number among the
    document's islands."""
    sizes: list[list[tuple[float, float]]]
    cuts: dict[int, island_pieces.Cut]

    def to_json(self) -> str:
        return json.dumps({"sizes": self.sizes, "cuts": {str(n): c.to_json() for n, c in self.cuts.items()}})

    @classmethod
    def from_json(cls, text: str) -> "MeasuredIslands":
        data = json.loads(text)
        return cls([[tuple(size) for size in island] for island in data["sizes"]],
                   {int(n): island_pieces.Cut.from_json(c) for n, c in data["cuts"].items()})


def measure_islands(html: str, stylesheets: list, island_width_mm: float, column_length_mm: float, font_config,
                    fetcher, base_url: str, language: str) -> MeasuredIslands:
    """For each island of the document, its (width, height) in mm at its natural width (at
    most the text width less the notes' band) and at the narrower widths it may be set at,
    widest first; all measured in one layout, at the body text's size and in the book's
    ``language``, as the chapter sets them. A table or code longer than ``column_length_mm``
    at its natural width is cut into pieces (island_pieces.py), measured again, each at its
    natural width only (a table's pieces keep the whole one's column widths)."""
    contents = ISLAND.findall(html)
    if not contents:
        return MeasuredIslands([], {})
    widest = island_width_mm * (1 - NOTE_BAND)
    narrower = [widest * f for f in NARROWER if widest * f >= MIN_WIDTH_MM]
    # Each island shrink-to-fit (its natural width), then at each narrower width.
    jobs = [(n, width) for n in range(len(contents)) for width in [None, *narrower]]
    measure = dict(stylesheets=stylesheets, island_width_mm=widest, font_config=font_config, fetcher=fetcher,
                   base_url=base_url, language=language)
    sizes, measured_boxes = _measure([contents[n] for n, _ in jobs], [width for _, width in jobs], **measure)
    alternatives: list[list[tuple[float, float]]] = [[] for _ in contents]
    cuts: dict[int, island_pieces.Cut] = {}
    for (n, width), size, box in zip(jobs, sizes, measured_boxes):
        if width is None and size[1] > column_length_mm and box is not None:
            if (where := island_pieces.cut(contents[n], box, column_length_mm)) is not None:
                cuts[n] = where
        if width is None or (width < alternatives[n][0][0] - 1 and size[1] <= column_length_mm):
            # Only widths narrower than its natural one, and at which it still fits a column: a
            # table longer than that would be scaled down whole, its cells broken a character or
            # a digit a line (it is the natural width's that is cut into pieces instead).
            alternatives[n].append(size)
    pieces = {n: island_pieces.pieces(contents[n], where) for n, where in cuts.items()}
    flat = [piece for n in sorted(pieces) for piece in pieces[n]]
    piece_sizes = iter(_measure(flat, [None] * len(flat), **measure)[0] if flat else ())
    result = []
    for n, island in enumerate(alternatives):
        result.extend([[next(piece_sizes)] for _ in pieces[n]] if n in pieces else [island])
    return MeasuredIslands(result, cuts)


def split_islands(html: str, cuts: dict[int, island_pieces.Cut]) -> str:
    """``html`` with each island ``cuts`` names written as one island per piece."""
    if not cuts:
        return html
    counter = iter(range(len(ISLAND.findall(html))))

    def split(match: re.Match) -> str:
        n = next(counter)
        if n not in cuts:
            return match.group(0)
        return "".join(f'<div class="island"><div class="island-content">{piece}</div></div>'
                       for piece in island_pieces.pieces(match.group(1), cuts[n]))

    return ISLAND.sub(split, html)


def _measure(contents: list[str], widths: list[float | None], stylesheets: list, island_width_mm: float,
             font_config, fetcher, base_url: str, language: str) -> tuple[list[tuple[float, float]], list]:
    """The margin-box (width, height) in mm of each content laid out at its width (None:
    shrink-to-fit, at most the text width), and the float it was laid out as (None when
    it was not)."""
    # A content the same as the one before it is written once, the others are copies of it.
    body = "".join(
        f'<div id="{MEASURED}{n}"' + (f' {COPY}=""' if n and content == contents[n - 1] else "")
        + ' style="float: left; clear: left; '
        + (f'width: {width:.3f}mm' if width is not None else f'max-width: {island_width_mm:.3f}mm')
        + '"><div class="island-content">'
        + ("" if n and content == contents[n - 1] else ID_ATTRIBUTE.sub("", content)) + '</div></div>'
        for n, (content, width) in enumerate(zip(contents, widths)))
    # The stylesheets given are the theme's without the page rules, which also set the body
    # text's size: without it the islands were measured at 16px, a quarter larger than set.
    page = weasyprint.CSS(string=BODY_FONT_CSS + f"@page {{ size: {island_width_mm + 1:.3f}mm 5000mm; margin: 0; bleed: 0; }}",
                          font_config=font_config, url_fetcher=fetcher)
    install()
    document = weasyprint.HTML(string=f'<html lang="{html_module.escape(language)}" class="vertical"><body class="measure">{body}</body></html>',
                               base_url=base_url, url_fetcher=fetcher).render(
        stylesheets=[*stylesheets, page], font_config=font_config)
    measured: dict = {}
    for laid_out in document.pages:
        _measured_boxes(laid_out._page_box, measured)
    sizes, floats = [], []
    for n, width in enumerate(widths):
        box = measured.get(n)
        floats.append(box)
        if box is None:
            sizes.append((island_width_mm, island_width_mm))
        else:
            right = max([box.position_x + box.margin_width(), *_right_edges(box)])
            # Set again at exactly its natural width, written in rounded millimetres, a table
            # can come out a hair too narrow and wrap its cells: give it a little more.
            slack = NATURAL_SLACK_MM if width is None else 0.0
            sizes.append(((right - box.position_x) / PX_PER_MM + slack, box.margin_height() / PX_PER_MM))
    return sizes, floats


def _right_edges(box):
    """The right edges of everything inside ``box``: shrink-to-fit gives a table its narrowest
    width while the table itself is laid out wider, as it will be on the page."""
    for child in getattr(box, "children", ()):
        if hasattr(child, "margin_width"):
            yield child.position_x + child.margin_width()
        yield from _right_edges(child)


def place_islands(html: str, sizes: list[list[tuple[float, float]]], column_length_mm: float) -> str:
    """Write each island as its group of floats, one per width, widest first, the content in
    the first only (the others are its copies, install); an island taller than a column is
    scaled down to fit the page (a figure's image only, in a box a column long: its caption
    keeps its size), and one that would leave too short a column under it takes the whole
    column (MIN_CHARACTERS_UNDER). Ids in the island move to an anchor just before the group,
    so that links find the island whichever width is set."""
    install()  # the copies are given their content when the HTML is laid out
    counter = iter(enumerate(sizes))

    def place(match: re.Match) -> str:
        number, alternatives = next(counter)
        content = match.group(1)
        anchors = "".join(f'<div class="island-anchor" id="{i}"></div>' for i in ID_ATTRIBUTE.findall(content))
        content = ID_ATTRIBUTE.sub("", content)
        figure = IMAGE_FIGURE.fullmatch(content.strip()) is not None
        floats, written_fitted = [], False
        for position, (width, height) in enumerate(alternatives):
            scale = min(1.0, column_length_mm / height) if height else 1.0
            length = _length_on_grid(height * scale, column_length_mm)
            turn = f"translate(0, {width * scale:.3f}mm) rotate(-90deg)"
            fitted = scale < 1 and figure
            if fitted:
                # As narrow as the whole scaled, a column long: the image takes what the caption leaves.
                classes, size = f"island-content {FITTED_CLASS}", f"width: {width * scale:.3f}mm; height: {column_length_mm:.3f}mm"
            else:
                classes, size = "island-content", f"width: {width:.3f}mm"
                turn += f" scale({scale:.4f})" if scale < 1 else ""
            last = ' data-island-last=""' if position == len(alternatives) - 1 else ""
            # A copy takes the boxes, and so the styles, of the float written before it: a
            # fitted figure's are not a scaled one's.
            copy = f' {COPY}=""' if position and fitted == written_fitted else ""
            if not copy:
                written_fitted = fitted
            floats.append(
                f'<div class="island" data-island="{number}"{last}{copy} '
                f'style="width: {length:.3f}mm; height: {width * scale:.3f}mm">'
                f'<div class="{classes}" style="{size}; transform: {turn}">'
                f'{"" if copy else content}</div></div>')
        return anchors + "".join(floats)

    return ISLAND.sub(place, html)


def _length_on_grid(length_mm: float, column_length_mm: float) -> float:
    """The length an island ``length_mm`` long takes in its column: the whole column when it
    would leave too short a one under it (MIN_CHARACTERS_UNDER), else a little more than its
    own, so that the columns under it hold a whole number of characters, as every column of
    the page does (JLREQ counts a line's length in characters): columns of 24.47 characters
    would spread their characters off the page's grid."""
    em_mm = BODY_FONT_PT / PT_PER_MM
    under = column_length_mm - length_mm - ISLAND_GAP_EM * em_mm
    if under < MIN_CHARACTERS_UNDER * em_mm:
        return column_length_mm
    # The tolerance keeps a length already on the grid from losing a character to rounding.
    return column_length_mm - ISLAND_GAP_EM * em_mm - math.floor(under / em_mm + 1e-6) * em_mm


def _fill_copies(box) -> None:
    """Give each float marked as a copy (COPY) the content of the float before it among its
    siblings that is not one: deep copies of the boxes of that float's island-content, so that
    laying one float out never touches another's boxes. A copy's boxes keep the source's
    elements and computed styles, as the boxes WeasyPrint copies for a box broken across pages."""
    source = None
    for child in box.children:
        element = child.element
        if isinstance(child, boxes.BlockBox) and child.is_floated() and element is not None:
            if element.get(COPY) is None:
                source = child
            elif source is not None:
                (content,), (source_content,) = child.children, source.children
                content.children = [grandchild.deepcopy() for grandchild in source_content.children]
                continue
        if isinstance(child, boxes.ParentBox) and not isinstance(child, boxes.LineBox):
            _fill_copies(child)


def _build_formatting_structure(*arguments, **keywords):
    """WeasyPrint's box tree of a document, its islands' copies given their content."""
    root = _weasyprint_build_formatting_structure(*arguments, **keywords)
    _fill_copies(root)
    return root


def install() -> None:
    """Give WeasyPrint's box building the islands' copies (once per process)."""
    global _installed
    if _installed:
        return
    weasyprint.document.build_formatting_structure = _build_formatting_structure
    _installed = True
