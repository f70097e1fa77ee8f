"""book.toml's ``[fonts]``: the families the theme's serif (明朝) and sans (ゴシック) text is set in.

The theme names Noto Serif CJK JP and Noto Sans CJK JP; ``[fonts] serif`` and ``sans`` put
another family in their place, in every edition: the theme's stylesheets are read with the
family names replaced (``themed_css``), and the vertical PDF derives its vertical fonts (RP
Vertical Serif, RP Vertical Sans) from the chosen system family. A family may be a system
font (fontconfig knows it) or a project font that a stylesheet in styles/ declares with
``@font-face``; the vertical PDF uses a project font as the author's stylesheet gives it
(writers/pdf/author_fonts.py derives it for the turned frame).
"""

from __future__ import annotations

import re
import subprocess
from functools import lru_cache
from pathlib import Path

# The role of each family the theme names, and the vertical PDF's derived family for it.
THEME_FAMILIES = {"serif": "Noto Serif CJK JP", "sans": "Noto Sans CJK JP"}
VERTICAL_FAMILIES = {"serif": "RP Vertical Serif", "sans": "RP Vertical Sans"}

FONT_FACE = re.compile(r"@font-face\s*\{(?P<body>[^}]*)\}", re.IGNORECASE)
FAMILY = re.compile(r"""\bfont-family\s*:\s*(?P<quote>['"]?)(?P<family>[^;'"}]+)(?P=quote)""", re.IGNORECASE)


def declared_families(style_files: list[Path]) -> set[str]:
    """The families the author's stylesheets declare with @font-face."""
    families = set()
    for path in style_files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for face in FONT_FACE.finditer(text):
            family = FAMILY.search(face.group("body"))
            if family:
                families.add(family.group("family").strip())
    return families


@lru_cache(maxsize=None)
def is_system_family(family: str) -> bool:
    """Whether fontconfig has a font of exactly this family (fc-match would substitute another)."""
    try:
        result = subprocess.run(["fc-list", f":family={family}", "family"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return any(family in line.split(",") for line in result.stdout.splitlines())


def family_problem(role: str, family: str, style_files: list[Path]) -> str | None:
    """What is wrong with ``[fonts] role = family``, or None when the family can be used."""
    if not family.strip() or any(c in family for c in "\"'\\;{}<>"):
        return f"[fonts] {role} '{family}' is not a font family name"
    if family in declared_families(style_files) or is_system_family(family):
        return None
    return (f"[fonts] {role} font '{family}' is not found: it is neither installed on this machine (fc-list) "
            "nor declared with @font-face in a stylesheet in styles/")


def chosen(fonts) -> dict[str, str]:
    """role → the family book.toml chose for it (only the roles it names)."""
    return {role: family for role in THEME_FAMILIES if (family := getattr(fonts, role))}


def themed_css(text: str, fonts, project_families: set[str] | frozenset[str] = frozenset(),
               vertical_pdf: bool = False) -> str:
    """A theme stylesheet's text with the chosen families in place of the theme's. In the vertical
    PDF a project font also replaces the derived family (the author's own @font-face is derived)."""
    for role, family in chosen(fonts).items():
        text = text.replace(f'"{THEME_FAMILIES[role]}"', f'"{family}"')
        if vertical_pdf and family in project_families:
            text = text.replace(f'"{VERTICAL_FAMILIES[role]}"', f'"{family}"')
    return text


def system_pattern(pattern: str, fonts, project_families: set[str] | frozenset[str] = frozenset()) -> str | None:
    """The fontconfig pattern a theme face (``Noto Serif CJK JP:bold``) is found by once [fonts] is
    applied: the chosen system family in its place; None when a project font takes the role."""
    family, _, style = pattern.partition(":")
    for role, choice in chosen(fonts).items():
        if family == THEME_FAMILIES[role]:
            if choice in project_families:
                return None
            return choice + (":" + style if style else "")
    return pattern
