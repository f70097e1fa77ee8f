"""Inter-character justification for the PDF editions (JLREQ 3.8), in WeasyPrint's own pass.

WeasyPrint 70 justifies a line only at its spaces (U+0020, U+00A0): a line of Japanese
text, which has none, keeps its slack at the end, and a line with one Latin space puts all
of it there. JLREQ spreads the adjustment between the characters. This module widens
WeasyPrint's notion of an "expandable space" to the gaps between characters, and gives
those gaps their share when Pango sets the line for drawing, as letter spacing.

Line breaking is Pango's (UAX #14 with its kinsoku): nothing here adds break opportunities.
One thing is added to it, push-in before push-out (追い込み, JLREQ 3.8): a justified line that
ends short because what follows may not begin a line or be divided (a Latin word among them) is
laid out again with the unit, and what it then overruns the measure by is taken off its Latin
word spaces, then its middle dots' quarter ems, then its other marks' blank halves, shared
evenly (``split_inline_box``); it is kept if it then takes the unit and still fits. Only such
lines cost more layouts (two to four): a few in a hundred of Japanese text, but most of a Latin
passage's, whose lines end before a word.

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

import functools
import itertools
import math
import unicodedata
from dataclasses import dataclass

from weasyprint.formatting_structure import boxes
from weasyprint.layout import block, inline
from weasyprint.text import line_break
from weasyprint.text.ffi import TO_UNITS, ffi, pango

from reportpub.typography.punctuation import (
    FIRST_REDUCED,
    HALF_WIDTH_FEATURE,
    LINE_START_PROHIBITED,
    REDUCED_FEATURE,
    REDUCTION_STEPS,
    TRAILING_HALF,
    compressible_marks,
    half_width_marks,
)
from reportpub.writers.pdf.line_units import NOTE_CALL_AGAIN_CLASS

# Where Pango set a character (push-in finds the marks within the measure by it); WeasyPrint's
# declarations leave it out.
ffi.cdef("void pango_layout_index_to_pos (PangoLayout *layout, int index_, PangoRectangle *pos);")

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
    return list(_spaced_runs(text))


@functools.lru_cache(maxsize=4096)
def _spaced_runs(text: str) -> tuple[tuple[int, int], ...]:
    # Cached: WeasyPrint counts and sets a paragraph's text again for each line it breaks off.
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
    return tuple(runs)


def _cluster_continuation(character: str) -> bool:
    """Combining marks and variation selectors belong to the character before them."""
    return bool(unicodedata.combining(character)) or 0xFE00 <= ord(character) <= 0xFE0F


@functools.lru_cache(maxsize=4096)
def expandable_units(text: str) -> float:
    """How many letter-spacing units ``spaced_runs`` adds to a text box of ``text``."""
    units = 0.0
    for start, end in _spaced_runs(text):
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
# (before, after, pushed): the characters beside the text the box being split sets, and what a
# push-in reduces in that text (a Reduction, below), for set_text.
_neighbours = ("", "", None)


def split_text_box(context, box, available_width, skip, is_line_start=True):
    """WeasyPrint's ``split_text_box`` (the part of a text box that fits a line, from byte
    ``skip``), with the text's neighbours, and what a push-in reduces in it, known to
    ``set_text`` meanwhile."""
    global _neighbours
    before = box.text.encode()[:skip].decode()[-1:] if skip else getattr(box, _PREVIOUS, "")
    following = getattr(box, _NEXT, "")
    pushed = None if _trial is None else _trial_reduction(box, skip, before, following, is_line_start)
    _neighbours = (before, following, pushed)
    try:
        split = _weasyprint_split_text_box(context, box, available_width, skip, is_line_start)
    finally:
        _neighbours = ("", "", None)
    if _trial is not None and split[0] is not None:
        setattr(split[0], _TRIAL_KEY, (id(box), skip))  # for _adjustable: where its marks were set
    return split


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
# The most a push-in takes off a line's marks, in ems (as four blank halves).
PUSH_IN_LIMIT = 2.0
# How far a Latin word space may shrink in a push-in: to this fraction of the font's space. JLREQ
# reduces the word spaces first and leaves their minimum to the implementation; half the font's
# space (an eighth of an em in Noto) still parts the words, to a reader and to text extraction.
MINIMUM_WORD_SPACE = 0.5
_DIGITS = frozenset("0123456789０１２３４５６７８９")
_STEP = 0.5 / REDUCTION_STEPS  # one step of a blank half's reduction, in ems
_TRIAL_KEY = "reportpub_trial_key"  # on a text box a trial made: the (text box, byte) its text starts at


@dataclass(frozen=True)
class Reduction:
    """What a push-in takes off in one text (from the byte its line's part starts at): marks'
    blank halves by steps of REDUCTION_STEPS (the whole half at the last step), and Latin word
    spaces by a length each (CSS px)."""

    steps: tuple[tuple[int, int], ...] = ()    # (index in the text, steps)
    spaces: tuple[tuple[int, float], ...] = ()  # (index in the text, what the space loses)

    def __bool__(self) -> bool:
        return bool(self.steps or self.spaces)


_NO_REDUCTION = Reduction()


class _Trial:
    """A push-in being tried on one line: the reduction of each text (by its box and the byte it
    starts the line's part at), and for each text the marks and spaces it could give up."""

    def __init__(self, widening: float, plan: dict[tuple[int, int], Reduction] | None = None):
        self.widening = widening  # how far past the measure the trial lays the line out
        self.plan = plan or {}
        self.found: dict[tuple[int, int], tuple[list[int], list[int]]] = {}  # marks, spaces


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
    push-in JLREQ 3.8 tries before pushing out: the line is laid out with the unit, and what it
    then overruns the measure by is taken off, first from its Latin word spaces (down to
    :data:`MINIMUM_WORD_SPACE`), then from its middle dots' quarter ems, then from its other marks'
    blank halves, shared evenly by the marks of each kind within the measure in steps of a
    sixteenth of an em (at most :data:`PUSH_IN_LIMIT` in all).
    The line is kept when it then takes the unit and ends within the measure; otherwise it
    stays as it was, pushed out and spread."""
    result = _weasyprint_split_inline_box(
        context, box, position_x, max_x, bottom_space, skip_stack, containing_block, absolute_boxes,
        fixed_boxes, line_placeholders, waiting_floats, line_children, *styles)
    line, resume_at, preserved_line_break = result[:3]
    if (_trial is not None or not isinstance(box, boxes.LineBox) or resume_at is None or preserved_line_break
            or box.style["text_align_all"] != "justify" or absolute_boxes or fixed_boxes or line_placeholders
            or waiting_floats):
        return result
    em = box.style["font_size"]
    slack = max_x - line.content_box_x() - line.width
    held = slack >= 0.2 * em and _held_back(box, resume_at)
    if not held:
        return result
    widening = 0.55 * em
    if held is not True:  # a Latin word: the first trial is given room for it, if it might come on at all
        width = _word_width(context, *held)
        if width > slack + _most_room(line) + 0.05 * em:
            return result
        widening += max(width - slack, 0)

    def attempt(plan, widening=0.55 * em):
        """The line laid out with ``plan``, ``widening`` past the measure (room for the closing
        mark that will end it to be set full-width, as WeasyPrint breaks it): (the result, its
        other boxes, the trial, what it overruns the measure by, None if it does not take the unit)."""
        global _trial
        made: tuple[list, ...] = ([], [], [], [], [])
        _trial = _Trial(widening, plan)
        try:
            laid = _weasyprint_split_inline_box(
                context, box, position_x, max_x + _trial.widening, bottom_space, skip_stack, containing_block,
                *made, *styles)
            tried = _trial
        finally:
            _trial = None
        if any(made[:4]) or laid[2] or not _further(laid[1], resume_at):
            return laid, made, tried, None
        if laid[1] is not None:
            _trim_line_end(laid[0])  # as text_align will: the line's closing mark set half-width
        return laid, made, tried, laid[0].content_box_x() + laid[0].width - max_x

    laid, made, tried, overrun = attempt({}, widening)
    marks, spaces = _adjustable(laid[0], tried, max_x)
    space_room = sum(width for *_, width in spaces) * (1 - MINIMUM_WORD_SPACE)
    room = space_room + min(len(marks) * 0.5 * em, PUSH_IN_LIMIT * em)
    kept = laid if overrun is not None and overrun <= 0.01 else None
    if kept is None and room > 0.01:
        fitted = _least_reduction(attempt, overrun, room, marks, spaces, space_room, em)
        if fitted is not None:
            kept, made = fitted[0], fitted[1]
    if kept is not None:
        line_children[:] = made[4]
        return kept
    return result


def _least_reduction(attempt, overrun, room, marks, spaces, space_room, em):
    """The trial (of ``attempt``) with the least reduction that takes the unit and ends within the
    measure, or None: what the first trial overran by (``overrun``) when it took the unit; else
    half an em more at a time up to ``room`` (a larger reduction would let the line take more than
    the unit), then what that trial overran by added or what it had to spare taken back."""
    if overrun is not None:
        amounts = [min(overrun, room)]
    else:
        amounts = sorted({min(k * 0.5 * em, room) for k in range(1, int(PUSH_IN_LIMIT * 2) + 1)})
    for amount in amounts:
        plan = _reduction_plan(amount, marks, spaces, space_room, em)
        if plan is None:
            return None
        tried = attempt(plan)
        overrun = tried[3]
        if overrun is None:
            continue  # it does not take the unit yet
        if overrun > 0.01:  # it takes the unit but overruns: take that off too
            amount += overrun
            plan = amount <= room + 0.01 and _reduction_plan(amount, marks, spaces, space_room, em)
            if not plan:
                return None
            tried = attempt(plan)
            overrun = tried[3]
            if overrun is None or overrun > 0.01:
                return None
        if -overrun >= _STEP * em:  # it took off more than the line needed: take back the rest
            plan = _reduction_plan(amount + overrun, marks, spaces, space_room, em)
            less = attempt(plan) if plan is not None else None
            if less is not None and less[3] is not None and less[3] <= 0.01:
                tried = less
        return tried
    return None


def _reduction_plan(amount, marks, spaces, space_room, em) -> dict[tuple[int, int], Reduction] | None:
    """The reduction of each text that takes ``amount`` off a line: from its Latin word spaces
    first (``spaces``: (text, index, width), each shrinking by the same share of what it may),
    the rest from its marks (``marks``: (text, index, whether it is reduced first)), those reduced
    first (middle dots, JLREQ 3.8) up to all they have, then the others, the marks of each kind
    by the same number of steps, give or take one, the extra steps spread evenly; None when the
    marks cannot give the rest."""
    from_spaces = min(amount, space_room)
    share = from_spaces / space_room if space_room else 0.0
    steps = math.ceil((amount - from_spaces) / (_STEP * em) - 1e-6)
    if steps > len(marks) * REDUCTION_STEPS or steps * _STEP > PUSH_IN_LIMIT:
        return None
    first = [(key, index) for key, index, early in marks if early]
    mark_steps: dict[tuple[int, int], list] = {}
    from_first = min(steps, len(first) * REDUCTION_STEPS)
    for group, group_steps in ((first, from_first),
                               ([(key, index) for key, index, early in marks if not early], steps - from_first)):
        base, extra = divmod(group_steps, len(group)) if group else (0, 0)
        bumped = set(spread_evenly(range(len(group)), extra)) if extra else set()
        for n, (key, index) in enumerate(group):
            if base + (n in bumped):
                mark_steps.setdefault(key, []).append((index, base + (n in bumped)))
    space_cuts: dict[tuple[int, int], list] = {}
    for key, index, width in spaces:
        if share:
            space_cuts.setdefault(key, []).append((index, width * (1 - MINIMUM_WORD_SPACE) * share))
    return {key: Reduction(tuple(mark_steps.get(key, ())), tuple(space_cuts.get(key, ())))
            for key in set(mark_steps) | set(space_cuts)}


def _trial_reduction(box, skip, before, following, is_line_start) -> Reduction:
    """The reduction the push-in being tried makes in a text box's text from byte ``skip``; the
    marks and word spaces that text could give up are noted for the next trial's plan."""
    key = (id(box), skip)
    if key not in _trial.found:
        text = box.text.encode()[skip:].decode() if skip else box.text
        spaces = [] if _letter_spaced(box.style) else [i for i, c in enumerate(text) if c == " "]
        _trial.found[key] = (compressible_marks(text, following, before, line_start=is_line_start), spaces)
    return _trial.plan.get(key, _NO_REDUCTION)


def _adjustable(line, trial: _Trial, max_x: float) -> tuple[list, list]:
    """The marks (text, index, whether it is reduced first) and Latin word spaces (text, index,
    width) a push-in may reduce on a line a trial laid out: those that end within the measure
    (``max_x``), by where Pango set them, not by a count of characters (a line of Latin text or
    tate-chu-yoko cells holds more characters than ems)."""
    marks, spaces = [], []
    for text_box in _text_boxes(line):
        key = getattr(text_box, _TRIAL_KEY, None)
        layout = getattr(text_box, "pango_layout", None)
        if key not in trial.found or layout is None:
            continue
        found_marks, found_spaces = trial.found[key]
        end = len(text_box.text.rstrip(" "))  # spaces ending the line are not set
        found_marks = [i for i in found_marks if i < len(text_box.text)]
        found_spaces = [i for i in found_spaces if i < end]
        if not (found_marks or found_spaces):
            continue
        offsets = _byte_offsets(text_box.text)
        x = text_box.content_box_x()
        layout.reactivate(text_box.style)  # WeasyPrint lets a laid-out text's Pango layout go
        marks += [(key, i, text_box.text[i] in FIRST_REDUCED) for i in found_marks
                  if x + _extent(layout, offsets[i])[0] <= max_x + 0.01]
        for i in found_spaces:
            right, width = _extent(layout, offsets[i])
            if x + right <= max_x + 0.01:
                spaces.append((key, i, width))
        layout.deactivate()
    return marks, spaces


def _extent(layout, byte_index: int) -> tuple[float, float]:
    """Where the character at ``byte_index`` of a (set) layout ends, from the layout's start,
    and its width."""
    rectangle = ffi.new("PangoRectangle *")
    pango.pango_layout_index_to_pos(layout.layout, byte_index, rectangle)
    return (rectangle.x + max(rectangle.width, 0)) / TO_UNITS, abs(rectangle.width) / TO_UNITS


def _text_boxes(box):
    if isinstance(box, boxes.TextBox):
        yield box
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        for child in box.children:
            yield from _text_boxes(child)


@functools.lru_cache(maxsize=1024)
def _byte_offsets(text: str) -> tuple[int, ...]:
    """The byte offset in UTF-8 of each character of ``text`` (and of its end)."""
    # Cached: WeasyPrint sets a paragraph's text again for each line it breaks off.
    return tuple(itertools.accumulate(map(_utf8_length, text), initial=0))


def _utf8_length(character: str) -> int:
    code = ord(character)
    return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4


def _held_back(line_box, resume_at):
    """Whether what a line is broken before is a unit that may not begin a line or be divided
    (True): a number, a unit of line_units.py (a number, a note call with its neighbours, a ruby
    group), or a character that came along with a mark that may not begin a line; or a Latin word
    (not hyphenated: it goes whole), given as (its text box, the text from the word on); else False."""
    box, stack = line_box, resume_at
    while True:
        (index, stack), = stack.items()
        box = box.children[index]
        if isinstance(box, boxes.TextBox):
            following = box.text.encode()[next(iter(stack)):].decode() if stack else box.text
            if not following:
                return False
            if (following[0] in _DIGITS or following[0] in LINE_START_PROHIBITED
                    or following[1:2] in LINE_START_PROHIBITED and following[1:2] != ""):
                return True
            return (box, following) if _latin_letter(following[0]) else False
        if "nobr" in ((box.element.get("class") or "").split() if box.element is not None else ()):
            return True
        if stack is None:
            if not isinstance(box, boxes.InlineBox) or not box.children:
                return False
            stack = {0: None}


def _latin_letter(character: str) -> bool:
    """A letter of the Latin alphabets (Basic Latin to Latin Extended-B): a Latin word begins with it."""
    return character < "\u0250" and character.isalpha()


# No text face's word space is wider than this, in ems: what the check below allows for each space.
_WIDEST_WORD_SPACE = 1 / 3


def _word_width(context, text_box, following) -> float:
    """The width of the Latin word ``following`` (a text box's text) begins with, to its space or
    the next full-width character. Trials cost a line layout each, and in a Latin passage every
    line ends before a word: knowing the word's width, a line that could never take it is not
    tried, and the first trial of one that might is laid out wide enough to take it."""
    end = next((i for i, character in enumerate(following) if character == " " or _spaced(character)), len(following))
    return line_break.split_first_line(following[:end], text_box.style, context, None, 0)[3]


def _most_room(line) -> float:
    """The most a push-in could take off a line: its word spaces (each counted at the widest a
    face sets) and its marks, before the trial finds which end within the measure."""
    space_room = mark_count = 0
    for piece in _text_boxes(line):
        text = piece.text.rstrip(" ")
        if not _letter_spaced(piece.style):
            space_room += text.count(" ") * (1 - MINIMUM_WORD_SPACE) * _WIDEST_WORD_SPACE * piece.style["font_size"]
        mark_count += len(compressible_marks(text))
    em = line.style["font_size"]
    return space_room + min(mark_count * 0.5 * em, PUSH_IN_LIMIT * em)


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
    consecutive punctuation closes up (typography/punctuation.py), and what a push-in reduces
    (the reduced forms of its marks, its word spaces narrowed), for measuring and drawing alike;
    and when drawing a justified line, letter spacing on the spaced runs as well as WeasyPrint's
    word spacing on the spaces."""
    # A mark at a line's end keeps the half width the line was broken with: WeasyPrint lays the
    # whole text out to find the break, then sets the line's own text on the same layout. The
    # context is (the character before the text, the text and what follows it in the paragraph,
    # the length of the box's own text): a text shorter than its box's is a line broken inside it.
    # It holds too what a push-in reduces (a Reduction, by indices in the text), for every later setting.
    before, context, box_length, pushed = getattr(self, _CONTEXT, None) or ("", "", 0, None)
    _weasyprint_set_text(self, text, justify)
    if not context.startswith(self.text) or len(self.text) > box_length:
        before, context, box_length = _neighbours[0], self.text + _neighbours[1], len(self.text)
        pushed = _neighbours[2]
    setattr(self, _CONTEXT, (before, context, box_length, pushed))
    halves = half_width_marks(self.text, context[len(self.text):], before, line_end=len(self.text) < box_length)
    spacing = self.justification_spacing
    runs = _spaced_runs(self.text) if justify and spacing and not _letter_spaced(self.style) else ()
    if not (halves or pushed or runs):
        return  # most settings: nothing to add to WeasyPrint's
    halves = set(halves)
    reduced: dict[int, int] = {}
    narrowed: list[tuple[int, float]] = []
    if pushed:
        for index, steps in pushed.steps:
            if index < len(self.text) and index not in halves:
                if steps >= REDUCTION_STEPS:
                    halves.add(index)
                else:
                    reduced[index] = steps
        narrowed = [(index, cut) for index, cut in pushed.spaces if index < len(self.text) and self.text[index] == " "]
    if not (halves or reduced or narrowed or runs):
        return
    attributes = pango.pango_layout_get_attributes(self.layout)
    if attributes == ffi.NULL:
        attributes = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    offsets = _byte_offsets(self.text)
    for index in sorted(halves):
        attribute = pango.pango_attr_font_features_new(_HALF_WIDTH)
        attribute.start_index, attribute.end_index = offsets[index], offsets[index + 1]
        pango.pango_attr_list_insert(attributes, attribute)
    for index, steps in sorted(reduced.items()):
        attribute = pango.pango_attr_font_features_new(f"{REDUCED_FEATURE} {steps}".encode())
        attribute.start_index, attribute.end_index = offsets[index], offsets[index + 1]
        pango.pango_attr_list_insert(attributes, attribute)
    for start, end in runs:
        attribute = pango.pango_attr_letter_spacing_new(int(spacing * TO_UNITS))
        attribute.start_index, attribute.end_index = offsets[start], offsets[end]
        pango.pango_attr_list_insert(attributes, attribute)
    if narrowed:
        # WeasyPrint's word spacing on each space (as its set_text: doubled at the text's ends,
        # where Pango gives half), less what the push-in takes off it.
        word_spacing = self.style["word_spacing"] + (spacing if justify else 0)
        for index, cut in narrowed:
            factor = 1 + (offsets[index] in (0, offsets[-1] - 1))
            attribute = pango.pango_attr_letter_spacing_new(factor * int((word_spacing - cut) * TO_UNITS))
            attribute.start_index, attribute.end_index = offsets[index], offsets[index + 1]
            pango.pango_attr_list_change(attributes, attribute)
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
