"""One embedded copy of each font in a PDF joined from separately written parts.

Each part WeasyPrint writes embeds its own subset of every font it uses. Joined as they
are, a forty-chapter book would carry forty copies of Noto Serif CJK JP. WeasyPrint
subsets keeping glyph ids (and addresses glyphs by id, CIDToGIDMap /Identity), so the
parts' subsets of one font are interchangeable with a single subset holding the union of
their glyphs. ``share_fonts`` makes that subset from the original font file (HarfBuzz,
through uharfbuzz, with WeasyPrint's own subsetting flags) and points every part's font
descriptor at it; each part keeps its own widths and ToUnicode map.

``font_sources`` records, when a part is written, which file each of its fonts came from:
the derived vertical fonts by their family and weight, installed fonts through fontconfig,
each confirmed by comparing the file's face with the one WeasyPrint read. A font whose file is
not found keeps its per-part copies: larger, still correct.
"""

from __future__ import annotations

from pathlib import Path

# Tables WeasyPrint drops from the fonts it embeds (weasyprint/pdf/fonts.py).
DROPPED_TABLES = ("BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT", "SVG ")


def font_sources(document, derived: dict[tuple[str, int], Path]) -> dict[str, list]:
    """{PDF font name: [file, face index]} for the fonts a written WeasyPrint document used;
    ``derived`` maps (CSS family, weight) of the fonts reportpub made to their files."""
    from reportpub.diagnostics import ReportpubError
    from reportpub.typography.fonts import find_face

    sources = {}
    for font in document.fonts.values():
        name = font.name.decode().lstrip("/")
        path = derived.get((font.family, font.weight))
        index = 0
        if path is None:
            try:
                face = find_face(f"{font.family}:{'bold' if font.weight >= 600 else 'regular'}")
            except ReportpubError:
                continue
            path, index = face.path, face.index
        if path.is_file() and _same_face(font, path, index):
            sources[name] = [str(path), index]
    return sources


def _same_face(font, path: Path, index: int) -> bool:
    """Whether WeasyPrint's font (its HarfBuzz face, kept whole after subsetting) is face
    ``index`` of ``path``: same glyph count, units per em and face index."""
    import uharfbuzz as hb
    from weasyprint.text.ffi import harfbuzz

    face = hb.Face(hb.Blob.from_file_path(str(path)), index)
    return (index == font.index and face.upem == font.upem
            and face.glyph_count == harfbuzz.hb_face_get_glyph_count(font.hb_face))


def share_fonts(writer, sources: dict[str, list]) -> None:
    """Replace the per-part subsets of each font in ``writer`` (a pypdf PdfWriter) by one."""
    from pypdf.generic import DictionaryObject, NameObject, StreamObject

    groups: dict[str, list[tuple[DictionaryObject, str, set[int]]]] = {}
    for obj in writer._objects:
        if not isinstance(obj, DictionaryObject) or obj.get("/Subtype") not in ("/CIDFontType0", "/CIDFontType2"):
            continue
        descriptor = obj["/FontDescriptor"]
        key = "/FontFile3" if "/FontFile3" in descriptor else "/FontFile2"
        if key not in descriptor:
            continue
        groups.setdefault(str(descriptor["/FontName"]).lstrip("/"), []).append(
            (descriptor, key, _glyph_ids(obj.get("/W", ()))))
    for name, members in groups.items():
        files = {descriptor.raw_get(key).idnum for descriptor, key, _ in members}
        if len(files) < 2 or name not in sources:
            continue
        path, index = sources[name]
        glyphs = set().union(*(gids for _, _, gids in members))
        data = subset_font(Path(path), index, glyphs)
        if data is None:
            continue
        descriptor, key, _ = members[0]
        original = descriptor[key]
        stream = StreamObject()
        stream.set_data(data)
        for entry in ("/Subtype",):
            if entry in original:
                stream[NameObject(entry)] = original[entry]
        reference = writer._add_object(stream.flate_encode())
        for descriptor, key, _ in members:
            writer._objects[descriptor.raw_get(key).idnum - 1] = None  # the part's own copy: no longer used
            descriptor[NameObject(key)] = reference


def _glyph_ids(widths) -> set[int]:
    """The glyph ids a CID font's /W array gives widths for (WeasyPrint writes ``c [w …]``)."""
    glyphs: set[int] = set()
    items = list(widths)
    for start, run in zip(items[0::2], items[1::2]):
        run = run.get_object()
        glyphs.update(range(int(start), int(start) + len(run)))
    return glyphs


def subset_font(path: Path, index: int, glyphs: set[int]) -> bytes | None:
    """The font at ``path`` (face ``index``) cut to ``glyphs``, keeping glyph ids, as
    WeasyPrint subsets: outlines desubroutinized, layout tables dropped, no hinting."""
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
