"""Push-in before push-out (追い込み, JLREQ 3.8) in both PDF modes.

A book of paragraphs with a comma every few characters, where a full stop or closing bracket
that may not begin a line (it takes the character before it along), a number and a note call
with its full stop come at every position near a line end, some after Latin words. Where such a
unit falls just past the measure, the line must take it by reducing its Latin word spaces and
then its marks' blank halves when they give room enough, and only otherwise push the unit's
first character out and spread the rest; the reduction is what the line needs, shared evenly
by its marks (a sixteenth of an em at a time), and a full stop keeps its half (JLREQ Appendix D).
"""

from __future__ import annotations

import pytest

from reportpub.typography.punctuation import (
    FULL_STOPS,
    LINE_START_PROHIBITED,
    MARKS,
    OPENING_BRACKETS,
    TRAILING_HALF,
    compressible_marks,
)
from reportpub.writers.pdf.justify import MINIMUM_WORD_SPACE, Reduction, _reduction_plan
from tests.conftest import book_toml, run_cli, write_project
from tests.writers.pdf.test_line_composition import BODY, line_pairs

SENTENCES = ("本文を書き、次を読み、要点を記した。", "記録を見て、数を数え、「表を作った」と言った。",
             "会議は、報告を受け、議事を経て、35件を決めた。", "調査で、結果が出て、数値は落ち込む[^a]。",
             "英紙The New York Times and The Guardianは、報告を受け、35件と書いた。")
PARAGRAPH_END = "続いた。"
DIGITS = "0123456789０１２３４５６７８９"
STEP = 1 / 16  # em: a push-in reduces a blank half in eighths of it
SPACE = 0.256  # em: Noto Serif CJK JP's word space


def build_push_in_book(directory, sentences, title: str, slug: str, notes: str = ""):
    """Both reader PDFs of a book whose paragraphs put each sentence at every place of a line:
    48 paragraphs a sentence, led by 0 to 47 characters; returns its build directory."""
    paragraphs = ["文" * k + sentence + "その後も、作業は、" + PARAGRAPH_END for sentence in sentences for k in range(48)]
    chapter = "# 試験の章\n\n" + "\n\n".join(paragraphs) + "\n" + (f"\n{notes}\n" if notes else "")
    book = book_toml(title=title, slug=slug, pdf={"paper": "A5"}, formats=["pdf"], modes=["vertical", "horizontal"])
    root = write_project(directory, {"01.md": chapter}, book)
    result = run_cli("build", "--jobs", "1", str(root))
    assert result.returncode == 0, result.stderr
    return root / "build"


@pytest.fixture(scope="module")
def push_in_book(tmp_path_factory):
    return build_push_in_book(tmp_path_factory.mktemp("push-in"), SENTENCES, "追い込みの試験", "pushin",
                              notes="[^a]: 注の本文。")


def _width(glyph) -> float:
    return glyph.x1 - glyph.x0


def _held_unit(following) -> list:
    """The glyphs a line cannot be broken before: the next line's first character with the
    marks after it that may not begin a line, or its number (note calls are small glyphs)."""
    unit = following[:1]
    for glyph in following[1:]:
        if glyph.c in LINE_START_PROHIBITED or glyph.size < BODY - 1 or (unit[0].c in DIGITS and glyph.c in DIGITS):
            unit.append(glyph)
        else:
            break
    return unit if len(unit) > 1 else []


@pytest.mark.parametrize("mode", ["vertical", "horizontal"])
def test_a_unit_past_the_measure_is_pushed_in_when_the_line_marks_give_room(push_in_book, mode):
    """Every line the paragraph continues after ends flush, nothing collides; a line that was
    pushed out (short by a quarter em or more, the next line beginning with a held unit) could not
    have made room for the unit with its word spaces and marks' blank halves; lines were pushed in
    (a mark reduced that no neighbouring mark closes up), each reducing its marks evenly (by the
    same number of sixteenths of an em, give or take one) and no full stop inside it, and a line
    with Latin words reducing its word spaces, to MINIMUM_WORD_SPACE of the font's space, before its marks."""
    pushed_in = fractional = latin = 0
    for line, following, start, edge in line_pairs(push_in_book / f"pushin-{mode}.pdf"):
        em, text = line[0].size, "".join(g.c for g in line)
        if text.endswith(PARAGRAPH_END) or abs(following[0].x0 - start) > 0.5:
            continue  # the paragraph's last line
        assert abs(line[-1].x1 - edge) < 0.5, f"{text} does not end flush ({mode})"
        for a, b in zip(line, line[1:]):  # full-width characters (MuPDF splits a tate-chu-yoko cell)
            if a.c >= "\u3000" and b.c >= "\u3000":
                assert b.x0 >= a.x1 - 0.05 * em, f"{a.c}{b.c} collide in {text} ({mode})"
        body = [g for g in line if g.size > BODY - 1]
        # The marks a push-in could still reduce: not against a mark, and still at full width.
        text_body = "".join(g.c for g in body)
        compressible = sum(1 for i in compressible_marks(text_body[:-1], text_body[-1], line_start=True)
                           if _width(body[i]) > 0.9 * em)
        spaces = [b.x0 - a.x1 for a, b in zip(body, body[1:]) if a.c.isascii() and b.c.isascii()
                  and b.x0 - a.x1 > 0.1 * em]
        reductions = [1 - _width(g) / em for i, g in enumerate(body[:-1])
                      if g.c in MARKS and g.c not in FULL_STOPS and not _closed_up(body, i)]
        for i, g in enumerate(body[:-1]):
            if g.c in FULL_STOPS and not _closed_up(body, i):
                assert _width(g) > 0.97 * em, f"{text}: a full stop reduced ({mode})"
        if any(r > 0.02 for r in reductions):
            pushed_in += 1
            # Shared evenly by the line's marks (JLREQ 3.8), not whole halves at a few of them.
            assert max(reductions) - min(reductions) < STEP + 0.02, f"{text}: {reductions} ({mode})"
            fractional += any(0.02 < r < 0.48 for r in reductions)
            if spaces:  # the word spaces first, down to their minimum
                latin += 1
                for space in spaces:
                    assert abs(space / em - MINIMUM_WORD_SPACE * SPACE) < 0.02, f"{text}: {space / em:.3f} em ({mode})"
        unit = _held_unit(following)
        if not unit:
            continue
        # What the line was short by when it was broken (its own last mark's half, taken off at
        # the line's end, is not: that mark would be set full if the unit came after it).
        short = (line[-1].x1 - line[0].x0) - sum(_width(g) for g in line) - len(spaces) * SPACE * em
        if line[-1].c in TRAILING_HALF and _width(line[-1]) < 0.6 * em:
            short -= 0.5 * em
        if short < 0.25 * em:
            continue  # full without the unit: it was not pushed out
        need = sum(_width(g) for g in unit) - short
        if unit[-1].c in TRAILING_HALF and following[len(unit):]:
            need -= 0.5 * em  # it would end the line, set half-width
        room = compressible * 0.5 * em + len(spaces) * (1 - MINIMUM_WORD_SPACE) * SPACE * em
        assert room < need + 0.05 * em, (
            f"pushed out though {compressible} marks and {len(spaces)} spaces could make room: {text} / "
            f"{''.join(g.c for g in following[:6])} ({mode})")
    assert pushed_in >= 15 and fractional >= pushed_in // 2 and latin >= 3, (pushed_in, fractional, latin)


def _closed_up(body, index) -> bool:
    """Whether a mark is half-width because it stands against another mark (約物の詰め): a
    closing bracket, comma or full stop before a mark, an opening bracket after an opening
    bracket. (The 「 of 、「 keeps its blank half: a push-in may reduce it.)"""
    mark = body[index].c
    following = body[index + 1].c if index + 1 < len(body) else ""
    preceding = body[index - 1].c if index else ""
    return (mark in TRAILING_HALF and following in MARKS) or (mark in OPENING_BRACKETS and preceding in OPENING_BRACKETS)


def test_compressible_marks_are_those_that_keep_a_blank_half():
    # 、 and 」 before kana; not 、 before 「 (closed up already), nor the 「 after an opening bracket,
    # nor a full stop (JLREQ Appendix D: it keeps its half but at a line's end).
    assert compressible_marks("書き、次を読み、「『表』」と。") == [2, 8, 12]
    assert compressible_marks("「表」と言った") == [0, 2]
    assert compressible_marks("「表」と言った", line_start=True) == [2]
    assert compressible_marks("結果」", following="。") == []


def test_a_reduction_takes_the_word_spaces_first_then_shares_the_rest_evenly_over_the_marks():
    """JLREQ 3.8's order and spread: the Latin word spaces give their share first (the same part
    of what each may give), then every mark the same number of steps, the odd steps spread along
    the line; beyond what the marks can give there is no reduction."""
    em, text, words = 16.0, (1, 0), (2, 0)  # one step of a blank half: a sixteenth of an em, 1 px
    marks = [(text, 1, False), (text, 5, False), (text, 9, False)]
    spaces = [(words, 3, 4.0), (words, 7, 4.0)]  # each may lose 1 - MINIMUM_WORD_SPACE of its 4 px
    room = 2 * 4.0 * (1 - MINIMUM_WORD_SPACE)
    plan = _reduction_plan(0.8, marks, spaces, room, em)
    assert plan == {words: Reduction((), ((3, pytest.approx(0.4)), (7, pytest.approx(0.4))))}
    plan = _reduction_plan(room + 4, marks, spaces, room, em)
    assert plan[text] == Reduction(((1, 1), (5, 2), (9, 1)), ())
    most = 4.0 * (1 - MINIMUM_WORD_SPACE)
    assert plan[words].spaces == ((3, pytest.approx(most)), (7, pytest.approx(most)))
    assert _reduction_plan(room + 3 * 8, marks, spaces, room, em)[text].steps == ((1, 8), (5, 8), (9, 8))
    assert _reduction_plan(room + 3 * 8 + 1, marks, spaces, room, em) is None


def test_a_reduction_takes_the_middle_dots_quarter_ems_before_the_other_marks():
    """JLREQ 3.8's order: after the word spaces, the middle dots give all they have (their two
    quarter ems, eight steps each) before a bracket or comma gives a step."""
    em, text = 16.0, (1, 0)
    marks = [(text, 1, False), (text, 4, True), (text, 9, False), (text, 12, True)]
    assert _reduction_plan(3, marks, [], 0.0, em)[text].steps == ((4, 1), (12, 2))
    assert _reduction_plan(16, marks, [], 0.0, em)[text].steps == ((4, 8), (12, 8))
    assert _reduction_plan(19, marks, [], 0.0, em)[text].steps == ((4, 8), (12, 8), (1, 1), (9, 2))
    assert _reduction_plan(32, marks, [], 0.0, em)[text].steps == ((4, 8), (12, 8), (1, 8), (9, 8))
    assert _reduction_plan(33, marks, [], 0.0, em) is None


def test_middle_dots_are_compressible_wherever_they_stand():
    assert compressible_marks("東京・大阪、項目：人口；面積") == [2, 5, 8, 11]
