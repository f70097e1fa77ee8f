"""The horizontal PDF's punctuation fonts: a text face's brackets, full stops, commas and
middle dots, with the half-width and reduced glyphs and the substitutions of typography/punctuation.py.

The horizontal PDF sets text in the system's Noto CJK faces as they are; deriving whole
copies of them for the compression would cost what the vertical fonts cost. Instead each
face gets a small font of its own holding only these marks (copied unchanged, with the
source's line metrics so no line changes height), set first in the theme's font stacks
(pdf-horizontal.css): fontconfig takes the marks from it and everything else from the face
itself; the half forms are reached as in the vertical fonts.
"""

from __future__ import annotations

from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.misc.psCharStrings import T2CharString
from fontTools.ttLib import TTFont

from reportpub.cache import PUNCTUATION_FONT_PREFIX
from reportpub.typography.punctuation import MARKS, half_glyphs, half_width_features, punctuation_spaces, reduced_glyphs
from reportpub.typography.vertical_font import (
    LANGUAGE_SYSTEMS,
    _cff_notice,
    _file_sha256,
    _name_strings,
    _outline_writer,
    _setup_tables_from_source,
    _union_bounds,
    cached_font,
    single_adjustments,
)

# Bump whenever the bytes this module writes for the same inputs would change.
FORMAT_VERSION = 4


def derive_punctuation_font(source_font: Path, cache_dir: Path, family_name: str, font_number: int = 0) -> Path:
    """The path of the punctuation font of one face (``font_number`` of a collection),
    built in ``cache_dir`` when it is not there yet."""
    source_font, cache_dir = Path(source_font), Path(cache_dir)
    key = {
        "format": FORMAT_VERSION,
        "source_sha256": _file_sha256(source_font, cache_dir),
        "font_number": font_number,
        "family_name": family_name,
        "marks": MARKS,
    }

    def build(digest: str) -> TTFont:
        with TTFont(source_font, fontNumber=font_number, lazy=True) as source:
            return _derive(source, family_name, digest)

    return cached_font(cache_dir, PUNCTUATION_FONT_PREFIX, key, build)


def _derive(source: TTFont, family_name: str, digest: str) -> TTFont:
    cmap = source.getBestCmap()
    spaces = punctuation_spaces(single_adjustments(source, "halt"), "halt")
    marks = {c: (cmap[ord(c)], spaces.get(cmap[ord(c)])) for c in MARKS if ord(c) in cmap}
    halves, reduced = half_glyphs(marks), reduced_glyphs(marks)
    units_per_em = source["head"].unitsPerEm
    horizontal_metrics = source["hmtx"].metrics
    draw = _outline_writer(source)

    # (name, source glyph, advance, how far the outline moves back)
    glyphs = [(".notdef", ".notdef", horizontal_metrics[".notdef"][0], 0)]
    glyphs += [(glyph, glyph, horizontal_metrics[glyph][0], 0) for glyph in dict.fromkeys(g for g, _ in marks.values())]
    glyphs += [(half.name, half.glyph, horizontal_metrics[half.glyph][0] - half.cut.leading - half.cut.trailing,
                half.cut.leading) for half in halves + reduced]
    char_strings, metrics, bounds_by_glyph = {}, {}, {}
    for name, source_glyph, advance, shift in glyphs:
        bytecode, bounds = draw(source_glyph, (1, 0, 0, 1, -shift, 0), None if advance == units_per_em else advance)
        char_strings[name] = T2CharString(bytecode=bytecode)
        bounds_by_glyph[name] = bounds
        metrics[name] = (advance, round(bounds[0]) if bounds else 0)

    builder = FontBuilder(units_per_em, isTTF=False)
    builder.font.recalcBBoxes = False
    builder.setupGlyphOrder([name for name, *_ in glyphs])
    builder.setupCharacterMap({ord(c): glyph for c, (glyph, _) in marks.items()})
    names = _name_strings(source, family_name, digest)
    names["description"] = (f"The punctuation of {source['name'].getDebugName(4)}, with half-width forms "
                            "for consecutive punctuation, derived by reportpub.")
    font_bounds = _union_bounds(b for b in bounds_by_glyph.values() if b)
    builder.setupCFF(
        names["psName"],
        {"FullName": names["fullName"], "FamilyName": family_name, "Weight": names["styleName"],
         "Notice": _cff_notice(source), "FontBBox": [round(v) for v in font_bounds]},
        char_strings,
        {"defaultWidthX": units_per_em, "nominalWidthX": 0},
    )
    builder.setupHorizontalMetrics(metrics)
    _setup_tables_from_source(builder, source, metrics, bounds_by_glyph, font_bounds, None)
    builder.setupNameTable(names, mac=False)
    if "BASE" in source:  # Pango aligns the runs of a line by their fonts' baselines: without the
        builder.font["BASE"] = source["BASE"]  # source's, every line with a mark grew 0.3 pt taller
    features = half_width_features(halves, reduced)
    if features:
        builder.addOpenTypeFeatures(LANGUAGE_SYSTEMS + features, tables={"GSUB"})
    return builder.font
