"""Inter-character justification for the PDF editions (JLREQ 3.8), in WeasyPrint's own pass.

WeasyPrint 70 justifies a line only at its spaces (U+0020, U+00A0): a line of Japanese
text, which has none, keeps its slack at the end, and a line with one Latin space puts all
of it there. JLREQ spreads the adjustment between the characters. This module widens
WeasyPrint's notion of an "expandable space" to the gaps between characters, and gives
those gaps their share when Pango sets the line for drawing, as letter spacing.

Line breaking is untouched (Pango's UAX #14 with its kinsoku), so nothing here adds break
opportunities or costs layout time; the work is done only for lines that are justified.

How the width comes out: Pango gives a range carrying letter spacing L the whole L at each
grapheme boundary inside the range, and half an L at each of its two ends, except at the
ends of the layout (each WeasyPrint text box is laid out on its own), where it drops that
half. So a run of n spaced characters widens the box by n·L, less L/2 for each end that is
an end of the box; ``expandable_units`` counts exactly that, and WeasyPrint's own sums (it
multiplies the count by the spacing) stay right to the last point.

Which characters are spaced: full-width characters (kanji, kana, full-width punctuation),
but not full-width digits and letters: the space falls between them and at the boundaries of
Latin runs and numbers, never inside a Latin word or a number (JLREQ keeps those whole).

This leans on two internals of WeasyPrint 70 (``layout.inline.count_expandable_spaces``
and ``text.line_break.Layout.set_text``), hence the upper bound on WeasyPrint in
pyproject.toml.
"""

from __future__ import annotations

import unicodedata

from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline
from weasyprint.text import line_break
from weasyprint.text.ffi import TO_UNITS, ffi, pango

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


def count_expandable(box) -> float:
    """WeasyPrint's count of a box's expandable spaces, with the inter-character units."""
    if isinstance(box, boxes.TextBox):
        spaces = box.text.count(" ") + box.text.count("\u00a0")
        return spaces if _letter_spaced(box.style) else spaces + expandable_units(box.text)
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        return sum(count_expandable(child) for child in box.children)
    return 0


_weasyprint_set_text = line_break.Layout.set_text


def set_text(self, text, justify=False):
    """WeasyPrint's ``Layout.set_text``; when drawing a justified line, letter spacing on
    the spaced runs as well as WeasyPrint's word spacing on the spaces."""
    _weasyprint_set_text(self, text, justify)
    spacing = self.justification_spacing
    if not (justify and spacing) or _letter_spaced(self.style):
        return
    runs = spaced_runs(self.text)
    if not runs:
        return
    attributes = pango.pango_layout_get_attributes(self.layout)
    if attributes == ffi.NULL:
        attributes = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    offsets = [0]
    for character in self.text:
        offsets.append(offsets[-1] + len(character.encode()))
    for start, end in runs:
        attribute = pango.pango_attr_letter_spacing_new(int(spacing * TO_UNITS))
        attribute.start_index, attribute.end_index = offsets[start], offsets[end]
        pango.pango_attr_list_insert(attributes, attribute)
    pango.pango_layout_set_attributes(self.layout, attributes)


def install() -> None:
    """Make WeasyPrint justify between characters (idempotent; the PDF writer calls it)."""
    inline.count_expandable_spaces = count_expandable
    line_break.Layout.set_text = set_text
