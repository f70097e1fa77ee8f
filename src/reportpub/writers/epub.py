"""Book → EPUB 3 (reflowable), vertical or horizontal, with EbookLib; reproducible to the byte.

The edition holds a cover, a title page (扉), a table-of-contents page (目次), one
XHTML file per chapter, the references list (参考文献) when there is one, and the
colophon (奥付); a navigation document (TOC with the ``##`` sections nested, and
landmarks) and an NCX for older reading systems. Notes become EPUB pop-up notes: the
reference is ``<a epub:type="noteref">`` and each note an ``<aside
epub:type="footnote">`` at the end of its chapter, which Apple Books and Kobo show
as a pop-up and every other reading system as a note list.

Content documents are written by the project's templates (``epub-page.xhtml``) and
handed to EbookLib as plain items, because ``EpubHtml`` re-parses its content with
an HTML parser and rebuilds the head. Writing-mode rules live in the theme's CSS
(``epub-vertical.css``); the vertical edition differs here only in the markup pass
that adds tate-chu-yoko and upright runs, the spine's page progression and the
Kindle ``primary-writing-mode`` meta.

EbookLib writes a zip with the current time; the archive is rewritten with the
``mimetype`` entry first and stored, a fixed order, and book.toml's date on every
entry, so two builds of the same book give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import json
import xml.etree.ElementTree as etree
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ebooklib import epub

from reportpub import __version__
from reportpub.cache import Cache, cache_root
from reportpub.diagnostics import ReportpubError
from reportpub.digests import package_digest
from reportpub.model import Book, Chapter, Note, note_reference_id
from reportpub.project import Project
from reportpub.templates import Templates
from reportpub.theme import THEME_DIR, stylesheet_text, stylesheets
from reportpub.typography.vertical_markup import TCY_CLASS, UPRIGHT_CLASS
from reportpub.writers.cover import cover_image
from reportpub.writers.epub_accessibility import accessibility_metadata
from reportpub.writers.page_list import MATTER_FILES, PageList, block_key, counted, marker_attributes, matter_entries
from reportpub.xhtml import parse_fragment, ruby_bases_first, serialize, serialize_element

XHTML_MEDIA_TYPE = "application/xhtml+xml"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
ZIP_END = (2107, 12, 31, 23, 59, 58)  # and the last (its year is 7 bits from 1980)
FILE_ATTRIBUTES = 0o100644 << 16  # a regular file, rw-r--r--


@dataclass
class _Page:
    """One content document of the spine."""

    uid: str
    file_name: str
    title: str
    content: bytes
    properties: list[str] = field(default_factory=list)


def write_epub(book: Book, project: Project, mode: str, templates: Templates, target: Path,
               page_list: PageList | None = None) -> None:
    """Write the EPUB 3 edition of ``book`` in ``mode`` ('vertical' or 'horizontal') to ``target``,
    with pagebreak markers and a page-list nav of ``page_list``'s pages when given."""
    config = book.config
    css = _stylesheet_files(project, mode)
    css_hrefs = [href for href, _ in css]
    anchors = _anchor_files(book)
    markers = page_list.before() if page_list else {}
    matter_keys = {file_name: key for key, file_name in MATTER_FILES.items()}

    def page(uid: str, file_name: str, title: str, content: str, body_class: str, epub_type: str,
             properties: list[str] | None = None) -> _Page:
        text = templates.render("epub-page.xhtml", book, title=title, stylesheets=css_hrefs, mode=mode,
                                body_class=body_class, epub_type=epub_type, content=content)
        return _Page(uid, file_name, title, text.encode("utf-8"), properties or [])

    def matter(file_name: str, partial: str, **context) -> str:
        """A front- or back-matter partial, made ready for its content document, with the
        markers of the pages that begin in it (before it, those known by its section only)."""
        pages = markers.get(matter_keys.get(file_name, ""), [])
        return "".join(serialize_element(_page_marker(page, folio)) for page, _, folio in pages) + _prepare_fragment(
            templates.render(partial, book, **context), file_name, mode, anchors, markers)

    cover_href, cover_bytes, cover_size = cover_image(book.config, project, mode)
    chapters = [{"href": c.file_name, "id": c.id, "title": c.title, "headings": c.headings,
                 "sections": c.contents(config.toc.depth)} for c in book.chapters]

    pages = [
        page("cover", "cover.xhtml", "表紙", _cover_markup(cover_href, cover_size, config.title),
             "cover-page", "cover", ["svg"]),
        page("titlepage", "titlepage.xhtml", config.title, matter("titlepage.xhtml", "titlepage.html"),
             "titlepage-page", "frontmatter"),
        page("toc", "toc.xhtml", "目次",
             matter("toc.xhtml", "toc.html", chapters=chapters, references_href="references.xhtml"),
             "toc-page", "frontmatter"),
    ]
    chapter_documents = ChapterDocuments(project, mode, anchors, markers)
    for chapter in book.chapters:
        pages.append(page(_uid(chapter), chapter.file_name, chapter.title,
                          chapter_documents.xhtml(book, chapter), "chapter-page", "bodymatter"))
    chapter_documents.prune()
    if book.references:
        pages.append(page("references", "references.xhtml", "参考文献", matter("references.xhtml", "references.html"),
                          "references-page", "backmatter"))
    pages.append(page("colophon", "colophon.xhtml", "奥付", matter("colophon.xhtml", "colophon.html"),
                      "colophon-page", "backmatter"))

    publication = epub.EpubBook()
    _set_metadata(publication, book, mode)
    _set_accessibility_metadata(publication, book, mode, page_list)

    for href, content in css:
        publication.add_item(epub.EpubItem(uid=_css_uid(href), file_name=href, media_type="text/css", content=content))
    cover = epub.EpubCover(uid="cover-image", file_name=cover_href)
    cover.content = cover_bytes
    cover.media_type = "image/png" if cover_href.endswith(".png") else "image/jpeg"
    publication.add_item(cover)
    publication.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})
    for number, asset in enumerate(book.assets, 1):
        if asset.href == cover_href:
            continue
        publication.add_item(epub.EpubImage(uid=f"image-{number}", file_name=asset.href,
                                            media_type=asset.media_type, content=_read_asset(project, asset.path)))

    nav = epub.EpubItem(uid="nav", file_name="nav.xhtml", media_type=XHTML_MEDIA_TYPE,
                        content=_nav_document(book, pages, css_hrefs, mode,
                                              _page_targets(book, page_list, pages)).encode("utf-8"))
    nav.properties = ["nav"]
    publication.add_item(nav)
    publication.add_item(epub.EpubNcx())
    for item in pages:
        document = epub.EpubItem(uid=item.uid, file_name=item.file_name, media_type=XHTML_MEDIA_TYPE,
                                 content=item.content)
        document.properties = item.properties
        publication.add_item(document)
        publication.spine.append(item.uid)
    publication.toc = _ncx_toc(book)

    buffer = io.BytesIO()
    options = {
        "mtime": config.timestamp,
        "epub2_guide": False,
        "epub3_landmark": False,
        "epub3_pages": False,
        "raise_exceptions": True,
    }
    _Writer(buffer, publication, options).write()
    _write_reproducible_zip(buffer.getvalue(), target, config.timestamp)


# ---------------------------------------------------------------------------------------------
# Chapters

CHAPTER_CACHE_DIR = "epub-chapters"  # in build/.cache, one folder per mode


class ChapterDocuments:
    """Each chapter's content document body (chapter_xhtml) for one EPUB, kept between builds in
    build/.cache/epub-chapters/<mode>: an edit to one chapter makes only its own again (the
    vertical markup of a long book's chapters is most of the vertical EPUB's time). An entry is
    named by all chapter_xhtml reads: the chapter (its text, notes, ids and file name), the
    mode, which document defines each id a link may point to (the whole book's), the pagebreak
    markers of the chapter's blocks (page, place and folio), and reportpub's code."""

    def __init__(self, project: Project, mode: str, anchors: dict[str, str],
                 markers: dict[str, list[tuple[int, int, int]]]):
        self.cache = Cache(cache_root(project.build_dir) / CHAPTER_CACHE_DIR / mode)
        self.mode, self.anchors, self.markers = mode, anchors, markers
        self.common = hashlib.sha256(json.dumps([package_digest(), mode, sorted(anchors.items())],
                                                ensure_ascii=False).encode()).hexdigest()
        self.chapter_markers: dict[str, list] = {}  # chapter id → its blocks' markers, by block
        for key, pages in sorted(markers.items()):
            chapter_id, _, _ = key.rpartition("/")
            if chapter_id:
                self.chapter_markers.setdefault(chapter_id, []).append((key, pages))

    def xhtml(self, book: Book, chapter: Chapter) -> str:
        # The chapter is a frozen dataclass of strings and tuples: its repr is its content.
        key = hashlib.sha256(f"{self.common}|{self.chapter_markers.get(chapter.id, [])!r}|{chapter!r}"
                             .encode()).hexdigest()[:32]
        stored = self.cache.get(key, "xhtml")  # None when missing or damaged
        if stored is not None:
            return stored.decode("utf-8")
        xhtml = chapter_xhtml(book, chapter, self.mode, self.anchors, self.markers)
        self.cache.put(key, xhtml, "xhtml")
        return xhtml

    def prune(self) -> None:
        """Keep the chapters this build and the one before used (cache.keep_recent)."""
        self.cache.prune()


def chapter_xhtml(book: Book, chapter: Chapter, mode: str, anchors: dict[str, str] | None = None,
                  markers: dict[str, list[tuple[int, int, int]]] | None = None) -> str:
    """The chapter's content document body: text with pop-up note references, then its notes;
    at the first character of each page of the reader PDF, its pagebreak marker (``markers``,
    PageList.before)."""
    anchors = anchors if anchors is not None else _anchor_files(book)
    root = _marked_for_mode(chapter.body, mode, skip_tables=True)
    if markers:
        _insert_page_markers(root, chapter.id, markers)
    seen: dict[int, int] = {}
    for parent in list(root.iter()):
        for index, marker in enumerate(list(parent)):
            if marker.tag != "span" or "noteref" not in (marker.get("class") or "").split():
                continue
            number = int(marker.get("data-note"))
            seen[number] = seen.get(number, 0) + 1
            reference_id = note_reference_id(number, seen[number])
            sup = etree.Element("sup")
            link = etree.SubElement(sup, "a", {
                "epub:type": "noteref", "class": "noteref", "href": f"#note-{number}", "id": reference_id,
                "role": "doc-noteref",
            })
            link.text = str(number)
            sup.tail = marker.tail
            parent[index] = sup
    _epub_ruby(root)
    _retarget_links(root, chapter.file_name, anchors)
    parts = ['<section class="chapter" epub:type="chapter" role="doc-chapter">\n', serialize(root), "\n</section>\n"]
    if chapter.notes:
        parts.append('<section class="notes" epub:type="footnotes" aria-label="注">\n')
        for note in chapter.notes:
            parts.append(_note_aside(note, chapter.file_name, mode, anchors))
        parts.append("</section>\n")
    return "".join(parts)


def _insert_page_markers(root: etree.Element, chapter_id: str, markers: dict[str, list[tuple[int, int, int]]]) -> None:
    """The markers of the pages that begin in the chapter's blocks, named as the PDF writer
    names them (page_list.mark_blocks): before the block for a page that begins with it, else
    before the character the page begins with (page_list.counted characters into the block)."""
    blocks = list(root)
    for block in blocks:
        root.remove(block)
    for index, block in enumerate(blocks):
        found = markers.get(block_key(chapter_id, index), [])
        root.extend(_page_marker(page, folio) for page, offset, folio in found if offset == 0)
        root.append(block)
        for page, offset, folio in sorted((m for m in found if m[1] > 0), key=lambda m: -m[1]):  # the last first:
            _insert_at_character(block, offset, _page_marker(page, folio))  # the text before a split stays put


def _insert_matter_markers(root: etree.Element, markers: dict[str, list[tuple[int, int, int]]]) -> None:
    """The markers of the pages that begin in a matter section's entries, named as the PDF
    writer names them (writers/pdf/parts.py page_starts): at the entry's first character (a
    marker may not stand between list items or table cells), or the character the page begins with."""
    for section in [element for element in root.iter() if element.get("id") in MATTER_FILES]:
        entries = matter_entries(section)
        for number, entry in enumerate(entries):
            for page, offset, folio in sorted(markers.get(block_key(section.get("id"), number), []), key=lambda m: -m[1]):
                _insert_at_character(entry, offset, _page_marker(page, folio), skip=set(entries))


# Elements a marker does not go into (it stands before them): their text is one unit of the
# line in both editions, or not the manuscript's text.
ATOMIC_TAGS = frozenset({"ruby"})
ATOMIC_CLASSES = frozenset({"noteref", TCY_CLASS, UPRIGHT_CLASS})


def _insert_at_character(block: etree.Element, offset: int, marker: etree.Element, skip: set = frozenset()) -> None:
    """Put ``marker`` into ``block`` before its counted character number ``offset`` (from 0),
    splitting the text there; after the block's end if it has no more. The text of the
    elements ``skip`` holds (entries within a matter entry) is not the block's."""
    remaining = offset
    if offset == 0:  # at the block's start, before any element it begins with
        marker.tail, block.text = block.text, None
        block.insert(0, marker)
        return

    def split(text: str) -> int | None:
        """Where in ``text`` the character lies, or None (``remaining`` counted down past it)."""
        nonlocal remaining
        for position, character in enumerate(text):
            if counted(character):
                if remaining == 0:
                    return position
                remaining -= 1
        return None

    def visit(element: etree.Element) -> bool:
        nonlocal remaining
        position = split(element.text or "")
        if position is not None:
            marker.tail, element.text = element.text[position:], element.text[:position]
            element.insert(0, marker)
            return True
        for index, child in enumerate(element):
            if child.tag in ATOMIC_TAGS or ATOMIC_CLASSES.intersection((child.get("class") or "").split()):
                units = 0 if "noteref" in (child.get("class") or "").split() else counted(_reading_free_text(child))
                if remaining < units:  # a note call is not the PDF's text (its note floats away)
                    marker.tail = None
                    element.insert(index, marker)
                    return True
                remaining -= units
            elif child not in skip and visit(child):
                return True
            position = split(child.tail or "")
            if position is not None:
                marker.tail, child.tail = child.tail[position:], child.tail[:position]
                element.insert(index + 1, marker)
                return True
        return False

    if not visit(block):
        block.append(marker)


def _reading_free_text(element: etree.Element) -> str:
    """The text of ``element`` without its ruby readings (what the PDF counts of it)."""
    return (element.text or "") + "".join(
        ("" if child.tag in ("rt", "rp") else _reading_free_text(child)) + (child.tail or "") for child in element)


def _page_marker(page: int, folio: int) -> etree.Element:
    """An empty ``epub:type="pagebreak"`` span for the reader PDF's page ``page``, which prints ``folio``."""
    return etree.Element("span", marker_attributes(page, folio))


def _page_targets(book: Book, page_list: PageList | None, pages: list[_Page]) -> list[tuple[int, int, str]]:
    """(page, its folio, content document holding its marker) of every page of ``page_list`` the EPUB marks."""
    if page_list is None:
        return []
    files = {chapter.id: chapter.file_name for chapter in book.chapters}
    written = {page.file_name for page in pages}
    targets = []
    for page, key, _, folio in page_list.breaks:
        chapter_id, _, _ = key.rpartition("/")
        file_name = files.get(chapter_id) or MATTER_FILES.get(chapter_id or key)
        if file_name in written:
            targets.append((page, folio, file_name))
    return targets


def _note_aside(note: Note, file_name: str, mode: str, anchors: dict[str, str]) -> str:
    """``<aside epub:type="footnote">`` with a link back to the reference at its start."""
    root = _marked_for_mode(note.html_per_chapter, mode, skip_tables=True)
    back = etree.Element("a", {"class": "note-back", "href": f"#noteref-{note.number}", "role": "doc-backlink"})
    back.text = str(note.number)
    first = root[0] if len(root) and root[0].tag == "p" and not (root.text or "").strip() else None
    if first is None:  # inline content only: wrap it so the number and text share one paragraph
        first = etree.Element("p")
        first.text, root.text = root.text, None
        for child in list(root):
            root.remove(child)
            first.append(child)
        root.append(first)
    back.tail = "\u3000" + (first.text or "")
    first.text = None
    first.insert(0, back)
    _epub_ruby(root)
    _retarget_links(root, file_name, anchors)
    return (f'<aside class="footnote" epub:type="footnote" role="doc-footnote" id="{note.id}">'
            f"{serialize(root)}</aside>\n")


def _marked_for_mode(xhtml: str, mode: str, skip_tables: bool) -> etree.Element:
    """Parse a fragment; mark URLs; in vertical mode add tate-chu-yoko and upright runs."""
    root = parse_fragment(xhtml)
    _mark_urls(root, mode)
    if mode == "vertical":
        root = parse_fragment(_vertical(serialize(root), skip_tables))
    return root


def _mark_urls(root: etree.Element, mode: str) -> None:
    """In vertical text, URLs (class ``url``, given by the reader) and identifiers are set
    ``sideways`` (電書協: 横倒し) as one Latin run."""
    for element in root.iter():
        classes = (element.get("class") or "").split()
        if mode == "vertical" and ("url" in classes or "identifier" in classes):
            classes.append("sideways")
        if classes:
            element.set("class", " ".join(dict.fromkeys(classes)))


def _epub_ruby(root: etree.Element) -> None:
    """Ruby read base first (``xhtml.ruby_bases_first``), without ``<rp>``: every EPUB 3
    reading system lays ruby out, and EPUB 3.3 discourages it."""
    ruby_bases_first(root)
    for ruby in root.iter("ruby"):
        for rp in [child for child in ruby if child.tag == "rp"]:
            children = list(ruby)
            position = children.index(rp)
            if rp.tail:  # the next base character of per-character ruby
                if position:
                    previous = children[position - 1]
                    previous.tail = (previous.tail or "") + rp.tail
                else:
                    ruby.text = (ruby.text or "") + rp.tail
            ruby.remove(rp)


def _vertical(xhtml: str, skip_tables: bool = True) -> str:
    """Tate-chu-yoko and upright runs for vertical text (see typography.vertical_markup).

    Tables are horizontal islands in the text and keep their digits; the colophon's table
    is set vertically (epub-vertical.css), so pages other than chapters pass ``skip_tables=False``.
    """
    from reportpub.typography.vertical_markup import (
        DEFAULT_SKIP_ELEMENTS,
        MATTER_SKIP_ELEMENTS,
        add_vertical_markup,
    )

    skip = DEFAULT_SKIP_ELEMENTS if skip_tables else MATTER_SKIP_ELEMENTS
    return add_vertical_markup(xhtml, skip_elements=skip)


def _anchor_files(book: Book) -> dict[str, str]:
    """Which content document defines each id a link may point to."""
    files: dict[str, str] = {"titlepage": "titlepage.xhtml", "toc": "toc.xhtml", "colophon": "colophon.xhtml"}
    if book.references:
        files["references"] = "references.xhtml"
        for reference in book.references:
            files[f"ref-{reference.key}"] = "references.xhtml"
    for chapter in book.chapters:
        for anchor in chapter.anchors:
            files[anchor] = chapter.file_name
        for note in chapter.notes:
            files[note.id] = chapter.file_name
            files[f"noteref-{note.number}"] = chapter.file_name
    return files


def _retarget_links(root: etree.Element, file_name: str, anchors: dict[str, str]) -> None:
    """``href="#id"`` whose id lives in another content document → ``other.xhtml#id``."""
    for link in root.iter("a"):
        href = link.get("href", "")
        if href.startswith("#"):
            other = anchors.get(href[1:])
            if other and other != file_name:
                link.set("href", f"{other}{href}")


def _prepare_fragment(xhtml: str, file_name: str, mode: str, anchors: dict[str, str],
                      markers: dict[str, list[tuple[int, int, int]]] | None = None) -> str:
    """Title page, contents, references, colophon: the same treatment as chapter text, and
    the markers of the pages that begin in their entries (page_list.matter_entries).

    Their tables (the colophon's) are set vertically with the text, so they take
    tate-chu-yoko too."""
    root = _marked_for_mode(xhtml, mode, skip_tables=False)
    if markers:
        _insert_matter_markers(root, markers)
    _epub_ruby(root)
    _retarget_links(root, file_name, anchors)
    return serialize(root)


def _uid(chapter: Chapter) -> str:
    return chapter.file_name.rsplit(".", 1)[0]


# ---------------------------------------------------------------------------------------------
# Navigation


def _nav_document(book: Book, pages: list[_Page], css_hrefs: list[str], mode: str,
                  page_targets: list[tuple[int, int, str]]) -> str:
    """The EPUB navigation document: the table of contents, the landmarks and, when the EPUB
    marks the reader PDF's pages, the page-list."""
    e = html.escape
    language = e(book.config.language)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<!DOCTYPE html>",
        f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
        f'lang="{language}" xml:lang="{language}" class="{e(mode)}">',
        "<head>",
        '  <meta charset="utf-8" />',
        "  <title>目次</title>",
        *[f'  <link rel="stylesheet" type="text/css" href="{e(href)}" />' for href in css_hrefs],
        "</head>",
        '<body class="nav-page">',
        '<nav epub:type="toc" id="nav-toc" role="doc-toc">',
        '  <h1 class="toc-title">目次</h1>',
        "  <ol>",
    ]
    def entries(chapter, contents, indent: str) -> None:
        lines.append(f"{indent}<ol>")
        for entry in contents:
            heading = entry.heading
            lines.append(f'{indent}  <li><a href="{chapter.file_name}#{e(heading.id)}">{e(heading.text)}</a>')
            if entry.children:
                entries(chapter, entry.children, indent + "    ")
            lines.append(f"{indent}  </li>")
        lines.append(f"{indent}</ol>")

    for chapter in book.chapters:
        lines.append(f'    <li><a href="{chapter.file_name}">{e(chapter.title)}</a>')
        contents = chapter.contents(book.config.toc.depth)
        if contents:
            entries(chapter, contents, "      ")
        lines.append("    </li>")
    if book.references:
        lines.append('    <li><a href="references.xhtml">参考文献</a></li>')
    lines.append('    <li><a href="colophon.xhtml">奥付</a></li>')
    lines += ["  </ol>", "</nav>", '<nav epub:type="landmarks" id="landmarks" hidden="hidden">',
              "  <h2>ガイド</h2>", "  <ol>"]
    landmarks = [("cover", "cover.xhtml", "表紙"), ("titlepage", "titlepage.xhtml", "扉"), ("toc", "toc.xhtml", "目次")]
    if book.chapters:
        landmarks.append(("bodymatter", book.chapters[0].file_name, "本文"))
    if book.references:
        landmarks.append(("bibliography", "references.xhtml", "参考文献"))
    names = {p.file_name for p in pages}
    for kind, href, label in landmarks:
        if href in names:
            lines.append(f'    <li><a epub:type="{kind}" href="{href}">{label}</a></li>')
    lines += ["  </ol>", "</nav>"]
    if page_targets:
        lines += ['<nav epub:type="page-list" id="page-list" role="doc-pagelist" hidden="hidden">',
                  "  <h2>ページ</h2>", "  <ol>"]
        lines += [f'    <li><a href="{file_name}#page-{page}">{folio}</a></li>' for page, folio, file_name in page_targets]
        lines += ["  </ol>", "</nav>"]
    lines += ["</body>", "</html>", ""]
    return "\n".join(lines)


def _ncx_toc(book: Book) -> list:
    """The same table of contents for EbookLib's NCX (EPUB 2 reading systems)."""
    toc: list = []
    def links(chapter, contents) -> list:
        found = []
        for entry in contents:
            link = epub.Link(f"{chapter.file_name}#{entry.heading.id}", entry.heading.text, f"ncx-{entry.heading.id}")
            found.append((link, links(chapter, entry.children)) if entry.children else link)
        return found

    for chapter in book.chapters:
        entry = epub.Link(chapter.file_name, chapter.title, f"ncx-{_uid(chapter)}")
        sections = links(chapter, chapter.contents(book.config.toc.depth))
        toc.append((entry, sections) if sections else entry)
    if book.references:
        toc.append(epub.Link("references.xhtml", "参考文献", "ncx-references"))
    toc.append(epub.Link("colophon.xhtml", "奥付", "ncx-colophon"))
    return toc


# ---------------------------------------------------------------------------------------------
# Metadata, stylesheets, images


def _set_metadata(publication: epub.EpubBook, book: Book, mode: str) -> None:
    config = book.config
    publication.set_identifier(config.identifier)
    publication.set_title(config.title)
    publication.set_language(config.language)
    # EbookLib's own generator meta names EbookLib; this edition is reportpub's.
    publication.set_unique_metadata("OPF", "generator", "", {"name": "generator", "content": f"reportpub {__version__}"})
    for number, author in enumerate(config.authors, 1):
        publication.add_author(author, uid=f"creator-{number}")
    if config.subtitle:
        publication.add_metadata("DC", "description", config.subtitle)
    if config.publisher:
        publication.add_metadata("DC", "publisher", config.publisher)
    if config.rights:
        publication.add_metadata("DC", "rights", config.rights)
    if config.date:
        publication.add_metadata("DC", "date", config.date.isoformat())
    publication.add_metadata(None, "meta", "reflowable", {"property": "rendition:layout"})
    publication.add_metadata(None, "meta", "auto", {"property": "rendition:spread"})
    if mode == "vertical":
        # A vertical Japanese book opens on the right; Kindle reads the writing mode from this meta.
        publication.set_direction("rtl")
        publication.add_metadata(None, "meta", "", {"name": "primary-writing-mode", "content": "vertical-rl"})
    else:
        publication.set_direction("ltr")


def _set_accessibility_metadata(publication: epub.EpubBook, book: Book, mode: str, page_list: PageList | None) -> None:
    """EPUB Accessibility 1.1's package metadata (writers/epub_accessibility.py)."""
    for name, value in accessibility_metadata(book, mode, page_list is not None):
        publication.add_metadata(None, "meta", value, {"property": name})
    if page_list is not None:
        # The edition the page breaks come from (pageBreakSource, EPUBCheck incubates it): its
        # identifier, refined by its file name.
        publication.add_metadata(None, "meta", page_list.source_identifier,
                                 {"property": "pageBreakSource", "id": "page-break-source"})
        publication.add_metadata(None, "meta", page_list.source_file,
                                 {"property": "dcterms:title", "refines": "#page-break-source"})


class _Writer(epub.EpubWriter):
    """EbookLib's writer, with the book's language on the package element too (EPUB
    Accessibility: the language of the package metadata, as of the content)."""

    def _write_opf_file(self, root):
        root.set("{http://www.w3.org/XML/1998/namespace}lang", self.book.language)
        super()._write_opf_file(root)


def _stylesheet_files(project: Project, mode: str) -> list[tuple[str, bytes]]:
    """(href inside the EPUB, content) of the theme's sheets and then the author's, in cascade order."""
    files = []
    for path in stylesheets(project, "epub", mode):
        if path.parent == THEME_DIR:
            href = f"style/{path.name}"
        else:
            href = f"style/author/{path.name}"
        files.append((href, stylesheet_text(path, project).encode("utf-8")))
    return files


def _css_uid(href: str) -> str:
    stem = href.removeprefix("style/").rsplit(".", 1)[0]
    return "css-" + "".join(c if c.isalnum() or c in "-_." else "-" for c in stem)


def _read_asset(project: Project, relative: str) -> bytes:
    path = project.inside(project.root / relative)
    if path is None or not path.is_file():
        raise ReportpubError.at(relative, "image file is missing or lies outside the project")
    return path.read_bytes()


def _cover_markup(href: str, size: tuple[int, int], title: str) -> str:
    """The cover page: the image scaled to the screen, kept whole, via SVG (as Japanese EPUBs do)."""
    width, height = size
    return (
        '<div class="cover">'
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" '
        f'width="100%" height="100%" viewBox="0 0 {width} {height}" preserveAspectRatio="xMidYMid meet" '
        f'role="img" aria-label="{html.escape(title)}">'
        f'<image width="{width}" height="{height}" xlink:href="{html.escape(href)}" />'
        "</svg></div>"
    )


# ---------------------------------------------------------------------------------------------
# The archive


def _zip_time(timestamp: dt.datetime) -> tuple[int, int, int, int, int, int]:
    stamp = (timestamp.year, timestamp.month, timestamp.day, timestamp.hour, timestamp.minute, timestamp.second)
    return min(max(stamp, ZIP_EPOCH), ZIP_END)


def _write_reproducible_zip(archive: bytes, target: Path, timestamp: dt.datetime) -> None:
    """Rewrite EbookLib's zip: mimetype first and stored, then container, package, the rest in order."""
    date_time = _zip_time(timestamp)
    with zipfile.ZipFile(io.BytesIO(archive)) as source:
        names = source.namelist()
        first = [n for n in ("mimetype", "META-INF/container.xml") if n in names]
        packages = [n for n in names if n.endswith(".opf")]
        order = first + packages + [n for n in names if n not in first and n not in packages]
        contents = {name: source.read(name) for name in order}
    with zipfile.ZipFile(target, "w") as out:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.create_system = 3
            info.external_attr = FILE_ATTRIBUTES
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
                out.writestr(info, contents[name])
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                out.writestr(info, contents[name], compresslevel=9)
