"""The EPUB's page-list: where the same-mode reader PDF's pages begin (EPUB Accessibility 1.1's
page navigation), so that a citation by page number works in both editions.

The PDF writer and the EPUB writer make a chapter's content from the same HTML
(``Chapter.body``, with the same vertical markup in vertical mode). The PDF writer marks
each of its top-level blocks with ``data-block`` (:func:`mark_blocks`: the chapter's id and
the block's place among them), and the title page, the contents, the references and the
colophon are known by their sections' classes. When a part is laid out, the block each
of its pages begins in is recorded with it in the part cache (writers/pdf/parts.py), so a
build whose parts come from the cache knows them without a layout.

The markers are at block granularity, before the block that holds the page's first line:
text a reader cites at page N then stands at or after the marker of page N. (A marker
before the first block that *starts* on page N would leave behind it the lines page N
continues from page N-1; a marker inside the block at the page's first character would
need the PDF's line breaks mapped onto the EPUB's text through ruby, notes and the
vertical markup, which the two editions set differently.) A page a block runs on from
the page before gets its marker before that same block, after the earlier page's; the
front and back matter's pages are known by their section only, so a contents or a
references list of several pages has its markers at its start.
"""

from __future__ import annotations

from dataclasses import dataclass

BLOCK_ATTRIBUTE = "data-block"
# The sections of the front and back matter (the pdf.html and EPUB templates' classes) → their content document.
MATTER_FILES = {"titlepage": "titlepage.xhtml", "toc": "toc.xhtml", "references": "references.xhtml",
                "colophon": "colophon.xhtml"}


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
    """The reader PDF's pages as the EPUB of its mode marks them: ``breaks`` are (the page
    number the PDF prints, the block or matter section that page begins in), in page order."""

    source_file: str  # the reader PDF's file name in build/
    source_identifier: str  # the identifier it and the EPUB carry (book.toml's, else one made for the book)
    breaks: tuple[tuple[int, str], ...]

    def before(self) -> dict[str, list[int]]:
        """Block or matter section → the pages whose markers go before it, in order."""
        found: dict[str, list[int]] = {}
        for page, key in self.breaks:
            found.setdefault(key, []).append(page)
        return found


def marker_attributes(page: int) -> dict[str, str]:
    """The attributes of a page's pagebreak marker (an empty span: it takes no room in the text),
    named by the number the PDF prints on the page."""
    return {"epub:type": "pagebreak", "role": "doc-pagebreak", "id": f"page-{page}", "aria-label": str(page)}
