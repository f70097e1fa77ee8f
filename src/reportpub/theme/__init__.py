"""The built-in CSS theme: which stylesheets an edition uses, in cascade order.

Order: base.css (Japanese typography for all), then the writing mode's sheet, then the
format's sheet, then the format-and-mode sheet when there is one, then the author's
styles/*.css. Mode-specific rules live here, in CSS, never in the writers.
"""

from __future__ import annotations

from pathlib import Path

from reportpub.project import Project

THEME_DIR = Path(__file__).resolve().parent


def theme_files(format_name: str, mode: str) -> list[Path]:
    """Built-in stylesheets for a format ('pdf', 'epub', 'html') and mode, in order."""
    names = ["base.css", f"{mode}.css", f"{format_name}.css", f"{format_name}-{mode}.css"]
    return [THEME_DIR / name for name in names if (THEME_DIR / name).is_file()]


def stylesheets(project: Project, format_name: str, mode: str) -> list[Path]:
    """Theme stylesheets followed by the author's."""
    return theme_files(format_name, mode) + project.style_files()


def stylesheet_text(path: Path, project: Project, vertical_pdf: bool = False) -> str:
    """A stylesheet's text as the editions use it: the theme's with book.toml's [fonts] families
    in place of its own (typography/font_choice.py), the author's as written."""
    from reportpub.typography.font_choice import declared_families, themed_css

    text = path.read_text(encoding="utf-8")
    if path.parent != THEME_DIR:
        return text
    return themed_css(text, project.config.fonts, declared_families(project.style_files()), vertical_pdf)
