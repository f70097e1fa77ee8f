"""No tofu: every character of the book must have a glyph in a configured font.

A character that no font has would print as an empty box (tofu) in the PDF and be
invisible to the reader. The text fonts' character maps are read once (fontTools)
and each chapter's characters checked; a missing character is a build error naming
the chapter file, the line and the code point.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from fontTools.ttLib import TTFont

from reportpub import markup
from reportpub.diagnostics import DiagnosticCollector
from reportpub.typography.fonts import find_face

TEXT_FONTS = ("Noto Serif CJK JP", "Noto Sans CJK JP")
# Characters that are never drawn as glyphs: controls, zero-width and variation selectors.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Mn", "Zl", "Zp"}


@lru_cache(maxsize=1)
def covered_code_points() -> frozenset[int]:
    points: set[int] = set()
    for family in TEXT_FONTS:
        face = find_face(family)
        font = TTFont(str(face.path), fontNumber=face.index, lazy=True)
        points.update(font.getBestCmap().keys())
        font.close()
    return frozenset(points)


def missing_characters(text: str) -> list[str]:
    covered = covered_code_points()
    return sorted({c for c in text if ord(c) not in covered and not c.isspace()
                   and unicodedata.category(c) not in _INVISIBLE_CATEGORIES})


def check_coverage(source: str, raw_text: str, rendered_xhtml: str, problems: DiagnosticCollector) -> None:
    """Report each character of a chapter that no text font has, at its first line in the source."""
    text = markup.text_of(markup.parse_fragment(rendered_xhtml), frozenset())
    for character in missing_characters(text):
        offset = raw_text.find(character)
        line = raw_text.count("\n", 0, offset) + 1 if offset >= 0 else None
        name = unicodedata.name(character, "unnamed")
        problems.error(source, f"character '{character}' (U+{ord(character):04X} {name}) is in no configured font "
                               f"and would print as an empty box", line)
