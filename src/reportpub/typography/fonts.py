"""The system fonts reportpub sets type in, found through fontconfig (what WeasyPrint uses too)."""

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
