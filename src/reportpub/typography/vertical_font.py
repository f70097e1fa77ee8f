"""The derived font that makes WeasyPrint set vertical Japanese on a turned page.

WeasyPrint has no ``writing-mode``. The vertical PDF is therefore laid out
horizontally on a frame with the page's width and height swapped, and each page is
shown turned 90° clockwise (docs/vertical-pdf.md). Turned with the page,
horizontal glyphs come out sideways — right for Latin letters and ASCII digits
(UAX #50 ``R``, CSS ``text-orientation: mixed``) and wrong for everything that stands
upright in vertical text. This module builds, from a CJK font, a font in which each
of those upright glyphs is

1. replaced by its ``vert`` alternate when the font has one (、。 and small kana move
   to the upper right of the cell, 「」（）ー〜 turn),
2. drawn turned 90° counter-clockwise, so that the page's turn sets it upright:
   a design-space point (X, Y) goes to ``x' = VORG_y − Y`` and
   ``y' = X − adv/2 + (emBoxTop + emBoxBottom)/2``, which puts the glyph's vertical
   origin at the start of its horizontal advance and the column's centre line on the
   ideographic em box's centre,
3. given its vertical advance (``vmtx``) as its horizontal advance.

``R`` glyphs are copied unchanged. A ``Tr`` character whose font has no vertical
alternate falls back to rotation (UAX #50) and is copied unchanged too. (… ‥ ― are
``R``: a CJK font centres them on the em box, so turned with the page they still
stand in the middle of the column.) The line metrics (hhea, OS/2 typo) are set to the
ideographic em box, so CSS half-leading centres each column on its line pitch.

The font holds only the characters the document uses (plus a fixed base set), its
layout tables (GSUB, GPOS, GDEF, BASE, vhea, vmtx, VORG) are dropped — their work
is done or no longer applies — and it gets its own family name so it never stands in
for the source font. Its one layout table, GSUB, is made anew: the punctuation
compression of typography/punctuation.py (``。」`` ``、「`` ``」「`` ``（「`` in one and a
half ems: the turned marks with a blank half get glyphs without it, amounts from the
source's ``vhal``, under reportpub's own feature, which the PDF writer asks for on the
marks the rule closes up) and the tate-chu-yoko cells below. Not done:
the source's GPOS ``vert``/``vkrn``/``vpal`` (combining marks, proportional kana), which a
Japanese report does not use.

Tate-chu-yoko is set by the font too. For each tate-chu-yoko string of the document
(``12``, ``!?``, the ``123`` of an author's ``^123^``) the font gets one glyph: the
characters' half-width forms side by side in one em (three of them compressed to a
third each; a lone character in its full-width form), turned like every upright glyph so
that on the page they read left to right across the column. A GSUB lookup under the
discretionary ``dlig`` feature — off unless CSS asks for it, as pdf-vertical.css does in
``.tcy`` — maps the string's glyphs to that glyph (a ligature; a single substitution for
one character). The cell is then an ordinary glyph of the line, and because the shaper's
cluster covers the whole string, a PDF's ToUnicode map gives back ``12`` in reading
order: text extraction, search and copy work, where a rotated box was pulled out of the
column.

Speed: a CJK document has a few thousand distinct characters, almost all of them
upright, so nearly every glyph is redrawn. Going through fontTools' generic
charstring decompiler and pens costs about 0.7 ms a glyph; this module instead reads
the Type 2 charstring bytes itself, follows subroutine calls, and writes the
turned outline straight out as new charstring bytes (hints dropped), about 0.2 ms
a glyph: ~1.2 s for 5,000 distinct characters of Noto Serif CJK JP, 0.3 s for a
640-character report. Fonts with TrueType (``glyf``) or CFF2 outlines take the slower
pen path. Results are cached on disk by a hash of their inputs, written atomically,
and the same inputs give the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.misc.psCharStrings import T2CharString, encodeFixed, encodeIntT2
from fontTools.pens.boundsPen import BoundsPen
from fontTools.pens.recordingPen import RecordingPen
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont

from reportpub.cache import VERTICAL_FONT_PREFIX, Cache
from reportpub.typography.orientation import data_version, vertical_orientation
from reportpub.typography.punctuation import MARKS, half_glyphs, half_width_features, punctuation_spaces, reduced_glyphs

# Bump whenever the bytes this module writes for the same inputs would change.
FORMAT_VERSION = 6  # bump when the derived fonts change

# Always included, whatever the text: what the templates and generated text
# (headings, notes, the colophon) may add without appearing in the manuscript.
BASE_CHARACTERS = frozenset(
    "".join(chr(c) for c in range(0x20, 0x7F)) + "、。「」『』（）ー…―・\u3000"
)



def common_japanese() -> str:
    """JIS X 0208's symbols, full-width alphanumerics, kana, Greek, Cyrillic and level-1 kanji
    (rows 1–47, about 3,500 characters). Deriving the fonts for these as well as for the
    book's own characters keeps them, and every page laid out in them, unchanged by an edit
    that uses a character the book had not used before (writers/pdf/parts.py reuses pages)."""
    characters = []
    for row in range(0xA1, 0xD0):
        for cell in range(0xA1, 0xFF):
            try:
                characters.append(bytes([row, cell]).decode("euc_jp"))
            except UnicodeDecodeError:
                pass  # an unassigned cell
    return "".join(characters)


# Tate-chu-yoko cells derived whatever the book holds, for the same reason: every number up to
# three digits (note numbers among them) and the paired marks.
COMMON_TCY_STRINGS = frozenset([str(n) for n in range(1000)] + [f"{n:02d}" for n in range(10)] + ["!!", "!?", "?!", "??"])

Transform = tuple[float, float, float, float, float, float]  # a b c d e f: x' = a·x + c·y + e
_IDENTITY: Transform = (1, 0, 0, 1, 0, 0)


class FontDerivationError(Exception):
    """The source font cannot be turned into a vertical-frame font."""


def derive_vertical_font(
    source_font: Path,
    text: str,
    cache_dir: Path,
    family_name: str,
    font_number: int = 0,
    *,
    tighten_punctuation: bool = True,
    tcy_strings: Iterable[str] = (),
) -> Path:
    """Return the path of the derived vertical-frame font for ``text``, building it if needed.

    ``source_font`` is an OpenType font or collection (``font_number`` picks the face:
    Noto Serif CJK JP is face 0 of NotoSerifCJK-Regular.ttc). Characters of ``text``
    that the source font lacks are left out (the caller checks coverage and reports
    tofu); the result is an ``.otf`` (CFF) in ``cache_dir`` whose name is a hash of
    everything it depends on, so an existing file is returned without work.

    ``tcy_strings`` are the tate-chu-yoko strings of the document (``12``, ``!?``, the
    ``123`` of an author's ``^123^``): each one of 1–3 characters the source font covers
    gets a glyph of its own, reached through the discretionary ``dlig`` feature (see
    :func:`tate_chu_yoko_layout`). Longer strings are ignored.
    """
    source_font = Path(source_font)
    cache_dir = Path(cache_dir)
    tcy = sorted({s for s in tcy_strings if 1 <= len(s) <= TCY_MAX_LENGTH})
    characters = "".join(sorted(set(text) | BASE_CHARACTERS | set("".join(tcy))))
    key = {
        "format": FORMAT_VERSION,
        "source_sha256": _file_sha256(source_font, cache_dir),
        "font_number": font_number,
        "family_name": family_name,
        "orientation_data": data_version(),
        "tighten_punctuation": tighten_punctuation,
        "characters": characters,
        "tcy_strings": tcy,
    }
    return cached_font(cache_dir, VERTICAL_FONT_PREFIX, key, lambda digest: _build_font(
        source_font, font_number, characters, family_name, digest, tighten_punctuation, tcy))


def derived_collection(faces: list[Path], cache_dir: Path, prefix: str = VERTICAL_FONT_PREFIX) -> Path:
    """One collection (.ttc) of derived faces (vertical or punctuation: the faces of an author's
    collection), fontconfig picking from it by weight and style as from the author's."""
    from fontTools.ttLib import TTCollection

    def build(digest: str) -> TTCollection:
        collection = TTCollection()
        collection.fonts = [TTFont(face) for face in faces]
        return collection

    return cached_font(cache_dir, prefix, {"format": FORMAT_VERSION, "faces": [f.name for f in faces]}, build,
                       suffix=".ttc")


def cached_font(cache_dir: Path, prefix: str, key: dict, build: Callable[[str], TTFont], suffix: str = ".otf") -> Path:
    """The font file in ``cache_dir`` named by a hash of ``key`` (everything the font depends
    on); ``build(digest)`` makes the font (or a collection) when there is none yet."""
    digest = hashlib.sha256(
        json.dumps(key, ensure_ascii=True, sort_keys=True).encode("ascii")
    ).hexdigest()
    fonts, name = Cache(cache_dir), f"{prefix}-{digest[:32]}"
    found = fonts.get_file(name, suffix.lstrip("."))  # a truncated or damaged font is derived again
    if found is not None:
        return found

    font = build(digest)
    # The font keeps its source's head.modified: a saved font otherwise takes the time of
    # saving (or SOURCE_DATE_EPOCH), and a cached font would carry the date of the first build.
    for member in getattr(font, "fonts", [font]):
        member.recalcTimestamp = False
    stream = io.BytesIO()
    font.save(stream)
    return fonts.put_file(name, suffix.lstrip("."), lambda path: path.write_bytes(stream.getvalue()))


# --------------------------------------------------------------------------- cache key

_source_hashes: dict[tuple[str, int, int], str] = {}
SOURCE_DIGESTS = "source-digests"  # the slot of source-digests.json in the fonts' cache


def _file_sha256(path: Path, cache_dir: Path | None = None) -> str:
    # Hashing the 26 MB Noto Serif CJK collection takes ~20 ms, and every build derives five
    # faces: remember the digest per (path, size, mtime) in this process and in ``cache_dir``.
    stat = path.stat()
    memo_key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if memo_key in _source_hashes:
        return _source_hashes[memo_key]
    stored: dict = {}
    if cache_dir is not None:
        try:
            stored = json.loads(Cache(cache_dir).get(SOURCE_DIGESTS, "json") or b"{}")
        except ValueError:
            stored = {}
        known = stored.get(memo_key[0])
        if isinstance(known, list) and known[:2] == [stat.st_size, stat.st_mtime_ns]:
            _source_hashes[memo_key] = known[2]
            return known[2]
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    _source_hashes[memo_key] = digest.hexdigest()
    if cache_dir is not None:
        stored[memo_key[0]] = [stat.st_size, stat.st_mtime_ns, digest.hexdigest()]
        Cache(cache_dir).put(SOURCE_DIGESTS, json.dumps(stored), "json")
    return _source_hashes[memo_key]


# --------------------------------------------------------------------------- building


@dataclass(frozen=True)
class _OutputGlyph:
    name: str
    source: str  # glyph name in the source font (after vert substitution)
    rotated: bool


def _build_font(
    source_path: Path, font_number: int, characters: str, family_name: str, digest: str, tighten: bool,
    tcy_strings: Iterable[str] = (),
) -> TTFont:
    # Lazy: of a 65,535-glyph collection only the glyphs in use are ever read.
    with TTFont(source_path, fontNumber=font_number, lazy=True) as source:
        return _derive(source, source_path, characters, family_name, digest, tighten, tcy_strings)


def _derive(source: TTFont, source_path: Path, characters: str, family_name: str, digest: str,
            tighten: bool, tcy_strings: Iterable[str] = ()) -> TTFont:
    """The vertical-frame font of ``characters``: the glyph each character shows in vertical text,
    turned where it must be; the half-width punctuation glyphs (when ``tighten``); one glyph per
    tate-chu-yoko string; and the font's tables, set up from the source's."""
    if "CFF " not in source and "glyf" not in source and "CFF2" not in source:
        raise FontDerivationError(f"{source_path}: no outlines (neither CFF nor glyf)")
    glyph_for_character = _glyphs_for_characters(source, characters)
    output_glyphs = _output_glyphs(source, glyph_for_character)
    frame = _FrameDrawing(source)
    for glyph in output_glyphs:
        frame.add_glyph(glyph.name, glyph.source, *frame.placement(glyph))
    output_names = {(g.source, g.rotated): g.name for g in output_glyphs}
    character_map = {cp: output_names[choice] for cp, choice in glyph_for_character.items()}
    halves, reduced = _draw_half_width_punctuation(source, frame, output_glyphs, character_map) if tighten else ((), ())
    tcy_inputs = _draw_tate_chu_yoko_glyphs(source, frame, tcy_strings, character_map)
    glyph_order = [g.name for g in output_glyphs] + [h.name for h in halves + reduced] + list(tcy_inputs.values())
    return _assemble_font(source, family_name, digest, frame, glyph_order, character_map, (halves, reduced),
                          tcy_inputs)


def _glyphs_for_characters(source: TTFont, characters: str) -> dict[int, tuple[str, bool]]:
    """Which glyph each character shows, and whether it is turned. A glyph can be needed both
    ways (U+3000 and U+2003 share one in Noto CJK), so the output glyph is keyed by (source
    glyph, rotated) and turned glyphs get their own names."""
    cmap = source.getBestCmap()
    vertical_alternates = vertical_substitutions(source)
    glyph_for_character: dict[int, tuple[str, bool]] = {}
    for character in characters:
        code_point = ord(character)
        if code_point not in cmap:
            continue
        glyph = cmap[code_point]
        orientation = vertical_orientation(character)
        if orientation == "R":
            glyph_for_character[code_point] = (glyph, False)
        elif glyph in vertical_alternates:
            glyph_for_character[code_point] = (vertical_alternates[glyph], True)
        elif orientation == "Tr":  # no vertical form: UAX #50 falls back to rotated
            glyph_for_character[code_point] = (glyph, False)
        else:
            glyph_for_character[code_point] = (glyph, True)
    return glyph_for_character


def _output_glyphs(source: TTFont, glyph_for_character: dict[int, tuple[str, bool]]) -> list[_OutputGlyph]:
    """The output font's glyphs, .notdef first, in the source's order (a turned glyph after the upright one)."""
    source_order = {name: index for index, name in enumerate(source.getGlyphOrder())}
    wanted = {(".notdef", False), *glyph_for_character.values()}
    return [
        _OutputGlyph(f"{name}.rot" if rotated else name, name, rotated)
        for name, rotated in sorted(wanted, key=lambda item: (source_order[item[0]], item[1]))
    ]


class _FrameDrawing:
    """Source glyphs drawn into the output font's frame, and what was drawn, by output glyph
    name: CFF charstrings, (advance, left side bearing) and ink bounds."""

    def __init__(self, source: TTFont):
        self.source = source
        self.units_per_em = source["head"].unitsPerEm
        self.em_bottom = _ideographic_em_box_bottom(source)
        self.em_centre = self.em_bottom + self.units_per_em / 2
        self.horizontal_metrics = source["hmtx"].metrics
        self.vertical_metrics = source["vmtx"].metrics if "vmtx" in source else {}
        self.draw = _outline_writer(source)
        self.char_strings: dict[str, T2CharString] = {}
        self.metrics: dict[str, tuple[int, int]] = {}
        self.bounds: dict[str, tuple[float, float, float, float] | None] = {}

    def vertical_origin_y(self, glyph_name: str) -> float:
        if "VORG" in self.source:
            vorg = self.source["VORG"]
            return vorg.VOriginRecords.get(glyph_name, vorg.defaultVertOriginY)
        if glyph_name in self.vertical_metrics:
            # OpenType's rule without VORG: the glyph's top plus its top side bearing.
            _, ink = self.draw(glyph_name, _IDENTITY, None)
            if ink:
                return self.vertical_metrics[glyph_name][1] + ink[3]
        return self.em_bottom + self.units_per_em  # nothing better: the ideographic em box top

    def placement(self, glyph: _OutputGlyph) -> tuple[int, Transform]:
        """The glyph's advance and the transform that draws it in the frame."""
        horizontal_advance = self.horizontal_metrics[glyph.source][0]
        if glyph.rotated:
            advance = self.vertical_metrics.get(glyph.source, (self.units_per_em, 0))[0]
            return advance, (0, 1, -1, 0, self.vertical_origin_y(glyph.source),
                             self.em_centre - horizontal_advance / 2)
        return horizontal_advance, _IDENTITY

    def add_glyph(self, name: str, source_glyph: str, advance: int, transform: Transform) -> None:
        width_argument = None if advance == self.units_per_em else advance  # defaultWidthX is the em; nominalWidthX 0
        bytecode, bounds = self.draw(source_glyph, transform, width_argument)
        self.add_drawn(name, bytecode, bounds, advance)

    def add_drawn(self, name: str, bytecode, bounds, advance: int) -> None:
        self.char_strings[name] = T2CharString(bytecode=bytecode)
        self.bounds[name] = bounds
        self.metrics[name] = (advance, math.floor(bounds[0]) if bounds else 0)


def _draw_half_width_punctuation(source: TTFont, frame: _FrameDrawing, output_glyphs: list[_OutputGlyph],
                                 character_map: dict[int, str]) -> tuple:
    """Punctuation compression: each turned mark with a blank half gets a glyph without it,
    and the reducible ones the glyphs of a push-in's steps, drawn moved back by what its start
    loses (in the frame, the column runs along +x); returns (the half glyphs, the reduced ones)."""
    spaces = punctuation_spaces(single_adjustments(source, "vhal"), "vhal")
    # A mark set sideways (；, which has no vertical form) runs along the column as it runs along
    # a horizontal line: its blank is the horizontal one.
    sideways = punctuation_spaces(single_adjustments(source, "halt"), "halt")
    by_name = {g.name: g for g in output_glyphs}
    marks = {}
    for character in MARKS:
        name = character_map.get(ord(character))
        if name is not None:
            glyph = by_name[name]
            marks[character] = (name, (spaces if glyph.rotated else sideways).get(glyph.source))
    halves, reduced = half_glyphs(marks), reduced_glyphs(marks)
    for half in halves + reduced:
        advance, (a, b, c, d, e, f) = frame.placement(by_name[half.glyph])
        frame.add_glyph(half.name, by_name[half.glyph].source, advance - half.cut.leading - half.cut.trailing,
                        (a, b, c, d, e - half.cut.leading, f))
    return halves, reduced


def _draw_tate_chu_yoko_glyphs(source: TTFont, frame: _FrameDrawing, tcy_strings: Iterable[str],
                               character_map: dict[int, str]) -> dict[tuple[str, ...], str]:
    """Tate-chu-yoko: one turned glyph per string the font covers, drawn into ``frame``; returns
    {the string's glyphs: the glyph that replaces them}."""
    tcy_glyphs = tate_chu_yoko_layout(source, [s for s in tcy_strings if all(ord(c) in character_map for c in s)])
    tcy_inputs: dict[tuple[str, ...], str] = {}
    recordings: dict[str, RecordingPen] = {}
    for string, placements in tcy_glyphs.items():
        name = "tcy." + "_".join(f"{ord(c):04X}" for c in string)
        inputs = tuple(character_map[ord(c)] for c in string)
        if inputs in tcy_inputs:  # two strings with the same glyphs (shared glyphs): one is enough
            continue
        tcy_inputs[inputs] = name
        bytecode, bounds = _draw_tate_chu_yoko(source, placements, frame.units_per_em, frame.em_bottom,
                                               frame.units_per_em, recordings)
        frame.add_drawn(name, bytecode, bounds, frame.units_per_em)
    return tcy_inputs


def _assemble_font(source: TTFont, family_name: str, digest: str, frame: _FrameDrawing, glyph_order: list[str],
                   character_map: dict[int, str], punctuation: tuple, tcy_inputs: dict[tuple[str, ...], str]) -> TTFont:
    """The CFF font of the drawn glyphs, its tables set up from the source's, with the features
    that reach the half-width and reduced punctuation (``punctuation``: their glyphs) and the
    tate-chu-yoko glyphs."""
    builder = FontBuilder(frame.units_per_em, isTTF=False)
    builder.font.recalcBBoxes = False  # bounds are known already; recomputing redraws every glyph
    builder.setupGlyphOrder(glyph_order)
    builder.setupCharacterMap(character_map)
    names = _name_strings(source, family_name, digest)
    font_bounds = _union_bounds(b for b in frame.bounds.values() if b)
    builder.setupCFF(
        names["psName"],
        {
            "FullName": names["fullName"],
            "FamilyName": family_name,
            "Weight": names["styleName"],
            "Notice": _cff_notice(source),
            "FontBBox": [round(v) for v in font_bounds],
        },
        frame.char_strings,
        {"defaultWidthX": frame.units_per_em, "nominalWidthX": 0},
    )
    builder.setupHorizontalMetrics(frame.metrics)
    _setup_tables_from_source(builder, source, frame.metrics, frame.bounds, font_bounds, frame.em_bottom)
    builder.setupNameTable(names, mac=False)
    features = half_width_features(*punctuation) + (_tate_chu_yoko_features(tcy_inputs) if tcy_inputs else "")
    if features:
        builder.addOpenTypeFeatures(LANGUAGE_SYSTEMS + features, tables={"GSUB"})
    return builder.font


# The scripts a Japanese text's glyphs are shaped as (Pango gives 「」 their neighbours' script).
LANGUAGE_SYSTEMS = ("languagesystem DFLT dflt;\nlanguagesystem hani dflt;\nlanguagesystem kana dflt;\n"
                    "languagesystem latn dflt;\n")


def single_adjustments(font: TTFont, feature_tag: str) -> list:
    """The single adjustment subtables (GPOS lookup type 1) of one feature, for Japanese."""
    if "GPOS" not in font:
        return []
    gpos = font["GPOS"].table
    return [subtable for index in _feature_lookups(gpos, feature_tag)
            for subtable in _type1_subtables(gpos.LookupList.Lookup[index], extension_type=9)]


def vertical_substitutions(font: TTFont) -> dict[str, str]:
    """Glyph → vertical alternate, from the ``vert`` feature (``vrt2`` if there is no
    ``vert``), for the language system a Japanese text would use."""
    return single_substitutions(font, ("vert", "vrt2"))


def single_substitutions(font: TTFont, feature_tags: tuple[str, ...]) -> dict[str, str]:
    """Glyph → alternate from the first of ``feature_tags`` the font has (its single
    substitutions only), for the language system a Japanese text would use."""
    if "GSUB" not in font:
        return {}
    gsub = font["GSUB"].table
    for feature_tag in feature_tags:
        lookup_indices = _feature_lookups(gsub, feature_tag)
        if lookup_indices:
            break
    else:
        return {}
    # Lookups apply one after another in lookup-list order, as a shaper applies them.
    substitutions: dict[str, str] = {}
    for lookup_index in sorted(lookup_indices):
        lookup = gsub.LookupList.Lookup[lookup_index]
        mapping: dict[str, str] = {}
        for subtable in _type1_subtables(lookup, extension_type=7):
            for glyph, alternate in subtable.mapping.items():
                mapping.setdefault(glyph, alternate)  # first subtable that covers a glyph wins
        for glyph, current in list(substitutions.items()):
            if current in mapping:
                substitutions[glyph] = mapping[current]
        for glyph, alternate in mapping.items():
            substitutions.setdefault(glyph, alternate)
    return {glyph: alternate for glyph, alternate in substitutions.items() if glyph != alternate}


def _type1_subtables(lookup, extension_type: int):
    """A lookup's type-1 subtables (single substitution in GSUB, single adjustment in GPOS),
    unwrapping extension subtables (type 7 in GSUB, 9 in GPOS)."""
    for subtable in lookup.SubTable:
        if lookup.LookupType == extension_type:
            if subtable.ExtensionLookupType != 1:
                continue
            subtable = subtable.ExtSubTable
        elif lookup.LookupType != 1:
            continue
        yield subtable


def _feature_lookups(table, feature_tag: str) -> list[int]:
    """Lookup indices of one feature for Japanese: script hani/kana/DFLT, language JAN."""
    scripts = {record.ScriptTag: record.Script for record in table.ScriptList.ScriptRecord}
    for script_tag in ("hani", "kana", "DFLT", *scripts):
        script = scripts.get(script_tag)
        if script is None:
            continue
        language_system = script.DefaultLangSys
        for record in script.LangSysRecord:
            if record.LangSysTag == "JAN ":
                language_system = record.LangSys
        if language_system is None:
            continue
        lookups: list[int] = []
        for feature_index in language_system.FeatureIndex:
            record = table.FeatureList.FeatureRecord[feature_index]
            if record.FeatureTag == feature_tag:
                lookups.extend(record.Feature.LookupListIndex)
        return lookups
    return []


def _ideographic_em_box_bottom(font: TTFont) -> int:
    """The ideographic em box's bottom edge: BASE ``ideo``, else the OS/2 typo descender of a
    CJK font (one with vertical metrics), else the CJK convention of −0.12 em, so that a
    symbol font's glyphs centre on the same column line as the kanji beside them."""
    if "BASE" in font:
        axis = font["BASE"].table.HorizAxis
        if axis and axis.BaseTagList and axis.BaseScriptList:
            tags = axis.BaseTagList.BaselineTag
            if "ideo" in tags:
                scripts = {r.BaseScriptTag: r.BaseScript for r in axis.BaseScriptList.BaseScriptRecord}
                for script_tag in ("hani", "kana", "DFLT", *scripts):
                    script = scripts.get(script_tag)
                    if script is not None and script.BaseValues:
                        return script.BaseValues.BaseCoord[tags.index("ideo")].Coordinate
    if "vmtx" in font or "VORG" in font:
        return font["OS/2"].sTypoDescender
    return round(-0.12 * font["head"].unitsPerEm)


# --------------------------------------------------------------------------- names and tables


def _name_strings(source: TTFont, family_name: str, digest: str) -> dict[str, str]:
    name_table = source["name"]
    style = name_table.getDebugName(17) or name_table.getDebugName(2) or "Regular"
    ps_family = re.sub(r"[^A-Za-z0-9]", "", family_name) or "Vertical"
    ps_name = f"{ps_family}-{re.sub(r'[^A-Za-z0-9]', '', style) or 'Regular'}"[:63]
    names = {
        "familyName": family_name,
        "styleName": style,
        "typographicFamily": family_name,
        "typographicSubfamily": style,
        "uniqueFontIdentifier": f"{ps_name};{digest[:16]}",
        "fullName": family_name if style == "Regular" else f"{family_name} {style}",
        "psName": ps_name,
        "description": (
            f"Derived from {name_table.getDebugName(4)} by reportpub for vertical setting "
            "on a turned page: upright glyphs are rotated 90° counter-clockwise."
        ),
    }
    # The source's licence and credits travel with the derived font (the OFL asks for it).
    for name_id, key in ((0, "copyright"), (5, "version"), (7, "trademark"), (8, "manufacturer"),
                         (9, "designer"), (11, "vendorURL"), (12, "designerURL"),
                         (13, "licenseDescription"), (14, "licenseInfoURL")):
        value = name_table.getDebugName(name_id)
        if value:
            names[key] = value
    return names


def _cff_notice(source: TTFont) -> str:
    copyright_notice = source["name"].getDebugName(0) or ""
    return copyright_notice.encode("latin-1", "replace").decode("latin-1")


def _setup_tables_from_source(builder, source, metrics, bounds_by_glyph, font_bounds, em_bottom: int | None) -> None:
    """head, hhea, OS/2, post and maxp from the source's. With ``em_bottom``, the line box is
    the ideographic em box (the turned frame); with None, the source's own line metrics (a
    font set beside the source must not change its lines' height)."""
    font = builder.font
    source_head, source_hhea, source_os2 = source["head"], source["hhea"], source["OS/2"]
    units_per_em = source_head.unitsPerEm
    builder.setupHead(
        unitsPerEm=units_per_em,
        fontRevision=source_head.fontRevision,
        # The source's dates, not today's: the same inputs must give the same bytes.
        created=source_head.created,
        modified=source_head.modified,
        macStyle=source_head.macStyle,
        lowestRecPPEM=source_head.lowestRecPPEM,
        flags=source_head.flags,
        xMin=round(font_bounds[0]), yMin=round(font_bounds[1]),
        xMax=round(font_bounds[2]), yMax=round(font_bounds[3]),
    )
    # The frame's line box is the ideographic em box: the turned glyphs fill it exactly,
    # so with these ascent/descent half-leading centres every column on its line pitch.
    if em_bottom is None:
        ascent, descent, line_gap = source_hhea.ascent, source_hhea.descent, source_hhea.lineGap
        typo = source_os2.sTypoAscender, source_os2.sTypoDescender, source_os2.sTypoLineGap
        win = source_os2.usWinAscent, source_os2.usWinDescent
        selection = source_os2.fsSelection
    else:
        ascent, descent, line_gap = em_bottom + units_per_em, em_bottom, 0
        typo = ascent, descent, 0
        win = max(ascent, math.ceil(font_bounds[3])), max(-descent, -math.floor(font_bounds[1]))
        selection = source_os2.fsSelection | (1 << 7)  # USE_TYPO_METRICS: the em box
    right_bearings = [advance - bounds[2] for name, (advance, _) in metrics.items()
                      if (bounds := bounds_by_glyph[name])]
    builder.setupHorizontalHeader(
        ascent=ascent,
        descent=descent,
        lineGap=line_gap,
        advanceWidthMax=max(advance for advance, _ in metrics.values()),
        minLeftSideBearing=min((lsb for name, (_, lsb) in metrics.items() if bounds_by_glyph[name]), default=0),
        minRightSideBearing=math.floor(min(right_bearings, default=0)),
        xMaxExtent=math.ceil(max((b[2] for b in bounds_by_glyph.values() if b), default=0)),
        caretSlopeRise=source_hhea.caretSlopeRise,
        caretSlopeRun=source_hhea.caretSlopeRun,
    )
    builder.setupOS2(
        version=max(4, source_os2.version),  # bit 7 of fsSelection needs version 4
        usWeightClass=source_os2.usWeightClass,
        usWidthClass=source_os2.usWidthClass,
        fsType=source_os2.fsType,
        achVendID=source_os2.achVendID,
        panose=source_os2.panose,
        fsSelection=selection,
        sTypoAscender=typo[0],
        sTypoDescender=typo[1],
        sTypoLineGap=typo[2],
        usWinAscent=win[0],
        usWinDescent=win[1],
        sxHeight=getattr(source_os2, "sxHeight", 0),
        sCapHeight=getattr(source_os2, "sCapHeight", 0),
        ulCodePageRange1=source_os2.ulCodePageRange1,
        ulCodePageRange2=source_os2.ulCodePageRange2,
        ySubscriptXSize=source_os2.ySubscriptXSize, ySubscriptYSize=source_os2.ySubscriptYSize,
        ySubscriptXOffset=source_os2.ySubscriptXOffset, ySubscriptYOffset=source_os2.ySubscriptYOffset,
        ySuperscriptXSize=source_os2.ySuperscriptXSize, ySuperscriptYSize=source_os2.ySuperscriptYSize,
        ySuperscriptXOffset=source_os2.ySuperscriptXOffset,
        ySuperscriptYOffset=source_os2.ySuperscriptYOffset,
        yStrikeoutSize=source_os2.yStrikeoutSize, yStrikeoutPosition=source_os2.yStrikeoutPosition,
    )
    os2 = font["OS/2"]
    os2.updateFirstAndLastCharIndex(font)
    os2.recalcUnicodeRanges(font)
    os2.recalcAvgCharWidth(font)
    source_post = source["post"]
    builder.setupPost(
        keepGlyphNames=False,
        italicAngle=source_post.italicAngle,
        underlinePosition=source_post.underlinePosition,
        underlineThickness=source_post.underlineThickness,
        isFixedPitch=source_post.isFixedPitch,
    )
    builder.setupMaxp()


def _union_bounds(bounds: Iterable[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    x_min = y_min = math.inf
    x_max = y_max = -math.inf
    for b in bounds:
        x_min, y_min = min(x_min, b[0]), min(y_min, b[1])
        x_max, y_max = max(x_max, b[2]), max(y_max, b[3])
    return (0, 0, 0, 0) if x_min == math.inf else (x_min, y_min, x_max, y_max)


# --------------------------------------------------------------------------- tate-chu-yoko

TCY_MAX_LENGTH = 3
TCY_FEATURE = "dlig"  # discretionary: HarfBuzz (so Pango, WeasyPrint) applies it only when asked


@dataclass(frozen=True)
class TcyPlacement:
    """One character of a tate-chu-yoko cell, in horizontal design space before the turn."""

    glyph: str     # source glyph: the half-width form (full-width for a lone character)
    x: float       # left edge of the drawn glyph in the cell, font units
    scale: float   # horizontal scale (< 1 when the glyph is wider than its share of the em)


def tate_chu_yoko_layout(font: TTFont, strings: Iterable[str]) -> dict[str, list[TcyPlacement]]:
    """How each string is set across one em: its characters side by side, each in an
    equal share of the em and centred in it.

    Two or three characters take their half-width forms (``hwid``: Noto CJK has one for
    every ASCII digit, letter and for ``!`` ``?``, 500 units wide) or, without one, their
    proportional forms; a glyph wider than its share (a half-width digit in a three-digit
    cell, a full-width character) is compressed horizontally to fit it. A lone
    character takes its full-width form (``fwid``) when there is one, as JLREQ sets a
    single digit. Strings with a character the font lacks are left out.
    """
    cmap = font.getBestCmap()
    units_per_em = font["head"].unitsPerEm
    metrics = font["hmtx"].metrics
    half_width = single_substitutions(font, ("hwid",))
    full_width = single_substitutions(font, ("fwid",))
    layouts: dict[str, list[TcyPlacement]] = {}
    for string in strings:
        if not 1 <= len(string) <= TCY_MAX_LENGTH or any(ord(c) not in cmap for c in string):
            continue
        share = units_per_em / len(string)
        forms = full_width if len(string) == 1 else half_width
        placements = []
        for index, character in enumerate(string):
            glyph = cmap[ord(character)]
            glyph = forms.get(glyph, glyph)
            width = metrics[glyph][0]
            scale = min(1.0, share / width) if width > 0 else 1.0
            placements.append(TcyPlacement(glyph, index * share + (share - width * scale) / 2, scale))
        layouts[string] = placements
    return layouts


def _draw_tate_chu_yoko(source: TTFont, placements: list[TcyPlacement], units_per_em: int, em_bottom: float,
                        default_width: int, recordings: dict[str, RecordingPen],
                        ) -> tuple[bytes, tuple[float, float, float, float] | None]:
    """One cell's charstring: the placed glyphs drawn in a horizontal em, then turned as
    every upright glyph is (the em box's top edge to the start of the advance, its
    horizontal extent onto the column's width), so the page's turn shows them reading
    left to right across the column. Through pens: only a few cells per document, and
    ``recordings`` keeps each source outline decoded once per build."""
    width = None if units_per_em == default_width else units_per_em
    pen = T2CharStringPen(width, None)
    bounds_pen = BoundsPen(None)
    em_top = em_bottom + units_per_em
    for placement in placements:
        recording = recordings.get(placement.glyph)
        if recording is None:
            recording = recordings[placement.glyph] = RecordingPen()
            source.getGlyphSet()[placement.glyph].draw(recording)
        # (X, Y) → scaled and placed (s·X + x, Y) → turned (em_top − Y, s·X + x + em_bottom)
        transform = (0, placement.scale, -1, 0, em_top, placement.x + em_bottom)
        recording.replay(TransformPen(pen, transform))
        recording.replay(TransformPen(bounds_pen, transform))
    char_string = pen.getCharString()
    char_string.compile()
    return char_string.bytecode, bounds_pen.bounds


def _tate_chu_yoko_features(cells: dict[tuple[str, ...], str]) -> str:
    """Map each tate-chu-yoko string's glyphs to its cell under :data:`TCY_FEATURE`: a
    ligature for two or three characters (the shaper's cluster keeps the text, so a PDF
    maps the one glyph back to ``12``), a single substitution for one."""
    ligatures = sorted((inputs, name) for inputs, name in cells.items() if len(inputs) > 1)
    singles = sorted((inputs, name) for inputs, name in cells.items() if len(inputs) == 1)
    lookups = []
    if ligatures:
        rules = "\n".join(f"    sub {' '.join(inputs)} by {name};" for inputs, name in ligatures)
        lookups.append(f"lookup tate_chu_yoko_cells {{\n{rules}\n}} tate_chu_yoko_cells;\n")
    if singles:
        rules = "\n".join(f"    sub {inputs[0]} by {name};" for inputs, name in singles)
        lookups.append(f"lookup tate_chu_yoko_single {{\n{rules}\n}} tate_chu_yoko_single;\n")
    names = [lookup.split()[1] for lookup in lookups]
    return ("".join(lookups)
            + f"feature {TCY_FEATURE} {{\n" + "".join(f"    lookup {n};\n" for n in names) + f"}} {TCY_FEATURE};\n")


# --------------------------------------------------------------------------- outlines

OutlineWriter = Callable[[str, Transform, "int | None"], "tuple[bytes, tuple[float, float, float, float] | None]"]


def _outline_writer(source: TTFont) -> OutlineWriter:
    """A function (glyph, transform, width) → (Type 2 charstring bytes, bounds)."""
    if "CFF " in source:
        return _CharStringTranscoder(source["CFF "].cff).transcode
    return _pen_writer(source)


def _pen_writer(source: TTFont) -> OutlineWriter:
    # The general but slow path (TrueType or CFF2 outlines): draw through pens.
    glyph_set = source.getGlyphSet()

    def write(glyph_name, transform, width):
        pen = T2CharStringPen(width, glyph_set)
        bounds_pen = BoundsPen(glyph_set)
        glyph_set[glyph_name].draw(TransformPen(pen, transform))
        glyph_set[glyph_name].draw(TransformPen(bounds_pen, transform))
        char_string = pen.getCharString()
        char_string.compile()
        return char_string.bytecode, bounds_pen.bounds

    return write


class _UnsupportedCharString(Exception):
    """An operator the fast path does not handle; the glyph goes the pen path."""


# Pre-encoded small integers: almost every number in a CJK charstring is in this range.
_ENCODED_INTEGERS = {value: encodeIntT2(value) for value in range(-2048, 2049)}
_ENCODED = _ENCODED_INTEGERS.__getitem__

_RMOVETO, _ENDCHAR = bytes([21]), bytes([14])
_VVCURVETO, _HHCURVETO, _VHCURVETO, _HVCURVETO = bytes([26]), bytes([27]), bytes([30]), bytes([31])

_QUARTER_TURN = (0, 1, -1, 0)  # the linear part of the counter-clockwise turn: (x, y) → (−y, x)
_NO_TURN = (1, 0, 0, 1)


def _encode_number(value: float) -> bytes:
    if value == int(value):
        return _ENCODED_INTEGERS.get(int(value)) or encodeIntT2(int(value))
    return encodeFixed(value)


def _encode(numbers: list[float]) -> bytes:
    try:
        return b"".join(map(_ENCODED, numbers))
    except KeyError:  # a large or fractional number somewhere: the slow, general way
        return b"".join(map(_encode_number, numbers))


def _turn_pairs(numbers: list[float]) -> list[float]:
    """(dx, dy, dx, dy, …) turned a quarter counter-clockwise: (−dy, dx, −dy, dx, …)."""
    turned = numbers[:]
    turned[0::2] = [-value for value in numbers[1::2]]
    turned[1::2] = numbers[0::2]
    return turned


class _CharStringTranscoder:
    """Runs Type 2 charstrings (following their subroutine calls) and writes each
    outline back out as self-contained charstring bytes, either unchanged or turned a
    quarter counter-clockwise, and moved.

    A quarter turn maps relative moves exactly — (dx, dy) → (−dy, dx), horizontal
    segments become vertical ones — so every drawing operator is rewritten in place
    (hlineto ↔ vlineto, hhcurveto ↔ vvcurveto, hvcurveto ↔ vhcurveto) with no
    rounding, and only the first moveto carries the translation. Hints are dropped:
    they would be wrong after a turn, and PDF viewers render the embedded outlines
    well without them. Bounds are the control-point bounds (a superset of the ink).
    """

    def __init__(self, cff):
        self.cff = cff
        self.char_strings = cff.topDictIndex[0].CharStrings
        self.global_subrs = cff.GlobalSubrs
        self.global_bias = _subroutine_bias(len(self.global_subrs))
        self._local_subrs_by_private: dict[int, tuple[object, int]] = {}
        self._fallback: OutlineWriter | None = None

    def transcode(self, glyph_name: str, transform: Transform, width: int | None):
        linear = tuple(transform[:4])
        if linear not in (_QUARTER_TURN, _NO_TURN):
            raise ValueError(f"only a quarter turn or no turn is supported, not {transform}")
        char_string, _ = self.char_strings.getItemAndSelector(glyph_name)
        private = char_string.private
        local = self._local_subrs_by_private.get(id(private))
        if local is None:
            subrs = getattr(private, "Subrs", None) or []
            local = (subrs, _subroutine_bias(len(subrs)))
            self._local_subrs_by_private[id(private)] = local
        run = _CharStringRun(linear == _QUARTER_TURN, transform[4], transform[5],
                             self.global_subrs, self.global_bias, *local)
        try:
            run.execute(_compiled(char_string))
        except _UnsupportedCharString:
            if self._fallback is None:
                self._fallback = _pen_writer(self.cff.otFont)
            return self._fallback(glyph_name, transform, width)
        return run.bytecode(width), run.bounds()


def _subroutine_bias(count: int) -> int:
    return 107 if count < 1240 else 1131 if count < 33900 else 32768


class _CharStringRun:
    """The state of executing one glyph's charstring (Adobe Technical Note #5177)."""

    def __init__(self, turned: bool, move_x: float, move_y: float,
                 global_subrs, global_bias: int, local_subrs, local_bias: int):
        self.turned = turned
        self.move_x, self.move_y = move_x, move_y  # the translation, added to the first moveto
        self.global_subrs, self.global_bias = global_subrs, global_bias
        self.local_subrs, self.local_bias = local_subrs, local_bias
        self.stack: list[float] = []
        self.stems = 0
        self.width_seen = False
        self.moved = False
        self.ended = False
        self.output: list[bytes] = []
        # Every point's move in source design space, for the bounds.
        self.dxs: list[float] = []
        self.dys: list[float] = []

    # ---- results

    def bytecode(self, width: int | None) -> bytes:
        head = _encode([width]) if width is not None else b""
        return head + b"".join(self.output) + _ENDCHAR

    def bounds(self) -> tuple[float, float, float, float] | None:
        if not self.dxs:
            return None
        xs = list(accumulate(self.dxs))
        ys = list(accumulate(self.dys))
        x_min, x_max, y_min, y_max = min(xs), max(xs), min(ys), max(ys)
        if self.turned:
            return (self.move_x - y_max, x_min + self.move_y, self.move_x - y_min, x_max + self.move_y)
        return (x_min + self.move_x, y_min + self.move_y, x_max + self.move_x, y_max + self.move_y)

    # ---- interpretation

    def _clear(self, expects_odd_count: bool) -> list[float]:
        """Pop the stack for a stack-clearing operator, dropping the advance width
        that may come before the first such operator's own arguments."""
        args = self.stack
        self.stack = []
        if not self.width_seen:
            self.width_seen = True
            if len(args) % 2 != expects_odd_count:
                args = args[1:]
        return args

    def execute(self, code: bytes) -> None:
        stack = self.stack
        index, length = 0, len(code)
        while index < length:
            b0 = code[index]
            if b0 >= 32:
                if b0 <= 246:
                    stack.append(b0 - 139)
                    index += 1
                elif b0 <= 250:
                    stack.append((b0 - 247) * 256 + code[index + 1] + 108)
                    index += 2
                elif b0 <= 254:
                    stack.append(-(b0 - 251) * 256 - code[index + 1] - 108)
                    index += 2
                else:
                    stack.append(struct.unpack(">i", code[index + 1:index + 5])[0] / 65536)
                    index += 5
                continue
            if b0 == 28:
                stack.append(struct.unpack(">h", code[index + 1:index + 3])[0])
                index += 3
                continue
            index += 1
            if b0 == 10:  # callsubr
                number = int(stack.pop()) + self.local_bias
                self.execute(_compiled(self.local_subrs[number]))
            elif b0 == 29:  # callgsubr
                number = int(stack.pop()) + self.global_bias
                self.execute(_compiled(self.global_subrs[number]))
            elif b0 == 11:  # return
                return
            elif b0 in (1, 3, 18, 23):  # hstem vstem hstemhm vstemhm
                self.stems += len(self._clear(False)) // 2
            elif b0 in (19, 20):  # hintmask cntrmask: arguments before them are vstems
                self.stems += len(self._clear(False)) // 2
                index += (self.stems + 7) // 8
            elif b0 == 21:  # rmoveto
                args = self._clear(False)
                self._move(args[0], args[1])
            elif b0 == 22:  # hmoveto
                self._move(self._clear(True)[0], 0)
            elif b0 == 4:  # vmoveto
                self._move(0, self._clear(True)[0])
            elif b0 == 14:  # endchar
                if len(self._clear(False)) >= 4:
                    raise _UnsupportedCharString("endchar with accent (seac) arguments")
                self.ended = True
                return
            elif b0 == 12:
                escape = code[index]
                index += 1
                args, self.stack = self.stack, []
                self._flex(escape, args)
            else:
                args, self.stack = self.stack, []
                self._draw(b0, args)
            if self.ended:
                return
            stack = self.stack

    def _move(self, dx: float, dy: float) -> None:
        self.dxs.append(dx)
        self.dys.append(dy)
        if self.turned:
            dx, dy = -dy, dx
        if not self.moved:  # relative to the origin: the place for the translation
            dx, dy = dx + self.move_x, dy + self.move_y
            self.moved = True
        self.output.append(_encode([dx, dy]) + _RMOVETO)

    def _draw(self, op: int, args: list[float]) -> None:
        output, dxs, dys, turned = self.output, self.dxs, self.dys, self.turned
        if op in (5, 8, 24, 25):  # rlineto rrcurveto rcurveline rlinecurve: (dx dy)+
            dxs.extend(args[0::2])
            dys.extend(args[1::2])
            output.append(_encode(_turn_pairs(args) if turned else args) + bytes([op]))
        elif op in (6, 7):  # hlineto vlineto: alternating horizontal and vertical lines
            horizontal_first = op == 6
            along, across = [0] * len(args), [0] * len(args)
            along[0::2], across[1::2] = args[0::2], args[1::2]
            dxs.extend(along if horizontal_first else across)
            dys.extend(across if horizontal_first else along)
            if turned:  # horizontal dx → vertical dx; vertical dy → horizontal −dy
                args = args[:]
                vertical = slice(1, None, 2) if horizontal_first else slice(0, None, 2)
                args[vertical] = [-value for value in args[vertical]]
                op = 7 if horizontal_first else 6
            output.append(_encode(args) + bytes([op]))
        elif op in (26, 27):  # vvcurveto hhcurveto
            self._draw_straight_curves(op, args)
        elif op in (30, 31):  # vhcurveto hvcurveto
            self._draw_alternating_curves(op, args)
        else:
            raise _UnsupportedCharString(f"operator {op}")

    def _draw_straight_curves(self, op: int, args: list[float]) -> None:
        # vvcurveto: dx1? {dya dxb dyb dyc}+ ; hhcurveto: dy1? {dxa dxb dyb dxc}+
        vertical = op == 26
        first = args[0] if len(args) % 4 == 1 else 0
        start = len(args) % 4
        dxs, dys = self.dxs, self.dys
        # Turned, vvcurveto's dx1 becomes hhcurveto's dy1 as is; hhcurveto's dy1
        # becomes vvcurveto's dx1 negated.
        turned_args: list[float] = ([first] if vertical else [-first]) if start else []
        for i in range(start, len(args) - 3, 4):
            a, b, c, d = args[i], args[i + 1], args[i + 2], args[i + 3]
            if vertical:
                dxs.extend((first, b, 0))
                dys.extend((a, c, d))
                turned_args.extend((-a, -c, b, -d))
            else:
                dxs.extend((a, b, d))
                dys.extend((first, c, 0))
                turned_args.extend((a, -c, b, d))
            first = 0
        if self.turned:
            self.output.append(_encode(turned_args) + (_HHCURVETO if vertical else _VVCURVETO))
        else:
            self.output.append(_encode(args) + bytes([op]))

    def _draw_alternating_curves(self, op: int, args: list[float]) -> None:
        # hvcurveto/vhcurveto: curves alternately starting horizontal and vertical; the
        # last curve may carry one extra number, its end point's other coordinate.
        horizontal = op == 31
        count = len(args)
        dxs, dys = self.dxs, self.dys
        turned_args: list[float] = []
        i = 0
        while i + 4 <= count:
            a, b, c, d = args[i], args[i + 1], args[i + 2], args[i + 3]
            extra = args[i + 4] if count - i == 5 else None
            tail = extra or 0
            if horizontal:  # (a, 0) (b, c) (tail, d)
                dxs.extend((a, b, tail))
                dys.extend((0, c, d))
                turned_args.extend((a, -c, b, -d))
                if extra is not None:
                    turned_args.append(extra)
            else:  # (0, a) (b, c) (d, tail)
                dxs.extend((0, b, d))
                dys.extend((a, c, tail))
                turned_args.extend((-a, -c, b, d))
                if extra is not None:
                    turned_args.append(-extra)
            i += 4 if extra is None else 5
            horizontal = not horizontal
        if self.turned:
            self.output.append(_encode(turned_args) + (_VHCURVETO if op == 31 else _HVCURVETO))
        else:
            self.output.append(_encode(args) + bytes([op]))

    def _flex(self, escape: int, args: list[float]) -> None:
        """Flex operators, written out as the two curves they stand for."""
        if escape == 0:  # dotsection: obsolete, does nothing
            return
        if escape == 35:  # flex
            curves = args[:12]
        elif escape == 34:  # hflex
            dx1, dx2, dy2, dx3, dx4, dx5, dx6 = args[:7]
            curves = [dx1, 0, dx2, dy2, dx3, 0, dx4, 0, dx5, -dy2, dx6, 0]
        elif escape == 36:  # hflex1
            dx1, dy1, dx2, dy2, dx3, dx4, dx5, dy5, dx6 = args[:9]
            curves = [dx1, dy1, dx2, dy2, dx3, 0, dx4, 0, dx5, dy5, dx6, -(dy1 + dy2 + dy5)]
        elif escape == 37:  # flex1
            dx = sum(args[0:10:2])
            dy = sum(args[1:10:2])
            last = [args[10], -dy] if abs(dx) > abs(dy) else [-dx, args[10]]
            curves = list(args[:10]) + last
        else:
            raise _UnsupportedCharString(f"escape operator 12 {escape}")
        self._draw(8, curves)


def _compiled(char_string) -> bytes:
    if char_string.bytecode is None:
        char_string.compile()
    return char_string.bytecode
