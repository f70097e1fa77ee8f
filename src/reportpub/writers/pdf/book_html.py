"""The book's HTML for the PDF, and where it is cut: front matter, chapters, back matter.

The pdf.html template gives one document; the chapter-by-chapter layout (parts.py) cuts it
at the chapter sections and the references, and the whole-book layout (layout.py) marks its
front and back matter for vertical setting. Both read the same boundaries, defined here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reportpub.typography.vertical_markup import (
    MATTER_SKIP_ELEMENTS,
    add_vertical_markup,
)

ANCHOR_SCHEME = "reportpub-anchor:"


CHAPTER_START = re.compile(r'<section class="chapter"[^>]*>')


BACK_START = re.compile(r'<section class="references"[^>]*>')


TOC = re.compile(r'<nav class="toc".*?</nav>', re.DOTALL)


TOC_LINK = re.compile(r'<a href="#([^"]+)"')


INTERNAL_HREF = re.compile(r'href="#([^"]+)"')


ID = re.compile(r'\bid="([^"]+)"')


# The widest number a contents line will hold while the front matter is measured for length.
PLACEHOLDER_PAGE = 888


@dataclass(frozen=True)
class Part:
    """One separately laid-out piece of the book: its HTML between <body> and </body>."""

    name: str
    body: str


def split_book(html: str) -> tuple[str, list[Part], str] | None:
    """(head, parts, tail) of the whole book's HTML, or None when the pdf.html template gives
    no chapter sections to cut at (then the book is laid out whole)."""
    body = re.search(r"<body[^>]*>", html)
    end = html.rfind("</body>")
    starts = [m.start() for m in CHAPTER_START.finditer(html)]
    if body is None or end < 0 or not starts:
        return None
    back = BACK_START.search(html, starts[-1])
    cuts = [body.end(), *starts, *([back.start()] if back else []), end]
    names = ["front"] + [f"chapter-{n}" for n in range(1, len(starts) + 1)] + (["back"] if back else [])
    parts = [Part(name, html[a:b]) for name, a, b in zip(names, cuts, cuts[1:])]
    return html[:body.end()], parts, html[end:]


def link_across_parts(body: str) -> str:
    """Links to ids outside this part become ``reportpub-anchor:id`` (joined up later)."""
    own = set(ID.findall(body))
    return INTERNAL_HREF.sub(
        lambda m: m.group(0) if m.group(1) in own else f'href="{ANCHOR_SCHEME}{m.group(1)}"', body)


def number_contents(body: str, pages: dict[str, int] | None) -> str:
    """Give each contents entry its page number as ``data-page``, in the digits the page's
    folio prints (the vertical edition sets them tate-chu-yoko, pdf-vertical.css); None
    gives every entry the placeholder, to measure the front matter's length."""
    def number(match: re.Match) -> str:
        page = PLACEHOLDER_PAGE if pages is None else pages.get(match.group(1))
        if page is None:
            return match.group(0)
        return f'{match.group(0)} data-page="{page}"'

    return TOC.sub(lambda toc: TOC_LINK.sub(number, toc.group(0)), body)


# A cross-reference written [](#id){.page} (manuscript/resolve.py gives it this class).
PAGE_REFERENCE_LINK = re.compile(r'<a\b[^>]*\bclass="(?:[^"]*\s)?page-reference(?:\s[^"]*)?"[^>]*>')


def page_reference_targets(body: str) -> set[str]:
    """The ids that the page references of a part's HTML lead to."""
    return {href.group(1) for link in PAGE_REFERENCE_LINK.finditer(body)
            for href in [INTERNAL_HREF.search(link.group(0))] if href}


def number_page_references(body: str, pages: dict[str, int] | None) -> str:
    """Give each page reference the page its target is on as ``data-page`` (pdf.css prints
    「（12ページ）」 after the link), in the folios' digits like the contents; None gives the
    placeholder, for the first layout, before any page is known."""
    def number(match: re.Match) -> str:
        link, href = match.group(0), INTERNAL_HREF.search(match.group(0))
        page = PLACEHOLDER_PAGE if pages is None or href is None else pages.get(href.group(1))
        if page is None or href is None:
            return link
        return f'{link[:-1]} data-page="{page}">'

    return PAGE_REFERENCE_LINK.sub(number, body)


# The front and back matter (title page, contents, references, colophon) come from templates,
# not from the chapters' markup. In the vertical edition their digits and !? get the same
# tate-chu-yoko and upright setting as the text, as the vertical EPUB's do.
BACK_MATTER_START = re.compile(r'<section class="(?:references|colophon)"')


def mark_vertical_matter(html: str) -> str:
    """The vertical book's HTML with its front and back matter marked up for vertical
    setting; unchanged when there are no chapter sections to tell them from the chapters,
    or when an author's template gives matter that is not well-formed."""
    body, end = re.search(r"<body[^>]*>", html), html.rfind("</body>")
    chapters = list(CHAPTER_START.finditer(html))
    if body is None or end < 0 or not chapters:
        return html
    back = BACK_MATTER_START.search(html, chapters[-1].end())
    back_start = back.start() if back else end
    try:
        front = add_vertical_markup(html[body.end():chapters[0].start()], skip_elements=MATTER_SKIP_ELEMENTS)
        matter_after = add_vertical_markup(html[back_start:end], skip_elements=MATTER_SKIP_ELEMENTS)
    except ValueError:
        return html
    return html[:body.end()] + front + html[chapters[0].start():back_start] + matter_after + html[end:]


# The vertical nombre is a running element (pdf-vertical.css); it must be in the first page's content.
NOMBRE_CARRIER = '<div class="nombre"></div>'
