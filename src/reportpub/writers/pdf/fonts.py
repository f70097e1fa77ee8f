"""Fonts of a PDF joined from separately written parts: embedded once, for the whole book.

WeasyPrint subsets every font it embeds, keeping glyph ids (it addresses glyphs by id,
CIDToGIDMap /Identity). Left to itself it would subset Noto Serif CJK JP once per part
and per edition — most of the time a small part takes to write — and the joined book
would carry forty copies of each font. So, while a part is written, ``FontSources``
replaces WeasyPrint's subsetting by a placeholder for every font whose file it can name
(``deferred_embedding``, which also spares copying each font's file into every part),
and records those files; the part keeps its own widths and ToUnicode map. When the parts
are joined, ``embed_fonts`` makes one subset of each such font holding every glyph the
parts use (HarfBuzz through uharfbuzz, with WeasyPrint's own subsetting flags) and points
every part's font descriptor at it.

A font's file is the derived vertical font of its family and weight, or what fontconfig
matches for it, confirmed by comparing the file's face with the one WeasyPrint loaded.
A font whose file cannot be named is subset by WeasyPrint as usual, once per part:
larger, still correct.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import zlib
from pathlib import Path

from reportpub.cache import Cache

# Tables WeasyPrint drops from the fonts it embeds (weasyprint/pdf/fonts.py).
DROPPED_TABLES = ("BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT", "SVG ")
CFF_TAG, TRUETYPE_TAG = b"OTTO", b"\x00\x01\x00\x00"
SUBSET_FORMAT = 3  # of the cached subsets: its length (8 bytes, big-endian), then the subset deflated, as a checked entry


class FontSources:
    """Which file each font WeasyPrint uses in one writing mode comes from."""

    def __init__(self, derived: dict[tuple[str, int], Path]):
        self.derived = derived  # (CSS family, weight) → file, for the fonts reportpub made
        self._found: dict[bytes, list | None] = {}

    def source(self, font) -> list | None:
        """[file, face index] of a WeasyPrint font, or None."""
        if font.name not in self._found:
            self._found[font.name] = self._look_up(font)
        return self._found[font.name]

    def _look_up(self, font) -> list | None:
        from reportpub.diagnostics import ReportpubError
        from reportpub.typography.fonts import find_face

        path, index = self.derived.get((font.family, font.weight)), 0
        if path is None:
            try:
                face = find_face(f"{font.family}:{'bold' if font.weight >= 600 else 'regular'}")
            except ReportpubError:
                return None
            path, index = face.path, face.index
        if not path.is_file() or not _same_face(font, path, index):
            return None
        # Fonts WeasyPrint transforms before embedding (variable, colour) keep its own path.
        if "fvar" in font.tables or font.png or font.svg or font.colr:
            return None
        return [str(path), index]

    @contextlib.contextmanager
    def deferred_embedding(self):
        """While WeasyPrint writes a part: fonts with a known file get a placeholder instead of
        a subset (``embed_fonts`` embeds them when the parts are joined)."""
        from weasyprint.pdf import fonts as weasyprint_fonts
        from weasyprint.pdf.fonts import Font

        subset, read_blob = Font.subset, weasyprint_fonts.get_hb_object_data
        sources = self

        def face_blob_left_unread(hb_object, ot_color=None, glyph=None):
            # A font's whole file (megabytes for Noto CJK) is copied into each part's Font
            # only to be subset; read it only for a font WeasyPrint still subsets itself.
            return None if ot_color is None else read_blob(hb_object, ot_color, glyph)

        def placeholder_or_subset(font, to_unicode, hinting):
            if to_unicode and sources.source(font) is not None:
                # The subset's format, which decides the font dictionary WeasyPrint writes.
                font.file_content = CFF_TAG if "CFF " in font.tables else TRUETYPE_TAG
                return
            weasyprint_fonts.get_hb_object_data = read_blob
            try:
                font.file_content = read_blob(font.hb_face)
                subset(font, to_unicode, hinting)
            finally:
                weasyprint_fonts.get_hb_object_data = face_blob_left_unread

        Font.subset = placeholder_or_subset
        weasyprint_fonts.get_hb_object_data = face_blob_left_unread
        try:
            yield
        finally:
            Font.subset = subset
            weasyprint_fonts.get_hb_object_data = read_blob

    def deferred(self, document) -> dict[str, dict]:
        """The fonts ``document`` left to the joiner: {PDF font name: {"file", "index", "glyphs"}}."""
        deferred = {}
        for font in document.fonts.values():
            source = self.source(font)
            if source is not None:
                deferred[font.name.decode().lstrip("/")] = {"file": source[0], "index": source[1],
                                                            "glyphs": sorted(font.widths)}
        return deferred


def _same_face(font, path: Path, index: int) -> bool:
    """Whether WeasyPrint's font is face ``index`` of ``path``: same face index, glyph count
    and units per em."""
    import uharfbuzz as hb

    face = hb.Face(hb.Blob.from_file_path(str(path)), index)
    return index == font.index and face.upem == font.upem and face.glyph_count == font.glyph_count


def embed_fonts(document, fonts: dict[str, dict], cache_dir: Path) -> set[str]:
    """Give every font of ``fonts`` ({PDF font name: {"file", "index", "glyphs"}}, the glyphs
    of all parts) in ``document`` (a pikepdf Pdf) one embedded subset; returns the keys of
    the subsets in ``cache_dir``."""
    import pikepdf

    descriptors: dict[str, list[tuple[object, str]]] = {}
    seen = set()
    for page in document.pages:
        resources = page.obj.get("/Resources")
        if resources is None or resources.objgen in seen:  # a part's pages share their resources
            continue
        seen.add(resources.objgen)
        for font in resources.get("/Font", {}).values():
            if font.get("/Subtype") != "/Type0":
                continue
            descriptor = font.DescendantFonts[0].FontDescriptor
            key = "/FontFile3" if "/FontFile3" in descriptor else "/FontFile2"
            name = str(descriptor.FontName).lstrip("/")
            if key in descriptor and name in fonts:
                descriptors.setdefault(name, []).append((descriptor, key))
    if set(fonts) - set(descriptors):  # a placeholder left in would draw nothing: never publish that
        raise RuntimeError(f"fonts left to the joiner but not found in the joined PDF: {sorted(set(fonts) - set(descriptors))}")
    used = set()
    for name, members in descriptors.items():
        path, index, glyphs = Path(fonts[name]["file"]), fonts[name]["index"], frozenset(fonts[name]["glyphs"])
        used.add(subset_key(path, index, glyphs))
        compressed, length = subset_font(path, index, glyphs, cache_dir)
        descriptor, key = members[0]
        stream = pikepdf.Stream(document, b"")
        stream.write(compressed, filter=pikepdf.Name.FlateDecode)
        if "/Subtype" in descriptor[key]:
            stream.Subtype = descriptor[key].Subtype
        if key == "/FontFile2":
            stream.Length1 = length
        for descriptor, key in members:
            descriptor[key] = stream  # the part's placeholder is no longer referenced, and not saved
    return used


@functools.lru_cache(maxsize=16)  # the reader and print editions of a mode share their fonts
def subset_font(path: Path, index: int, glyphs: frozenset[int], cache_dir: Path) -> tuple[bytes, int]:
    """The font at ``path`` (face ``index``) cut to ``glyphs``, keeping glyph ids, as
    WeasyPrint subsets: outlines desubroutinized, layout tables dropped, no hinting. Returns
    (the subset deflated, its length). Kept in ``cache_dir``: an edit seldom changes the
    glyphs a book uses."""
    subsets, key = Cache(cache_dir), subset_key(path, index, glyphs)
    stored = subsets.get(key, "font")  # None when missing or damaged
    if stored is not None:
        return stored[8:], int.from_bytes(stored[:8], "big")
    data = _harfbuzz_subset(path, index, glyphs)
    if data is None:
        raise RuntimeError(f"HarfBuzz cannot subset {path}")
    compressed = zlib.compress(data)
    subsets.put(key, len(data).to_bytes(8, "big") + compressed, "font")
    return compressed, len(data)


def subset_key(path: Path, index: int, glyphs: frozenset[int]) -> str:
    """A subset's key in the cache: a digest of the font file and the glyphs."""
    stat = path.stat()
    identity = f"{SUBSET_FORMAT}|{path}|{index}|{stat.st_size}|{stat.st_mtime_ns}|{sorted(glyphs)}"
    return hashlib.sha256(identity.encode()).hexdigest()[:32]


def _harfbuzz_subset(path: Path, index: int, glyphs: frozenset[int]) -> bytes | None:
    import uharfbuzz as hb

    if not glyphs:
        return None
    face = hb.Face(hb.Blob.from_file_path(str(path)), index)
    kept = hb.SubsetInput()
    kept.glyph_set.update(glyphs | {0})
    kept.drop_table_tag_set.update(int.from_bytes(tag.encode("ascii"), "big") for tag in DROPPED_TABLES)
    kept.flags = hb.SubsetFlags.RETAIN_GIDS | hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED | hb.SubsetFlags.DESUBROUTINIZE
    subset = hb.subset(face, kept)
    if subset is None:
        return None
    # Second pass, as WeasyPrint: drop the empty glyphs after the last one used.
    trimmed = hb.SubsetInput()
    trimmed.glyph_set.add_range(0, max(glyphs))
    trimmed.flags = hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED | hb.SubsetFlags.DESUBROUTINIZE | hb.SubsetFlags.NO_HINTING
    result = hb.subset(subset, trimmed)
    return result.blob.data if result is not None else None
