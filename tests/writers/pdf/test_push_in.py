"""Push-in before push-out (追い込み, JLREQ 3.8) in both PDF modes.

A book of paragraphs with a comma every few characters, where a full stop or closing bracket
that may not begin a line (it takes the character before it along), a number and a note call
with its full stop come at every position near a line end. Where such a unit falls just past
the measure, the line must take it by compressing its marks' blank halves when they give room
enough, and only otherwise push the unit's first character out and spread the rest.
"""

from __future__ import annotations

import pytest

from reportpub.typography.punctuation import LINE_START_PROHIBITED, MARKS, TRAILING_HALF, compressible_marks
from tests.conftest import book_toml, run_cli, write_project
from tests.writers.pdf.test_line_composition import BODY, line_pairs

SENTENCES = ("本文を書き、次を読み、要点を記した。", "記録を見て、数を数え、「表を作った」と言った。",
             "会議は、報告を受け、議事を経て、35件を決めた。", "調査で、結果が出て、数値は落ち込む[^a]。")
PARAGRAPH_END = "続いた。"
DIGITS = "0123456789０１２３４５６７８９"


@pytest.fixture(scope="module")
def push_in_book(tmp_path_factory):
    paragraphs = ["文" * k + sentence + "その後も、作業は、" + PARAGRAPH_END for sentence in SENTENCES for k in range(48)]
    chapter = "# 試験の章\n\n" + "\n\n".join(paragraphs) + "\n\n[^a]: 注の本文。\n"
    book = book_toml(title="追い込みの試験", slug="pushin", pdf={"paper": "A5"}, formats=["pdf"],
                     modes=["vertical", "horizontal"])
    root = write_project(tmp_path_factory.mktemp("push-in"), {"01.md": chapter}, book)
    result = run_cli("build", "--jobs", "1", str(root))
    assert result.returncode == 0, result.stderr
    return root / "build"


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
    have made room for the unit with its marks' blank halves; and lines were pushed in (a mark
    set half-width not against another mark), most of them with a full-width mark before the first
    compressed one (the marks spread over the line)."""
    pushed_in = spread = 0
    for line, following, start, edge in line_pairs(push_in_book / f"pushin-{mode}.pdf"):
        em, text = line[0].size, "".join(g.c for g in line)
        if text.endswith(PARAGRAPH_END) or abs(following[0].x0 - start) > 0.5:
            continue  # the paragraph's last line
        assert abs(line[-1].x1 - edge) < 0.5, f"{text} does not end flush ({mode})"
        for a, b in zip(line, line[1:]):  # full-width characters (MuPDF splits a tate-chu-yoko cell)
            if a.c >= "\u3000" and b.c >= "\u3000":
                assert b.x0 >= a.x1 - 0.05 * em, f"{a.c}{b.c} collide in {text} ({mode})"
        body = [g for g in line if g.size > BODY - 1]
        # The marks a push-in could still close up: not against a mark, and still at full width.
        text_body = "".join(g.c for g in body)
        compressible = sum(1 for i in compressible_marks(text_body[:-1], text_body[-1], line_start=True)
                           if _width(body[i]) > 0.9 * em)
        halves = [i for i, g in enumerate(body[:-1]) if g.c in MARKS and _width(g) < 0.6 * em and not _closed_up(line, g)]
        if halves:
            pushed_in += 1
            # Spread evenly over the line's marks (JLREQ 3.8), not the ones nearest its start: a
            # mark before the first compressed one left at full width.
            spread += any(g.c in MARKS and _width(g) > 0.9 * em and not _closed_up(line, g) for g in body[:halves[0]])
        unit = _held_unit(following)
        if not unit:
            continue
        # What the line was short by when it was broken (its own last mark's half, taken off at
        # the line's end, is not: that mark would be set full if the unit came after it).
        short = (line[-1].x1 - line[0].x0) - sum(_width(g) for g in line)
        if line[-1].c in TRAILING_HALF and _width(line[-1]) < 0.6 * em:
            short -= 0.5 * em
        if short < 0.25 * em:
            continue  # full without the unit: it was not pushed out
        need = sum(_width(g) for g in unit) - short
        if unit[-1].c in TRAILING_HALF and following[len(unit):]:
            need -= 0.5 * em  # it would end the line, set half-width
        assert compressible * 0.5 * em < need + 0.05 * em, (
            f"pushed out though {compressible} marks could make room: {text} / "
            f"{''.join(g.c for g in following[:6])} ({mode})")
    assert pushed_in >= 15, pushed_in
    assert spread >= pushed_in // 2, (spread, pushed_in)


def _closed_up(line, glyph) -> bool:
    """Whether a half-width mark is so because it stands against another mark (約物の詰め)."""
    index = line.index(glyph)
    neighbours = line[index - 1:index] + line[index + 1:index + 2]
    return any(g.c in MARKS for g in neighbours)


def test_compressible_marks_are_those_that_keep_a_blank_half():
    # 、 and 。 before kana; not 、 before 「 (closed up already), nor the 「 after an opening bracket.
    assert compressible_marks("書き、次を読み、「『表』」と。") == [2, 8, 12, 14]
    assert compressible_marks("「表」と言った") == [0, 2]
    assert compressible_marks("「表」と言った", line_start=True) == [2]
    assert compressible_marks("結果」", following="。") == []
