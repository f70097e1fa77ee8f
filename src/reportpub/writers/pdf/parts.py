"""Chapter-by-chapter PDF: lay each part of the book out alone and keep what did not change.

The book's HTML is cut into parts: the front matter (title page and contents), each
chapter, and the back matter (references and colophon). Each part is laid out as a
document of its own, its page counter starting where the whole book would have it, and
written as PDF files (the front matter as each edition, the other parts as the reader
edition, whose pages the print edition takes over) kept in
``build/.cache/pdf-parts/<mode>/`` under a digest of everything its pages depend on:
its HTML and first page number, the stylesheets, fonts, images, book.toml, templates and
reportpub itself. An edit to one chapter lays out that chapter again, and the chapters
after it only if their first page moved; every other part comes from the cache. In a build
with workers, the parts are laid out side by side, each before the parts ahead of it are done
(writers/pdf/part_pool.py: its pages do not depend on its first page, only its folios).

The contents list is laid out last, with the page numbers the parts' anchors landed on
(``data-page``; pdf.css shows it where a whole-book layout would use target-counter()).
pikepdf then joins the files: the front matter's file gives the document catalog (PDF/A or
PDF/X metadata, output intent, viewer preferences), the other parts add their pages,
outlines and named destinations; a blank page goes in wherever a part ends on a right-hand
page, as ``break-before: right`` does in one layout; links between parts, which a part
writes as ``reportpub-anchor:`` URIs because their targets are elsewhere, become links to
the named destinations; and the reader edition's sources are attached.

Every part starts on a right-hand page (the theme's chapters and references break to the
right, and the first page of a document is a right-hand page), so each page keeps its side,
margins and running heads. tests/writers/pdf/test_parts.py holds the result to a whole-book layout.
"""

from __future__ import annotations

import hashlib
import html as html_module
import json
import re
from pathlib import Path
from typing import Callable

from weasyprint.formatting_structure import boxes

from reportpub.cache import PUNCTUATION_FONT_PREFIX, VERTICAL_FONT_PREFIX, Cache, cache_root, entry_key
from reportpub.digests import file_digest
from reportpub.editions import PDF_VARIANTS
from reportpub.model import Book
from reportpub.project import Project
from reportpub.templates import Templates
from reportpub.writers.page_list import (
    BLOCK_ATTRIBUTE,
    MATTER_FILES,
    block_key,
    counted,
    first_in_manuscript,
    local_name,
    matter_entries,
)
from reportpub.writers.pdf.book_html import (
    NOMBRE_CARRIER,
    link_across_parts,
    number_contents,
    number_page_references,
    page_reference_targets,
    split_book,
)
from reportpub.writers.pdf.fonts import FontSources
from reportpub.writers.pdf.island_pieces import REPEATED_CLASS
from reportpub.writers.pdf.join import CachedPart, finish_archival_file, join_parts
from reportpub.writers.pdf.layout import PdfLayout, font_cache_dir
from reportpub.writers.pdf.output import write_pdf
from reportpub.writers.pdf import part_pool
from reportpub.writers.pdf.part_pool import PageCounts

CACHE_FORMAT = 10  # 7: the block each page begins in is recorded (the EPUB's page-list); 8: and the place in it;
# 9: past deferred figures, and the matter's entries; 10: the folio each page prints
CONTENTS_ATTEMPTS = 5  # place the parts again at most this often when the contents or page references move them


def first_right_page_after(last_page: int) -> int:
    """The page a part starts on: the next right-hand (odd-numbered) page."""
    return last_page + 1 if last_page % 2 == 0 else last_page + 2


class PartCache:
    """Laid-out parts of one writing mode, on disk. An entry is its variants' PDF files and
    a JSON record written last, so an interrupted build leaves no entry that seems whole."""

    def __init__(self, directory: Path, reuse: bool = True):
        self.entries = Cache(directory, "*.*", reuse)  # reuse False (--force): lay every part out again

    @property
    def directory(self) -> Path:
        return self.entries.directory

    @property
    def reuse(self) -> bool:
        """Whether parts laid out by an earlier build are taken (not under --force)."""
        return self.entries.reuse

    def get(self, key: str, variants: list[str]) -> CachedPart | None:
        stored = self.entries.get(key, "json")  # None when missing or damaged (or not to be reused)
        files = {v: self.entries.path(key, f"{v}.pdf") for v in variants}
        if stored is None or not all(f.is_file() for f in files.values()):
            return None
        data = json.loads(stored)
        if any(file_digest(files[v]) != data["sha256"].get(v) for v in variants):
            return None  # a part's PDF was damaged after it was written: lay it out again
        return CachedPart(key, data["pages"], data["anchors"], files, data["fonts"], data["page_blocks"])

    def put(self, key: str, document, variants: list[str], write, fonts) -> CachedPart:
        """Write ``document``'s variants with ``write(document, path, variant)`` and record it
        with ``fonts(document)``, the files of the fonts it used."""
        files = {variant: self.entries.put_file(key, f"{variant}.pdf", lambda path: write(document, path, variant),
                                                sealed=False)  # the record holds their digests
                 for variant in variants}
        anchors = {name: index for index, page in enumerate(document.pages) for name in page.anchors}
        record = {"pages": len(document.pages), "anchors": anchors, "fonts": fonts(document),
                  "page_blocks": page_starts(document.pages),
                  "sha256": {variant: file_digest(path) for variant, path in files.items()}}
        self.entries.put(key, json.dumps(record, ensure_ascii=False), "json")
        return CachedPart(key, record["pages"], anchors, files, record["fonts"], record["page_blocks"])

    def prune(self) -> None:
        """Forget parts neither this build nor the one before used. The build before's are
        kept so that undoing an edit costs no layout, even one whose new length had moved
        every later chapter; older versions go."""
        self.entries.prune()


def write_mode_pdfs(book: Book, project: Project, mode: str, templates: Templates, targets: dict[str, Path],
                    inputs_digest: str, reuse: bool = True,
                    progress: Callable[[str, int, int], None] = lambda what, done, total: None
                    ) -> list[tuple[int, str]] | None:
    """Write one writing mode's PDF editions: ``targets`` maps "reader" and/or "print" to the
    file each is written to. ``inputs_digest`` is the build's digest of everything the pages
    depend on but the chapters (reportpub, fonts, book.toml, images, styles, templates);
    ``reuse`` false lays out every part again. ``progress(what, done, total)`` hears of each
    part laid out (or taken from the cache) and of the joining. Returns the pages' breaks
    (ModePdfs.page_breaks) for the EPUB's page-list."""
    return ModePdfs(book, project, mode, templates, targets, inputs_digest, reuse, progress).write()


def mode_page_breaks(book: Book, project: Project, mode: str, templates: Templates,
                     inputs_digest: str) -> list[tuple[int, str]] | None:
    """The breaks of one mode's reader PDF without writing it: its parts are placed (laid out,
    or taken from the cache where an earlier build left them) but not joined."""
    return ModePdfs(book, project, mode, templates, {"reader": Path()}, inputs_digest, True,
                    lambda what, done, total: None).page_breaks()


class ModePdfs:
    """One writing mode's PDF editions, made in their steps: lay out each part (or take it from
    the cache), place the parts on their pages, settle the contents (whose page numbers can
    change its length, and with it where every part starts), join the parts into each edition,
    and prune the caches."""

    def __init__(self, book: Book, project: Project, mode: str, templates: Templates, targets: dict[str, Path],
                 inputs_digest: str, reuse: bool, progress: Callable[[str, int, int], None]):
        self.book, self.project, self.mode, self.targets, self.progress = book, project, mode, targets, progress
        self.layout = layout = PdfLayout(book, project, mode, templates)
        # The front matter brings the catalog, so it is written as each edition asks; the other
        # parts only as the reader edition, whose pages the print edition takes over (_PrintPages).
        self.front_variants, self.part_variants = list(targets), ["reader"]
        self.fonts = FontSources(layout.derived_fonts)
        self.cache = PartCache(cache_root(project.build_dir) / "pdf-parts" / mode, reuse)
        # What every part depends on besides its own HTML: the stylesheets, every input but
        # the chapters (reportpub, fonts, images a part shows, book.toml, templates), and the
        # variants the parts are written as (tagged or not).
        self.common = hashlib.sha256(json.dumps([
            CACHE_FORMAT, mode, layout.stylesheet_texts, inputs_digest,
            sorted(variant.weasyprint_variant for variant in PDF_VARIANTS.values()),
        ], sort_keys=True).encode()).hexdigest()
        self.carrier_css = f'.part-carrier {{ string-set: book-title "{_css_string(layout.running_title)}"; }}\n'
        self.carrier = '<div class="part-carrier"></div>' + (NOMBRE_CARRIER if layout.vertical else "")
        self.head = self.tail = ""
        self.steps = 0
        self.pool = self.counts = None  # see share()
        part_pool.install()  # each page's folio recorded for the page-list (page_starts)
        self.stride = self.round_base = 0

    def write(self, placed_breaks: Callable[[list[tuple[int, str, int, int]]], None] = lambda breaks: None
              ) -> list[tuple[int, str, int, int]] | None:
        """Write the editions; returns the pages' breaks (breaks_of). ``placed_breaks(breaks)`` hears
        them as soon as the parts are placed, while the editions are joined (in a worker, when there
        is a pool): what needs only the breaks (the mode's EPUB) is made beside the join."""
        split = split_book(self.layout.html)
        if split is None:
            breaks = self.write_whole()
            placed_breaks(breaks)
            return breaks
        self.head, parts, self.tail = split
        front, rest = parts[0], parts[1:]
        self.steps = len(rest) + 2  # the front matter, each part after it, the joining
        numbered, placed = self.settle_contents(front, rest)
        breaks = breaks_of([(1, numbered)] + placed)
        self.progress("joining the parts", self.steps - 1, self.steps)
        fonts_used = self.join([(1, numbered)] + placed, meanwhile=lambda: placed_breaks(breaks))
        self.prune(fonts_used)
        self.progress("done", self.steps, self.steps)
        return breaks

    def page_breaks(self) -> list[tuple[int, str]] | None:
        """The placed parts' breaks, nothing written (a book laid out whole is laid out here:
        it has no parts to cache its pages in)."""
        split = split_book(self.layout.html)
        if split is None:
            return whole_breaks(self.layout.render())
        self.head, parts, self.tail = split
        self.steps = len(parts) + 1
        numbered, placed = self.settle_contents(parts[0], parts[1:])
        return breaks_of([(1, numbered)] + placed)

    def write_whole(self) -> list[tuple[int, str]]:
        """A book the HTML cannot be cut into parts: one layout, written as each edition; its
        pages' breaks, as the parts' (the chapters' blocks are marked whatever the template)."""
        document = self.layout.render()
        self.layout.check()
        for variant, target in self.targets.items():
            write_pdf(document, target, self.book, self.project, vertical=self.layout.vertical,
                      variant=PDF_VARIANTS[variant])
            finish_archival_file(target)
        return whole_breaks(document)

    def _part_html(self, name: str, body: str, first_page: int) -> tuple[str, str, str]:
        """(document HTML, extra CSS, cache key) of a part laid out from ``first_page`` on."""
        extra_css = ""
        if name != "front":
            # The book title for the running heads, and the nombre, are set on the title page
            # in one layout: each part carries its own, inside its first section.
            opening = re.match(r"\s*<section[^>]*>", body)
            if opening:
                body = body[:opening.end()] + self.carrier + body[opening.end():]
            extra_css = self.carrier_css + f"@page :first {{ counter-reset: page {first_page}; }}\n"
        document_html = self.head + link_across_parts(body) + self.tail
        # The name is in the key: it names the part's structure IDs (tagging.PartTagger).
        key = hashlib.sha256(f"{self.common}\n{name}\n{first_page}\n{extra_css}\n{document_html}".encode()).hexdigest()[:32]
        return document_html, extra_css, key

    def cached(self, name: str, body: str, first_page: int, measured: bool = False) -> CachedPart | None:
        """The part laid out from ``first_page`` on, if the cache has it."""
        document_html, _, key = self._part_html(name, body, first_page)
        return self._from_cache(name, key, document_html, measured)

    def _variants(self, name: str, measured: bool) -> list[str]:
        """The files a part is written as: none when it is laid out only to learn its length
        (the front matter with placeholder page numbers), the front matter's as each edition
        asks (it brings the catalog), the reader edition's for the others."""
        if measured:
            return []
        return self.front_variants if name == "front" else self.part_variants

    def _from_cache(self, name: str, key: str, document_html: str, measured: bool = False) -> CachedPart | None:
        found = self.cache.get(key, self._variants(name, measured))
        if found is not None:
            self.layout.keep_island_sizes(document_html, self.common)
        return found

    def lay_out(self, name: str, body: str, first_page: int | None,
                start_of: Callable[[int], int] | None = None, measured: bool = False) -> CachedPart:
        """One part laid out from ``first_page`` on and written as its variants, or taken from the
        cache. ``first_page`` None: laid out before it is known (part_pool.py), ``start_of(pages)``
        gives it once the part's pages are made; StartDependent when the part prints a page
        number in its text. ``measured``: laid out only for its pages and anchors, written as no
        file (nothing joins it)."""
        if first_page is not None:
            document_html, extra_css, key = self._part_html(name, body, first_page)
            found = self._from_cache(name, key, document_html, measured)
            if found is not None:
                return found
            document = self.layout.render(document_html, extra_css, inputs_key=self.common)
        else:
            document_html, extra_css, _ = self._part_html(name, body, part_pool.PROVISIONAL_START)
            starts: list[int] = []

            def started(pages: int) -> int:
                starts.append(start_of(pages))
                return starts[0]

            document = self.layout.render(document_html, extra_css, inputs_key=self.common, start_of=started)
            key = self._part_html(name, body, starts[0])[2]  # kept as the part laid out at its start is
        self.layout.check()  # nothing refused or unloadable goes into the cache, where no render would see it again
        return self.cache.put(key, document, self._variants(name, measured), self._writer(name), self.fonts.deferred)

    def _writer(self, name: str):
        def write(document, path: Path, variant: str) -> None:
            with self.fonts.deferred_embedding():
                write_pdf(document, path, self.book, self.project, vertical=self.layout.vertical,
                          variant=PDF_VARIANTS[variant], attachments=False, part_name=name)
        return write

    def place(self, rest: list, front_pages, referenced_pages: dict[str, int] | None,
              referenced: set[str]) -> list[tuple[int, CachedPart]]:
        """The parts after the front matter, each laid out from the right-hand page after the one
        before, its page references printing ``referenced_pages`` (the placeholder when None).
        ``front_pages`` is the front matter's length (or, in the pool, its layout's future)."""
        bodies = [number_page_references(part.body, referenced_pages) if referenced else part.body for part in rest]
        if self.pool is not None:
            return self.place_in_pool(rest, bodies, front_pages)
        placed: list[tuple[int, CachedPart]] = []
        last_page = front_pages
        for done, (part, body) in enumerate(zip(rest, bodies), 1):
            self.progress(f"laying out {part.name.replace('-', ' ')}", done, self.steps)
            first_page = first_right_page_after(last_page)
            cached = self.lay_out(part.name, body, first_page)
            placed.append((first_page, cached))
            last_page = first_page + cached.pages - 1
        return placed

    # Laying the parts out in the build's worker processes (part_pool.py).

    def share(self, pool) -> None:
        """Lay this mode's parts out in ``pool``, whose workers must be forked after this call: they
        take this object as it is now (its layout, stylesheets and fonts ready) and the page counts,
        with room for every round of placing the parts (and a slot no one waits on)."""
        split = split_book(self.layout.html)
        if split is None:
            return  # laid out whole, here
        self.head, parts, self.tail = split  # every part's document begins and ends with them
        self.pool, self.stride = pool, len(parts)
        self.counts = PageCounts(CONTENTS_ATTEMPTS * self.stride + 1)
        _SHARED[self.mode] = self

    def in_pool(self, base: int, number: int, name: str, body: str, first_page: int | None, measured: bool = False):
        """Part ``number`` of the round whose counts begin at slot ``base`` (0: the front matter),
        taken from the cache here or laid out by a worker: a CachedPart or a future of one."""
        found = self.cached(name, body, first_page, measured) if first_page is not None else None
        if found is not None:
            self.counts.publish(base + number, found.pages)
            return found
        return self.pool.submit(_lay_out_shared, self.mode, base, number, name, body, first_page, measured)

    def place_in_pool(self, rest: list, bodies: list[str], front) -> list[tuple[int, CachedPart]]:
        """``place`` in the pool, in the order of the book: a worker waits only for parts a worker
        has begun. Without the cache (``--force``) every part is laid out at once, before its start
        is known; with it, a part is first looked for at its start, once the parts before it are
        placed, so that an edit lays out no part again whose start did not move."""
        base = self.round_base
        results: list = [front]

        def give_up() -> None:  # a worker's error ends the waiting for its part's length
            for result in results:
                if not isinstance(result, (int, CachedPart)) and result.done() and result.exception() is not None:
                    raise result.exception()

        last_page = front if isinstance(front, int) else None
        if last_page is not None:
            self.counts.publish(base, last_page)
        for number, (part, body) in enumerate(zip(rest, bodies), 1):
            if last_page is None and self.cache.reuse:
                last_page = _last_page(self.counts.wait(list(range(base, base + number)), give_up))
            first_page = first_right_page_after(last_page) if last_page is not None else None
            result = self.in_pool(base, number, part.name, body, first_page)
            results.append(result)
            # After a part a worker lays out, the next start is known when its pages are made.
            last_page = first_page + result.pages - 1 if isinstance(result, CachedPart) else None
        parts = []
        try:
            for done, result in enumerate(results):
                parts.append(self._taken(result))
                if done:
                    self.progress(f"laying out {rest[done - 1].name.replace('-', ' ')}", done, self.steps)
        except BaseException:
            for result in results:  # what no worker has begun is not begun
                if not isinstance(result, (int, CachedPart)):
                    result.cancel()
            raise
        front_pages = parts[0] if isinstance(parts[0], int) else parts[0].pages
        placed, last_page = [], front_pages
        for cached in parts[1:]:
            placed.append((first_right_page_after(last_page), cached))
            last_page = placed[-1][0] + cached.pages - 1
        return placed

    def _taken(self, result):
        """A part from the pool (or the front matter's length), its cache entries kept."""
        if isinstance(result, (int, CachedPart)):
            return result
        cached, island_keys = result.result()
        self.cache.entries.mark_used([cached.key])
        self.layout.island_cache.mark_used(island_keys)
        return cached

    def lay_out_in_turn(self, base: int, number: int, name: str, body: str, first_page: int | None,
                        measured: bool = False) -> CachedPart:
        """In a worker: ``in_pool``'s part, laid out from ``first_page`` or, None, before it is known,
        its length published as soon as its pages are made."""
        slot = base + number

        def start_of(pages: int) -> int:
            self.counts.publish(slot, pages)
            return first_right_page_after(_last_page(self.counts.wait(list(range(base, slot)))))

        try:
            if first_page is None:
                try:
                    cached = self.lay_out(name, body, None, start_of)
                except part_pool.StartDependent:  # its text prints its page numbers: lay it out at its start
                    last_page = _last_page(self.counts.wait(list(range(base, slot))))
                    cached = self.lay_out(name, body, first_right_page_after(last_page))
            else:
                cached = self.lay_out(name, body, first_page, measured=measured)
            self.counts.publish(slot, cached.pages)
            return cached
        except BaseException:
            self.counts.fail(slot)  # the parts after it stop waiting for it
            raise

    def settle_contents(self, front, rest: list) -> tuple[CachedPart, list[tuple[int, CachedPart]]]:
        """The front matter with the contents' real page numbers, and the parts placed after it:
        placed again while the numbers change the front matter's length, or a page reference
        prints another page than its target's."""
        self.progress("laying out the front matter", 0, self.steps)
        self.round_base = 0
        if self.pool is None:
            front_pages = self.lay_out("front", number_contents(front.body, None), 1, measured=True).pages
        else:  # the parts may be laid out while it is
            front_pages = self.in_pool(0, 0, "front", number_contents(front.body, None), 1, measured=True)
            if isinstance(front_pages, CachedPart):
                front_pages = front_pages.pages
        self.layout.check()  # the stylesheets' own problems, even when every part comes from the cache
        # Page references ([](#id){.page}) print the page their target landed on, known only once every
        # part is placed: the parts are laid out with the pages of the round before (the placeholder at
        # first) until the pages they print are the pages their targets are on.
        referenced = set().union(*(page_reference_targets(part.body) for part in rest))
        referenced_pages: dict[str, int] | None = None
        for attempt in range(CONTENTS_ATTEMPTS):
            self.round_base = attempt * self.stride
            placed = self.place(rest, front_pages, referenced_pages, referenced)
            if not isinstance(front_pages, int):
                front_pages = self._taken(front_pages).pages
            anchor_pages = {name: first + index for first, cached in placed for name, index in cached.anchors.items()}
            numbered = self.lay_out_here_or_in_pool("front", number_contents(front.body, anchor_pages), 1)
            pages_printed = referenced_pages is not None and all(
                referenced_pages.get(name) == anchor_pages.get(name) for name in referenced)
            if numbered.pages == front_pages and (pages_printed or not referenced):
                return numbered, placed
            # The real numbers changed the contents' length, or a page reference prints another page
            # than its target's: place the parts again.
            front_pages = numbered.pages
            referenced_pages = anchor_pages
        raise RuntimeError("the page numbers do not settle: the contents' or the page references' numbers "
                           "keep moving the chapters")

    def lay_out_here_or_in_pool(self, name: str, body: str, first_page: int) -> CachedPart:
        """A part whose start is known, laid out in a worker when there is a pool."""
        if self.pool is None:
            return self.lay_out(name, body, first_page)
        return self._taken(self.in_pool(len(self.counts.values) - 1, 0, name, body, first_page))  # a slot no one waits on

    @property
    def font_subsets(self) -> Path:
        """Where the joiner keeps the font subsets it embeds."""
        return self.cache.directory / "fonts"

    def join(self, placed: list[tuple[int, CachedPart]], meanwhile: Callable[[], None] = lambda: None) -> set[str]:
        """Each edition joined from the placed parts (in a worker, when there is a pool), all of
        them from one opening of each part; returns the keys of the font subsets used. One after
        the other: the print edition takes the font subsets the reader edition made.
        ``meanwhile()`` is called once the join is under way (with a pool: handed to a worker)."""
        if self.pool is not None:
            joining = self.pool.submit(_join_shared, self.mode, placed)
            meanwhile()
            return joining.result()
        meanwhile()
        return join_parts(placed, self.targets, self.book, self.project, self.font_subsets, self.mode)

    def prune(self, fonts_used: set[str]) -> None:
        """Every cache this mode used keeps what this build and the one before used: parts, chapter
        HTML, font subsets and the mode's derived fonts (the vertical faces of older character
        sets, about 5 MB each; the punctuation fonts of faces the book no longer sets). Each mode
        prunes only the derived fonts of its own kind, which the other mode never reads, and one
        build of a project runs at a time (build/lock.py): nothing pruned is in use."""
        self.cache.prune()
        self.layout.chapter_html_cache.prune()
        if self.layout.island_cache.directory.is_dir():  # a book with islands, in the vertical PDF
            self.layout.island_cache.prune()
        kind = VERTICAL_FONT_PREFIX if self.layout.vertical else PUNCTUATION_FONT_PREFIX
        derived = Cache(font_cache_dir(self.project), f"{kind}-*")
        derived.mark_used(entry_key(path) for path in self.layout.derived_files)
        derived.prune()
        subsets = Cache(self.font_subsets, "*.font")
        subsets.mark_used(fonts_used)
        subsets.prune()


_SHARED: dict[str, ModePdfs] = {}  # in a worker: each mode's ModePdfs as the build had made it (share)


def forget_shared() -> None:
    """After a build: its layouts are not kept for the next (preview and watch build again)."""
    _SHARED.clear()


def _lay_out_shared(mode: str, base: int, number: int, name: str, body: str, first_page: int | None,
                    measured: bool = False):
    """A worker's task: one part laid out (ModePdfs.lay_out_in_turn), and the island sizes its
    layouts kept, for the build to keep too."""
    pdfs = _SHARED[mode]
    cached = pdfs.lay_out_in_turn(base, number, name, body, first_page, measured)
    return cached, sorted(pdfs.layout.island_cache.used)


def _join_shared(mode: str, placed: list[tuple[int, CachedPart]]) -> set[str]:
    """A worker's task: a mode's editions joined (ModePdfs.join)."""
    pdfs = _SHARED[mode]
    pdfs.pool = None  # this worker's copy joins them itself
    return pdfs.join(placed)


def _last_page(counts: list[int]) -> int:
    """The last page of the parts of these lengths, the first (the front matter's) from page 1."""
    last_page = counts[0]
    for pages in counts[1:]:
        last_page = first_right_page_after(last_page) + pages - 1
    return last_page


def breaks_of(placed: list[tuple[int, CachedPart]]) -> list[tuple[int, str, int, int]]:
    """(page number, the block it begins in, the characters of it before the page, the folio
    the page prints) of every page of the placed parts that is not blank: a page holding only
    the rest of a note ("" in the record) continues where the page before begins."""
    breaks: list[tuple[int, str, int, int]] = []
    for first_page, cached in placed:
        last = None
        for index, (key, offset, folio) in enumerate(cached.page_blocks):
            if key == "":
                key, offset = last if last is not None else (None, 0)
            if key is not None:
                breaks.append((first_page + index, key, offset, first_page + index if folio is None else folio))
                last = (key, offset)
    return breaks


def whole_breaks(document) -> list[tuple[int, str, int, int]]:
    """The breaks of a book laid out in one document, its pages numbered from 1 (the folios
    are those the pages print, as an author's template numbers them)."""
    starts = page_starts(document.pages)
    return breaks_of([(1, CachedPart("whole", len(starts), {}, {}, {}, starts))])


def page_starts(pages) -> list[tuple[str | None, int, int | None]]:
    """Where each laid-out page begins (writers/page_list.py): the block, how many of its
    characters (page_list.counted) the pages before set, and the folio the page prints
    (part_pool.folio: the stylesheets may number the pages otherwise than one by one). Of the blocks a page's text area
    shows, the first in the manuscript (a block broken over from the page before shows on
    this page too) of those not deferred, that is, not before a block an earlier page set
    (a figure the page before had no room for); the first deferred one on a page of nothing
    else. In the front and back matter, the same of their entries (page_list.matter_entries),
    or the section when the page shows none. "" for a page of notes alone, None for a blank
    page. Only a block that runs over from earlier pages has its text read."""
    entries: dict = {}  # a matter section's element → {entry element: its name}, for the walks
    shown = [_shown_blocks(page, entries) for page in pages]
    starts: list[tuple[str | None, int, int | None]] = []
    reached: dict[str, int] = {}  # chapter or matter section → the last of its blocks set so far
    for index, page in enumerate(pages):
        if not shown[index]:
            notes = page._page_box.children[1:2]  # the page's note area
            starts.append(("" if notes and notes[0].children else None, 0, part_pool.folio(page)))  # a note's rest, or blank
            continue
        keys = list(shown[index])
        in_flow = [key for key in keys if not _is_deferred(key, reached) or index and key in shown[index - 1]]
        first = first_in_manuscript(in_flow or keys)
        offset, before = 0, index - 1
        while "/" in first and before >= 0 and first in shown[before]:
            shown_boxes, within = shown[before][first]
            offset += sum(_counted_text(box, within) for box in shown_boxes)
            before -= 1
        starts.append((first, offset, part_pool.folio(page)))
        for key in keys:
            section, _, number = key.rpartition("/")
            if section:
                reached[section] = max(reached.get(section, -1), int(number))
    return starts


def _is_deferred(key: str, reached: dict[str, int]) -> bool:
    """Whether block ``key`` comes before a block of its chapter that an earlier page set (a
    block the page before broke over to this page does not count: see page_starts)."""
    section, _, number = key.rpartition("/")
    return bool(section) and int(number) < reached.get(section, -1)


def _shown_blocks(page, entries: dict) -> dict:
    """Block or matter entry (or matter section) → (its boxes, the elements of the entries
    whose text is not its own), of those the page's text area shows, in the order shown. The walk goes no
    deeper than the chapters' blocks: a page holds a few dozen of them, and thousands of boxes.
    ``entries`` keeps each matter section's entries between the pages."""
    found = {}
    stack = [(page._page_box.children[0], None)]  # the page's text, not its notes or margins (weasyprint.layout.page)
    while stack:
        box, matter = stack.pop()  # matter: (the section's name, its entries) within one
        element = box.element
        if element is not None and matter is None and element.get(BLOCK_ATTRIBUTE):
            # A table or code cut into pieces (island_pieces.py) is one block in several boxes.
            found.setdefault(element.get(BLOCK_ATTRIBUTE), ([], ()))[0].append(box)
            continue
        if element is not None and matter is None and element.get("id") in MATTER_FILES:
            if element not in entries:
                entries[element] = {entry: block_key(element.get("id"), number)
                                    for number, entry in enumerate(matter_entries(element))}
            matter = (element.get("id"), entries[element])
            if not entries[element]:
                found.setdefault(matter[0], ([box], ()))
                continue
        if matter is not None and element in matter[1] and box.element_tag == local_name(element):
            if matter[1][element] not in found and _counted_text(box, matter[1]):
                found[matter[1][element]] = ([box], matter[1])  # text of its own here, not only its entries' text
        stack.extend((child, matter) for child in reversed(getattr(box, "children", ())))
    return found


# What a page sets that is not the manuscript's text: ruby readings, a note cited again (its
# number), the floating notes (their call is generated, their text is in the note area), and
# what a cut table's later pieces repeat (its caption, marked 続き, and its header).
NOT_TEXT_CLASSES = frozenset({"rt", "note-call", "footnote", REPEATED_CLASS})


def _counted_text(box, entries=()) -> int:
    """The counted characters of the text a block's box sets on its page, generated content
    (list markers, note calls, ::before) and the boxes of the other ``entries`` within it left out."""
    total, own = 0, box.element
    stack = [box]
    while stack:
        box = stack.pop()
        if "::" in box.element_tag or (box.element is not own and box.element in entries) or NOT_TEXT_CLASSES.intersection(
                (box.element.get("class") or "").split() if box.element is not None else ()):
            continue
        text = getattr(box, "text", None)
        if text is not None:
            total += counted(text)
        children = getattr(box, "children", ())
        if isinstance(box, boxes.TableBox) and _continued(box):
            children = [group for group in children if not group.is_header]  # WeasyPrint's repeat of the header
        stack.extend(children)
    return total


def _continued(table) -> bool:
    """Whether a table's box on a page goes on from the page before: its first body row is not
    its body's first."""
    for group in table.children:
        if not (group.is_header or group.is_footer) and group.children and group.element is not None:
            return group.children[0].element is not next(iter(group.element), None)
    return False


def _css_string(text: str) -> str:
    return html_module.unescape(text).replace("\\", "\\\\").replace('"', '\\"')
