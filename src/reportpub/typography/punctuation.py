"""Punctuation compression (約物の詰め, JLREQ 3.1.4) for the fonts the PDFs set text in.

A Japanese bracket, full stop or comma takes a full em, half of it blank: after the ink for
closing brackets, full stops and commas, before it for opening brackets. Where two come
together (``。」`` ``、「`` ``」「`` ``）。`` ``（「``) JLREQ sets the pair in one and a half
ems, taking off the blank half that stands between their inks:

- a closing bracket, full stop or comma followed by any of these marks or a middle dot
  loses its trailing half (``」「`` keeps the opening bracket's half, ``。」」`` closes up
  all the way);
- an opening bracket after an opening bracket loses its leading half.

Middle dots (・：；) keep their quarter ems on both sides (but in a push-in, below).

At a line's start and end (JLREQ 3.1.4, 3.8), the defaults this follows: an opening bracket
that begins a line keeps its em (its blank half before the ink, as at a paragraph's start);
a closing bracket, comma or full stop that ends a line (not its paragraph's last) loses its
trailing half, so the line ends at the mark's ink, flush with the text block, the half em
going to the line's justification; no mark hangs past the line's end (no ぶら下げ).

How it is done: the fonts carry, for each mark with a blank half, a glyph of its own with
that half taken off (the advance shortened; an opening bracket's outline moved back),
reached through a feature of reportpub's own, :data:`HALF_WIDTH_FEATURE`, that no other
font has. :func:`half_width_marks` finds the marks the rule above closes up in a text, and
the PDF writer asks for the feature on just those characters (writers/pdf/justify.py, in
WeasyPrint's own setting of each text through Pango). The decision is made on the text, not
by a contextual substitution in the font, because Pango shapes a text in runs of one
script: in 「行こう。」 the 」 takes the script of its 「 (Han) and the 。 that of う
(Hiragana), so the font would never see the pair. Line breaking and the justification
between characters see the shaped widths, so lines still end flush.

Why glyphs of their own and not positioning (the fonts' ``halt``/``vhal``, ``chws``/``vchw``
or a kern): a PDF knows one width per glyph, and a glyph moved back over its neighbour by
positioning has a box that overlaps the neighbour's; text extraction (pdftotext starts a
new word where boxes overlap by a fifth of an em) then breaks the line there. A glyph
with half the advance has the box of what is drawn.

How much is blank is read from the source font: ``halt`` (horizontal: an XPlacement of −p
and an XAdvance of −a mean the first p units and the last a − p are blank) or ``vhal``
(vertical: a YPlacement of +p, moving the glyph up towards the column's start, likewise).

The rule holds across inline elements (``**行こう。**」``, a link and the bracket after it):
the PDF writer gives each text the characters just before and after it in its paragraph,
looking past note calls (``だった。[^1]」``: the call stands in the full stop's blank half).

Push-in (追い込み, JLREQ 3.8): where a line would end short because what follows may not
begin a line or be divided, the line takes it by reducing the blank halves of its marks
(:func:`compressible_marks`), before it is pushed out and spread (writers/pdf/justify.py).
The reduction is shared evenly by the line's marks, so each loses a part of its half, not
all of it: the fonts carry each reducible mark's glyph with its blank cut by 1 to
:data:`REDUCTION_STEPS` − 1 steps as well (:func:`reduced_glyphs`), reached through
:data:`REDUCED_FEATURE`, an alternate substitution whose value is the number of steps. The
marks a push-in may reduce are JLREQ's (Appendix D): the quarter ems on both sides of a middle
dot, the space after a closing bracket or a comma and before an opening bracket; a full stop
keeps its half (it ends a sentence), but at a line's end. JLREQ 3.8 reduces the middle dots'
spaces before the brackets' and commas' (:data:`FIRST_REDUCED`): a line's middle dots give all
they have before any bracket or comma gives anything.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

# JLREQ's character classes.
OPENING_BRACKETS = "「『（〔［｛〈《【〘〖〝"  # cl-01
CLOSING_BRACKETS = "」』）〕］｝〉》】〙〗〟"  # cl-02
MIDDLE_DOTS = "・：；"  # cl-05
FULL_STOPS = "。．"  # cl-06
COMMAS = "、，"  # cl-07
MARKS = OPENING_BRACKETS + CLOSING_BRACKETS + MIDDLE_DOTS + FULL_STOPS + COMMAS
# The marks whose trailing half goes before another mark.
TRAILING_HALF = CLOSING_BRACKETS + FULL_STOPS + COMMAS
# What may not begin a line (JLREQ 3.1.7 行頭禁則): closing brackets, hyphens, dividing
# punctuation, middle dots, full stops, commas, iteration marks, the prolonged sound mark and
# small kana (cl-02 to cl-07, cl-09 to cl-11).
LINE_START_PROHIBITED = (CLOSING_BRACKETS + "‐〜゠–" + "？！‼⁇⁈⁉" + MIDDLE_DOTS + FULL_STOPS + COMMAS
                         + "ヽヾゝゞ々〻" + "ー" + "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ")

HALF_SUFFIX = ".half"
# reportpub's own feature (an uppercase tag: registered features are lowercase): the half forms.
HALF_WIDTH_FEATURE = "RPHW"
# The marks whose blank half a push-in may reduce (JLREQ Appendix D): not the full stops. A middle
# dot's blank "half" is its two quarter ems, reduced together, the same on both sides.
REDUCIBLE = MIDDLE_DOTS + CLOSING_BRACKETS + COMMAS + OPENING_BRACKETS
# The marks a push-in reduces first (JLREQ 3.8: the middle dots before the brackets and commas).
FIRST_REDUCED = MIDDLE_DOTS
# A push-in reduces a blank half in steps of this fraction of it (a sixteenth of an em): what the
# line's justification gives back after an even reduction is less than a step per mark.
REDUCTION_STEPS = 8
# reportpub's own feature for the reduced forms: value k sets the glyph whose blank is cut by k steps.
REDUCED_FEATURE = "RPHR"

_CLOSED_UP = re.compile(f"[{TRAILING_HALF}](?=[{MARKS}])|(?<=[{OPENING_BRACKETS}])[{OPENING_BRACKETS}]")
# What any closed-up mark in a text is: without one, :func:`half_width_marks` has nothing to find.
_CLOSING_UP = re.compile(f"[{TRAILING_HALF}{OPENING_BRACKETS}]")


def half_width_marks(text: str, following: str = "", preceding: str = "", line_end: bool = False) -> list[int]:
    """The indices of the marks in ``text`` that lose a blank half (the rules above);
    ``following`` is what comes after ``text`` (the next line's or element's first character),
    ``preceding`` what comes before it (the previous element's last character); ``line_end``:
    ``text`` ends a line that is not its paragraph's last."""
    return list(_half_width_marks(text, following[:1], preceding[-1:], line_end))


@functools.lru_cache(maxsize=8192)
def _half_width_marks(text: str, after: str, before: str, line_end: bool) -> tuple[int, ...]:
    # Cached: WeasyPrint sets the same text many times over while it breaks a paragraph's lines.
    if not _CLOSING_UP.search(text):
        return ()  # most texts: no mark that could close up, nor one to end a line at its ink
    halves = [match.start() - len(before) for match in _CLOSED_UP.finditer(before + text + after)
              if len(before) <= match.start() < len(before) + len(text)]
    if line_end and text and text[-1] in TRAILING_HALF and (not halves or halves[-1] != len(text) - 1):
        halves.append(len(text) - 1)
    return tuple(halves)


def compressible_marks(text: str, following: str = "", preceding: str = "", line_start: bool = False) -> list[int]:
    """The indices of the marks in ``text`` that keep a blank half a push-in (追い込み, JLREQ
    3.8) may reduce: a middle dot (its quarter ems on both sides), a closing bracket or comma not
    already closed up against a mark after it, an opening bracket not closed up against one
    before it and not beginning a line (``line_start``: ``text`` begins one)."""
    after = text[1:] + following[:1]
    marks = []
    for index, character in enumerate(text):
        if character not in REDUCIBLE:
            continue
        if character in MIDDLE_DOTS:
            marks.append(index)
        elif character in TRAILING_HALF:
            if index >= len(after) or after[index] not in MARKS:
                marks.append(index)
        elif character in OPENING_BRACKETS and not (index == 0 and line_start):
            previous = text[index - 1] if index else preceding[-1:]
            if not (previous and previous in OPENING_BRACKETS):
                marks.append(index)
    return marks


@dataclass(frozen=True)
class PunctuationSpace:
    """The blank part of a punctuation glyph's em, in font units, in line direction."""

    leading: int   # before the ink (opening brackets: half an em)
    trailing: int  # after the ink (closing brackets, 、。: half an em)


def punctuation_spaces(adjustments, feature: str) -> dict[str, PunctuationSpace]:
    """Glyph → its blank space, from the single adjustment subtables (GPOS lookup type 1)
    of the font's ``halt`` (horizontal) or ``vhal`` (vertical) feature."""
    axis, sign = ("Y", 1) if feature == "vhal" else ("X", -1)
    spaces: dict[str, PunctuationSpace] = {}
    for subtable in adjustments:
        glyphs = subtable.Coverage.glyphs
        values = [subtable.Value] * len(glyphs) if subtable.Format == 1 else subtable.Value
        for glyph, value in zip(glyphs, values):
            placement = sign * (getattr(value, f"{axis}Placement", 0) or 0)
            advance = getattr(value, f"{axis}Advance", 0) or 0
            if advance < 0 and glyph not in spaces:
                spaces[glyph] = PunctuationSpace(placement, -advance - placement)
    return spaces


@dataclass(frozen=True)
class HalfGlyph:
    """A mark's glyph with one blank half, or ``steps`` of :data:`REDUCTION_STEPS` of it, taken off."""

    glyph: str    # the full-width glyph it stands for
    name: str     # its own name
    cut: PunctuationSpace  # what is taken off: the outline moves back by cut.leading
    steps: int = REDUCTION_STEPS


def half_glyphs(marks: dict[str, tuple[str, PunctuationSpace | None]]) -> tuple[HalfGlyph, ...]:
    """The half glyphs a font needs: ``marks`` maps a character of :data:`MARKS` to the glyph
    the font shows for it and that glyph's blank space (None: not known). A middle dot's is
    without both its quarter ems (only a push-in asks for it)."""
    halves: dict[str, HalfGlyph] = {}
    for character, (glyph, space) in marks.items():
        if space is None or glyph in halves:
            continue
        if character in TRAILING_HALF and space.trailing > 0 and space.leading == 0:
            halves[glyph] = HalfGlyph(glyph, glyph + HALF_SUFFIX, PunctuationSpace(0, space.trailing))
        elif character in OPENING_BRACKETS and space.leading > 0 and space.trailing == 0:
            halves[glyph] = HalfGlyph(glyph, glyph + HALF_SUFFIX, PunctuationSpace(space.leading, 0))
        elif character in MIDDLE_DOTS and space.leading > 0 and space.trailing > 0:
            halves[glyph] = HalfGlyph(glyph, glyph + HALF_SUFFIX, space)
    return tuple(halves.values())


def reduced_glyphs(marks: dict[str, tuple[str, PunctuationSpace | None]]) -> tuple[HalfGlyph, ...]:
    """The glyphs a push-in reduces a mark of :data:`REDUCIBLE` to: its half glyph's cut in
    1 to REDUCTION_STEPS − 1 steps (the last step is the half glyph itself)."""
    reducible = {character: mark for character, mark in marks.items() if character in REDUCIBLE}
    return tuple(HalfGlyph(half.glyph, f"{half.glyph}.r{steps}", _cut_by_steps(half.cut, steps), steps)
                 for half in half_glyphs(reducible) for steps in range(1, REDUCTION_STEPS))


def _cut_by_steps(cut: PunctuationSpace, steps: int) -> PunctuationSpace:
    """``steps`` of REDUCTION_STEPS of ``cut``, rounded so that the whole is a middle dot's two
    sides' sum too (a step is the same width for every mark)."""
    leading = round(cut.leading * steps / REDUCTION_STEPS)
    return PunctuationSpace(leading, round((cut.leading + cut.trailing) * steps / REDUCTION_STEPS) - leading)


def half_width_features(halves: tuple[HalfGlyph, ...], reduced: tuple[HalfGlyph, ...] = ()) -> str:
    """The feature file text (lookups and features, no language systems) that maps each mark
    to its half glyph under :data:`HALF_WIDTH_FEATURE`, and to its reduced glyphs (``reduced``,
    in steps from 1) under :data:`REDUCED_FEATURE`."""
    if not halves:
        return ""
    rules = "\n".join(f"    sub {h.glyph} by {h.name};" for h in halves)
    text = (f"lookup half_width {{\n{rules}\n}} half_width;\n"
            f"feature {HALF_WIDTH_FEATURE} {{\n    lookup half_width;\n}} {HALF_WIDTH_FEATURE};\n")
    by_glyph: dict[str, list[HalfGlyph]] = {}
    for glyph in reduced:
        by_glyph.setdefault(glyph.glyph, []).append(glyph)
    if by_glyph:
        rules = "\n".join(f"    sub {glyph} from [{' '.join(g.name for g in sorted(steps, key=lambda g: g.steps))}];"
                          for glyph, steps in by_glyph.items())
        text += (f"lookup reduced {{\n{rules}\n}} reduced;\n"
                 f"feature {REDUCED_FEATURE} {{\n    lookup reduced;\n}} {REDUCED_FEATURE};\n")
    return text
