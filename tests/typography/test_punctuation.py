"""Punctuation compression (約物の詰め) in the horizontal PDF's punctuation font, built from the
real Noto Serif CJK JP and shaped by HarfBuzz as Pango shapes it (the vertical fonts' own
compression is tested with them, in test_vertical_font.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from reportpub.typography.punctuation import (
    MARKS,
    REDUCED_FEATURE,
    REDUCTION_STEPS,
    PunctuationSpace,
    half_glyphs,
    half_width_marks,
)
from reportpub.typography.punctuation_font import derive_punctuation_font
from tests.typography.test_vertical_font import NOTO_SERIF_CJK, _harfbuzz_shape, bounds, outline, set_marks


@pytest.fixture(scope="module")
def font_path(tmp_path_factory) -> Path:
    return derive_punctuation_font(NOTO_SERIF_CJK, tmp_path_factory.mktemp("fonts"), "RP Test Punctuation")


@pytest.fixture(scope="module")
def font(font_path):
    with TTFont(font_path) as loaded:
        yield loaded


advances = set_marks


@pytest.mark.parametrize("pair", ["。」", "、「", "」「", "）。", "」、", "』」", "。）", "」・"])
def test_a_closing_mark_before_another_mark_loses_its_trailing_half(font_path, pair):
    assert advances(font_path, pair) == [(0, 500), (0, 1000)]


def test_an_opening_bracket_after_an_opening_bracket_loses_its_leading_half(font_path):
    assert advances(font_path, "（「") == [(0, 1000), (0, 500)]
    assert advances(font_path, "「「「") == [(0, 1000), (0, 500), (0, 500)]  # all the way along a run
    assert advances(font_path, "。」」") == [(0, 500), (0, 500), (0, 1000)]


@pytest.mark.parametrize("text", ["「」", "・「", "。", "「", "・・"])
def test_marks_without_a_blank_between_their_inks_keep_their_ems(font_path, text):
    assert advances(font_path, text) == [(0, 1000)] * len(text)


def test_the_font_holds_the_marks_only_with_the_source_line_metrics(font):
    with TTFont(NOTO_SERIF_CJK, fontNumber=0, lazy=True) as source:
        assert set(font.getBestCmap()) == {ord(c) for c in MARKS if ord(c) in source.getBestCmap()}
        for table, fields in (("hhea", ("ascent", "descent", "lineGap")),
                              ("OS/2", ("sTypoAscender", "sTypoDescender", "sTypoLineGap", "usWinAscent",
                                        "usWinDescent", "fsSelection"))):
            for field in fields:
                assert getattr(font[table], field) == getattr(source[table], field), (table, field)
        # The baselines too: Pango aligns a line's runs by them (without, the line grew taller).
        assert font["BASE"].compile(font) == source["BASE"].compile(source)
        # The marks are the source's glyphs unchanged; the halves are drawn where the ink is.
        glyph_set, source_set = font.getGlyphSet(), source.getGlyphSet()
        cmap = font.getBestCmap()
        for character, shift in (("」", 0), ("。", 0), ("「", -500), ("（", -500)):
            glyph = cmap[ord(character)]
            assert outline(glyph_set, glyph) == outline(source_set, glyph)
            assert outline(glyph_set, glyph + ".half") == outline(source_set, glyph, (1, 0, 0, 1, shift, 0))
            assert font["hmtx"][glyph + ".half"][0] == 500
            x_min, _, x_max, _ = bounds(glyph_set, glyph + ".half")
            assert -1 <= x_min and x_max <= 501


def test_the_rule_closes_up_marks_across_scripts():
    # In 「行こう。」 Pango shapes 。 with こう (Hiragana) and 」 with its 「 (Han): the rule
    # works on the text, whatever the shaper's runs.
    text = "「行こう。」「待って、」と（「急ぐな」の意）、『本』」。「」"
    assert [text[i] for i in half_width_marks(text)] == ["。", "」", "、", "「", "）", "、", "』", "」", "。"]
    assert half_width_marks("漢字・「かな」") == []


def test_only_the_half_that_is_blank_is_taken():
    closing, opening, middle = PunctuationSpace(0, 500), PunctuationSpace(500, 0), PunctuationSpace(250, 250)
    made = half_glyphs({"」": ("c", closing), "「": ("o", opening), "・": ("m", middle), "、": ("k", None)})
    # A middle dot's is without both its quarter ems (a push-in's, JLREQ 3.8).
    assert {(h.glyph, h.cut) for h in made} == {("c", PunctuationSpace(0, 500)), ("o", PunctuationSpace(500, 0)),
                                                 ("m", PunctuationSpace(250, 250))}
    # An opening bracket whose blank the font puts after the ink is left alone.
    assert half_glyphs({"「": ("o", closing)}) == ()


def test_without_the_feature_every_mark_keeps_its_em(font_path):
    """Another font never sees the feature and this one sets full ems unless asked."""
    assert [advance for *_, advance in _harfbuzz_shape(font_path, "。」「（「")] == [1000] * 5


def test_the_font_is_built_once(font_path, monkeypatch):
    from reportpub.typography import punctuation_font

    monkeypatch.setattr(punctuation_font, "_derive", lambda *args: pytest.fail("derived again"))
    assert derive_punctuation_font(NOTO_SERIF_CJK, font_path.parent, "RP Test Punctuation") == font_path


@pytest.mark.parametrize("steps", range(1, 8))
def test_a_push_in_reduces_a_mark_by_steps_of_its_blank_half(font_path, font, steps):
    """The reduced forms (REDUCED_FEATURE's value: steps of an eighth of the blank half): the
    advance shortened by the steps, an opening bracket's outline moved back by them, a middle
    dot's by half of them (it loses as much on either side); a full stop has none (JLREQ keeps
    its half inside a line), and a glyph's box is still what is drawn."""
    features = (f"{REDUCED_FEATURE}={steps}",)
    advance = 1000 - round(500 * steps / REDUCTION_STEPS)
    assert [a for *_, a in _harfbuzz_shape(font_path, "」、「（・：；。", features)] == [advance] * 7 + [1000]
    assert [x for _, _, x, _ in _harfbuzz_shape(font_path, "」、「（・：；。", features)] == [0] * 8
    glyph_set = font.getGlyphSet()
    with TTFont(NOTO_SERIF_CJK, fontNumber=0, lazy=True) as source:
        opening = font.getBestCmap()[ord("「")]
        shift = -round(500 * steps / REDUCTION_STEPS)
        assert outline(glyph_set, f"{opening}.r{steps}") == outline(source.getGlyphSet(), opening, (1, 0, 0, 1, shift, 0))
        dot = font.getBestCmap()[ord("・")]
        shift = -round(250 * steps / REDUCTION_STEPS)
        assert outline(glyph_set, f"{dot}.r{steps}") == outline(source.getGlyphSet(), dot, (1, 0, 0, 1, shift, 0))
        x_min, _, x_max, _ = bounds(glyph_set, f"{opening}.r{steps}")
        assert -1 <= x_min and x_max <= advance + 1
