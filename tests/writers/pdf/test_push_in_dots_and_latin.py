"""Push-in (追い込み, JLREQ 3.8) with middle dots and Latin words, in both PDF modes.

A book of paragraphs where middle dots (・：；) and Latin words come at every position near a
line end. JLREQ reduces a line, in order, by its Latin word spaces, then the quarter ems on both
sides of its middle dots, then the blank halves of its brackets and commas. The PDFs are read
back: lines pushed in reduce their middle dots (before any bracket or comma, shared evenly),
and a line is never broken before a Latin word that its word spaces and marks could have made
room for.
"""

from __future__ import annotations

import statistics

import pytest

from reportpub.typography.punctuation import FULL_STOPS, MARKS, MIDDLE_DOTS, compressible_marks
from reportpub.writers.pdf.justify import MINIMUM_WORD_SPACE, PUSH_IN_LIMIT
from tests.writers.pdf.test_line_composition import body_lines, frame_glyphs
from tests.writers.pdf.test_push_in import SPACE, STEP, _closed_up, _width, build_push_in_book

SENTENCES = ("東京・大阪・名古屋の三市で、調査を行い、結果を記した。",
             "項目：人口・面積；予算を、表に並べ、「要旨」を書いた。",
             "記者はThe New York Times and The Guardianを読み、要点を書いた。",
             "英語でLatin words at the end of a lineと書き、次を読んだ。")


@pytest.fixture(scope="module")
def dots_and_latin_book(tmp_path_factory):
    return build_push_in_book(tmp_path_factory.mktemp("dots-latin"), SENTENCES, "中点と欧文の追い込み", "dots")


def _continued_lines(pdf):
    """The lines their paragraph continues after, with the next line and the page's line end edge:
    where most lines end (a folio in a line's row would move the farthest end)."""
    for glyphs in frame_glyphs(pdf):
        lines = body_lines(glyphs)
        if len(lines) < 2:
            continue
        start = min(line[0].x0 for line in lines)
        edge = statistics.mode(round(line[-1].x1, 1) for line in lines)
        for line, following in zip(lines, lines[1:]):
            if abs(following[0].x0 - start) <= 0.5:
                yield line, following, edge


def _is_latin(glyph) -> bool:
    return glyph.c.isascii() and glyph.c.isalpha()


def _word_spaces(line, em) -> list[float]:
    return [b.x0 - a.x1 for a, b in zip(line, line[1:]) if a.c.isascii() and b.c.isascii() and b.x0 - a.x1 > 0.1 * em]


@pytest.mark.parametrize("mode", ["vertical", "horizontal"])
def test_middle_dots_give_their_quarter_ems_before_brackets_and_commas(dots_and_latin_book, mode):
    """Lines ending flush are pushed in by reducing their middle dots, evenly; no bracket or comma
    on a line is reduced while a middle dot on it keeps part of its quarter ems; nothing collides."""
    reduced_lines = 0
    for line, _, edge in _continued_lines(dots_and_latin_book / f"dots-{mode}.pdf"):
        em, text = line[0].size, "".join(g.c for g in line)
        assert abs(line[-1].x1 - edge) < 0.5, f"{text} does not end flush ({mode})"
        for a, b in zip(line, line[1:]):
            if a.c >= "\u3000" and b.c >= "\u3000":
                assert b.x0 >= a.x1 - 0.05 * em, f"{a.c}{b.c} collide in {text} ({mode})"
        dots = [1 - _width(g) / em for g in line[:-1] if g.c in MIDDLE_DOTS]
        others = [1 - _width(g) / em for i, g in enumerate(line[:-1])
                  if g.c in MARKS and g.c not in MIDDLE_DOTS + FULL_STOPS and not _closed_up(line, i)]
        assert all(d < 0.5 + 0.02 for d in dots), f"{text}: a middle dot loses more than its quarter ems ({mode})"
        if not any(d > 0.02 for d in dots):
            continue
        reduced_lines += 1
        assert max(dots) - min(dots) < STEP + 0.02, f"{text}: {dots} ({mode})"
        if any(r > 0.02 for r in others):
            assert min(dots) > 0.5 - 0.02, f"{text}: a bracket or comma reduced before the middle dots {dots} ({mode})"
    assert reduced_lines >= 10, reduced_lines


@pytest.mark.parametrize("mode", ["vertical", "horizontal"])
def test_a_latin_word_comes_onto_the_line_when_word_spaces_and_marks_make_room(dots_and_latin_book, mode):
    """A line broken before a Latin word could not have taken the word by shrinking its word spaces
    (to MINIMUM_WORD_SPACE of the font's) and reducing its marks; lines were pushed in that way
    (a line ending in a Latin word, its word spaces narrower than the font's), never below the
    minimum."""
    checked = pushed_in = 0
    for line, following, _ in _continued_lines(dots_and_latin_book / f"dots-{mode}.pdf"):
        em, text = line[0].size, "".join(g.c for g in line)
        spaces = _word_spaces(line, em)
        for space in spaces:
            assert space > (MINIMUM_WORD_SPACE * SPACE - 0.02) * em, f"{text}: a space of {space / em:.3f} em ({mode})"
        if spaces and _is_latin(line[-1]) and max(spaces) < (SPACE - 0.02) * em:
            pushed_in += 1
        if not _is_latin(following[0]):
            continue
        word = following[:1]
        for a, b in zip(following, following[1:]):
            if not _is_latin(b) or b.x0 - a.x1 > 0.1 * em:
                break
            word.append(b)
        # What justification spread on the line (beyond its glyphs and its spaces at the font's width).
        short = (line[-1].x1 - line[0].x0) - sum(_width(g) for g in line) - len(spaces) * SPACE * em
        space_before = _is_latin(line[-1])  # the word comes after a space: it would be set, shrunk
        need = sum(_width(g) for g in word) + space_before * MINIMUM_WORD_SPACE * SPACE * em - short
        compressible = compressible_marks(text[:-1], text[-1], line_start=True)
        room = ((len(spaces) + space_before) * (1 - MINIMUM_WORD_SPACE) * SPACE * em
                + min(len(compressible) * 0.5 * em, PUSH_IN_LIMIT * em))
        assert room < need + 0.05 * em, (
            f"broken before {''.join(g.c for g in word)} though the line could make room: {text} "
            f"(needs {need / em:.2f} em, room {room / em:.2f} em, {mode})")
        checked += 1
    assert checked >= 25 and pushed_in >= 5, (checked, pushed_in)
