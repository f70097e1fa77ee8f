"""The EPUB's page-list: where the same-mode reader PDF's pages begin (EPUB Accessibility 1.1's
page navigation), so that a citation by page number works in both editions.

The PDF writer and the EPUB writer make a chapter's content from the same HTML
(``Chapter.body``, with the same vertical markup in vertical mode). The PDF writer marks
each of its top-level blocks with ``data-block`` (:func:`mark_blocks`: the chapter's id and
the block's place among them), and the title page, the contents, the references and the
colophon are known by their sections' classes. When a part is laid out, the block each
of its pages begins in is recorded with it in the part cache (writers/pdf/parts.py), so a
build whose parts come from the cache knows them without a layout.

A marker stands before the page's first character: the PDF writer counts, for the block a
page begins in, the characters of it that earlier pages set (:func:`counted`: the text a
reader reads, not the readings of ruby, the note calls or generated text, nor what a table
broken over pages repeats: its header, and a cut table's caption marked 続き), and the EPUB
writer splits that block's text at the same count. Both editions set the same characters of
a chapter's blocks, however differently they mark them up (ruby, the vertical markup, the
PDF's line units), so the count lands on the same character; a marker does not go inside a
ruby, an upright or tate-chu-yoko run or a note call, but before it. A page a block runs on
from the page before is marked where that block's text goes on. A figure or table a page
sets that the manuscript has before a block an earlier page set (deferred: the vertical
islands go to the head of the next page) does not take the page's marker: that goes where
the page's text begins, or before the figure when the page holds nothing else.

The front and back matter (title page, contents, references, colophon) come from the same
templates in both editions. Their entries (:func:`matter_entries`: each heading, paragraph,
list item, table cell … with text of its own) are named ``section/index`` as the chapters'
blocks are, so a page of the contents or of the references is marked at the entry it begins
with (after the characters of it that the page before set); the leaders and page numbers
of the PDF's contents are generated content, counted in neither edition.
"""

from __future__ import annotations

from dataclasses import dataclass

BLOCK_ATTRIBUTE = "data-block"
# The sections of the front and back matter (the pdf.html and EPUB templates' classes) → their content document.
MATTER_FILES = {"titlepage": "titlepage.xhtml", "toc": "toc.xhtml", "references": "references.xhtml",
                "colophon": "colophon.xhtml"}


# Characters left out of the count on both sides: the spaces an edition adds or collapses,
# the hyphen a line break inserts, and the invisible marks the PDF's markup adds (U+FE0E).
UNCOUNTED = frozenset("-\u00ad\u2010\u200b\u2060\ufe0e")


def counted(text: str) -> int:
    """How many of ``text``'s characters count for a page's place in its block."""
    return sum(1 for character in text if not character.isspace() and character not in UNCOUNTED)


# The elements that are one entry of the front or back matter when they have text of their
# own (outside the entries within them: a contents chapter's sections are entries of their own).
ENTRY_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "dt", "dd", "th", "td", "caption",
                        "figcaption", "blockquote", "pre", "div"})


def local_name(element) -> str:
    """An element's tag without its namespace ("" for a comment or processing instruction)."""
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def matter_entries(section) -> list:
    """The entries of a front- or back-matter section (an element of the ElementTree API:
    WeasyPrint's parse in the PDF, lxml's in the EPUB), in document order: the ENTRY_TAGS
    elements that hold counted text outside the entries within them."""
    def own_text(element) -> bool:
        return bool(counted(element.text or "")) or any(
            counted(child.tail or "") or (local_name(child) not in ("", *ENTRY_TAGS) and own_text(child))
            for child in element)

    return [element for element in section.iter() if local_name(element) in ENTRY_TAGS and own_text(element)]


def block_key(chapter_id: str, index: int) -> str:
    """The name of a chapter's top-level block, the same in every edition."""
    return f"{chapter_id}/{index}"


def mark_blocks(root, chapter_id: str) -> None:
    """Give each top-level block of a chapter's parsed HTML its ``data-block`` name."""
    for index, block in enumerate(root):
        block.set(BLOCK_ATTRIBUTE, block_key(chapter_id, index))


def is_before(key: str, other: str) -> bool:
    """Whether block ``key`` comes before block ``other`` of the same chapter in the
    manuscript (False for a matter section, or blocks of different chapters)."""
    chapter, _, index = key.rpartition("/")
    other_chapter, _, other_index = other.rpartition("/")
    return bool(chapter) and chapter == other_chapter and int(index) < int(other_index)


def first_in_manuscript(keys: list[str]) -> str | None:
    """Of the blocks (or matter sections) a page shows, in the order it shows them, the
    first in the manuscript."""
    first = None
    for key in keys:
        if first is None or is_before(key, first):
            first = key
    return first


@dataclass(frozen=True)
class PageList:
    """The reader PDF's pages as the EPUB of its mode marks them: ``breaks`` are (the page's
    number in the PDF, from 1; the block or matter entry that page begins in; the counted
    characters of that block before the page's first one; the folio the page prints), in
    page order. The markers are named by the page's number, labelled by its folio: the two
    differ where an author's stylesheet or template numbers the folios otherwise."""

    source_file: str  # the reader PDF's file name in build/
    source_identifier: str  # the identifier it and the EPUB carry (book.toml's, else one made for the book)
    breaks: tuple[tuple[int, str, int, int], ...]

    def before(self) -> dict[str, list[tuple[int, int, int]]]:
        """Block or matter entry → (page, counted characters before its marker, folio) of the
        pages that begin in it, in order."""
        found: dict[str, list[tuple[int, int, int]]] = {}
        for page, key, offset, folio in self.breaks:
            found.setdefault(key, []).append((page, offset, folio))
        return found


def marker_attributes(page: int, folio: int) -> dict[str, str]:
    """The attributes of a page's pagebreak marker (an empty span: it takes no room in the text),
    named by its page and labelled by the folio the PDF prints on it."""
    return {"epub:type": "pagebreak", "role": "doc-pagebreak", "id": f"page-{page}", "aria-label": str(folio)}
