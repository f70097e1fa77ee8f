"""Page make-up rules WeasyPrint 70 does not follow by itself, given to its block layout.

Notes stay on the page of their call (JLREQ; CSS GCPM: a note body never comes before its
call). The theme's ``footnote-policy: line`` moves the line that calls a note that does not
fit to the next page, with its note. But when a later line of a paragraph overflows the page
and breaking before it would leave too few lines (orphans, widows), WeasyPrint moves the
page's last notes to the next page instead, away from calls that stay behind. That rescue
is turned off here: the paragraph breaks as orphans and widows allow, and its notes go with
their lines.

Figures, tables and code are page floats. WeasyPrint places a float where it stands; when
the float does not fit in what is left of the page, it breaks the page before it and the
text after it follows it, leaving the page half empty. A Japanese book instead sets the
figure at the head of the page where it stands if it fits there, and otherwise at the head
of the next page, while the text goes on filling the page it left. So for reportpub's
islands (floats carrying ``data-island``, writers/pdf/chapter_html.py and islands.py):

- an island may come as a group of floats, one per width it may be set at, widest first
  (the vertical PDF's, see islands.py). The first that fits in the page is set, the
  others are skipped;
- when none fits, the widest is deferred: it is handed to WeasyPrint's own mechanism for
  floats broken across pages, which lays it out at the head of the next page before the
  text. Islands clear each other (``clear: left``), so an island after a deferred one is
  deferred after it, in order; and an empty block that clears them closes each chapter, so
  a chapter does not end while an island is still waiting;
- a note whose area would grow into an island set on the page does not fit: the line
  that calls it moves to the next page with it, so note text and rules never run over a
  figure. Not when no line of text is on the page yet: that would leave the page to the
  island alone.

It works inside WeasyPrint's block layout, so it is tied to WeasyPrint 70's internals
(pyproject.toml bounds the version); ``install`` fails loudly if the code it changes is not
there.
"""

from __future__ import annotations

import inspect
import textwrap

from weasyprint.layout import LayoutContext
from weasyprint.layout import block as block_layout
from weasyprint.layout.float import float_layout

# In WeasyPrint 70's _linebox_layout: whether to move the page's notes away to make room
# for an overflowing line.
_NOTE_RESCUE = "report = not context.in_column and can_break_now and not could_break_before"

_installed = False
_weasyprint_out_of_flow_layout = block_layout._out_of_flow_layout
_weasyprint_layout_footnote = LayoutContext.layout_footnote


def _linebox_layout_keeping_notes():
    """WeasyPrint's _linebox_layout, recompiled with the note rescue turned off."""
    source = textwrap.dedent(inspect.getsource(block_layout._linebox_layout))
    if source.count(_NOTE_RESCUE) != 1:
        raise RuntimeError("WeasyPrint's line layout is not the one reportpub's page make-up was written for")
    source = source.replace(_NOTE_RESCUE, "report = False  # reportpub: notes stay with their calls")
    namespace: dict = {}
    exec(compile(source, block_layout.__file__, "exec"), block_layout.__dict__, namespace)
    return namespace["_linebox_layout"]


def _island(box) -> str | None:
    """The island group a box sets, if it is one."""
    element = getattr(box, "element", None)
    return element.get("data-island") if element is not None and box.is_floated() else None


def _out_of_flow_layout(context, box, index, child, new_children, page_is_empty, absolute_boxes,
                        fixed_boxes, adjoining_margins, bottom_space):
    group = _island(child)
    if group is None:
        return _weasyprint_out_of_flow_layout(context, box, index, child, new_children, page_is_empty,
                                              absolute_boxes, fixed_boxes, adjoining_margins, bottom_space)
    skipped = False, None, None, None
    if any(_island(shape) == group for shape in context.broken_out_of_flow) or \
            any(_island(sibling) == group for sibling in new_children):
        return skipped  # set at another width, or waiting for the next page
    child.position_y += block_layout.collapse_margin(adjoining_margins)
    set_anyway = page_is_empty and not new_children and not context.broken_out_of_flow
    if set_anyway or _may_fit(context, child, box, absolute_boxes, fixed_boxes, bottom_space):
        new_child, _ = float_layout(context, child, box, absolute_boxes, fixed_boxes, bottom_space, skip_stack=None)
        fits = not context.overflows_page(bottom_space, new_child.position_y + new_child.margin_height())
        if fits or set_anyway:
            new_child.index = index
            new_children.append(new_child)
            return False, None, new_child, None
        block_layout.remove_placeholders(context, [new_child], absolute_boxes, fixed_boxes)
    if child.element.get("data-island-last") is None:
        return skipped  # a narrower width of the same island comes next
    # No width fits: the widest goes to the head of the next page, the text goes on here.
    widest = next(sibling for sibling in box.children if _island(sibling) == group)
    context.add_broken_out_of_flow(widest, widest, box, None)
    return skipped


def _may_fit(context, island, containing_block, absolute_boxes, fixed_boxes, bottom_space) -> bool:
    """Whether an island's float can fit where it stands, found by placing it without its
    content: empty, the box is no wider and no taller than with it (a vertical island's width
    and height are given, islands.place_islands, and a box of fixed height broken at the
    page's end only grows), so it is placed no lower; when even that overflows the page, the
    island does not fit. Laying a table or a figure out costs as much as a page of text, and
    most widths of a vertical island are tried where they do not fit."""
    probe, _ = float_layout(context, island.copy_with_children([]), containing_block, absolute_boxes, fixed_boxes,
                            bottom_space, skip_stack=None)
    block_layout.remove_placeholders(context, [probe], absolute_boxes, fixed_boxes)
    return not context.overflows_page(bottom_space, probe.position_y + probe.margin_height())


def _lines_on_page(linebox_layout):
    """WeasyPrint's line layout, noting whether lines of text are already set on the page."""

    def layout(context, box, index, child, new_children, *arguments):
        outer = getattr(context, "reportpub_paragraph_lines", None)
        context.reportpub_paragraph_lines = new_children
        try:
            result = linebox_layout(context, box, index, child, new_children, *arguments)
        finally:
            context.reportpub_paragraph_lines = outer
        if new_children:
            context.reportpub_lines_page = context.current_page
        return result

    return layout


def _layout_footnote(context, footnote):
    if _weasyprint_layout_footnote(context, footnote):
        return True
    lines_set = bool(getattr(context, "reportpub_paragraph_lines", None)) or \
        getattr(context, "reportpub_lines_page", None) == context.current_page
    return lines_set and any(
        _island(shape) is not None and context.overflows_page(0, shape.position_y + shape.margin_height())
        for shape in context.excluded_shapes)


def install() -> None:
    """Give WeasyPrint's layout these rules (once per process)."""
    global _installed
    if _installed:
        return
    block_layout._linebox_layout = _lines_on_page(_linebox_layout_keeping_notes())
    block_layout._out_of_flow_layout = _out_of_flow_layout
    LayoutContext.layout_footnote = _layout_footnote
    _installed = True
