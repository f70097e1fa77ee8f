"""The author's own fonts in the vertical PDF: each ``@font-face`` of the project's stylesheets
points at a derived vertical-frame copy of its font, as the bundled Noto fonts do.

The vertical PDF is set horizontally on a turned frame (see typography/vertical_font.py):
a font used as it is would lie on its side there. So, for the vertical layout only, every
``@font-face`` rule of an author's stylesheet whose ``src`` names a font file of the project
has that ``src`` replaced by the derived font's URL; the rest of the sheet, and its line
numbers, are unchanged. A font that cannot set vertical text (no vertical forms, no
outlines, not a font, not in the project) is reported as ``path:line`` and stops the build:
sideways text is never published.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlparse

from reportpub.diagnostics import Diagnostic, SourceLocation
from reportpub.typography.font_choice import FAMILY, FONT_FACE

SRC = re.compile(r"(?P<name>\bsrc\s*:)(?P<value>[^;}]*)", re.IGNORECASE)
URL = re.compile(r"""url\(\s*(?P<quote>['"]?)(?P<url>.*?)(?P=quote)\s*\)""", re.IGNORECASE)

# derive(font file, family name) -> the derived font's file; raises ValueError with a reason.
Derive = Callable[[Path, str], Path]


def vertical_author_sheet(sheet: Path, text: str, project_root: Path, relative: Callable[[Path], str],
                          derive: Derive, url_of: Callable[[Path], str]) -> tuple[str, list[Diagnostic]]:
    """The stylesheet's text with its @font-face sources replaced by derived vertical fonts,
    and the problems found (each ``path:line``)."""
    problems: list[Diagnostic] = []

    def rewrite(face: re.Match) -> str:
        body = face.group("body")
        line = text.count("\n", 0, face.start()) + 1
        family = FAMILY.search(body)
        name = family.group("family").strip() if family else "font"

        def replace_src(src: re.Match) -> str:
            value = src.group("value")
            source_line = line + body.count("\n", 0, src.start())
            files = [_local_file(u.group("url"), sheet) for u in URL.finditer(value)]
            files = [f for f in files if f is not None]
            if not files:
                return src.group(0)  # remote or local() fonts: nothing of the project's to derive
            path = files[0]
            location = SourceLocation(relative(sheet), source_line)
            if project_root.resolve() not in path.resolve().parents or not path.is_file():
                problems.append(Diagnostic(location, f"font {name!r}: {path.name} is not a file of the project"))
                return src.group(0)
            try:
                derived = derive(path, name)
            except ValueError as error:
                problems.append(Diagnostic(location, f"font {name!r} cannot set vertical text: {error}"))
                return src.group(0)
            # Keep the line count, so that WeasyPrint's messages still name the author's lines.
            return f'{src.group("name")} url("{url_of(derived)}")' + "\n" * value.count("\n")

        return face.group(0).replace(body, SRC.sub(replace_src, body), 1)

    return FONT_FACE.sub(rewrite, text), problems


def _local_file(url: str, sheet: Path) -> Path | None:
    """The file a stylesheet's ``url(…)`` names, or None for a URL that is not a file."""
    parsed = urlparse(url)
    if parsed.scheme and parsed.scheme != "file" or url.startswith("data:"):
        return None
    return (sheet.parent / unquote(parsed.path)).resolve() if not parsed.scheme else Path(unquote(parsed.path))
