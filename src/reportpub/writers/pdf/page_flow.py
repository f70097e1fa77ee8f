"""Page make-up rules WeasyPrint 70 does not follow by itself, given to its block layout.

Notes stay on the page of their call (JLREQ; CSS GCPM: a note body never comes before its
call). The theme's ``footnote-policy: line`` moves the line that calls a note that does not
fit to the next page, with its note. But when a later line of a paragraph overflows the page
and breaking before it would leave too few lines (orphans, widows), WeasyPrint moves the
page's last notes to the next page instead, away from calls that stay behind. That rescue
is turned off here: the paragraph breaks as orphans and widows allow, and its notes go with
their lines.

A note longer than the room left under (vertical: beside) its call is split, as books split
long notes: its first part fills the note area up to the call's line, the rest opens the
note area of the next page, before that page's own notes (WeasyPrint 70 never breaks a note:
the line would move and the page end early by up to the note's height). The note is cut by
laying the page's note area out with a bottom limit, and continued by laying the next page's
note area out from where the cut left the note (a skip stack, as WeasyPrint continues any
box broken across pages); the rest is handed on as a reported note, so the notes called
later on the cut page go to the next page after it, in order. A note is not split when
fewer than two of its lines would stay (orphans) or go (widows): then its line moves as
before. A rest longer than a whole note area is split again. A note that fits is split too
when it leaves no room for the lines of its paragraph that must stand with the call's line
(its orphans, or its last lines, too few to make its widows on the next page): else the
paragraph would move whole, with the note, leaving the page empty by their height.

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
- a horizontal table or code longer than a whole page starts where it stands, or after
  the islands at a page's head, when a quarter of a page of it fits there: it is broken
  anyway, and so it keeps its place in the text. Any other island deferred behind another
  that does not fit after it waits for the next page again, whole;
- a note whose area would grow into an island set on the page does not fit: the line
  that calls it moves to the next page with it, so note text and rules never run over a
  figure. Not when no line of text is on the page yet: that would leave the page to the
  island alone;
- an island set on a page may still strand it: a note called after it finds no room (the
  rule above), or a heading after it does not fit below it, and WeasyPrint, breaking the
  page before the heading, breaks it before the island too. Either way the page ends short
  (a 63 % empty page in the benchmark book). Such a page is made again with the island
  deferred, as one that does not fit is, when that leaves it fuller;
- a vertical island's content is laid out unturned on the frame, where it may reach below
  the frame's page (its height there is its height on the page, a column's length at
  most) although turned it stays within the island's box, whose height on the frame is
  given. It is laid out as the atom it is, without a page bottom: WeasyPrint would break
  it at the frame's page end and drop what falls below (a box of fixed height forgets its
  overflowing children), which was a tall or square figure's caption.

It works inside WeasyPrint's block layout, so it is tied to WeasyPrint 70's internals
(pyproject.toml bounds the version); ``install`` fails loudly if the code it changes is not
there.
"""

from __future__ import annotations

import copy
import inspect
import textwrap
from dataclasses import dataclass
from math import inf

from weasyprint import layout as weasyprint_layout
from weasyprint.css.properties import INITIAL_VALUES
from weasyprint.formatting_structure import boxes
from weasyprint.layout import LayoutContext
from weasyprint.layout import block as block_layout
from weasyprint.layout import page as page_layout
from weasyprint.layout.float import float_layout

# In WeasyPrint 70's _linebox_layout: whether to move the page's notes away to make room
# for an overflowing line.
_NOTE_RESCUE = "report = not context.in_column and can_break_now and not could_break_before"
# In the same function: a note called on the line does not fit, so it is moved to the next page.
_NOTE_DOES_NOT_FIT = "                if overflow:\n                    context.report_footnote(footnote)\n"
# What it does instead. The text above the note area must reach down to the call's line and
# the lines of its paragraph that must follow it on the page (_paragraph_lines_kept), else the
# paragraph moves whole, with its notes, leaving the page empty by their height. A note that
# does not fit is split, else moved with its line; a note that fits but leaves no room for
# those lines is split, else left as it is.
_SPLIT_OR_MOVE = """\
                kept = context.reportpub_paragraph_lines_kept(box, child, line, resume_at, len(new_children),
                                                              page_is_empty, absolute_boxes, fixed_boxes, bottom_space)
                text_bottom = new_position_y + offset_y + bottom_space + kept
                if not overflow and kept and context.overflows_page(0, text_bottom):
                    context.reportpub_split_note(footnote, text_bottom, line.position_y + bottom_space)
                if overflow and not context.reportpub_split_note(footnote, text_bottom, line.position_y + bottom_space):
                    context.report_footnote(footnote)
"""

# In WeasyPrint 70's make_page: a page where only out-of-flow boxes (a deferred island that
# fills it) progressed is given an empty fragment of the box the text resumes in, found by
# walking the resume point down; the walk went on into the line and its text offset, past
# the boxes (IndexError, WeasyPrint issue #1992). It stops at the paragraph.
_EMPTY_PAGE_WALK = "while skip_stack and len(skip_stack) == 1:"
# In the same branch: the text resumes on the next page where it stood on this one, but the
# next page's type was the one the layout that set nothing gave (the named page of the
# document's last block: the whole book's colophon, ``front``), so the page after a page
# that deferred islands fill lost its running head (``chapter:first``, a new page group).
_EMPTY_PAGE_RESUME = "        resume_at = initial_resume_at\n"
_EMPTY_PAGE_NEXT = _EMPTY_PAGE_RESUME + "        next_page = {'break': 'any', 'page': page_type.name}  # reportpub\n"

_installed = False
_weasyprint_out_of_flow_layout = block_layout._out_of_flow_layout
_weasyprint_layout_footnote = LayoutContext.layout_footnote
_weasyprint_unlayout_footnote = LayoutContext.unlayout_footnote
_weasyprint_block_level_layout = block_layout.block_level_layout


def _linebox_layout_keeping_notes():
    """WeasyPrint's _linebox_layout, recompiled with the note rescue turned off, and a note
    split before its line is moved (or its paragraph, for its orphans)."""
    source = textwrap.dedent(inspect.getsource(block_layout._linebox_layout))
    if source.count(_NOTE_RESCUE) != 1 or source.count(_NOTE_DOES_NOT_FIT) != 1:
        raise RuntimeError("WeasyPrint's line layout is not the one reportpub's page make-up was written for")
    source = source.replace(_NOTE_RESCUE, "report = False  # reportpub: notes stay with their calls")
    source = source.replace(_NOTE_DOES_NOT_FIT, _SPLIT_OR_MOVE)
    namespace: dict = {}
    exec(compile(source, block_layout.__file__, "exec"), block_layout.__dict__, namespace)
    return namespace["_linebox_layout"]


def _paragraph_lines_kept(context, paragraph, line_box, line, resume_at, lines_before: int, page_is_empty: bool,
                          absolute_boxes, fixed_boxes, bottom_space) -> float:
    """How high the lines of a paragraph that must follow ``line``, which calls a note, on its
    page are: as many as its orphans ask for, and all the rest when fewer than its widows
    would be left for the next page. The lines are looked at (laid out and dropped, as
    WeasyPrint's line layout looks ahead for widows) only near the page's end."""
    if resume_at is None or page_is_empty:
        return 0.0  # the paragraph ends on the line, or opens the page: it may break anywhere
    orphans, widows = paragraph.style["orphans"], paragraph.style["widows"]
    at_least = max(0, orphans - lines_before - 1)
    if not context.overflows_page(bottom_space, line.position_y + line.height * (1 + at_least + widows)):
        return at_least * line.height  # the page holds more than the lines in question
    heights = []
    for next_line, after in block_layout.iter_line_boxes(
            context, line_box, line.position_y + line.height, bottom_space, resume_at, paragraph,
            absolute_boxes, fixed_boxes, None, None):
        block_layout.remove_placeholders(context, next_line.children, absolute_boxes, fixed_boxes)
        heights.append(next_line.height)
        if after is None or len(heights) == at_least + widows:
            break
    kept = at_least if len(heights) - at_least >= widows else len(heights)
    return sum(heights[:kept])


def _make_page_for_a_full_page_island():
    """WeasyPrint's make_page, recompiled so that a page holding only a deferred island is made,
    and the page after it goes on in the same page group."""
    source = textwrap.dedent(inspect.getsource(page_layout.make_page))
    if source.count(_EMPTY_PAGE_WALK) != 1 or source.count(_EMPTY_PAGE_RESUME) != 1:
        raise RuntimeError("WeasyPrint's page layout is not the one reportpub's page make-up was written for")
    source = source.replace(_EMPTY_PAGE_WALK, _EMPTY_PAGE_WALK.replace(
        ":", " and not isinstance(box, boxes.LineBox):"))
    source = source.replace(_EMPTY_PAGE_RESUME, _EMPTY_PAGE_NEXT)
    namespace: dict = {}
    exec(compile(source, page_layout.__file__, "exec"), page_layout.__dict__, namespace)
    return namespace["make_page"]


# The attributes this module keeps on WeasyPrint's LayoutContext between pages.
_PAGE_ATTRIBUTES = ("reportpub_cut", "reportpub_rest", "reportpub_continued", "reportpub_blocking_islands",
                    "reportpub_islands_set")


def _saved(context, page_state):
    """What laying a page out changes in ``context`` and ``page_state``, to make it again."""
    attributes = {name: getattr(context, name, None) for name in _PAGE_ATTRIBUTES}
    attributes.update({name: set(value) for name, value in attributes.items() if isinstance(value, set)})
    return (copy.deepcopy(page_state), list(context.footnotes), list(context.reported_footnotes),
            dict(context.broken_out_of_flow), attributes)


def _restored(context, saved, page_state):
    """``context`` and ``page_state`` (in place: the caller goes on with it) as they were when
    ``saved``, to make the page again."""
    state, footnotes, reported, broken, attributes = saved
    context.footnotes[:], context.reported_footnotes[:] = footnotes, reported
    context.broken_out_of_flow.clear()
    context.broken_out_of_flow.update(broken)
    for name, value in attributes.items():
        setattr(context, name, value)
    for current, kept in zip(page_state, copy.deepcopy(state)):
        if isinstance(current, dict):
            current.clear()
            current.update(kept)
        else:
            current[:] = kept
    return page_state


def _keeping_rests_in_their_chapter(make_page):
    """WeasyPrint's make_page, made again when the page ends a document or its chapter (a
    forced break follows) while the rest of a note cut on it waits: the rest would stand alone
    on a page of its own, or on the next chapter's first page. The page is made again with its
    note area reaching down to the call's line (the text after it goes on the next page, with
    the rest), and failing that without cutting notes."""

    def make(context, root_box, page_type, resume_at, page_number, page_state):
        saved = _saved(context, page_state)
        for cuts in ("any", "down to the call", "none"):
            context.reportpub_cuts = (page_number, cuts)
            made = make_page(context, root_box, page_type, resume_at, page_number, page_state)
            _, next_resume_at, next_page = made
            rest = getattr(context, "reportpub_rest", None)
            if rest is None or rest.page != page_number + 1 or (next_resume_at is not None and next_page["break"] == "any"):
                break
            page_state = _restored(context, saved, page_state)
        context.reportpub_cuts = None
        return made

    return make


def _deferring_islands_that_strand_pages(make_page):
    """WeasyPrint's make_page, made again when an island set on the page left the page short:
    it left no room for a note called after it, whose line went to the next page (with what
    must stand with that line: a heading before it, its paragraph's orphans); or the page
    broke before a heading after it that did not fit below it, and the island went to the
    next page with the heading, WeasyPrint breaking before the float. The page is made again
    with those islands deferred to the head of the next page, as a figure that does not fit
    is, so that the text and its notes fill this one; and made as first when that leaves it
    no fuller."""

    def make(context, root_box, page_type, resume_at, page_number, page_state):
        saved = _saved(context, page_state)

        def attempt(deferred):
            context.reportpub_deferred_islands = (page_number, frozenset(deferred))
            context.reportpub_blocking_islands, context.reportpub_islands_set = set(), set()
            return made_page(make_page(context, root_box, page_type, resume_at, page_number, page_state))

        def made_page(made):
            lost = set()
            if context.reportpub_islands_set:  # most pages set no island: their boxes are not walked
                lost = context.reportpub_islands_set - set(_islands_in(made[0].children[0]))
            return made, context.reportpub_blocking_islands | lost

        made, stranding = attempt(())
        # An island deferred from the page before opens this one whatever is done here.
        stranding -= {_island(shape) for shape in saved[3]}
        if stranding and (empty := _empty_share(made[0])) > _RETRY_EMPTIER_THAN:
            _restored(context, saved, page_state)
            made, _ = attempt(stranding)
            if _empty_share(made[0]) >= empty:
                _restored(context, saved, page_state)
                made, _ = attempt(())
        context.reportpub_deferred_islands = context.reportpub_blocking_islands = context.reportpub_islands_set = None
        return made

    return make


def _islands_in(box):
    """The island groups set under ``box``."""
    for child in getattr(box, "children", ()):
        if (group := _island(child)) is not None:
            yield group
        elif isinstance(child, boxes.ParentBox) and not isinstance(child, boxes.LineBox):
            yield from _islands_in(child)


# A page whose island stranded it is made again when its text and islands leave more than
# this share of the page's height empty above the notes (a line or two is what a line moved
# with its note leaves anyway, and the island is best set where it stands).
_RETRY_EMPTIER_THAN = 0.12


def _empty_share(page) -> float:
    """The share of a made page's content height left empty between its text and islands and
    its note area (or its bottom)."""
    root, notes = page.children[0], page.children[1]
    top = page.content_box_y()
    bottom = notes.position_y if notes.children else top + page.height
    reach = max([top, *_bottoms(root)])
    return max(0.0, bottom - reach) / page.height


def _bottoms(box):
    """The bottoms of the lines and floats under ``box``."""
    for child in getattr(box, "children", ()):
        if isinstance(child, boxes.LineBox) or (isinstance(child, boxes.Box) and child.is_floated()):
            yield child.position_y + child.margin_height()
        elif isinstance(child, boxes.ParentBox):
            yield from _bottoms(child)


def _island(box) -> str | None:
    """The island group a box sets, if it is one."""
    element = getattr(box, "element", None)
    return element.get("data-island") if element is not None and box.is_floated() else None


def _turned(box) -> bool:
    """Whether a box is a vertical island's float: its height on the frame is given (its
    width on the page, islands.place_islands), a horizontal island's is its content's."""
    return _island(box) is not None and box.style["height"] != "auto"


def _float_layout(context, box, containing_block, absolute_boxes, fixed_boxes, bottom_space, skip_stack):
    """WeasyPrint's float_layout; a turned island is laid out whole, whatever the frame's page
    bottom (whether it fits is told by its box, _may_fit and _out_of_flow_layout)."""
    if _turned(box):
        bottom_space = -inf
    return float_layout(context, box, containing_block, absolute_boxes, fixed_boxes, bottom_space, skip_stack)


# The skip stack of an island deferred again at the head of a page, to be laid out whole.
_STILL_WAITING = {"reportpub: still waiting": None}


def _deferred_island_layout(context, box, containing_block, absolute_boxes, fixed_boxes, bottom_space, skip_stack):
    """WeasyPrint's float_layout of a float deferred from the page before, at the head of the
    page. An island that does not fit after the islands set there before it waits for the
    next page again, in order: WeasyPrint would set them all, a turned one over the page's
    edge, a horizontal one broken wherever the page ends (a code block's first line alone at
    the foot of the page, a figure's caption on the next). A table or code longer than a page
    goes on here when a good part of it fits (_started_here). An empty, sizeless box stands for
    an island that waits."""
    if skip_stack is _STILL_WAITING:
        skip_stack = None
    if skip_stack is not None:  # the rest of an island broken on the page before
        return _float_layout(context, box, containing_block, absolute_boxes, fixed_boxes, bottom_space, skip_stack)
    laid_out, rest = _float_layout(context, box, containing_block, absolute_boxes, fixed_boxes, bottom_space, None)
    before = [shape for shape in context.excluded_shapes if shape is not laid_out and _island(shape) is not None]
    if not before or (rest is None and not context.overflows_page(0, laid_out.position_y + laid_out.margin_height())):
        return laid_out, rest
    if _turned(box):
        context.excluded_shapes.remove(laid_out)
    elif started := _started_here(context, box, laid_out, containing_block, absolute_boxes, fixed_boxes, 0):
        return started
    waiting = box.copy_with_children([])
    # Above the page: WeasyPrint counts a box without height as colliding with any line that
    # reaches down to where it stands, and stops there looking for room lower down; a line
    # that fits nowhere beside the islands set at the page's head was then put beside them
    # anyway, past the page's edge.
    waiting.position_x, waiting.position_y = containing_block.content_box_x(), -1.0
    waiting.width = waiting.height = 0
    for side in ("top", "right", "bottom", "left"):
        setattr(waiting, f"margin_{side}", 0)
        setattr(waiting, f"padding_{side}", 0)
        setattr(waiting, f"border_{side}_width", 0)
    return waiting, _STILL_WAITING


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
    page, deferred = getattr(context, "reportpub_deferred_islands", None) or (None, frozenset())
    deferred = deferred if page == context.current_page else frozenset()
    if group in deferred and not set_anyway:
        pass  # set here, it stranded the page (_deferring_islands_that_strand_pages)
    elif set_anyway or _may_fit(context, child, box, absolute_boxes, fixed_boxes, bottom_space):
        new_child, rest = _float_layout(context, child, box, absolute_boxes, fixed_boxes, bottom_space, skip_stack=None)
        # A figure broken inside (its image here, its caption over the page) does not fit: it
        # is set whole at the head of the next page. Only an island set anyway, on a page of
        # its own, is continued (its rest handed on as WeasyPrint hands on a broken float).
        fits = rest is None and not context.overflows_page(bottom_space, new_child.position_y + new_child.margin_height())
        if not (fits or set_anyway or _turned(child)):
            new_child, rest = _started_here(context, child, new_child, box, absolute_boxes, fixed_boxes,
                                            bottom_space) or (None, None)
        elif not (fits or set_anyway):
            block_layout.remove_placeholders(context, [new_child], absolute_boxes, fixed_boxes)
            new_child = None
        if new_child is not None:
            if getattr(context, "reportpub_islands_set", None) is not None:
                context.reportpub_islands_set.add(group)
            new_child.index = index
            new_children.append(new_child)
            return False, None, new_child, rest
    if child.element.get("data-island-last") is None and group not in deferred:
        return skipped  # a narrower width of the same island comes next
    # No width fits: the widest goes to the head of the next page, the text goes on here.
    widest = next(sibling for sibling in box.children if _island(sibling) == group)
    context.add_broken_out_of_flow(widest, widest, box, None)
    return skipped


# A table or code longer than a page starts where it stands, or after the islands at the
# head of a page, when at least this share of the page's height of it fits there: it is
# broken anyway, and set where it stands it keeps its place in the text (deferred, it would
# leave the page half empty when the chapter's text runs out before the page is full).
_LONG_ISLAND_START = 0.25


def _started_here(context, island, part, containing_block, absolute_boxes, fixed_boxes, bottom_space):
    """A horizontal island broken at the page's end (``part``, its first part) laid out again
    and its rest, when it starts on this page: a table or code (a figure is never broken: its
    caption would go on alone) longer than a whole page, of which a quarter of the page or
    more fits here. Else None, ``part`` taken off the page."""
    page = context.current_footnote_area.page
    block_layout.remove_placeholders(context, [part], absolute_boxes, fixed_boxes)
    tags = {element.tag for element in island.element.iter()}
    if part.margin_height() < _LONG_ISLAND_START * page.height or not tags & _BREAKABLE or tags & _WHOLE:
        return None
    # Its whole height, laid out without a page bottom (only a long island gets here).
    whole, _ = float_layout(context, island, containing_block, absolute_boxes, fixed_boxes, -inf, skip_stack=None)
    block_layout.remove_placeholders(context, [whole], absolute_boxes, fixed_boxes)
    if whole.margin_height() <= page.height:
        return None
    return float_layout(context, island, containing_block, absolute_boxes, fixed_boxes, bottom_space, skip_stack=None)


# What a page may break inside: a table between its rows, code between its lines; not an
# island holding an image.
_BREAKABLE = {"table", "pre"}
_WHOLE = {"img", "svg"}


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


# A hair under the room a cut note area is given, so that it never overflows its call's line
# by a floating-point rounding (px).
_ROUNDING = 0.01


@dataclass
class _Cut:
    """A page's last note, laid out down to a limit (past the area's max-height if need be):
    cut there, its first part staying on the page, or whole."""
    area: boxes.FootnoteAreaBox  # the page's note area (context.current_footnote_area)
    note: boxes.Box
    limit: float  # how far below its top the note area may reach (its margin box)
    resume_at: dict | None = None  # where laying the area out stopped, once it is laid out


@dataclass
class _Rest:
    """The rest of a cut note, waiting for the next page."""
    page: int  # that page's number
    cut: _Cut  # where the cut page's last layout of its note area left the note


@dataclass
class _Continued:
    """The rest of a note cut on the page before, opening this page's note area."""
    area: boxes.FootnoteAreaBox  # this page's note area
    note: boxes.Box
    skip: dict  # where the cut left the note, as a skip stack into it


def _is_note(box, note) -> bool:
    """Whether a note area's child is the note: WeasyPrint lays out deep copies of the area."""
    return box.element is note.element


def _note_area_layout(context, box, bottom_space, skip_stack, containing_block, *arguments, **keywords):
    """WeasyPrint's block_level_layout; a page's note area begins with the rest of a note cut
    on the page before, and ends where a note that does not fit is cut."""
    if not isinstance(box, boxes.FootnoteAreaBox) or not box.children:
        return _weasyprint_block_level_layout(context, box, bottom_space, skip_stack, containing_block,
                                              *arguments, **keywords)
    area = context.current_footnote_area
    continued, cut = getattr(context, "reportpub_continued", None), getattr(context, "reportpub_cut", None)
    continuing = continued is not None and continued.area is area and _is_note(box.children[0], continued.note)
    cutting = cut is not None and cut.area is area and _is_note(box.children[-1], cut.note)
    if continuing:
        skip_stack = {0: continued.skip}
    if cutting:
        bottom_space = context.page_bottom - (area.position_y + cut.limit)
    if continuing or cutting:
        # The area keeps its rule and spacing on both sides when a note is broken in it, so
        # that it is as high as WeasyPrint reckons when it moves the page's bottom.
        box.style = box.style.copy()
        box.style["box_decoration_break"] = "clone"
    if cutting:
        box.style["max_height"] = INITIAL_VALUES["max_height"]  # the cut's limit is the area's height
    result = _weasyprint_block_level_layout(context, box, bottom_space, skip_stack, containing_block,
                                            *arguments, **keywords)
    if cutting:
        cut.resume_at = result[1]
    return result


def _split_note(context, footnote, text_bottom: float, line_top: float = -inf) -> bool:
    """Keep ``footnote``, the page's last note, which does not fit, on the page of its call:
    cut it so that the note area ends at ``text_bottom`` (where the text above it ends: the
    call's line, and the lines its paragraph's orphans need), its rest opening the next
    page's notes, or let it have the room down to there past the area's max-height. False
    when neither can be done: it then moves with its line, whose top is at ``line_top``."""
    area = context.current_footnote_area
    previous = getattr(context, "reportpub_cut", None)
    if previous is not None and previous.area is area and previous.note is not footnote:
        # A note called after the cut one goes after its rest: its line moves to the next page
        # and the page ends there, so the cut note may take the room left down to that line.
        if _extend_cut(context, previous, footnote, line_top):
            return False
        # The earlier note is whole now: this one may be cut in its turn.
    else:
        previous = None
    page, cuts = getattr(context, "reportpub_cuts", None) or (None, "any")
    cuts = cuts if page == context.current_page else "any"
    if context.in_column or context.reported_footnotes or context.current_page_footnotes[-1:] != [footnote] \
            or cuts == "none":
        return False  # the notes called after a moved note go after it, on the next page
    text_bottom = _text_bottom(context, text_bottom)
    room = _room(area, text_bottom) - _ROUNDING
    # The area's max-height keeps room for text below the call; when not one line of the note
    # fits under it, the line would move and the page end early: the area grows past it.
    limits = {room} if cuts == "down to the call" else {min(room, area.max_height + _decoration(area) - _ROUNDING), room}
    for limit in sorted(limits):
        if limit <= _decoration(area):
            continue
        cut = context.reportpub_cut = _Cut(area, footnote, limit)
        context._update_footnote_area()
        if context.overflows_page(0, text_bottom):
            continue
        if cut.resume_at is None:  # the whole note fits under the limit
            return True
        (index, rest), = cut.resume_at.items()
        if index == len(context.current_page_footnotes) - 1 and rest is not None:
            context.reported_footnotes.append(footnote)  # WeasyPrint lays it out first on the next page
            context.reportpub_rest = _Rest(context.current_page + 1, cut)
            return True
        # Not one line of the note fits (or fewer than its orphans).
    context.reportpub_cut = previous
    context._update_footnote_area()
    return False


def _extend_cut(context, cut, later_note, line_top: float) -> bool:
    """Let the page's cut note reach down to ``line_top``, the line that leaves the page with
    ``later_note``. False when the whole note fits there: it is no longer cut."""
    if cut.resume_at is None:
        return False
    context.current_page_footnotes.remove(later_note)
    cut.limit = max(cut.limit, _room(cut.area, _text_bottom(context, line_top)) - _ROUNDING)
    context._update_footnote_area()
    if cut.resume_at is None:
        context.reportpub_rest = None
        context.reported_footnotes.remove(cut.note)
    context.current_page_footnotes.append(later_note)
    context._update_footnote_area()
    return cut.resume_at is not None


def _text_bottom(context, text_bottom: float) -> float:
    """Where the note area must stop growing: below the text and the islands set on the page."""
    return max([text_bottom, *(shape.position_y + shape.margin_height()
                               for shape in context.excluded_shapes if _island(shape) is not None)])


def _room(area, text_bottom: float) -> float:
    """How high the note area may grow: it starts at the page's bottom and grows up from there."""
    return area.position_y - text_bottom


def _decoration(area) -> float:
    return (area.margin_top + area.border_top_width + area.padding_top
            + area.padding_bottom + area.border_bottom_width + area.margin_bottom)


def _layout_footnote(context, footnote):
    rest = getattr(context, "reportpub_rest", None)
    if rest is not None and rest.cut.note is footnote and rest.page == context.current_page \
            and not context.current_page_footnotes:
        # The page opens with the rest of the note cut on the page before.
        (_, skip), = rest.cut.resume_at.items()
        context.reportpub_continued = _Continued(context.current_footnote_area, footnote, skip)
        # A rest longer than the whole note area is cut again.
        return _weasyprint_layout_footnote(context, footnote) and not _split_note(context, footnote, -inf)
    if _weasyprint_layout_footnote(context, footnote):
        return True
    lines_set = bool(getattr(context, "reportpub_paragraph_lines", None)) or \
        getattr(context, "reportpub_lines_page", None) == context.current_page
    blocking = {_island(shape) for shape in context.excluded_shapes
                if _island(shape) is not None and context.overflows_page(0, shape.position_y + shape.margin_height())}
    if lines_set and blocking and getattr(context, "reportpub_blocking_islands", None) is not None:
        context.reportpub_blocking_islands |= blocking
    return lines_set and bool(blocking)


def _unlayout_footnote(context, footnote):
    cut = getattr(context, "reportpub_cut", None)
    if cut is not None and cut.area is context.current_footnote_area and cut.note is footnote:
        # The line calling the cut note left the page (orphans, widows): the note goes with it, whole.
        context.reportpub_cut = context.reportpub_rest = None
        if footnote in context.reported_footnotes:
            context.reported_footnotes.remove(footnote)
    _weasyprint_unlayout_footnote(context, footnote)


def install() -> None:
    """Give WeasyPrint's layout these rules (once per process)."""
    global _installed
    if _installed:
        return
    block_layout._linebox_layout = _lines_on_page(_linebox_layout_keeping_notes())
    block_layout._out_of_flow_layout = _out_of_flow_layout
    LayoutContext.layout_footnote = _layout_footnote
    LayoutContext.unlayout_footnote = _unlayout_footnote
    LayoutContext.reportpub_split_note = _split_note
    LayoutContext.reportpub_paragraph_lines_kept = _paragraph_lines_kept
    # The note area is laid out by LayoutContext._update_footnote_area and make_page.
    weasyprint_layout.block_level_layout = page_layout.block_level_layout = _note_area_layout
    page_layout.make_page = _deferring_islands_that_strand_pages(
        _keeping_rests_in_their_chapter(_make_page_for_a_full_page_island()))
    page_layout.float_layout = _deferred_island_layout  # islands deferred to the head of a page
    _installed = True
