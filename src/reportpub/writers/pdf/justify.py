"""Inter-character justification for the PDF editions (JLREQ 3.8), in WeasyPrint's own pass.

WeasyPrint 70 justifies a line only at its spaces (U+0020, U+00A0): a line of Japanese
text, which has none, keeps its slack at the end, and a line with one Latin space puts all
of it there. JLREQ spreads the adjustment between the characters. This module widens
WeasyPrint's notion of an "expandable space" to the gaps between characters, and gives
those gaps their share when Pango sets the line for drawing, as letter spacing.

Line breaking is Pango's (UAX #14 with its kinsoku): nothing here adds break opportunities.
One thing is added to it, push-in before push-out (追い込み, JLREQ 3.8): a justified line that
ends short because what follows may not begin a line or be divided is laid out again with
some of its marks set half-width, and kept if it then takes that unit and still fits
(``split_inline_box``); only such lines, a few in a hundred, cost a second layout.

How the width comes out: Pango gives a range carrying letter spacing L the whole L at each
grapheme boundary inside the range, and half an L at each of its two ends, except at the
ends of the layout (each WeasyPrint text box is laid out on its own), where it drops that
half. So a run of n spaced characters widens the box by n·L, less L/2 for each end that is
an end of the box; ``expandable_units`` counts exactly that, and WeasyPrint's own sums (it
multiplies the count by the spacing) stay right to the last point.

Which characters are spaced: full-width characters (kanji, kana, full-width punctuation),
but not full-width digits and letters: the space falls between them and at the boundaries of
Latin runs and numbers, never inside a Latin word or a number (JLREQ keeps those whole).

Consecutive punctuation is closed up in the same pass (約物の詰め, typography/punctuation.py):
the marks that lose a blank half get the fonts' half-width forms, asked for as a font
feature on just those characters, so the lines are measured, broken and justified with the
compressed widths. WeasyPrint sets each inline element's text apart, so before a paragraph
is broken into lines each of its text boxes is given the characters just before and after
it in the paragraph (note calls looked past, a ruby or other inline block standing between):
a pair split by an element boundary (``**行こう。**」``) closes up as one inside a text.

Ruby boxes (inline blocks) take their share too, one unit per base character, set half
before and half after the box (JLREQ 3.3): a line crowded with ruby no longer puts all its
slack between its few plain characters.

This leans on internals of WeasyPrint 70 (``layout.inline.count_expandable_spaces``,
``layout.inline.add_word_spacing``, ``layout.inline.split_text_box``, ``layout.inline.text_align``,
``layout.inline.split_inline_box``,
``layout.block.iter_line_boxes`` and ``text.line_break.Layout.set_text``), hence the upper
bound on WeasyPrint in pyproject.toml.
"""

from __future__ import annotations

import unicodedata

from weasyprint.formatting_structure import boxes
from weasyprint.layout import block, inline
from weasyprint.text import line_break
from weasyprint.text.ffi import TO_UNITS, ffi, pango

from reportpub.typography.punctuation import (
    HALF_WIDTH_FEATURE,
    LINE_START_PROHIBITED,
    MARKS,
    TRAILING_HALF,
    compressible_marks,
    half_width_marks,
)
from reportpub.writers.pdf.line_units import NOTE_CALL_AGAIN_CLASS

# Full-width digits and Latin letters: set one per em, but a number or word all the same.
_FULL_WIDTH_ALPHANUMERIC = frozenset(chr(c) for c in range(0xFF10, 0xFF1A)) | frozenset(
    chr(c) for c in list(range(0xFF21, 0xFF3B)) + list(range(0xFF41, 0xFF5B)))


def _spaced(character: str) -> bool:
    """Whether a character takes part in inter-character justification."""
    return unicodedata.east_asian_width(character) in "WF" and character != "\u3000" \
        and character not in _FULL_WIDTH_ALPHANUMERIC


def spaced_runs(text: str) -> list[tuple[int, int]]:
    """The runs (start, end) of ``text`` whose characters get letter spacing: maximal runs
    of full-width characters other than full-width digits and letters, with the combining
    marks and variation selectors that follow them."""
    runs: list[tuple[int, int]] = []
    start = None
    for index, character in enumerate(text):
        if _spaced(character) or (start is not None and _cluster_continuation(character)):
            if start is None:
                start = index
        elif start is not None:
            runs.append((start, index))
            start = None
    if start is not None:
        runs.append((start, len(text)))
    return runs


def _cluster_continuation(character: str) -> bool:
    """Combining marks and variation selectors belong to the character before them."""
    return bool(unicodedata.combining(character)) or 0xFE00 <= ord(character) <= 0xFE0F


def expandable_units(text: str) -> float:
    """How many letter-spacing units ``spaced_runs`` adds to a text box of ``text``."""
    units = 0.0
    for start, end in spaced_runs(text):
        units += (end - start) - 0.5 * (start == 0) - 0.5 * (end == len(text))
    return units


def _letter_spaced(style) -> bool:
    """Text with letter spacing of its own (an author's stylesheet) keeps it: Pango takes one
    letter spacing per character, so the justification's would replace it."""
    return style["letter_spacing"] not in ("normal", 0)


def ruby_units(box) -> int:
    """The units of a ruby box (an inline block of class ruby, writers/pdf/chapter_html.py):
    one per base character, as if its base were plain text. JLREQ 3.3 lets a line's
    adjustment go beside ruby as between other characters; without these units a line
    crowded with ruby put all its slack between its few plain characters."""
    if not isinstance(box, boxes.InlineBlockBox) or not _is_ruby(box) or not len(box.element):
        return 0
    return len(box.element[0].tail or "")  # the base follows the reading (<span class="rt">)


def _is_ruby(box) -> bool:
    return box.element is not None and box.element_tag == "span" and "ruby" in (box.element.get("class") or "").split()


def count_expandable(box) -> float:
    """WeasyPrint's count of a box's expandable spaces, with the inter-character units."""
    if isinstance(box, boxes.InlineBlockBox):
        return ruby_units(box)
    if isinstance(box, boxes.TextBox):
        spaces = box.text.count(" ") + box.text.count("\u00a0")
        return spaces if _letter_spaced(box.style) else spaces + expandable_units(box.text)
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        return sum(count_expandable(child) for child in box.children)
    return 0


# --------------------------------------------------------------- neighbours across elements
_PREVIOUS, _NEXT = "reportpub_previous", "reportpub_next"  # on each text box: the characters beside it
_MARKED = "reportpub_neighbours_marked"  # on a paragraph's line box, once its text boxes have theirs
_OPAQUE = "\ufffc"  # what an inline block (ruby, an image) stands as: nothing closes up against it


def _is_note_call(box) -> bool:
    """A note's call: its first (the footnote's call pseudo-element) or a later call of it
    (writers/pdf/chapter_html.py's ``note-call`` link)."""
    if (box.element_tag or "").endswith("::footnote-call"):
        return True
    return box.element_tag == "a" and NOTE_CALL_AGAIN_CLASS in (box.element.get("class") or "").split()


def mark_neighbours(line_box) -> None:
    """Give each text box of a paragraph's inline content (its line box, before it is broken
    into lines) the character before it and the one after it in the paragraph."""
    pieces: list = []

    def walk(box) -> None:
        if isinstance(box, boxes.TextBox):
            if box.text:
                pieces.append(box)
        elif not box.is_in_normal_flow() or _is_note_call(box):
            return  # a note call: the marks on either side close up across it
        elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            for child in box.children:
                walk(child)
        else:  # an inline block (ruby, an emphasised character) or an image: its width is its own
            pieces.append(_OPAQUE)

    walk(line_box)
    previous = ""
    for piece in pieces:
        if piece is not _OPAQUE:
            setattr(piece, _PREVIOUS, previous)
        previous = _OPAQUE if piece is _OPAQUE else piece.text[-1]
    following = ""
    for piece in reversed(pieces):
        if piece is not _OPAQUE:
            setattr(piece, _NEXT, following)
        following = _OPAQUE if piece is _OPAQUE else piece.text[0]


_weasyprint_iter_line_boxes = block.iter_line_boxes


def iter_line_boxes(context, box, *args, **kwargs):
    """WeasyPrint's ``iter_line_boxes`` (a paragraph's lines), its text boxes given their
    neighbours first (once per paragraph: a paragraph continued on the next page is the same)."""
    if not getattr(box, _MARKED, False):
        mark_neighbours(box)
        setattr(box, _MARKED, True)
    return _weasyprint_iter_line_boxes(context, box, *args, **kwargs)


_weasyprint_split_text_box = inline.split_text_box
# (before, after, pushed): the characters beside the text the box being split sets, and the marks
# of that text a push-in compresses (below), for set_text.
_neighbours = ("", "", ())


def split_text_box(context, box, available_width, skip, is_line_start=True):
    """WeasyPrint's ``split_text_box`` (the part of a text box that fits a line, from byte
    ``skip``), with the text's neighbours, and the marks a push-in compresses in it, known to
    ``set_text`` meanwhile."""
    global _neighbours
    before = box.text.encode()[:skip].decode()[-1:] if skip else getattr(box, _PREVIOUS, "")
    following = getattr(box, _NEXT, "")
    pushed = () if _trial is None else _pushed_marks(box, skip, before, following, available_width, is_line_start)
    _neighbours = (before, following, pushed)
    try:
        return _weasyprint_split_text_box(context, box, available_width, skip, is_line_start)
    finally:
        _neighbours = ("", "", ())


_weasyprint_text_align = inline.text_align


def text_align(context, line, available_width, last):
    """WeasyPrint's ``text_align`` (which justifies a line), a closing bracket, comma or full stop
    ending a justified line that its paragraph continues after first set half-width when it ends
    an element's text (a mark ending a line broken inside a text is set so by ``set_text``): the
    line-end rule of typography/punctuation.py, wherever the line breaks."""
    if not last and line.style["text_align_all"] == "justify":
        _trim_line_end(line)
    return _weasyprint_text_align(context, line, available_width, last)


def _trim_line_end(line) -> None:
    path, box = [line], line
    while isinstance(box, (boxes.LineBox, boxes.InlineBox)) and box.children:
        box = box.children[-1]
        path.append(box)
    layout = getattr(box, "pango_layout", None)
    if not isinstance(box, boxes.TextBox) or layout is None or not box.text or box.text[-1] not in TRAILING_HALF:
        return
    before, context, box_length, pushed = getattr(layout, _CONTEXT, None) or ("", box.text, len(box.text), ())
    if len(box.text) < box_length or not context.startswith(box.text):
        return  # broken inside its text: set_text has trimmed it
    setattr(layout, _CONTEXT, (before, context, len(box.text) + 1, pushed))  # as if broken inside
    layout.reactivate(box.style)
    first_line, _ = layout.get_first_line()
    width, _ = line_break.line_size(first_line, box.style)
    layout.deactivate()
    trimmed = box.width - width
    if trimmed > 0:
        for ancestor in path:
            ancestor.width -= trimmed


# --------------------------------------------------------------- push-in (追い込み)
_weasyprint_split_inline_box = inline.split_inline_box
# At most this many marks are compressed (half an em each) to push a unit into a line.
PUSH_IN_MARKS = 4
_DIGITS = frozenset("0123456789０１２３４５６７８９")


class _Trial:
    """A push-in being tried on one line: the marks it compresses in each text (by its box and the
    byte it starts the line's part at), chosen by ``plan`` (None: none), and every mark the line's
    texts could compress, in line order, for the next trial's plan."""

    def __init__(self, widening: float, plan: dict[tuple[int, int], tuple[int, ...]] | None = None):
        self.widening = widening  # how far past the measure the trial lays the line out
        self.plan = plan or {}
        self.chosen: dict[tuple[int, int], tuple[int, ...]] = {}
        self.candidates: list[tuple[tuple[int, int], int]] = []


def spread_evenly(candidates: list, count: int) -> list:
    """``count`` of ``candidates`` spread evenly along them (JLREQ 3.8 spreads a push-in's
    reduction over the line's marks, not at its start): the middles of ``count`` equal parts."""
    return [candidates[int((k + 0.5) * len(candidates) / count)] for k in range(count)]


_trial: _Trial | None = None


def split_inline_box(context, box, position_x, max_x, bottom_space, skip_stack, containing_block,
                     absolute_boxes, fixed_boxes, line_placeholders, waiting_floats, line_children, *styles):
    """WeasyPrint's ``split_inline_box``; for a justified paragraph's line (a line box) that
    ends short because what follows may not begin a line or be divided (a 。 or 」 that took the
    character before it along, a number, a note call with its neighbours, a ruby group), the
    push-in JLREQ 3.8 tries before pushing out: the line is laid out again with up to
    :data:`PUSH_IN_MARKS` of its marks' blank halves taken off, spread evenly over the marks the
    line could close up (first none: a closing mark ending the line loses its trailing half
    anyway; that trial finds the marks) and is kept when it then takes the unit and
    still ends within the measure. Otherwise the line stays as it was, pushed out and spread."""
    global _trial
    result = _weasyprint_split_inline_box(
        context, box, position_x, max_x, bottom_space, skip_stack, containing_block, absolute_boxes,
        fixed_boxes, line_placeholders, waiting_floats, line_children, *styles)
    line, resume_at, preserved_line_break = result[:3]
    if (_trial is not None or not isinstance(box, boxes.LineBox) or resume_at is None or preserved_line_break
            or box.style["text_align_all"] != "justify" or absolute_boxes or fixed_boxes or line_placeholders
            or waiting_floats):
        return result
    em = box.style["font_size"]
    if max_x - line.content_box_x() - line.width < 0.2 * em or not _held_back(box, resume_at):
        return result
    candidates: list = []
    for marks in range(min(PUSH_IN_MARKS, _marks_in(line)) + 1):
        if marks > len(candidates):
            break  # the first trial (none compressed) found fewer marks the line could close up
        plan: dict = {}
        for key, index in spread_evenly(candidates, marks):
            plan[key] = plan.get(key, ()) + (index,)
        made: tuple[list, ...] = ([], [], [], [], [])
        _trial = _Trial(0.55 * em, plan)
        try:
            trial = _weasyprint_split_inline_box(
                context, box, position_x, max_x + _trial.widening, bottom_space, skip_stack, containing_block, *made, *styles)
        finally:
            if not marks:
                candidates = _trial.candidates
            _trial = None
        if any(made[:4]) or trial[2] or not _further(trial[1], resume_at):
            continue
        if trial[1] is not None:
            _trim_line_end(trial[0])  # as text_align will: the line's closing mark set half-width
        if trial[0].content_box_x() + trial[0].width <= max_x + 0.01:
            line_children[:] = made[4]
            return trial
    return result


def _pushed_marks(box, skip, before, following, available_width, is_line_start) -> tuple[int, ...]:
    """The marks of a text box's text from byte ``skip`` that the push-in being tried
    compresses (its plan's), the marks there within the measure noted as candidates."""
    key = (id(box), skip)
    if key not in _trial.chosen:
        text = box.text.encode()[skip:].decode() if skip else box.text
        # The characters the line can hold within the measure, at most: not the unit pushed in.
        reach = (available_width - _trial.widening) / (box.style["font_size"] or 1)
        _trial.candidates += [(key, i) for i in compressible_marks(text, following, before, line_start=is_line_start)
                              if i + 1 <= reach + 0.01]
        _trial.chosen[key] = _trial.plan.get(key, ())
    return _trial.chosen[key]


def _marks_in(line) -> int:
    """How many marks with a blank half a line's texts hold (a bound on what a push-in can take)."""
    if isinstance(line, boxes.TextBox):
        return sum(1 for character in line.text if character in MARKS)
    if isinstance(line, (boxes.LineBox, boxes.InlineBox)):
        return sum(_marks_in(child) for child in line.children)
    return 0


def _held_back(line_box, resume_at) -> bool:
    """Whether what a line is broken before is a unit that may not begin a line or be divided:
    a number, a unit of line_units.py (a number, a note call with its neighbours, a ruby group),
    or a character that came along with a mark that may not begin a line."""
    box, stack = line_box, resume_at
    while True:
        (index, stack), = stack.items()
        box = box.children[index]
        if isinstance(box, boxes.TextBox):
            following = box.text.encode()[next(iter(stack)):].decode() if stack else box.text
            return bool(following) and (following[0] in _DIGITS or following[0] in LINE_START_PROHIBITED
                                        or following[1:2] in LINE_START_PROHIBITED and following[1:2] != "")
        if "nobr" in ((box.element.get("class") or "").split() if box.element is not None else ()):
            return True
        if stack is None:
            if not isinstance(box, boxes.InlineBox) or not box.children:
                return False
            stack = {0: None}


def _further(resume_at, than) -> bool:
    """Whether a line broken at ``resume_at`` (None: at its paragraph's end) holds more than one
    broken at ``than``."""
    return resume_at is None or _position(resume_at) > _position(than)


def _position(stack) -> tuple:
    path = []
    while stack:
        (index, stack), = stack.items()
        path.append(index)
    return tuple(path)


# --------------------------------------------------------------- setting a text
_weasyprint_set_text = line_break.Layout.set_text


def set_text(self, text, justify=False):
    """WeasyPrint's ``Layout.set_text``, with the half-width forms asked for on the marks that
    consecutive punctuation closes up (typography/punctuation.py), for measuring and drawing
    alike; and when drawing a justified line, letter spacing on the spaced runs as well as
    WeasyPrint's word spacing on the spaces."""
    # A mark at a line's end keeps the half width the line was broken with: WeasyPrint lays the
    # whole text out to find the break, then sets the line's own text on the same layout. The
    # context is (the character before the text, the text and what follows it in the paragraph,
    # the length of the box's own text): a text shorter than its box's is a line broken inside it.
    # It holds too the marks a push-in compresses (indices in the text), for every later setting.
    before, context, box_length, pushed = getattr(self, _CONTEXT, None) or ("", "", 0, ())
    _weasyprint_set_text(self, text, justify)
    if not context.startswith(self.text) or len(self.text) > box_length:
        before, context, box_length = _neighbours[0], self.text + _neighbours[1], len(self.text)
        pushed = _neighbours[2]
    setattr(self, _CONTEXT, (before, context, box_length, pushed))
    halves = half_width_marks(self.text, context[len(self.text):], before, line_end=len(self.text) < box_length)
    if pushed:
        halves = sorted(set(halves).union(index for index in pushed if index < len(self.text)))
    spacing = self.justification_spacing
    runs = spaced_runs(self.text) if justify and spacing and not _letter_spaced(self.style) else []
    if not (halves or runs):
        return
    attributes = pango.pango_layout_get_attributes(self.layout)
    if attributes == ffi.NULL:
        attributes = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    offsets = [0]
    for character in self.text:
        offsets.append(offsets[-1] + len(character.encode()))
    for index in halves:
        attribute = pango.pango_attr_font_features_new(_HALF_WIDTH)
        attribute.start_index, attribute.end_index = offsets[index], offsets[index + 1]
        pango.pango_attr_list_insert(attributes, attribute)
    for start, end in runs:
        attribute = pango.pango_attr_letter_spacing_new(int(spacing * TO_UNITS))
        attribute.start_index, attribute.end_index = offsets[start], offsets[end]
        pango.pango_attr_list_insert(attributes, attribute)
    pango.pango_layout_set_attributes(self.layout, attributes)


_HALF_WIDTH = f"{HALF_WIDTH_FEATURE} 1".encode()
_CONTEXT = "reportpub_text_context"  # (before, the longest text set that the text begins, its box's length, pushed)


_weasyprint_add_word_spacing = inline.add_word_spacing


def add_word_spacing(context, box, justification_spacing, x_advance):
    """WeasyPrint's ``add_word_spacing`` (which moves each box along by the spacing before it
    and widens text boxes), giving a ruby box its units' share, half before it and half after."""
    units = ruby_units(box)
    if not units:
        text_context = getattr(box, "pango_layout", None) and getattr(box.pango_layout, _CONTEXT, None)
        x_advance = _weasyprint_add_word_spacing(context, box, justification_spacing, x_advance)
        if text_context:  # the justified line's new layout: its line end as it was broken
            setattr(box.pango_layout, _CONTEXT, text_context)
        return x_advance
    share = units * justification_spacing
    box.translate(x_advance + share / 2, 0)
    return x_advance + share


def install() -> None:
    """Make WeasyPrint justify between characters (idempotent; the PDF writer calls it)."""
    inline.count_expandable_spaces = count_expandable
    inline.add_word_spacing = add_word_spacing
    inline.split_text_box = split_text_box
    inline.split_inline_box = split_inline_box
    inline.text_align = text_align
    block.iter_line_boxes = iter_line_boxes
    line_break.Layout.set_text = set_text
