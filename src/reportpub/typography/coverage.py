"""No tofu: every character of the book must have a glyph in a configured font.

A character that no font has would print as an empty box (tofu) in the PDF and be
invisible to the reader. The text fonts' character maps are read once (fontTools)
and each chapter's characters checked; a missing character is a build error naming
the chapter file, the line and the code point.
"""

from __future__ import annotations

import hashlib
import json
import struct
import unicodedata
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

from reportpub.cache import Cache
from reportpub.diagnostics import DiagnosticCollector
from reportpub.typography.fonts import TEXT_FAMILIES, find_face

# Characters that are never drawn as glyphs: controls, zero-width and variation selectors.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Mn", "Zl", "Zp"}


@lru_cache(maxsize=8)
def covered_code_points(cache_dir: Path | None = None, families: tuple[str, ...] = TEXT_FAMILIES) -> frozenset[int]:
    """Every code point one of the font families maps. Reading CJK character maps takes a
    third of a second with fontTools (which names every glyph), a hundredth read from the
    cmap table itself; the result is kept in ``cache_dir``, keyed by the font files' identity."""
    faces = [find_face(family) for family in families]
    identity = [[str(f.path), f.index, f.path.stat().st_size, f.path.stat().st_mtime_ns] for f in faces]
    key = hashlib.sha256("|".join(families).encode()).hexdigest()[:12]
    cache = Cache(cache_dir) if cache_dir else None  # one slot per set of families
    if cache is not None:
        try:
            stored = json.loads(cache.get(f"coverage-{key}", "json") or b"null")
            if stored["fonts"] == identity:
                return frozenset(point for first, last in stored["ranges"] for point in range(first, last + 1))
        except (OSError, ValueError, KeyError, TypeError):
            pass
    points: set[int] = set()
    for face in faces:
        try:
            mapped = _mapped_code_points(face.path, face.index)
        except struct.error:  # a table cut short: fontTools says what is wrong with it
            mapped = None
        if mapped is None:  # a character map of another format: fontTools reads it
            font = TTFont(str(face.path), fontNumber=face.index, lazy=True)
            mapped = font.getBestCmap().keys()
            font.close()
        points.update(mapped)
    if cache is not None:
        ranges: list[list[int]] = []
        for point in sorted(points):
            if ranges and ranges[-1][1] == point - 1:
                ranges[-1][1] = point
            else:
                ranges.append([point, point])
        cache.put(f"coverage-{key}", json.dumps({"fonts": identity, "ranges": ranges}), "json")
    return frozenset(points)


# fontTools' getBestCmap order: the first of these subtables a font has is its character map.
_PREFERENCES = ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0))


def _mapped_code_points(path: Path, font_number: int = 0) -> set[int] | None:
    """The code points the character map fontTools' getBestCmap chooses maps to a glyph
    other than .notdef, read from the font file's cmap table itself; None when that
    subtable has a format other than 4 or 12."""
    with path.open("rb") as stream:
        def read(offset: int, size: int) -> bytes:
            stream.seek(offset)
            return stream.read(size)

        offset = 0
        if read(0, 4) == b"ttcf":
            offset = struct.unpack(">L", read(12 + 4 * font_number, 4))[0]
        tables = struct.unpack(">H", read(offset + 4, 2))[0]
        directory = read(offset + 12, 16 * tables)
        entries = [struct.unpack_from(">4sLLL", directory, 16 * index) for index in range(tables)]
        cmap = next(((start, length) for tag, _, start, length in entries if tag == b"cmap"), None)
        if cmap is None:
            return set()
        table = read(*cmap)
    subtables: dict[tuple[int, int], int] = {}
    for index in range(struct.unpack_from(">H", table, 2)[0]):
        platform, encoding, start = struct.unpack_from(">HHL", table, 4 + 8 * index)
        subtables.setdefault((platform, encoding), start)
    start = next((subtables[key] for key in _PREFERENCES if key in subtables), None)
    if start is None:
        return set()
    kind = struct.unpack_from(">H", table, start)[0]
    points: set[int] = set()
    if kind == 12:
        for index in range(struct.unpack_from(">L", table, start + 12)[0]):
            first, last, glyph = struct.unpack_from(">LLL", table, start + 16 + 12 * index)
            points.update(range(first + (glyph == 0), last + 1))  # glyph 0 is .notdef
        return points
    if kind == 4:
        segments = struct.unpack_from(">H", table, start + 6)[0] // 2
        ends = struct.unpack_from(f">{segments}H", table, start + 14)
        starts = struct.unpack_from(f">{segments}H", table, start + 16 + 2 * segments)
        deltas = struct.unpack_from(f">{segments}H", table, start + 16 + 4 * segments)
        range_offsets_at = start + 16 + 6 * segments
        range_offsets = struct.unpack_from(f">{segments}H", table, range_offsets_at)
        for index in range(segments - 1):  # the last segment, ending at 0xFFFF, only ends the list
            first, last, delta, range_offset = starts[index], ends[index], deltas[index], range_offsets[index]
            if range_offset == 0:
                points.update(c for c in range(first, last + 1) if (c + delta) & 0xFFFF)
                continue
            for character in range(first, last + 1):
                at = range_offsets_at + 2 * index + range_offset + 2 * (character - first)
                glyph = struct.unpack_from(">H", table, at)[0] if at + 2 <= len(table) else 0
                if glyph and (glyph + delta) & 0xFFFF:
                    points.add(character)
        return points
    return None


def missing_characters(text: str, cache_dir: Path | None = None) -> list[str]:
    covered = covered_code_points(cache_dir)
    return sorted(c for c in set(text) if ord(c) not in covered and not c.isspace()
                  and unicodedata.category(c) not in _INVISIBLE_CATEGORIES)


def check_coverage(source: str, raw_text: str, text: str, problems: DiagnosticCollector,
                   cache_dir: Path | None = None) -> None:
    """Report each character of a chapter that no text font has, at its first line in the source.
    ``text`` is all the chapter prints (its XHTML's text, the rubies' readings too)."""
    for character in missing_characters(text, cache_dir):
        offset = raw_text.find(character)
        line = raw_text.count("\n", 0, offset) + 1 if offset >= 0 else None
        name = unicodedata.name(character, "unnamed")
        problems.error(source, f"character '{character}' (U+{ord(character):04X} {name}) is in no configured font "
                               f"and would print as an empty box", line)
