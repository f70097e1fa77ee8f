"""The derived vertical-frame font, built from the real Noto Serif CJK JP.

The CJK fonts are a required system package (installed by the project's setup), so
these tests fail, rather than skip, when the font is missing.
"""

from __future__ import annotations

import io
from pathlib import Path

import cffi
import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.pens.recordingPen import RecordingPen
from fontTools.pens.roundingPen import RoundingPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont

from reportpub.typography import vertical_font
from reportpub.typography.punctuation import HALF_WIDTH_FEATURE, REDUCED_FEATURE, half_width_marks
from reportpub.typography.vertical_font import derive_vertical_font, vertical_substitutions

NOTO_SERIF_CJK = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
FAMILY = "Reportpub Test Vertical"
TEXT = "縦組みの試験、漢字とかな。「括弧」（「二重」）ー…―ぁっ\u3000\u2003〰WeasyPrint 12月"
EM_BOX_CENTRE = 380  # Noto CJK: ideographic em box from -120 to 880


@pytest.fixture(scope="module")
def source():
    assert NOTO_SERIF_CJK.exists(), f"{NOTO_SERIF_CJK} is missing: install fonts-noto-cjk"
    with TTFont(NOTO_SERIF_CJK, fontNumber=0, lazy=True) as font:
        yield font


@pytest.fixture(scope="module")
def derived_path(tmp_path_factory, source) -> Path:
    return derive_vertical_font(NOTO_SERIF_CJK, TEXT, tmp_path_factory.mktemp("fonts"), FAMILY)


@pytest.fixture(scope="module")
def derived(derived_path):
    with TTFont(derived_path) as font:
        yield font


def source_glyph(source: TTFont, character: str, vertical: bool) -> str:
    glyph = source.getBestCmap()[ord(character)]
    return vertical_substitutions(source).get(glyph, glyph) if vertical else glyph


def turn(source: TTFont, glyph: str) -> tuple:
    """The design doc's transform for an upright glyph: x' = VORG − Y, y' = X − adv/2 + 380."""
    vorg = source["VORG"]
    origin = vorg.VOriginRecords.get(glyph, vorg.defaultVertOriginY)
    advance = source["hmtx"][glyph][0]
    return (0, 1, -1, 0, origin, EM_BOX_CENTRE - advance / 2)


def outline(glyph_set, glyph: str, transform=(1, 0, 0, 1, 0, 0)) -> list:
    pen = RecordingPen()
    glyph_set[glyph].draw(RoundingPen(TransformPen(pen, transform)))
    return pen.value


def bounds(glyph_set, glyph: str, transform=(1, 0, 0, 1, 0, 0)):
    pen = BoundsPen(glyph_set)
    glyph_set[glyph].draw(TransformPen(pen, transform))
    return pen.bounds


def test_face_zero_of_the_collection_is_noto_serif_cjk_jp(source):
    assert source["name"].getDebugName(1) == "Noto Serif CJK JP"
    assert "CFF " in source


def test_family_is_renamed_and_layout_tables_dropped(derived):
    names = derived["name"]
    assert names.getDebugName(1) == FAMILY
    assert names.getDebugName(16) == FAMILY
    assert names.getDebugName(4) == FAMILY
    assert names.getDebugName(6) == "ReportpubTestVertical-Regular"
    assert derived.sfntVersion == "OTTO" and "CFF " in derived
    for table in ("GPOS", "vhea", "vmtx", "VORG", "BASE", "GDEF"):
        assert table not in derived
    # GSUB is made anew: only the half-width and reduced punctuation (no tate-chu-yoko cells asked for).
    assert {r.FeatureTag for r in derived["GSUB"].table.FeatureList.FeatureRecord} == {HALF_WIDTH_FEATURE, REDUCED_FEATURE}
    assert "SIL Open Font License" in (names.getDebugName(13) or "")  # the licence travels along


@pytest.mark.parametrize("character", ["漢", "か", "、", "「", "ー", "ぁ", "\u3000"])
def test_upright_glyph_advance_is_its_vertical_advance(source, derived, character):
    glyph = source_glyph(source, character, vertical=True)
    derived_glyph = derived.getBestCmap()[ord(character)]
    assert derived["hmtx"][derived_glyph][0] == source["vmtx"][glyph][0]
    assert derived.getGlyphSet()[derived_glyph].width == source["vmtx"][glyph][0]


@pytest.mark.parametrize("character", ["漢", "縦", "か", "ぁ", "、", "。", "「", "（"])
def test_upright_glyph_bounds_are_the_turned_source_bounds(source, derived, character):
    glyph = source_glyph(source, character, vertical=True)
    expected = bounds(source.getGlyphSet(), glyph, turn(source, glyph))
    actual = bounds(derived.getGlyphSet(), derived.getBestCmap()[ord(character)])
    assert actual == pytest.approx(expected, abs=2)
    # Turned: the vertical origin is at the start of the advance, the ink inside the em box.
    assert 0 <= actual[0] and actual[2] <= 1000 and -120 <= actual[1] and actual[3] <= 880


@pytest.mark.parametrize("character", ["、", "。", "「", "ー"])
def test_punctuation_maps_to_the_turned_vertical_alternate(source, derived, character):
    horizontal = source_glyph(source, character, vertical=False)
    alternate = source_glyph(source, character, vertical=True)
    assert alternate != horizontal, "the font has a vert alternate for this character"
    expected = outline(source.getGlyphSet(), alternate, turn(source, alternate))
    assert outline(derived.getGlyphSet(), derived.getBestCmap()[ord(character)]) == expected
    # … and not the turned horizontal form.
    assert expected != outline(source.getGlyphSet(), horizontal, turn(source, horizontal))


@pytest.mark.parametrize("character", ["A", "W", "y", "1", "2"])
def test_latin_and_digits_are_unchanged(source, derived, character):
    glyph = source_glyph(source, character, vertical=False)
    derived_glyph = derived.getBestCmap()[ord(character)]
    assert outline(derived.getGlyphSet(), derived_glyph) == outline(source.getGlyphSet(), glyph)
    assert derived["hmtx"][derived_glyph][0] == source["hmtx"][glyph][0]


def test_tr_character_without_vertical_form_falls_back_to_rotated(source, derived):
    # U+3030 WAVY DASH is Tr and Noto Serif CJK JP has no vert alternate for it.
    glyph = source_glyph(source, "〰", vertical=False)
    assert glyph not in vertical_substitutions(source)
    derived_glyph = derived.getBestCmap()[ord("〰")]
    assert outline(derived.getGlyphSet(), derived_glyph) == outline(source.getGlyphSet(), glyph)


def test_a_glyph_shared_by_upright_and_sideways_characters_is_split(source, derived):
    # U+3000 (U) and U+2003 EM SPACE (R) share one glyph in the source.
    cmap = source.getBestCmap()
    assert cmap[0x3000] == cmap[0x2003]
    derived_cmap = derived.getBestCmap()
    assert derived_cmap[0x3000] != derived_cmap[0x2003]


def test_characters_the_font_lacks_are_left_out(tmp_path):
    path = derive_vertical_font(NOTO_SERIF_CJK, "漢\U0001F4A1", tmp_path, FAMILY)
    with TTFont(path) as font:
        assert 0x1F4A1 not in font.getBestCmap()
        assert ord("漢") in font.getBestCmap()


def test_the_derived_font_is_the_same_whenever_and_under_whatever_date_it_is_made(tmp_path, monkeypatch, source):
    # A cached font outlives the build that made it: its bytes must not carry that build's date.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    first = derive_vertical_font(NOTO_SERIF_CJK, "漢字", tmp_path / "a", FAMILY).read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1734652800")
    second = derive_vertical_font(NOTO_SERIF_CJK, "漢字", tmp_path / "b", FAMILY).read_bytes()
    assert first == second
    with TTFont(io.BytesIO(first)) as font:
        assert font["head"].modified == source["head"].modified


def test_second_call_returns_the_cached_file_without_rebuilding(derived_path, monkeypatch):
    modified = derived_path.stat().st_mtime_ns

    def must_not_build(*args, **kwargs):
        raise AssertionError("rebuilt a cached font")

    monkeypatch.setattr(vertical_font, "_build_font", must_not_build)
    again = derive_vertical_font(NOTO_SERIF_CJK, TEXT, derived_path.parent, FAMILY)
    assert again == derived_path
    assert again.stat().st_mtime_ns == modified
    # A different family name is a different font.
    with pytest.raises(AssertionError, match="rebuilt"):
        derive_vertical_font(NOTO_SERIF_CJK, TEXT, derived_path.parent, FAMILY + " 2")


def test_same_inputs_give_the_same_bytes(tmp_path, derived_path):
    rebuilt = derive_vertical_font(NOTO_SERIF_CJK, TEXT, tmp_path, FAMILY)
    assert rebuilt.name == derived_path.name
    assert rebuilt.read_bytes() == derived_path.read_bytes()
    # No temporary files left: the font and the seal that vouches for it (atomic.seal).
    assert sorted(p.name for p in tmp_path.iterdir()) == [rebuilt.name, rebuilt.name + ".sha256"]


# ---------------------------------------------------------------- punctuation


def _shape(font_path: Path, text: str) -> list[tuple[int, int]]:
    """(x_offset, x_advance) of each glyph as HarfBuzz — the shaper under Pango and
    so under WeasyPrint — sets the text in the font, in font units."""
    return [(x_offset, x_advance) for _, _, x_offset, x_advance in _harfbuzz_shape(font_path, text)]


def _harfbuzz_shape(font_path: Path, text: str, features: tuple[str, ...] = ()) -> list[tuple[int, int, int, int]]:
    """(glyph id, cluster, x_offset, x_advance) of each glyph as HarfBuzz shapes ``text``
    with ``features`` ("dlig", "-kern": HarfBuzz's feature syntax) added to its defaults.
    The cluster is the glyph's first byte in the UTF-8 text: the text a PDF writer (WeasyPrint)
    maps the glyph back to is the bytes up to the next cluster."""
    ffi = cffi.FFI()
    ffi.cdef("""
        typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t;
        typedef struct hb_font_t hb_font_t; typedef struct hb_buffer_t hb_buffer_t;
        typedef struct { int32_t x_advance, y_advance, x_offset, y_offset; uint32_t var; } hb_glyph_position_t;
        typedef struct { uint32_t codepoint, mask, cluster, var1, var2; } hb_glyph_info_t;
        typedef struct { uint32_t tag, value; unsigned int start, end; } hb_feature_t;
        hb_blob_t *hb_blob_create_from_file(const char *file_name);
        hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
        hb_font_t *hb_font_create(hb_face_t *face);
        hb_buffer_t *hb_buffer_create(void);
        void hb_buffer_add_utf8(hb_buffer_t *b, const char *text, int length, unsigned int offset, int item_length);
        void hb_buffer_guess_segment_properties(hb_buffer_t *buffer);
        int hb_feature_from_string(const char *str, int len, hb_feature_t *feature);
        void hb_shape(hb_font_t *font, hb_buffer_t *buffer, const hb_feature_t *features, unsigned int num_features);
        hb_glyph_position_t *hb_buffer_get_glyph_positions(hb_buffer_t *buffer, unsigned int *length);
        hb_glyph_info_t *hb_buffer_get_glyph_infos(hb_buffer_t *buffer, unsigned int *length);
        void hb_buffer_destroy(hb_buffer_t *buffer); void hb_font_destroy(hb_font_t *font);
        void hb_face_destroy(hb_face_t *face); void hb_blob_destroy(hb_blob_t *blob);
    """)
    hb = ffi.dlopen("libharfbuzz.so.0")
    blob = hb.hb_blob_create_from_file(str(font_path).encode())
    face = hb.hb_face_create(blob, 0)
    font = hb.hb_font_create(face)
    buffer = hb.hb_buffer_create()
    try:
        encoded = text.encode()
        hb.hb_buffer_add_utf8(buffer, encoded, len(encoded), 0, len(encoded))
        hb.hb_buffer_guess_segment_properties(buffer)
        feature_array = ffi.new("hb_feature_t[]", max(1, len(features)))
        for index, feature in enumerate(features):
            assert hb.hb_feature_from_string(feature.encode(), -1, feature_array + index), feature
        hb.hb_shape(font, buffer, feature_array if features else ffi.NULL, len(features))
        count = ffi.new("unsigned int *")
        positions = hb.hb_buffer_get_glyph_positions(buffer, count)
        infos = hb.hb_buffer_get_glyph_infos(buffer, count)
        return [(infos[i].codepoint, infos[i].cluster, positions[i].x_offset, positions[i].x_advance)
                for i in range(count[0])]
    finally:
        hb.hb_buffer_destroy(buffer)
        hb.hb_font_destroy(font)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


def set_marks(font_path: Path, text: str) -> list[tuple[int, int]]:
    """(x_offset, x_advance) of each glyph as the PDF writer has Pango set ``text``: the
    half-width feature asked for on the marks the punctuation rule closes up."""
    features = []
    for index in half_width_marks(text):
        start = len(text[:index].encode())
        features.append(f"{HALF_WIDTH_FEATURE}[{start}:{start + len(text[index].encode())}]")
    return [(x_offset, x_advance) for _, _, x_offset, x_advance in _harfbuzz_shape(font_path, text, tuple(features))]


def test_a_shaper_closes_up_consecutive_punctuation(derived_path):
    """Glyphs of their own with half the advance (no offsets: a PDF's box for each glyph is
    then what is drawn, and text extraction keeps the line whole)."""
    _shape = set_marks
    assert _shape(derived_path, "漢字") == [(0, 1000), (0, 1000)]
    assert _shape(derived_path, "試験」「括弧") == [(0, 1000)] * 2 + [(0, 500), (0, 1000)] + [(0, 1000)] * 2
    assert _shape(derived_path, "かな。」") == [(0, 1000)] * 2 + [(0, 500), (0, 1000)]
    assert _shape(derived_path, "な、「") == [(0, 1000), (0, 500), (0, 1000)]
    assert _shape(derived_path, "（「二") == [(0, 1000), (0, 500), (0, 1000)]
    # Runs are closed up all the way, not pair by pair.
    assert _shape(derived_path, "」」」") == [(0, 500), (0, 500), (0, 1000)]
    # Empty brackets have no blank between their inks; a lone mark keeps its em.
    assert _shape(derived_path, "「」漢。") == [(0, 1000)] * 4


def test_half_width_punctuation_is_the_turned_vertical_form_moved_back(source, derived):
    """The half of a closing mark is its turned vertical form with the advance halved; an
    opening bracket's is moved back by the half it loses (its ink then starts the advance)."""
    glyph_set, cmap = derived.getGlyphSet(), derived.getBestCmap()
    for character, shift in (("」", 0), ("。", 0), ("「", -500), ("（", -500)):
        full = cmap[ord(character)]
        half = full + ".half"
        assert derived["hmtx"][half][0] == 500
        moved = outline(glyph_set, full, (1, 0, 0, 1, shift, 0))
        assert outline(glyph_set, half) == moved, character
        x_min, _, x_max, _ = bounds(glyph_set, half)
        assert -1 <= x_min and x_max <= 501, (character, x_min, x_max)


# ---------------------------------------------------------------- tate-chu-yoko

TCY_TEXT = "第123回の会議は12月4日に開かれました!? 第1条、AI技術、全角の１"
TCY_STRINGS = ("12", "!?", "123", "1", "AI")


@pytest.fixture(scope="module")
def tcy_path(tmp_path_factory) -> Path:
    return derive_vertical_font(NOTO_SERIF_CJK, TCY_TEXT, tmp_path_factory.mktemp("tcy"), FAMILY,
                                tcy_strings=TCY_STRINGS)


@pytest.fixture(scope="module")
def tcy_font(tcy_path):
    with TTFont(tcy_path) as font:
        yield font


def dlig_substitutions(font: TTFont) -> dict[tuple[str, ...], str]:
    """Input glyph sequence → output glyph of every substitution under ``dlig``."""
    gsub = font["GSUB"].table
    result: dict[tuple[str, ...], str] = {}
    for record in gsub.FeatureList.FeatureRecord:
        if record.FeatureTag != "dlig":
            continue
        for index in record.Feature.LookupListIndex:
            lookup = gsub.LookupList.Lookup[index]
            for subtable in lookup.SubTable:
                if lookup.LookupType == 4:
                    for first, ligatures in subtable.ligatures.items():
                        for ligature in ligatures:
                            result.setdefault((first, *ligature.Component), ligature.LigGlyph)
                elif lookup.LookupType == 1:
                    for glyph, alternate in subtable.mapping.items():
                        result.setdefault((glyph,), alternate)
    return result


def tcy_glyph(font: TTFont, string: str) -> str:
    cmap = font.getBestCmap()
    return dlig_substitutions(font)[tuple(cmap[ord(c)] for c in string)]


def union(*boxes):
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def test_tcy_cells_are_a_discretionary_feature_only(tcy_font):
    gsub = tcy_font["GSUB"].table
    # Beside the half-width punctuation, which does not touch the cells' glyphs.
    assert {record.FeatureTag for record in gsub.FeatureList.FeatureRecord} == {HALF_WIDTH_FEATURE, REDUCED_FEATURE, "dlig"}
    assert set(dlig_substitutions(tcy_font)) == {
        tuple(tcy_font.getBestCmap()[ord(c)] for c in string) for string in TCY_STRINGS
    }


def test_tcy_pair_is_one_em_of_two_half_width_digits_turned(source, tcy_font):
    glyph = tcy_glyph(tcy_font, "12")
    assert tcy_font["hmtx"][glyph][0] == 1000
    half_width = vertical_font.single_substitutions(source, ("hwid",))
    one, two = (half_width[source.getBestCmap()[ord(c)]] for c in "12")
    assert source["hmtx"][one][0] == source["hmtx"][two][0] == 500
    # 1 in the left half of a horizontal em and 2 in the right, turned as an upright glyph is:
    # the em box's top (880) to the start of the advance, its width onto the column (−120 … 880).
    # On the page (turned clockwise) the frame's low y is the column's left: 1 stands left of 2.
    source_glyphs = source.getGlyphSet()
    left = bounds(source_glyphs, one, (0, 1, -1, 0, 880, -120))
    right = bounds(source_glyphs, two, (0, 1, -1, 0, 880, 500 - 120))
    assert left[3] < right[1]
    assert bounds(tcy_font.getGlyphSet(), glyph) == pytest.approx(union(left, right), abs=1)
    expected = outline(source_glyphs, one, (0, 1, -1, 0, 880, -120)) + outline(
        source_glyphs, two, (0, 1, -1, 0, 880, 500 - 120))
    assert outline(tcy_font.getGlyphSet(), glyph) == expected


def test_tcy_triple_is_compressed_into_one_em(source, tcy_font):
    glyph = tcy_glyph(tcy_font, "123")
    assert tcy_font["hmtx"][glyph][0] == 1000
    half_width = vertical_font.single_substitutions(source, ("hwid",))
    third = 1000 / 3
    expected = union(*(
        bounds(source.getGlyphSet(), half_width[source.getBestCmap()[ord(c)]],
               (0, 2 / 3, -1, 0, 880, i * third - 120))  # 500 units squeezed into a third of the em
        for i, c in enumerate("123")
    ))
    actual = bounds(tcy_font.getGlyphSet(), glyph)
    assert actual == pytest.approx(expected, abs=1)
    assert -120 <= actual[1] and actual[3] <= 880  # across the column, inside its width


def test_lone_tcy_character_is_its_turned_full_width_form_in_a_glyph_of_its_own(source, tcy_font):
    glyph = tcy_glyph(tcy_font, "1")
    full_width = source.getBestCmap()[ord("１")]
    assert tcy_font["hmtx"][glyph][0] == 1000
    assert outline(tcy_font.getGlyphSet(), glyph) == outline(source.getGlyphSet(), full_width, turn(source, full_width))
    # Not the glyph of "１" itself: a PDF maps each glyph back to one text, "1" here.
    assert glyph != tcy_font.getBestCmap()[ord("１")]


def test_a_shaper_sets_tcy_only_with_dlig_on(tcy_path, tcy_font):
    names = tcy_font.getGlyphOrder()
    cmap = tcy_font.getBestCmap()
    # Off (HarfBuzz's default, and everywhere outside .tcy): the sideways proportional digits.
    assert [(names[g], advance) for g, _, _, advance in _harfbuzz_shape(tcy_path, "12")] == [
        (cmap[ord("1")], tcy_font["hmtx"][cmap[ord("1")]][0]), (cmap[ord("2")], tcy_font["hmtx"][cmap[ord("2")]][0])]
    for string in TCY_STRINGS:
        shaped = _harfbuzz_shape(tcy_path, string, ("dlig",))
        # One glyph, one em, one cluster holding the whole string: extracted as the string.
        assert [(names[g], cluster, advance) for g, cluster, _, advance in shaped] == [
            (tcy_glyph(tcy_font, string), 0, 1000)], string
    # Longest first: 123 is one cell, not 12 and a sideways 3.
    assert len(_harfbuzz_shape(tcy_path, "123", ("dlig",))) == 1
    # Around the cell the text is unchanged: 12 then 月 (cluster at its UTF-8 offset 2).
    shaped = _harfbuzz_shape(tcy_path, "12月", ("dlig",))
    assert [(names[g], cluster) for g, cluster, _, _ in shaped] == [(tcy_glyph(tcy_font, "12"), 0), (cmap[ord("月")], 2)]


def test_tcy_strings_are_part_of_the_cache_key(tcy_path, derived_path, tmp_path):
    other = derive_vertical_font(NOTO_SERIF_CJK, TCY_TEXT, tcy_path.parent, FAMILY, tcy_strings=("12",))
    assert other != tcy_path
    again = derive_vertical_font(NOTO_SERIF_CJK, TCY_TEXT, tcy_path.parent, FAMILY,
                                 tcy_strings=reversed(TCY_STRINGS))  # any iterable, any order
    assert again == tcy_path


def test_tcy_strings_the_font_cannot_set_are_left_out(tmp_path):
    path = derive_vertical_font(NOTO_SERIF_CJK, "12月", tmp_path, FAMILY,
                                tcy_strings=("12", "1\U0001F4A1", "1234", ""))
    with TTFont(path) as font:
        assert list(dlig_substitutions(font)) == [tuple(font.getBestCmap()[ord(c)] for c in "12")]


# ---------------------------------------------------------------- charstring transcoder

# Type 2 programs covering every drawing operator and argument-count variant, the
# optional width, hints and hint masks, fractions, and subroutine calls.
CHARSTRING_PROGRAMS = {
    "lines": [10, 20, "rmoveto", 100, 50, -30, "hlineto", 40, 10, 20, 30, "vlineto", 5, 6, 7, 8, "rlineto"],
    "width and hints": [333, 10, 20, 30, 40, "hstemhm", 5, 6, "hintmask", b"\xe0", 10, 20, "rmoveto",
                        100, "hlineto", "cntrmask", b"\x80", 50, "vlineto"],
    "moves": [500, 30, "hmoveto", 10, "hlineto", 20, "vmoveto", 5, 5, "rlineto", -7, "hmoveto", 9, "vlineto"],
    "curves": [0, 0, "rmoveto", 10, 20, 30, 40, 50, 60, 1, 2, 3, 4, 5, 6, "rrcurveto",
               10, 20, 30, 40, 50, 60, 7, 8, "rcurveline", 1, 2, 3, 4, 10, 20, 30, 40, 50, 60, "rlinecurve"],
    "vv and hh": [0, 0, "rmoveto", 10, 20, 30, 40, "vvcurveto", 5, 10, 20, 30, 40, 11, 21, 31, 41, "vvcurveto",
                  10, 20, 30, 40, "hhcurveto", -5, 10, 20, 30, 40, 11, 21, 31, 41, "hhcurveto"],
    "hv and vh": [0, 0, "rmoveto", 1, 2, 3, 4, "hvcurveto", 1, 2, 3, 4, 5, "hvcurveto",
                  1, 2, 3, 4, 5, 6, 7, 8, 9, "hvcurveto", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, "vhcurveto",
                  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, "vhcurveto", 4, 3, 2, 1, "vhcurveto"],
    "flex": [0, 0, "rmoveto", 10, 1, 20, 2, 30, 3, 40, -3, 50, -2, 60, -1, 50, "flex",
             10, 20, 5, 30, 40, 20, 10, "hflex", 10, 5, 20, 6, 30, 40, 20, -4, 10, "hflex1",
             10, 2, 20, 3, 30, 4, 40, -3, 50, -2, 60, "flex1", 2, 10, 3, 20, 4, 30, -3, 40, -2, 50, 60, "flex1"],
    "fractions": [10.5, 20.25, "rmoveto", 0.5, 100, "hlineto", 1.75, -3.5, "rlineto"],
    "big numbers": [3000, -2500, "rmoveto", 5000, "hlineto", -4000, "vlineto"],
    "subroutines": [0, 0, "rmoveto", -107, "callsubr", -107, "callgsubr", 30, "vlineto"],
}


@pytest.mark.parametrize("name", sorted(CHARSTRING_PROGRAMS))
@pytest.mark.parametrize("transform", [(1, 0, 0, 1, 0, 0), (0, 1, -1, 0, 880, 380 - 1001 / 2)])
def test_charstring_transcoder_draws_what_fonttools_draws(name, transform):
    from fontTools.cffLib import PrivateDict
    from fontTools.misc.psCharStrings import T2CharString

    local_subrs = [T2CharString(program=[100, 10, "rlineto", "return"])]
    global_subrs = [T2CharString(program=[-20, 50, 60, 70, "hhcurveto", "return"])]
    private = PrivateDict()
    private.Subrs = local_subrs
    source = T2CharString(program=CHARSTRING_PROGRAMS[name] + ["endchar"], private=private,
                          globalSubrs=global_subrs)
    source.compile()
    bytecode = source.bytecode  # drawing decompiles it back into a program
    expected = RecordingPen()
    source.draw(TransformPen(expected, transform))

    run = vertical_font._CharStringRun(transform[:4] == (0, 1, -1, 0), transform[4], transform[5],
                                       global_subrs, 107, local_subrs, 107)
    run.execute(bytecode)
    written = T2CharString(bytecode=run.bytecode(None), private=PrivateDict())
    actual = RecordingPen()
    written.draw(actual)

    def points(value):
        return [(operator, [tuple(round(c, 6) for c in point) for point in arguments])
                for operator, arguments in value]

    assert points(actual.value) == points(expected.value)
    control_points = [p for _, arguments in expected.value for p in arguments]
    xs, ys = [p[0] for p in control_points], [p[1] for p in control_points]
    assert run.bounds() == pytest.approx((min(xs), min(ys), max(xs), max(ys)))
