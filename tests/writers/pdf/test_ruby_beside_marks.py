"""Ruby beside punctuation in both PDF modes (JLREQ 3.3.8), read back from the built PDFs.

A reading longer than its base overhangs an opening bracket before it and a closing bracket,
full stop or comma after it (the mark's ink half, at most one ruby character) instead of
spreading its base away from the marks: 「{私|わたくし}」 is set 「私」 with わたくし over the
brackets, not 「 私 」. A book of rubies separated only by marks ({東京|とうきょう}。{大阪|おおさか}」…)
has its readings overhang the line-end marks too, and no reading may pass the text block.
"""

from __future__ import annotations

import pytest

from tests.conftest import book_toml, run_cli, write_project
from tests.writers.pdf.test_line_composition import BODY, body_lines, frame_glyphs

BRACKETED = "彼は「{私|わたくし}」と{東京|とうきょう}。{大阪|おおさか}」{京都|きょうと}、（{今日|きょう}）{神戸|こうべ}。"
MARKS_ONLY = "{東京|とうきょう}。{大阪|おおさか}」{京都|きょうと}、{奈良|なら}）{神戸|こうべ}。"


@pytest.fixture(scope="module")
def ruby_book(tmp_path_factory):
    paragraphs = ["文" * k + BRACKETED * 2 for k in range(16)] + ["文" * k + MARKS_ONLY * 3 for k in range(16)]
    book = book_toml(title="ルビと約物の試験", slug="rubymarks", pdf={"paper": "A5"}, formats=["pdf"],
                     modes=["vertical", "horizontal"])
    root = write_project(tmp_path_factory.mktemp("ruby-marks"), {"01.md": "# 試験の章\n\n" + "\n\n".join(paragraphs) + "\n"}, book)
    result = run_cli("build", "--jobs", "1", str(root))
    assert result.returncode == 0, result.stderr
    return root / "build"


def _readings(glyphs, line):
    """The ruby glyphs standing over a body line, ordered along it."""
    base = line[0].base
    return sorted((g for g in glyphs if abs(g.size - BODY / 2) < 0.2 and base - 1.3 * BODY < g.base < base - 0.5 * BODY),
                  key=lambda g: g.x0)


@pytest.mark.parametrize("mode", ["vertical", "horizontal"])
def test_a_long_reading_overhangs_the_brackets_beside_its_base(ruby_book, mode):
    """In 「私」 the reading わたくし (two ems of ruby over one of base) reaches over both
    brackets by about half an em, and the base stands against them: spread instead (the
    fault before e873e35), the reading would begin only where the opening bracket ends."""
    checked = 0
    for glyphs in frame_glyphs(ruby_book / f"rubymarks-{mode}.pdf"):
        for line in body_lines(glyphs):
            body = [g for g in line if g.size > BODY - 1]
            for opening, base, closing in zip(body, body[1:], body[2:]):
                if (opening.c, base.c, closing.c) != ("「", "私", "」"):
                    continue
                reading = [g for g in _readings(glyphs, line) if base.x0 - BODY <= g.cx <= base.x1 + BODY]
                assert "".join(g.c for g in reading) == "わたくし", (mode, [g.c for g in reading])
                assert reading[0].x0 < opening.x1 - 0.3 * BODY, f"わたくし does not overhang 「 ({mode})"
                assert reading[-1].x1 > closing.x0 + 0.3 * BODY, f"わたくし does not overhang 」 ({mode})"
                assert base.x0 - opening.x1 < 0.25 * BODY and closing.x0 - base.x1 < 0.25 * BODY, \
                    f"私 is spread away from its brackets ({mode})"
                checked += 1
    assert checked >= 20, checked


@pytest.mark.parametrize("mode", ["vertical", "horizontal"])
def test_readings_beside_marks_stay_inside_the_text_block_and_apart(ruby_book, mode):
    """No reading passes the end (or start) of the page's body lines, wherever the line breaks
    beside a mark, and no two readings touch. (typeset-audit.py names one horizontal reading
    "+4.75pt" in such a book: it takes the ruby, more glyphs than the base text there, for the
    body text, and measures the ruby "lines" against each other; the reading overhangs the
    line-end 。's ink half and ends inside the measure.)"""
    checked = 0
    for glyphs in frame_glyphs(ruby_book / f"rubymarks-{mode}.pdf"):
        lines = body_lines(glyphs)
        if not lines:
            continue
        start, edge = min(line[0].x0 for line in lines), max(line[-1].x1 for line in lines)
        for line in lines:
            reading = _readings(glyphs, line)
            for g in reading:
                assert start - 0.3 <= g.x0 and g.x1 <= edge + 0.3, \
                    f"{g.c} of a reading at {g.x0:.2f}–{g.x1:.2f} outside {start:.2f}–{edge:.2f} ({mode})"
            for a, b in zip(reading, reading[1:]):
                assert b.x0 >= a.x1 - 0.05, f"{a.c}{b.c} of two readings overlap ({mode})"
            checked += len(reading)
    assert checked > 1000, checked
