"""Chapter drafts + bibliography → :class:`Book`: numbering, notes, cross-references, checks.

This is the only place that numbers things. Notes (the author's footnotes and
citation notes) run in one sequence through the book in reading order; figures are
図1, 図2 … and tables 表1, 表2 …; every heading gets an id; every ``#id`` link must
land somewhere. Problems are collected and raised together.
"""

from __future__ import annotations

import copy
import mimetypes
import re
import xml.etree.ElementTree as etree
from pathlib import Path

from reportpub.cache import cache_root
from reportpub.diagnostics import DiagnosticCollector, ReportpubError, SourceLocation, line_of_offset
from reportpub.safety.images import CheckedImages, ImageProblem
from reportpub.manuscript.reader import ChapterDraft, mark_url_links
from reportpub.model import Asset, Book, Chapter, Heading, Note, Reference
from reportpub.numbering import label as chapter_label
from reportpub.project import Project
from reportpub.typography.coverage import check_coverage
from reportpub.xhtml import parse_fragment, serialize, text_of

FIGURE_LABEL = "図{}"
TABLE_LABEL = "表{}"
CROSS_REFERENCE = "xref"  # the class of a link whose text reportpub filled in
# [](#id){.page}: a cross-reference that also prints the page its target is on, 「第2章（12ページ）」.
# The author's class is "page"; the link carries PAGE_REFERENCE, to which the PDF's stylesheet
# adds the page number (the EPUB and web editions, which have no pages, print the link text alone).
PAGE_CLASS = "page"
PAGE_REFERENCE = "page-reference"
UNNUMBERED = "unnumbered"  # the class ({.unnumbered}) that keeps a chapter out of the numbering, as in Pandoc
LABEL_SEPARATOR = "\u3000"  # a full-width space between 図1 and the caption, as Japanese books set it
BLOCK_TAGS = {"p", "div", "ul", "ol", "li", "blockquote", "pre", "table", "figure", "dl", "dd", "dt"}


class _NoteNumbering:
    """Running state while walking the book: note numbers and the citation formatter.

    Citation notes are formatted twice: for editions with one note list through the book
    (PDF, web) and for the EPUB, whose every chapter has a note list of its own; there a
    chapter starts afresh (full forms again, no 同上 pointing into the chapter before)."""

    def __init__(self, formatter, problems: DiagnosticCollector, bibliography_failed: bool):
        from reportpub.citing.formatter import NoteSequence

        self.formatter = formatter
        self.problems = problems
        self.bibliography_failed = bibliography_failed
        self.count = 0
        self.seen: dict[tuple[str, str], int] = {}  # (chapter, citation text) → occurrences so far
        self.book_sequence = NoteSequence()
        self.chapter_sequence = NoteSequence()

    def new_chapter(self) -> None:
        self.chapter_sequence.new_chapter()

    def interrupt(self) -> None:
        """An author's note without a citation: no 同上 across it."""
        self.book_sequence.interrupt()
        self.chapter_sequence.interrupt()

    def citation_html(self, draft: ChapterDraft, cite: etree.Element, number: int):
        """The citation of note ``number`` as ``<span>``s, (book-wide, per-chapter); (None, None)
        (and an error) when it cannot be formatted."""
        from reportpub.citing.formatter import format_citation_element

        raw = cite.get("data-cite", "")
        occurrence = self.seen.get((draft.source, raw), 0)
        self.seen[(draft.source, raw)] = occurrence + 1
        line = draft.line_of(f"[{raw}]", occurrence=occurrence)
        if self.bibliography_failed:
            return None, None  # the bibliography's own error is reported; one error, not one per citation
        try:
            return tuple(format_citation_element(self.formatter, raw, draft.source, line, number=number,
                                                 sequence=sequence)
                         for sequence in (self.book_sequence, self.chapter_sequence))
        except ReportpubError as error:
            self.problems.extend(error)
            return None, None


def resolve_book(project: Project, drafts: list[ChapterDraft], formatter=None,
                 problems: DiagnosticCollector | None = None) -> Book:
    """Number, link and check the chapters; raise every problem found (with ``problems``
    already collected by the reader) at once."""
    problems = problems if problems is not None else DiagnosticCollector()
    numbering = _NoteNumbering(formatter, problems, bibliography_failed=bool(project.config.bibliography) and formatter is None)
    figures = tables = 0
    assets: dict[str, Asset] = {}
    anchors_seen: dict[str, str] = {}
    reference_texts: dict[str, str] = {}  # id → what a cross-reference to it prints
    pending: list[tuple[ChapterDraft, dict]] = []  # chapters, made once their cross-references are filled in
    appendix_sources = {f"manuscript/{name}" for name in project.config.appendix}
    numbered = {False: 0, True: 0}  # chapters and appendices numbered so far

    author_ids: list[tuple[ChapterDraft, str]] = []
    checked_images = CheckedImages(cache_root(project.build_dir))
    for index, draft in enumerate(drafts, 1):
        body = draft.body
        author_ids += [(draft, element.get("id")) for element in body.iter() if element.get("id")]
        appendix = draft.source in appendix_sources
        label = _number_chapter(body, project.config.numbering, appendix, numbered)
        headings = _assign_heading_ids(body, index)
        title = headings[0].text if headings and headings[0].level == 1 else Path(draft.source).stem

        numbering.new_chapter()
        notes = _number_notes(draft, numbering)

        for figure in body.iter("figure"):
            figures += 1
            figure.set("id", figure.get("id") or f"figure-{figures}")
            caption = figure.find("figcaption")
            if caption is not None:
                _prefix_label(caption, FIGURE_LABEL.format(figures))
        for table in body.iter("table"):
            tables += 1
            table.set("id", table.get("id") or f"table-{tables}")
            caption = table.find("caption")
            if caption is None:
                caption = etree.Element("caption")
                table.insert(0, caption)
            _prefix_label(caption, TABLE_LABEL.format(tables))

        for src in draft.images:
            asset = _check_image(project, draft, src, problems, checked_images)
            if asset:
                assets[asset.path] = asset

        anchors = [el.get("id") for el in body.iter() if el.get("id")]
        for anchor in anchors:
            if anchor in anchors_seen:
                problems.error(draft.source, f"id '{anchor}' is already used in {anchors_seen[anchor]}",
                               draft.line_of("#" + anchor))
            anchors_seen[anchor] = draft.source

        check_coverage(draft.source, draft.text, text_of(body, frozenset()), problems, cache_root(project.build_dir))
        reference_texts.update(_reference_texts(body, headings, label))
        pending.append((draft, dict(
            index=index, source=draft.source, id=headings[0].id if headings else f"chapter-{index}",
            title=title, headings=tuple(headings), notes=tuple(notes),
            anchors=tuple(anchors), label=label, appendix=appendix,
        )))

    checked_images.prune()
    for draft in drafts:
        links_to: dict[str, int] = {}  # href → how many links to it came before, in source order
        for link in draft.body.iter("a"):
            href = link.get("href", "")
            classes = (link.get("class") or "").split()
            occurrence = links_to[href] = links_to.get(href, -1) + 1
            if href.startswith("#") and href[1:] not in anchors_seen:
                problems.error(draft.source, f"link to '{href}' leads nowhere (no heading or block has that id)",
                               _link_line(draft, href, occurrence))
                continue
            if PAGE_CLASS in classes:
                if not href.startswith("#"):
                    problems.error(draft.source, f"{{.page}} on a link to '{href}': a page reference must lead "
                                   "to a heading, figure or table of the book ([](#id){.page})",
                                   _link_line(draft, href, occurrence))
                    continue
                classes = [PAGE_REFERENCE if name == PAGE_CLASS else name for name in classes]
            if href.startswith("#") and not link.text and not len(link):
                # [](#id): a cross-reference that prints what it leads to (第2章, 図3, a section's title).
                link.text = reference_texts.get(href[1:], "")
                classes.append(CROSS_REFERENCE)
            if classes:
                link.set("class", " ".join(classes))
    chapters = [Chapter(body=serialize(draft.body), **fields) for draft, fields in pending]

    references = ()
    if formatter is not None and not problems.errors:
        references = tuple(Reference(key, _with_marked_urls(html)) for key, html in formatter.bibliography())
    _check_author_ids(author_ids, chapters, references, problems)
    problems.raise_if_errors()

    book_text = "".join(text_of(d.body, frozenset()) for d in drafts)
    book_text += "".join(n.html for c in chapters for n in c.notes) + "".join(r.html for r in references)
    config = project.config
    book_text += "".join(filter(None, [config.title, config.subtitle, config.publisher, config.rights, *config.authors]))
    return Book(
        config=config, chapters=tuple(chapters), references=references,
        assets=tuple(sorted(assets.values(), key=lambda a: a.path)),
        characters="".join(sorted(set(book_text))),
        cited_keys=tuple(formatter.cited_keys) if formatter is not None else (),
    )


# Ids reportpub gives to what it makes (numbered blocks, notes, the matter around the chapters,
# the pages' own wrappers): an author's id of that form would clash in some edition, and two
# elements with one id make an EPUB that fails EPUBCheck and links that go to the wrong place.
RESERVED_ID = re.compile(r"(chapter-\d+(-\d+)?|figure-\d+|table-\d+|note-\d+|noteref-\d+|island-measure-\d+"
                         r"|titlepage|toc|nav|nav-toc|landmarks|references|colophon|cover|reportpub-preview)")


def _link_line(draft: ChapterDraft, href: str, occurrence: int = 0) -> int | None:
    """The line of the ``occurrence``-th link to ``href`` in the source: written inline
    ``(href)`` or with a title ``(href "…")``, as raw HTML ``href="…"``, or by a reference
    definition ``[r]: href`` (links sharing one definition all name its line: past the last
    place ``href`` is written, the last). Else wherever ``href`` appears."""
    target = re.escape(href)
    written = re.compile(rf"""\(\s*<?{target}>?(?=[\s)])|\bhref\s*=\s*["']{target}["']"""
                         rf"|^ {{0,3}}\[[^\]\n]+\]:[ \t]*<?{target}>?(?=\s|$)", re.MULTILINE)
    places = [match.start() for match in written.finditer(draft.text)]
    if not places:
        return draft.line_of(href)
    return line_of_offset(draft.text, places[min(occurrence, len(places) - 1)])


def _check_author_ids(author_ids: list[tuple[ChapterDraft, str]], chapters: list[Chapter],
                      references: tuple[Reference, ...], problems: DiagnosticCollector) -> None:
    """An id the author wrote ({#id} or id="…") may be none that reportpub generates."""
    generated = {f"section-{chapter.id}" for chapter in chapters} | {f"ref-{reference.key}" for reference in references}
    for draft, anchor in author_ids:
        if RESERVED_ID.fullmatch(anchor) or anchor in generated:
            line = draft.line_of("#" + anchor) or draft.line_of(f'id="{anchor}"')
            problems.error(draft.source, f"id '{anchor}' is one reportpub gives to what it generates "
                           "(chapter-N, figure-N, table-N, note-N, section-…, ref-…, toc …); choose another", line)


def _with_marked_urls(html: str) -> str:
    root = parse_fragment(html)
    mark_url_links(root)
    return serialize(root)


def _reference_texts(body: etree.Element, headings: list[Heading], label: str) -> dict[str, str]:
    """What ``[](#id)`` prints for each id of a chapter: its label (第2章) or title for the
    chapter, the title of a section, 図N or 表N for a figure or table."""
    texts = {heading.id: heading.text for heading in headings}
    if headings and headings[0].level == 1 and label:
        texts[headings[0].id] = label
    for element in body.iter():
        caption_label = element.find("figcaption/span" if element.tag == "figure" else "caption/span")
        if element.tag in ("figure", "table") and element.get("id") and caption_label is not None:
            texts[element.get("id")] = caption_label.text or ""
    return texts


def _number_chapter(body: etree.Element, numbering, appendix: bool, numbered: dict[bool, int]) -> str:
    """Put the chapter's label (第1章, 付録A …) before its title; "" when it has none: numbering is
    off, the chapter has no title heading, or the heading is marked ``{.unnumbered}``."""
    pattern = numbering.appendix if appendix else numbering.chapters
    heading = next((el for el in body.iter() if el.tag in ("h1", "h2", "h3", "h4")), None)
    if not pattern or heading is None or heading.tag != "h1" or UNNUMBERED in (heading.get("class") or "").split():
        return ""
    numbered[appendix] += 1
    label = chapter_label(pattern, numbered[appendix])
    span = etree.Element("span", {"class": "chapter-label"})
    span.text = label
    span.tail = LABEL_SEPARATOR + (heading.text or "")
    heading.text = None
    heading.insert(0, span)
    return label


def _assign_heading_ids(body: etree.Element, chapter_index: int) -> list[Heading]:
    headings = []
    section = 0
    for element in body.iter():
        if element.tag not in ("h1", "h2", "h3", "h4"):
            continue
        level = int(element.tag[1])
        if not element.get("id"):
            if level == 1 and not headings:
                element.set("id", f"chapter-{chapter_index}")
            else:
                section += 1
                element.set("id", f"chapter-{chapter_index}-{section}")
        headings.append(Heading(level=level, id=element.get("id"), text=text_of(element).strip()))
    return headings


def _number_notes(draft: ChapterDraft, numbering: _NoteNumbering) -> list[Note]:
    """Replace note references and body citations by numbered note markers, in reading order."""
    notes: list[Note] = []
    numbers_by_label: dict[str, int] = {}
    for parent, index, child in _in_reading_order(draft.body):
        classes = (child.get("class") or "").split()
        if child.tag == "span" and "noteref" in classes:
            label = child.get("data-label", "")
            if label not in numbers_by_label:
                written = draft.notes.get(label)
                if written is None:
                    continue
                number = numbering.count + 1
                content, per_chapter = copy.deepcopy(written), copy.deepcopy(written)
                if not _format_citations_inline(draft, content, per_chapter, numbering, number) \
                        and numbering.formatter is not None:
                    numbering.interrupt()  # an author's note between two citations: no 同上 across it
                numbering.count = number
                numbers_by_label[label] = number
                notes.append(_make_note(number, content, per_chapter, draft, f"[^{label}]:", False))
            _replace(parent, index, child, numbers_by_label[label])
        elif child.tag == "cite" and "citation" in classes:
            number = numbering.count + 1
            formatted = numbering.citation_html(draft, child, number)
            numbering.count = number
            content, per_chapter = etree.Element("div"), etree.Element("div")
            for block, span in zip((content, per_chapter), formatted):
                paragraph = etree.SubElement(block, "p")
                if span is not None:
                    paragraph.append(span)
            notes.append(_make_note(number, content, per_chapter, draft, f"[{child.get('data-cite')}]", True))
            _replace(parent, index, child, number)
    return notes


def _in_reading_order(root: etree.Element):
    """(parent, index, child) for every element below root, in document order. Replacing
    ``parent[index]`` while iterating is allowed (the replacement is not descended into)."""
    stack = [(root, 0)]
    while stack:
        parent, index = stack.pop()
        if index >= len(parent):
            continue
        stack.append((parent, index + 1))
        child = parent[index]
        yield parent, index, child
        if parent[index] is child:  # not replaced: its descendants come next
            stack.append((child, 0))


def _format_citations_inline(draft: ChapterDraft, content: etree.Element, per_chapter: etree.Element,
                             numbering: _NoteNumbering, number: int) -> bool:
    """A citation inside the author's own footnote is set in that note's text (``content`` as
    the book-wide editions show it, ``per_chapter`` as the EPUB does); True if there was one."""
    found = False
    pairs = [(a, b) for a, b in zip(content.iter(), per_chapter.iter())]
    for parent, twin in pairs:
        for child, twin_child in zip(list(parent), list(twin)):
            if child.tag == "cite" and "citation" in (child.get("class") or ""):
                found = True
                for where, old, span in zip((parent, twin), (child, twin_child),
                                            numbering.citation_html(draft, child, number)):
                    replacement = span if span is not None else etree.Element("span")
                    replacement.tail = old.tail
                    where[list(where).index(old)] = replacement
    return found


def _make_note(number: int, content: etree.Element, per_chapter: etree.Element, draft: ChapterDraft,
               needle: str, is_citation: bool) -> Note:
    mark_url_links(content)  # citation notes are made here, after the reader marked the body
    mark_url_links(per_chapter)
    html = serialize(content)
    chapter_html = serialize(per_chapter)
    inline = etree.Element("div")
    inline.text = content.text
    blocks = [child for child in content]
    for position, block in enumerate(blocks):
        span = copy.deepcopy(block)
        if span.tag in BLOCK_TAGS:
            span.tag = "span"
            span.attrib.pop("id", None)
            for nested in span.iter():
                if nested is not span and nested.tag in BLOCK_TAGS:
                    nested.tag = "span"
        span.tail = " " if position < len(blocks) - 1 else None
        inline.append(span)
    return Note(number=number, html=html, inline_html=serialize(inline),
                location=SourceLocation(draft.source, draft.line_of(needle)), is_citation=is_citation,
                chapter_html=None if chapter_html == html else chapter_html)


def _replace(parent: etree.Element, index: int, child: etree.Element, number: int) -> None:
    marker = etree.Element("span", {"class": "noteref", "data-note": str(number)})
    marker.tail = child.tail
    parent[index] = marker


def _prefix_label(caption: etree.Element, label: str) -> None:
    label_span = etree.Element("span", {"class": "caption-label"})
    label_span.text = label
    text = caption.text or ""
    label_span.tail = (LABEL_SEPARATOR + text) if text or len(caption) else None
    caption.text = None
    caption.insert(0, label_span)


def _check_image(project: Project, draft: ChapterDraft, src: str, problems: DiagnosticCollector,
                 checked: CheckedImages) -> Asset | None:
    line = draft.line_of(src)  # remote and inline images were refused by the sanitiser (reportpub.safety.url_policy)
    path = project.manuscript / src
    resolved = project.inside(path)
    if resolved is None:
        problems.error(draft.source, f"image '{src}' lies outside the project", line)
        return None
    if not resolved.is_file():
        problems.error(draft.source, f"image '{src}' not found", line)
        return None
    media_type = mimetypes.guess_type(resolved.name)[0] or ""
    if media_type not in ("image/png", "image/jpeg", "image/gif", "image/webp"):
        problems.error(draft.source, f"image '{src}' has an unsupported type ({media_type or 'unknown'}); use PNG, JPEG or GIF", line)
        return None
    try:
        media_type = checked.media_type(resolved)
    except ImageProblem as problem:
        problems.error(draft.source, f"image '{src}' {problem}", line)
        return None
    return Asset(href=src, path=project.relative(resolved), media_type=media_type)
