"""The author's own fonts in the PDFs: derived for the vertical frame, and for the punctuation
compression of the horizontal PDF, as the bundled Noto fonts are.

Vertical PDF: each ``@font-face`` of the project's stylesheets points at a derived
vertical-frame copy of its font.

The vertical PDF is set horizontally on a turned frame (see typography/vertical_font.py):
a font used as it is would lie on its side there. So, for the vertical layout only, every
``@font-face`` rule of an author's stylesheet whose ``src`` names a font file of the project
has that ``src`` replaced by the derived font's URL; the rest of the sheet, and its line
numbers, are unchanged. A font that cannot set vertical text (no vertical forms, no
outlines, not a font, not in the project) is reported as ``path:line`` and stops the build:
sideways text is never published.

Horizontal PDF: the author's font is used as it is, and each ``@font-face`` of a project
font file gets a twin, family ``RP Punctuation <family>`` with the same descriptors, holding
the font's punctuation with its half-width forms (typography/punctuation_font.py); every
``font-family`` list of the stylesheets that names the family names its twin just before it,
so fontconfig takes the marks from the twin, as the theme's stacks do for the Noto faces
(pdf-horizontal.css). A font the twin cannot be made from keeps its marks full-width: the
horizontal text is right without the compression. The ``font`` shorthand's family list is
rewritten the same way (a system font or ``var()`` in it has none to rewrite).
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

FAMILY_LIST = re.compile(r"(?P<name>\bfont-family\s*:)(?P<value>[^;}]*)", re.IGNORECASE)
# The ``font`` shorthand: [style variant weight stretch] size[/line-height] family-list. Its family
# list is what follows the size (a length, a percentage or a size keyword; the first one: a family
# name such as "… Medium" comes after it).
FONT_SHORTHAND = re.compile(r"(?P<name>(?<![\w-])font\s*:)(?P<value>[^;}]*)", re.IGNORECASE)
SHORTHAND_FAMILIES = re.compile(
    r"(?P<before>\s*(?:\S+\s+)*?(?:\d*\.?\d+(?:[a-z]+|%)|(?:xx?-)?(?:small|large)|medium|smaller|larger)"
    r"(?:\s*/\s*[^\s,]+)?\s+)(?P<families>\S.*)", re.IGNORECASE | re.DOTALL)
IMPORTANT = re.compile(r"\s*!\s*important\s*$", re.IGNORECASE)
PUNCTUATION_PREFIX = "RP Punctuation "

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


def punctuation_twin_faces(sheet: Path, text: str, project_root: Path, derive: Derive,
                           url_of: Callable[[Path], str]) -> tuple[list[str], set[str]]:
    """The ``@font-face`` rules of the punctuation twins of the sheet's project fonts (see
    above), and the families that have one."""
    rules, families = [], set()
    for face in FONT_FACE.finditer(text):
        body = face.group("body")
        family, src = FAMILY.search(body), SRC.search(body)
        if not family or not src:
            continue
        files = [_local_file(u.group("url"), sheet) for u in URL.finditer(src.group("value"))]
        path = next((f for f in files if f is not None), None)
        if path is None or project_root.resolve() not in path.resolve().parents or not path.is_file():
            continue  # reported by the vertical PDF's check; WeasyPrint's own warning here
        name = family.group("family").strip()
        try:
            twin = derive(path, name)
        except ValueError:
            continue
        body = body.replace(src.group(0), f'{src.group("name")} url("{url_of(twin)}")', 1)
        body = body.replace(family.group(0), f'font-family: "{PUNCTUATION_PREFIX}{name}"', 1)
        rules.append("@font-face {" + body + "}")
        families.add(name)
    return rules, families


def with_punctuation_twins(text: str, families: set[str]) -> str:
    """A stylesheet's text with each family list that names one of ``families`` (of a
    ``font-family`` declaration or a ``font`` shorthand) naming its punctuation twin just before
    it (@font-face rules and line numbers unchanged)."""
    if not families or "font" not in text.lower():
        return text

    def rewrite_list(declaration: re.Match) -> str:
        return declaration.group("name") + _with_twins(declaration.group("value"), families)

    def rewrite_shorthand(declaration: re.Match) -> str:
        value = SHORTHAND_FAMILIES.fullmatch(declaration.group("value"))
        if value is None:  # a system font (caption, menu …) or var(): no family list of its own
            return declaration.group(0)
        return declaration.group("name") + value.group("before") + _with_twins(value.group("families"), families)

    def rewrite(css: str) -> str:
        return FONT_SHORTHAND.sub(rewrite_shorthand, FAMILY_LIST.sub(rewrite_list, css))

    pieces, last = [], 0
    for face in FONT_FACE.finditer(text):
        pieces += [rewrite(text[last:face.start()]), face.group(0)]
        last = face.end()
    return "".join(pieces + [rewrite(text[last:])])


def _with_twins(family_list: str, families: set[str]) -> str:
    """A family list (``"A", B, serif``) with each of ``families`` in it preceded by its twin."""
    items = family_list.split(",")
    for index, item in enumerate(items):
        written = IMPORTANT.sub("", item.strip())
        if written.strip("'\"") in families:
            items[index] = item.replace(written, f'"{PUNCTUATION_PREFIX}{written.strip(chr(34) + chr(39))}", {written}', 1)
    return ",".join(items)
