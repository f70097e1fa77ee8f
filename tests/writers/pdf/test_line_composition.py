"""Line composition in both PDF modes (JLREQ): ruby, emphasis dots, unbroken units, flush lines.

One book written to provoke each fault (per-character ruby with long readings side by side,
emphasis across line ends, numbers and note calls at every position near a line end, Latin
and digits at line ends) is built in both modes and its PDFs are read back glyph by glyph,
in the frame the pages are laid out in (the vertical pages unturned: columns run along x,
ruby and dots stand above their line).
"""

from __future__ import annotations

import subprocess

import pymupdf
import pytest

from reportpub.typography.punctuation import LINE_START_PROHIBITED, MIDDLE_DOTS
from reportpub.typography.vertical_markup import add_vertical_markup
from reportpub.writers.pdf.justify import expandable_units, spaced_runs
from reportpub.writers.pdf.line_units import compose_lines
from reportpub.xhtml import parse_fragment, serialize
from tests.conftest import run_cli

BODY = 9.5  # pt, pdf.css
CLOSING = "、。，．」）』】〕〉》"
FILL = "あいうえおかきくけこさしすせそ"
# Consecutive marks, each pair set in one and a half ems (JLREQ 3.1.4): 。」 」「 、」 （「 ）、 and
# 『』 』」 、「 ）。 「『, with single marks beside kana and kanji that keep their ems.
PAIRS_TEXT = "「行こう。」「待って、」と言い（「急ぐな」の意）、彼女は『本』を閉じた。答えは「『はい』」だった、「いや」とも（注）。"
OPENING = "「『（"
CROWDED_RUBY = "{東京|とう|きょう}と{大阪|おお|さか}と{紫陽花|あ|じ|さい}と{明日|あ|した}と{今日|きょ|う}の"
COMPRESSED = ("。」", "」「", "、」", "（「", "）、", "』」", "、「", "）。", "「『")
# The same pairs split by an inline element's boundary: bold text, a link, emphasis dots, a note
# call between the two marks (the call stands in the full stop's blank half).
CROSS_ELEMENT_TEXT = ("彼は「**行こう。**」と言い、[「案内」](https://example.com/)「次」を見て、"
                      "《《「傍点」》》、そうだった。[^b]」と書き、**「太字」**）とした。")
# Running text whose marks come to a line's start and end (鳥 花 風 only here), some of them
# ending an element's text just before a bold word (the line may break between the two).
LINE_EDGE_TEXT = "鳥が鳴く。**花**が咲き、「風」が吹く。鳥は「花」と言う、**花**は（風）だ。" * 4
CROSS_ELEMENT_PAIRS = ("。」", "」「", "」、", "」）", "。「", "、［")


def _chapter() -> str:
    paragraphs = []
    for k in range(12):
        paragraphs.append(FILL[:k] + "のは{東京|とう|きょう}{大阪|おお|さか}と{明日|あ|した}の{今日|きょ|う}で、"
                          "{私|わたくし}は{紫陽花|あじさい}を見た。" * 3)
    for k in range(8):
        paragraphs.append("文" * (20 + k) + "《《誰もが移動をあきらめない街づくりの目標》》を掲げた。" * 2)
    for k in range(30):
        paragraphs.append("本" * k + "記録は20241015に作成され、約１万２０００人、1,200人と６８４件が報告された[^a]。"
                          "その後も数値は落ち込む[^b]。pp. 105–113、3.14倍。")
    for k in range(24):  # numbers joined by middle dots (dates, a time) at every place near a line end
        paragraphs.append("日" * k + "報道（5・3）と（１２・２５）、12：30の発表。")
    for k in range(10):
        paragraphs.append("漢" * k + "英紙The Guardianによれば2016年にNATO加盟国のうち12か国がGDP比2%を達成した。" * 2)
    for k in range(8):  # lines crowded with ruby, per-character groups that are never divided
        paragraphs.append("文" * k + CROWDED_RUBY * 4)
    for k in range(44):  # every pair of marks at every place near a line end
        paragraphs.append("文" * k + PAIRS_TEXT)
    for k in range(0, 44, 2):  # and split by an element's boundary
        paragraphs.append("文" * k + CROSS_ELEMENT_TEXT)
    for k in range(22):  # brackets, commas and full stops at every place near a line start and end
        paragraphs.append("文" * k + LINE_EDGE_TEXT)
    return ("# 試験の章\n\n" + "\n\n".join(paragraphs)
            + "\n\n[^a]: 注の本文。2024年10月15日、20241015号。\n[^b]: 二つ目の注。\n")


@pytest.fixture(scope="module")
def lines_book(tmp_path_factory):
    root = tmp_path_factory.mktemp("lines")
    (root / "manuscript").mkdir()
    (root / "manuscript" / "book.toml").write_text(
        'title = "行組版の試験"\nauthors = ["試験"]\nlanguage = "ja"\ndate = 2026-12-01\nslug = "lines"\n'
        'chapters = ["01.md"]\n[pdf]\npaper = "A5"\n[editions]\nformats = ["pdf"]\n'
        'modes = ["vertical", "horizontal"]\n', encoding="utf-8")
    (root / "manuscript" / "01.md").write_text(_chapter(), encoding="utf-8")
    result = run_cli("build", "--jobs", "1", str(root))
    assert result.returncode == 0, result.stderr
    return root / "build"


class Glyph:
    def __init__(self, char: dict, size: float):
        self.c, self.size = char["c"], size
        # No glyph is wider than its em (MuPDF's box of a turned 。 can be).
        self.x0, self.x1 = char["bbox"][0], min(char["bbox"][2], char["bbox"][0] + size)
        self.base = char["origin"][1]
        self.cx = (self.x0 + self.x1) / 2
        self.top, self.bottom = self.base - 0.88 * size, self.base + 0.12 * size


def frame_glyphs(pdf, first_page: int = 4):
    """Per page (from ``first_page``, past the front matter): every glyph in the unturned frame."""
    document = pymupdf.open(pdf)
    pages = []
    for page in document:
        if page.number + 1 < first_page:
            continue
        page.set_rotation(0)
        glyphs = []
        for block in page.get_text("rawdict")["blocks"]:
            for line in block.get("lines", []):
                for span in line["spans"]:
                    glyphs += [Glyph(c, span["size"]) for c in span["chars"] if c["c"].strip()]
        pages.append(glyphs)
    return pages


def body_lines(glyphs):
    """Lines of body text: body-size glyphs on one baseline, with the smaller glyphs (note
    calls) inside their em box, ordered along the line."""
    lines: dict[float, list] = {}
    for g in glyphs:
        if abs(g.size - BODY) < 0.2:
            lines.setdefault(round(g.base, 0), []).append(g)
    result = []
    for base, line in sorted(lines.items()):
        small = [g for g in glyphs if g.size < BODY - 1 and base - BODY <= g.base <= base + 1 and g.c.isdigit()]
        result.append(sorted(line + small, key=lambda g: g.x0))
    return result


def line_pairs(pdf):
    """Each body line with the line after it on its page, and the page's line start and end edge."""
    for glyphs in frame_glyphs(pdf):
        lines = body_lines(glyphs)
        if lines:
            start, edge = min(line[0].x0 for line in lines), max(line[-1].x1 for line in lines)
            for line, following in zip(lines, lines[1:]):
                yield line, following, start, edge


@pytest.mark.parametrize("mode", ["vertical", "horizontal"])
def test_per_character_ruby_readings_never_touch(lines_book, mode):
    for glyphs in frame_glyphs(lines_book / f"lines-{mode}.pdf"):
        ruby = [g for g in glyphs if abs(g.size - BODY / 2) < 0.2 and g.c not in "\ufe45"]
        rows: dict[float, list] = {}
        for g in ruby:
            rows.setdefault(round(g.base, 0), []).append(g)
        for row in rows.values():
            row.sort(key=lambda g: g.x0)
            for a, b in zip(row, row[1:]):
                assert b.x0 >= a.x1 - 0.1, f"{a.c}{b.c} overlap by {a.x1 - b.x0:.2f}pt ({mode})"


@pytest.mark.parametrize("mode", ["vertical", "horizontal"])
def test_emphasis_dots_are_sesame_dots_centred_just_above_their_characters(lines_book, mode):
    found = 0
    for glyphs in frame_glyphs(lines_book / f"lines-{mode}.pdf"):
        body = [g for g in glyphs if abs(g.size - BODY) < 0.2]
        for dot in (g for g in glyphs if g.c == "\ufe45"):
            found += 1
            below = [g for g in body if g.top >= dot.bottom - 0.5 and g.x0 - 0.1 <= dot.cx <= g.x1 + 0.1]
            base = min(below, key=lambda g: g.top - dot.bottom)
            assert abs(dot.cx - base.cx) <= 0.15 * BODY  # centred on its character
            assert base.top - dot.bottom <= 0.1 * BODY  # just above it: in its own line's space
            above = [g for g in body if g.bottom <= dot.top + 0.5 and abs(g.cx - dot.cx) < BODY]
            if above:  # the line before keeps its distance
                assert dot.top - max(g.bottom for g in above) > 2 * (base.top - dot.bottom)
    assert found >= 8 * 2 * 19


@pytest.mark.parametrize("mode", ["vertical", "horizontal"])
def test_numbers_and_note_calls_are_never_divided(lines_book, mode):
    checked = dated = 0
    for glyphs in frame_glyphs(lines_book / f"lines-{mode}.pdf"):
        lines = body_lines(glyphs)
        for line, following in zip(lines, lines[1:]):
            first = following[0]
            assert first.c not in CLOSING, "".join(g.c for g in following[:10])
            assert first.size > BODY - 1, "a line starts with a note call: " + "".join(g.c for g in following[:10])
            last = line[-1]
            joined = last.c in MIDDLE_DOTS and len(line) > 1 and line[-2].c.isdigit()  # 5・ / 3
            if last.size > BODY - 1 and (last.c.isdigit() or joined) and first.c.isdigit() and first.size > BODY - 1:
                pytest.fail(f"number divided: {''.join(g.c for g in line[-6:])} / {''.join(g.c for g in following[:6])}")
            checked += 1
            dated += "・" in "".join(g.c for g in line)
    assert checked > 100 and dated > 10


def line_end(line, glyphs) -> float:
    """Where a line ends: its last glyph, or a reading above it that reaches further (a ruby
    longer than its base at a line end stands flush with the edge, its base set in, JLREQ 3.3)."""
    base = line[0].base
    ruby = [g.x1 for g in glyphs if abs(g.size - BODY / 2) < 0.2 and base - 1.3 * BODY < g.base < base - 0.5 * BODY]
    return max([line[-1].x1] + ruby)


@pytest.mark.parametrize("mode", ["vertical", "horizontal"])
def test_justified_lines_end_flush_with_latin_digits_and_ruby(lines_book, mode):
    """Every line a paragraph continues after ends at the text block's edge, within half a point."""
    ends = []
    for glyphs in frame_glyphs(lines_book / f"lines-{mode}.pdf"):
        lines = body_lines(glyphs)
        if not lines:
            continue
        start = min(line[0].x0 for line in lines)
        continued = [line_end(line, glyphs) for line, following in zip(lines, lines[1:])
                     if abs(following[0].x0 - start) < 0.5]  # the paragraph goes on (no indent)
        if continued:
            ends += [round(max(continued) - end, 2) for end in continued]
    assert len(ends) > 50
    assert max(ends) <= 0.5 and min(ends) >= -0.5, sorted(ends)[-5:]


@pytest.mark.parametrize("mode", ["vertical", "horizontal"])
def test_marks_at_a_line_start_keep_their_em_and_at_a_line_end_lose_their_trailing_half(lines_book, mode):
    """JLREQ's defaults (3.1.4, 3.8), as the README states them: an opening bracket beginning a
    line is set full-width (its blank half before the ink, as at a paragraph's start); a closing
    bracket, comma or full stop ending a line that its paragraph continues after is set
    half-width, its ink flush with the text block's edge (nothing hangs past it)."""
    starts = ends = 0
    for line, following, start, edge in line_pairs(lines_book / f"lines-{mode}.pdf"):
        em, text = line[0].size, "".join(g.c for g in line)
        if not any(c in text for c in "鳥花風"):
            continue
        if abs(following[0].x0 - start) < 0.5 and line[-1].c in "、。」）":  # the paragraph goes on
            last = line[-1]
            assert abs((last.x1 - last.x0) - 0.5 * em) < 0.05 * em, f"{text} ({mode})"
            assert abs(last.x1 - edge) < 0.5, f"{text} ({mode})"
            ends += 1
        if following[0].c in "「（" and abs(following[0].x0 - start) < 0.5:
            first = following[0]
            assert abs((first.x1 - first.x0) - em) < 0.05 * em, "".join(g.c for g in following)
            starts += 1
    assert ends >= 10 and starts >= 3, (ends, starts)


def test_vertical_contents_print_the_digits_of_the_folios(lines_book):
    text = pymupdf.open(lines_book / "lines-vertical.pdf")[2].get_text()
    assert "試験の章" in text
    assert not any(numeral in text for numeral in "一二三四五六七八九〇")
    assert any(ch.isdigit() for ch in text)


def test_numbers_with_a_dash_or_separator_turn_sideways_whole_in_vertical_text():
    marked = add_vertical_markup("<p>pp. 105–113、2024-12-20、12:30、1,200人、６８４件、2024年12月</p>")
    assert "105–113" in marked and "2024-12-20" in marked and "12:30" in marked and "1,200" in marked
    assert '<span class="upright">２０２４</span>年<span class="tcy">12</span>月' in marked


def test_units_are_wrapped_whole():
    root = parse_fragment('<p>落ち込む<span class="footnote">注。</span>」。１万２０００人、105–113、1,200と'
                          '<span class="upright">６８４</span>件。（1・2）（５・１）12：30、中黒・区切り。</p>')
    compose_lines(root)
    assert serialize(root) == (
        '<p>落ち込<span class="nobr">む<span class="footnote">注。</span>」。</span>'
        '１万<span class="nobr">２０００</span>人、<span class="nobr">105–113</span>、1,200と'
        '<span class="upright"><span class="nobr">６８４</span></span>件。（<span class="nobr">1・2</span>）'
        '（<span class="nobr">５・１</span>）<span class="nobr">12：30</span>、中黒・区切り。</p>')


def test_inter_character_justification_spaces_full_width_text_only():
    assert spaced_runs("英紙The Guardianによれば") == [(0, 2), (14, 18)]
    assert spaced_runs("２０２４年") == [(4, 5)]  # never inside a number
    # A run at the start or the end of a text box loses half a unit there (Pango drops it).
    assert expandable_units("あいう") == 2.0
    assert expandable_units("Aあい") == 1.5


@pytest.mark.parametrize("mode", ["vertical", "horizontal"])
def test_consecutive_punctuation_takes_one_and_a_half_ems_and_extracts_whole(lines_book, mode):
    """Each pair of marks is set in 1.5 em (the half taken from the blank side: the first mark's
    end, or the second opening bracket's start; the other keeps its em unless it is itself
    followed by a mark), boxes never overlap, single marks keep their em (but on a line a push-in reduced),
    and pdftotext gives back every line holding a pair as one line (a glyph moved back over its
    neighbour would make it start a new word there)."""
    pdf = lines_book / f"lines-{mode}.pdf"
    extracted = subprocess.run(["pdftotext", "-f", "4", str(pdf), "-"], capture_output=True, text=True,
                               check=True).stdout.splitlines()
    pairs = whole = full = pushed = 0
    for glyphs in frame_glyphs(pdf):
        for line in body_lines(glyphs):
            em = line[0].size
            text = "".join(g.c for g in line)
            for a, b in zip(line, line[1:]):
                if a.c + b.c in COMPRESSED:
                    half = b if a.c in OPENING and b.c in OPENING else a
                    assert abs((half.x1 - half.x0) - 0.5 * em) < 0.05 * em, f"{a.c}{b.c} in {text} ({mode})"
                    # Nothing between them but the line's justification (a few hundredths of an em).
                    assert -0.02 * em <= b.x0 - a.x1 < 0.15 * em, f"{a.c}{b.c} in {text} ({mode})"
                    pairs += 1
                elif a.c in "」）』" and "\u3040" <= b.c <= "\u9fff":
                    if (a.x1 - a.x0) < 0.97 * em and (line[-1].c in LINE_START_PROHIBITED or line[-1].c.isdigit()):
                        # reduced to push in the mark, or the number unit (12：30), that ends the line
                        # (test_push_in.py)
                        pushed += 1
                        continue
                    assert abs((a.x1 - a.x0) - em) < 0.05 * em, f"{a.c}{b.c} in {text} ({mode})"
                    full += 1
            if any(pair in text for pair in COMPRESSED) and not any(c.isascii() for c in text):
                assert any(text in row for row in extracted), f"{text} not whole ({mode})"
                whole += 1
    assert pairs >= 40 * len(COMPRESSED) and full >= 40 * 3 and whole > 50 and pushed < full / 4, (pairs, full, whole)


@pytest.mark.parametrize("mode", ["vertical", "horizontal"])
def test_consecutive_punctuation_closes_up_across_inline_elements(lines_book, mode):
    """。」 」「 」、 」） set in one and a half ems when the marks stand in different elements (a
    bold passage, a link, emphasis dots, a note call between them), with nothing between the
    marks but the justification, as inside one element's text."""
    pairs = 0
    for glyphs in frame_glyphs(lines_book / f"lines-{mode}.pdf"):
        for line in body_lines(glyphs):
            em = line[0].size
            marks = [g for g in line if not (g.size < em - 1 and g.c.isdigit())]  # note calls left out
            text = "".join(g.c for g in marks)
            if "案内" not in text and "太字" not in text and "傍点" not in text:
                continue
            for a, b in zip(marks, marks[1:]):
                if a.c + b.c in CROSS_ELEMENT_PAIRS:
                    assert abs((a.x1 - a.x0) - 0.5 * em) < 0.05 * em, f"{a.c}{b.c} in {text} ({mode})"
                    called = any(g.x0 >= a.x1 - 0.01 and g.x1 <= b.x0 + 0.01 for g in line if g not in marks)
                    # A call between: the call's own width (half an em), not the blank half besides.
                    gap = 0.8 * em if called else 0.15 * em
                    assert -0.02 * em <= b.x0 - a.x1 < gap, f"{a.c}{b.c} in {text} ({mode})"
                    pairs += 1
    assert pairs >= 22 * 4, pairs


@pytest.mark.parametrize("mode", ["vertical", "horizontal"])
def test_lines_crowded_with_ruby_spread_their_slack_beside_the_ruby_too(lines_book, mode):
    """A line of per-character ruby groups with one plain kana between them (the groups are never
    divided, so such a line can end up to a group short) ends flush: the ruby boxes take a share
    of the adjustment, where before the plain characters, each a text box of its own, had none
    and the line stayed short. The adjustment is spread: no gap beside a plain character is
    wider than a tenth of an em."""
    checked = 0
    for glyphs in frame_glyphs(lines_book / f"lines-{mode}.pdf"):
        lines = body_lines(glyphs)
        if not lines:
            continue
        start, edge = min(line[0].x0 for line in lines), max(line_end(line, glyphs) for line in lines)
        for line, following in zip(lines, lines[1:]):
            text = "".join(g.c for g in line)
            if "と大阪と" not in text or text.count("と") < 4 or abs(following[0].x0 - start) > 0.5:
                continue
            assert edge - line_end(line, glyphs) <= 0.5, f"{text} ends short ({mode})"
            for before, plain, after in zip(line, line[1:], line[2:]):
                if plain.c in "との":
                    gap = max(plain.x0 - before.x1, after.x0 - plain.x1)
                    assert gap < 0.1 * BODY, f"{text}: {before.c}{plain.c}{after.c} {gap:.2f}pt ({mode})"
            checked += 1
    assert checked >= 8, checked


@pytest.mark.parametrize("mode", ["vertical", "horizontal"])
def test_lines_keep_the_line_pitch_with_the_punctuation_fonts(lines_book, mode):
    """Every line stands one line pitch (1.75 em) after the one before, with or without marks
    (the horizontal PDF's marks come from fonts of their own: a font whose baselines differ
    from the text face's made each line with a mark taller)."""
    pitches = []
    for glyphs in frame_glyphs(lines_book / f"lines-{mode}.pdf"):
        bases = sorted({round(line[0].base, 2) for line in body_lines(glyphs)})
        pitches += [b - a for a, b in zip(bases, bases[1:]) if b - a < 2 * 1.75 * BODY]
    assert len(pitches) > 100
    assert all(abs(pitch - 1.75 * BODY) < 0.05 for pitch in pitches), sorted(set(round(p, 2) for p in pitches))


@pytest.mark.parametrize("mode", ["vertical", "horizontal"])
def test_no_base_character_covers_its_neighbour(lines_book, mode):
    """A reading overhangs a neighbouring kana, the base never does (京 of {東京|とう|きょう}と
    stood a quarter em over the と while its box kept the overhang)."""
    checked = 0
    for glyphs in frame_glyphs(lines_book / f"lines-{mode}.pdf"):
        for line in body_lines(glyphs):
            for a, b in zip(line, line[1:]):
                # Full-width characters (a tate-chu-yoko cell is one glyph that MuPDF splits in two).
                if a.size > BODY - 1 and b.size > BODY - 1 and a.c >= "\u3000" and b.c >= "\u3000":
                    assert b.x0 >= a.x1 - 0.05 * BODY, f"{a.c}{b.c} in {''.join(g.c for g in line)} ({mode})"
                    checked += 1
    assert checked > 1000


def test_numbers_a_middle_dot_joins_are_one_unit_in_vertical_text_too():
    # The vertical markup sets each number a cell of its own (upright ７, tate-chu-yoko 12).
    root = parse_fragment(add_vertical_markup("<h2>戦闘（7・3）と（12・25）、5・15事件、中黒・区切り、3・あ</h2>"))
    compose_lines(root)
    assert serialize(root) == (
        '<h2>戦闘（<span class="nobr"><span class="upright">７</span>・<span class="upright">３</span></span>）と（'
        '<span class="nobr"><span class="tcy">12</span>・<span class="tcy">25</span></span>）、'
        '<span class="nobr"><span class="upright">５</span>・<span class="tcy">15</span></span>事件、中黒・区切り、'
        '<span class="upright">３</span>・あ</h2>')
