"""Automatic tate-chu-yoko and upright digits for the vertical editions."""

from __future__ import annotations

import xml.etree.ElementTree as etree
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportpub.typography.vertical_markup import add_vertical_markup

FULL_WIDTH_TO_ASCII = str.maketrans("０１２３４５６７８９\u301d\u301f", "0123456789\u201c\u201d")
ASCII_TO_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
VERTICAL_QUOTES = {("\u201c", "\u301d"), ("\u201d", "\u301f")}


def parse(fragment: str) -> etree.Element:
    return etree.fromstring(f"<root>{fragment}</root>")


def tcy_cells(fragment: str) -> list[str]:
    return [span.text for span in parse(fragment).iter("span") if "tcy" in span.get("class", "").split()]


def upright_runs(fragment: str) -> list[str]:
    return [span.text for span in parse(fragment).iter("span") if span.get("class") == "upright"]


def test_two_digits_are_one_tcy_cell():
    assert add_vertical_markup("<p>12月</p>") == '<p><span class="tcy">12</span>月</p>'


@pytest.mark.parametrize("pair", ["!!", "!?", "?!", "??"])
def test_exclamation_and_question_pairs_are_one_tcy_cell(pair):
    assert tcy_cells(add_vertical_markup(f"<p>本当{pair}　そう</p>")) == [pair]


def test_four_digit_year_is_upright_full_width_not_tcy():
    result = add_vertical_markup("<p>2024年</p>")
    assert tcy_cells(result) == []
    assert result == '<p><span class="upright">２０２４</span>年</p>'


def test_lone_digit_is_upright_and_long_run_is_not_tcy():
    result = add_vertical_markup("<p>1万1000人</p>")
    assert tcy_cells(result) == []
    # The lone "1" of "1万" stands upright as a full-width digit; "1000" likewise.
    assert upright_runs(result) == ["１", "１０００"]
    assert result == '<p><span class="upright">１</span>万<span class="upright">１０００</span>人</p>'


@pytest.mark.parametrize(
    "text", ["3.14", "1,000", "ISO9001", "v2", "A4判", "Why?!", "!!!", "ab12cd"]
)
def test_digits_and_marks_inside_larger_tokens_are_left_alone(text):
    assert add_vertical_markup(f"<p>{text}</p>") == f"<p>{text}</p>"


@pytest.mark.parametrize("identifier", [
    "https://example.com/archive/20241015/k00/00m/030/010000c?utm_campaign=2024",
    "https://www.example.org/reports/2024/article-4-and-its-implications.html",
    "www.example.jp/2024/10/15/", "doi:10.1093/isq/sqae1002.2024.20123456789",
    "urn:uuid:3f6c2a8e-5b1d-4c7e-9a2f-7d4e1b8c6a53"])
def test_digits_inside_a_url_or_identifier_in_plain_text_turn_sideways_with_it(identifier):
    """A URL written as text (not a link) in a note: its numbers stayed upright full-width
    (``archive/２０２４１０１５/``) inside the sideways URL; the text around it is still marked."""
    assert add_vertical_markup(f"<p>記事、{identifier}、2024年。</p>") == (
        f'<p>記事、{identifier}、<span class="upright">２０２４</span>年。</p>')


def test_latin_words_are_left_alone():
    assert add_vertical_markup("<p>WeasyPrintで組む</p>") == "<p>WeasyPrintで組む</p>"


def test_digit_runs_are_judged_across_inline_elements_but_not_blocks():
    # "<em>1</em>0" is the number 10: neither part is a run of its own.
    assert add_vertical_markup("<p>第<em>1</em>0章</p>") == "<p>第<em>1</em>0章</p>"
    # A paragraph boundary separates runs.
    assert tcy_cells(add_vertical_markup("<p>12</p><p>34</p>")) == ["12", "34"]


@pytest.mark.parametrize(
    "fragment",
    [
        "<p><ruby>十二<rt>12</rt></ruby>と</p>",
        "<p>コード<code>x = 12</code>です</p>",
        "<pre><code>2024年12月</code></pre>",
        "<script>var a = 12;</script>",
        '<p><a href="#fn12" title="12月">注</a>と</p>',
        '<p><img src="fig12.png" alt="2024年"/>図</p>',
        "<table><tr><td>12</td><td>2024</td></tr></table>",
        '<p><span class="tcy tcy-3">123</span>と</p>',
        '<p><span class="sideways">12</span>と</p>',
        "<p>あ<!-- 12月 -->い</p>",
    ],
)
def test_protected_text_and_attributes_do_not_change(fragment):
    assert add_vertical_markup(fragment) == fragment


def test_only_the_unprotected_text_changes():
    fragment = '<p><a href="12.html" title="2024">12月</a><code>12</code>、<rt>34</rt></p>'
    assert add_vertical_markup(fragment) == (
        '<p><a href="12.html" title="2024"><span class="tcy">12</span>月</a><code>12</code>、<rt>34</rt></p>'
    )


def test_escaping_is_kept_and_markup_survives():
    fragment = '<p class="x">&lt;12&gt; &amp; 「12」&#12354;</p><hr/><p epub:type="note">2024</p>'
    result = add_vertical_markup(fragment)
    assert result == (
        '<p class="x">&lt;<span class="tcy">12</span>&gt; &amp; 「<span class="tcy">12</span>」あ</p>'
        '<hr/><p epub:type="note"><span class="upright">２０２４</span></p>'
    )


def test_output_is_well_formed_and_idempotent():
    fragment = (
        "<h1>第1章</h1><p>2024年12月20日、約1万1000人が参加した!?　"
        '<ruby>漢字<rt>かんじ</rt></ruby>は<span class="tcy">34</span>。</p>'
        "<ul><li>3.14</li><li>99%</li></ul>"
    )
    once = add_vertical_markup(fragment)
    parse(once)
    assert add_vertical_markup(once) == once
    assert tcy_cells(once) == ["12", "20", "!?", "34", "99"]
    assert upright_runs(once) == ["１", "２０２４", "１", "１０００"]


def test_malformed_markup_is_an_error():
    with pytest.raises(ValueError):
        add_vertical_markup("<p>12<em>3</p></em>")
    with pytest.raises(ValueError):
        add_vertical_markup("<p>12")


# Characters XML can carry (no other C0 controls, no surrogates; \r would be
# normalised by the parser), weighted towards the ones the rules look at.
xml_characters = st.characters(
    blacklist_categories=("Cs",),
    blacklist_characters="\r\x0b\x0c\ufffe\uffff",
    min_codepoint=0x9,
).filter(lambda c: c in "\t\n" or ord(c) >= 0x20)
interesting = st.sampled_from(list("0123456789!?.,aZ年月万人「」、。&<>\"' ０“”"))


@settings(max_examples=400, deadline=None)
@given(st.text(st.one_of(interesting, xml_characters), max_size=60))
def test_any_text_stays_well_formed_and_keeps_its_content(text):
    fragment = f"<p>{escape(text)}</p>"
    result = add_vertical_markup(fragment)
    content = "".join(parse(result).itertext())
    # Only the ASCII → full-width digit and “” → 〝〟 conversions may change the text.
    assert len(content) == len(text)
    assert content.translate(FULL_WIDTH_TO_ASCII) == text.translate(FULL_WIDTH_TO_ASCII)
    for position, (before, after) in enumerate(zip(text, content)):
        if before != after:
            assert after == before.translate(ASCII_TO_FULL_WIDTH) or (before, after) in VERTICAL_QUOTES, position
    assert add_vertical_markup(result) == result


def test_html_void_elements_need_no_closing_tag():
    """Templates and the PDF's chapter HTML write <br> and <img> bare, as HTML does."""
    result = add_vertical_markup('<p>2024年<br>12月<img src="a.png" alt="図"></p>')
    assert result == '<p><span class="upright">２０２４</span>年<br><span class="tcy">12</span>月<img src="a.png" alt="図"></p>'


def test_double_quotes_become_vertical_quotes_outside_code():
    marked = add_vertical_markup("<p>彼は“東京”と“Tokyo”を</p><code>“x”</code>")
    assert marked == "<p>彼は\u301d東京\u301fと\u301dTokyo\u301fを</p><code>“x”</code>"
