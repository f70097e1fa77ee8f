"""The contents' dot leaders (``leader("·")``, theme/pdf.css) set as one text each.

WeasyPrint 70 fills a leader with one copy of its text box per dot, side by side, and draws
each copy as a text of its own: a Pango layout made, shaped and written for every dot. A
contents page of a long report holds a thousand dots or more, and writing the front matter
(twice: the reader and the print edition) was the last, longest task of a full build. Here
the copies WeasyPrint places are joined into one text box holding as many dots, at the
place of the first and as wide as all of them: the same dots at the same places, one text
to draw.

This leans on ``weasyprint.layout.inline.handle_leader`` and ``leader_index``, hence the
upper bound on WeasyPrint in pyproject.toml.
"""

from __future__ import annotations

from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline
from weasyprint.layout.leader import leader_index
from weasyprint.text.line_break import create_layout

_weasyprint_handle_leader = inline.handle_leader


def handle_leader(context, line, containing_block) -> None:
    """WeasyPrint's ``handle_leader`` (a line's leader filled with its dots), the dots joined."""
    _weasyprint_handle_leader(context, line, containing_block)
    index, leader_box = leader_index(line)
    if index is None or len(leader_box.children) < 2:
        return
    dots = leader_box.children
    if not all(isinstance(dot, boxes.TextBox) for dot in dots):
        return
    first = min(dots, key=lambda dot: dot.position_x)  # WeasyPrint places them from the right
    joined = first.copy()
    joined.text = first.text * len(dots)
    joined.width = sum(dot.width for dot in dots)
    joined.pango_layout = create_layout(joined.text, joined.style, context, max_width=None,
                                        justification_spacing=0)
    joined.pango_layout.deactivate()
    leader_box.children = (joined,)


def install() -> None:
    """Join the leaders' dots (idempotent; the PDF writer calls it)."""
    inline.handle_leader = handle_leader
