"""The system fonts reportpub sets type in, found through fontconfig (what WeasyPrint uses too).

:data:`TEXT_FACES` is the one list of them: the theme's serif and sans CJK faces and the
symbol font, each with the derived vertical family the vertical PDF sets it as. The vertical
fonts, the character coverage check, the cover, the manifest and the build's fingerprint of
the fonts all read it; every file is found through fontconfig, wherever it is installed.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportpub.diagnostics import ReportpubError


@dataclass(frozen=True)
class FontFace:
    """One face: its file and its index inside a collection (.ttc)."""

    path: Path
    index: int


@dataclass(frozen=True)
class TextFace:
    """A face the built-in theme sets text in."""

    pattern: str  # fontconfig's name for it: family, then ``:bold`` for the bold face
    vertical_family: str  # the family of its derived vertical font in pdf-vertical.css
    weight: int  # its CSS font-weight
    cjk: bool  # a Japanese text face (not the symbol font)
    punctuation_family: str | None = None  # its punctuation font's family in pdf-horizontal.css

    @property
    def family(self) -> str:
        return self.pattern.split(":")[0]


TEXT_FACES = (
    TextFace("Noto Serif CJK JP", "RP Vertical Serif", 400, cjk=True, punctuation_family="RP Punctuation Serif"),
    TextFace("Noto Serif CJK JP:bold", "RP Vertical Serif", 700, cjk=True, punctuation_family="RP Punctuation Serif"),
    TextFace("Noto Sans CJK JP", "RP Vertical Sans", 400, cjk=True, punctuation_family="RP Punctuation Sans"),
    TextFace("Noto Sans CJK JP:bold", "RP Vertical Sans", 700, cjk=True, punctuation_family="RP Punctuation Sans"),
    TextFace("Symbola", "RP Vertical Symbols", 400, cjk=False),  # emoji and symbols the CJK fonts lack (💡 ✅)
)
CJK_FAMILIES = tuple(dict.fromkeys(face.family for face in TEXT_FACES if face.cjk))
TEXT_FAMILIES = tuple(dict.fromkeys(face.family for face in TEXT_FACES))


def installed_text_font_files(fonts=None) -> list[Path]:
    """The files of the text faces that are installed, in a fixed order; with book.toml's
    ``[fonts]`` (config.FontsConfig), the system family it chose in a role in the theme's place."""
    from reportpub.typography.font_choice import system_pattern

    files = set()
    for face in TEXT_FACES:
        try:
            # A project font in the role is no system face: find_face refuses it, and its file
            # is one of the project's inputs anyway.
            files.add(find_face(system_pattern(face.pattern, fonts) if fonts is not None else face.pattern).path)
        except ReportpubError:
            continue  # reported where the face is needed
    return sorted(files)


@lru_cache(maxsize=None)
def find_face(pattern: str) -> FontFace:
    """The face fontconfig matches for a pattern such as 'Noto Serif CJK JP:bold'."""
    try:
        result = subprocess.run(["fc-match", "-f", "%{file}\n%{index}\n%{family}", pattern],
                                capture_output=True, text=True, timeout=30)
        file_name, index, family = (result.stdout.split("\n") + ["", "", ""])[:3]
    except (OSError, subprocess.TimeoutExpired):
        file_name, index, family = "", "0", ""
    wanted = pattern.split(":")[0]
    if not file_name or wanted not in family:
        raise ReportpubError.at("fonts", f"font '{wanted}' is not installed (Debian packages fonts-noto-cjk and fonts-symbola; run make)")
    return FontFace(Path(file_name), int(index or 0))


@lru_cache(maxsize=1)
def system_font_files() -> frozenset[Path]:
    """Every font file fontconfig knows: the system fonts a stylesheet may use, by family name
    or by ``@font-face { src: local() }`` alike (never by a file path)."""
    try:
        result = subprocess.run(["fc-list", "--format", "%{file}\n"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(Path(line).resolve() for line in result.stdout.splitlines() if line)
