"""No tofu: every character of the book must have a glyph in a configured font.

A character that no font has would print as an empty box (tofu) in the PDF and be
invisible to the reader. The text fonts' character maps are read once (fontTools)
and each chapter's characters checked; a missing character is a build error naming
the chapter file, the line and the code point.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

from reportpub.cache import Cache
from reportpub.diagnostics import DiagnosticCollector
from reportpub.typography.fonts import TEXT_FAMILIES, find_face
from reportpub.xhtml import parse_fragment, text_of

# Characters that are never drawn as glyphs: controls, zero-width and variation selectors.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Mn", "Zl", "Zp"}


@lru_cache(maxsize=8)
def covered_code_points(cache_dir: Path | None = None, families: tuple[str, ...] = TEXT_FAMILIES) -> frozenset[int]:
    """Every code point one of the font families maps. Reading CJK character maps takes a
    third of a second, so the result is kept in ``cache_dir``, keyed by the font files' identity."""
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
        font = TTFont(str(face.path), fontNumber=face.index, lazy=True)
        points.update(font.getBestCmap().keys())
        font.close()
    if cache is not None:
        ranges: list[list[int]] = []
        for point in sorted(points):
            if ranges and ranges[-1][1] == point - 1:
                ranges[-1][1] = point
            else:
                ranges.append([point, point])
        cache.put(f"coverage-{key}", json.dumps({"fonts": identity, "ranges": ranges}), "json")
    return frozenset(points)


def missing_characters(text: str, cache_dir: Path | None = None) -> list[str]:
    covered = covered_code_points(cache_dir)
    return sorted({c for c in text if ord(c) not in covered and not c.isspace()
                   and unicodedata.category(c) not in _INVISIBLE_CATEGORIES})


def check_coverage(source: str, raw_text: str, rendered_xhtml: str, problems: DiagnosticCollector,
                   cache_dir: Path | None = None) -> None:
    """Report each character of a chapter that no text font has, at its first line in the source."""
    text = text_of(parse_fragment(rendered_xhtml), frozenset())
    for character in missing_characters(text, cache_dir):
        offset = raw_text.find(character)
        line = raw_text.count("\n", 0, offset) + 1 if offset >= 0 else None
        name = unicodedata.name(character, "unnamed")
        problems.error(source, f"character '{character}' (U+{ord(character):04X} {name}) is in no configured font "
                               f"and would print as an empty box", line)
