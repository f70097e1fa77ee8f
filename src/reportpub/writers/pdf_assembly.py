"""Chapter-by-chapter PDF: lay each part of the book out alone and keep what did not change.

The book's HTML is cut into parts: the front matter (title page and contents), each
chapter, and the back matter (references and colophon). Each part is laid out as a
document of its own, its page counter starting where the whole book would have it, and
written as PDF files (the front matter as each edition, the other parts as the reader
edition, whose pages the print edition takes over) kept in
``build/.cache/pdf-parts/<mode>/`` under a digest of everything its pages depend on:
its HTML and first page number, the stylesheets, fonts, images, book.toml, templates and
reportpub itself. An edit to one chapter lays out that chapter again, and the chapters
after it only if their first page moved; every other part comes from the cache.

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
margins and running heads. tests/test_pdf_assembly.py holds the result to a whole-book layout.
"""

from __future__ import annotations

import hashlib
import html as html_module
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from reportpub.atomic import temporary_beside, write_atomically
from reportpub.model import Book
from reportpub.project import Project
from reportpub.templates import Templates
from reportpub.writers.page_geometry import PT_PER_MM
from reportpub.writers.pdf_finishers import printer_marks
from reportpub.writers.pdf_fonts import FontSources, embed_fonts

CACHE_FORMAT = 4
ANCHOR_SCHEME = "reportpub-anchor:"
CHAPTER_START = re.compile(r'<section class="chapter"[^>]*>')
BACK_START = re.compile(r'<section class="references"[^>]*>')
TOC = re.compile(r'<nav class="toc".*?</nav>', re.DOTALL)
TOC_LINK = re.compile(r'<a href="#([^"]+)"')
INTERNAL_HREF = re.compile(r'href="#([^"]+)"')
ID = re.compile(r'\bid="([^"]+)"')
# The widest number a contents line will hold while the front matter is measured for length.
PLACEHOLDER_PAGE = 888
CONTENTS_ATTEMPTS = 4  # lay the contents out again at most this often when its length changes
KANJI_DIGITS = "〇一二三四五六七八九"


@dataclass(frozen=True)
class Part:
    """One separately laid-out piece of the book: its HTML between <body> and </body>."""

    name: str
    body: str


@dataclass
class CachedPart:
    """A laid-out part on disk: its page count, the page (from 0) of each anchor, its files."""

    key: str
    pages: int
    anchors: dict[str, int]
    files: dict[str, Path]
    fonts: dict[str, dict]  # PDF font name → its file and the glyphs used: left to the joiner (writers/pdf_fonts.py)


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


def number_contents(body: str, pages: dict[str, int] | None, vertical: bool) -> str:
    """Give each contents entry its page number as ``data-page`` (kanji numerals in the
    vertical edition, as pdf-vertical.css's cjk-decimal); None gives every entry the
    placeholder, to measure the front matter's length."""
    def number(match: re.Match) -> str:
        page = PLACEHOLDER_PAGE if pages is None else pages.get(match.group(1))
        if page is None:
            return match.group(0)
        text = "".join(KANJI_DIGITS[int(d)] for d in str(page)) if vertical else str(page)
        return f'{match.group(0)} data-page="{text}"'

    return TOC.sub(lambda toc: TOC_LINK.sub(number, toc.group(0)), body)


def first_right_page_after(last_page: int) -> int:
    """The page a part starts on: the next right-hand (odd-numbered) page."""
    return last_page + 1 if last_page % 2 == 0 else last_page + 2


# In a part cache's directory: the keys of the parts the last build used (PartCache.prune).
GENERATIONS_FILE = ".last-build.json"


class PartCache:
    """Laid-out parts of one writing mode, on disk. An entry is its variants' PDF files and
    a JSON record written last, so an interrupted build leaves no entry that seems whole."""

    def __init__(self, directory: Path, reuse: bool = True):
        self.directory = directory
        self.reuse = reuse  # False (--force): lay every part out again
        self.used: set[str] = set()

    def get(self, key: str, variants: list[str]) -> CachedPart | None:
        self.used.add(key)
        if not self.reuse:
            return None
        record = self.directory / f"{key}.json"
        files = {v: self.directory / f"{key}.{v}.pdf" for v in variants}
        if not record.is_file() or not all(f.is_file() for f in files.values()):
            return None
        data = json.loads(record.read_text(encoding="utf-8"))
        return CachedPart(key, data["pages"], data["anchors"], files, data["fonts"])

    def put(self, key: str, document, variants: list[str], write, fonts) -> CachedPart:
        """Write ``document``'s variants with ``write(document, path, variant)`` and record it
        with ``fonts(document)``, the files of the fonts it used."""
        self.directory.mkdir(parents=True, exist_ok=True)
        files = {}
        for variant in variants:
            files[variant] = self.directory / f"{key}.{variant}.pdf"
            temporary = temporary_beside(files[variant])
            try:
                write(document, temporary, variant)
                os.replace(temporary, files[variant])
            finally:
                temporary.unlink(missing_ok=True)
        anchors = {name: index for index, page in enumerate(document.pages) for name in page.anchors}
        record = {"pages": len(document.pages), "anchors": anchors, "fonts": fonts(document)}
        write_atomically(self.directory / f"{key}.json", json.dumps(record, ensure_ascii=False))
        self.used.add(key)
        return CachedPart(key, record["pages"], anchors, files, record["fonts"])

    def prune(self) -> None:
        """Forget parts neither this build nor the one before used. The build before's are
        kept so that undoing an edit costs no layout, even one whose new length had moved
        every later chapter; older versions go."""
        generations = self.directory / GENERATIONS_FILE
        try:
            before = set(json.loads(generations.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            before = set()
        keep = self.used | before
        for path in self.directory.glob("*.*"):
            if path.name.split(".", 1)[0] not in keep and not path.name.startswith("."):
                path.unlink(missing_ok=True)
        self.directory.mkdir(parents=True, exist_ok=True)
        write_atomically(generations, json.dumps(sorted(self.used)))
        for temporary in self.directory.glob(".*.tmp-*"):  # left by a build that was killed
            temporary.unlink(missing_ok=True)


def write_mode_pdfs(book: Book, project: Project, mode: str, templates: Templates, targets: dict[str, Path],
                    reuse: bool = True) -> None:
    """Write one writing mode's PDF editions: ``targets`` maps "reader" and/or "print" to the
    file each is written to. ``reuse`` false lays out every part again."""
    from reportpub.make import Fingerprinter, fonts_digest, package_digest
    from reportpub.writers import pdf

    layout = pdf.PdfLayout(book, project, mode, templates)
    # The front matter brings the catalog, so it is written as each edition asks; the other
    # parts only as the reader edition, whose pages the print edition takes over (_PrintPages).
    front_variants, part_variants = list(targets), ["reader"]

    fonts = FontSources(layout.derived_fonts)

    def write(document, path: Path, variant: str) -> None:
        with fonts.deferred_embedding():
            pdf.write_pdf(document, path, book, project, print_edition=variant == "print", attachments=False)

    split = split_book(layout.html)
    if split is None:
        document = layout.render()
        layout.check()
        for variant, target in targets.items():
            pdf.write_pdf(document, target, book, project, print_edition=variant == "print")
        return
    head, parts, tail = split
    # What every part depends on besides its own HTML: reportpub, the fonts, the stylesheets,
    # and every input but the chapters (images a part shows, book.toml, templates).
    fingerprinter = Fingerprinter(project)
    chapters = {chapter.source for chapter in book.chapters}
    inputs = {name: digest for name, digest in fingerprinter.manuscript_parts().items() if name not in chapters}
    inputs.update(fingerprinter.template_parts("pdf"))
    common = hashlib.sha256(json.dumps([
        CACHE_FORMAT, package_digest(), fonts_digest(), mode, layout.stylesheet_texts, inputs,
    ], sort_keys=True).encode()).hexdigest()
    cache = PartCache(project.build_dir / ".cache" / "pdf-parts" / mode, reuse)
    carrier_css = f'.part-carrier {{ string-set: book-title "{_css_string(layout.running_title)}"; }}\n'
    carrier = '<div class="part-carrier"></div>' + (pdf.NOMBRE_CARRIER if layout.vertical else "")

    def laid_out(name: str, body: str, first_page: int) -> CachedPart:
        extra_css = ""
        if name != "front":
            # The book title for the running heads, and the nombre, are set on the title page
            # in one layout: each part carries its own, inside its first section.
            opening = re.match(r"\s*<section[^>]*>", body)
            if opening:
                body = body[:opening.end()] + carrier + body[opening.end():]
            extra_css = carrier_css + f"@page :first {{ counter-reset: page {first_page}; }}\n"
        document_html = head + link_across_parts(body) + tail
        key = hashlib.sha256(f"{common}\n{first_page}\n{extra_css}\n{document_html}".encode()).hexdigest()[:32]
        variants = front_variants if name == "front" else part_variants
        found = cache.get(key, variants)
        if found is not None:
            return found
        document = layout.render(document_html, extra_css)
        layout.check()  # nothing refused or unloadable goes into the cache, where no render would see it again
        return cache.put(key, document, variants, write, fonts.deferred)

    front, rest = parts[0], parts[1:]
    front_pages = laid_out("front", number_contents(front.body, None, layout.vertical), 1).pages
    layout.check()  # the stylesheets' own problems, even when every part comes from the cache
    for _ in range(CONTENTS_ATTEMPTS):
        placed: list[tuple[int, CachedPart]] = []
        last_page = front_pages
        for part in rest:
            first_page = first_right_page_after(last_page)
            cached = laid_out(part.name, part.body, first_page)
            placed.append((first_page, cached))
            last_page = first_page + cached.pages - 1
        anchor_pages = {name: first + index for first, cached in placed for name, index in cached.anchors.items()}
        numbered = laid_out("front", number_contents(front.body, anchor_pages, layout.vertical), 1)
        if numbered.pages == front_pages:
            break
        front_pages = numbered.pages  # the real numbers changed the contents' length: place the parts again
    else:
        raise RuntimeError("the contents' length does not settle: its page numbers keep moving the chapters")
    font_cache = cache.directory / "fonts"
    fonts_used = set()
    for variant, target in targets.items():
        fonts_used |= join_parts([(1, numbered)] + placed, variant, target, book, project, font_cache)
    cache.prune()
    layout.forget_unused_chapter_html()
    for subset in font_cache.glob("*.font"):
        if subset.name not in fonts_used:
            subset.unlink(missing_ok=True)


def join_parts(placed: list[tuple[int, CachedPart]], variant: str, target: Path, book: Book, project: Project,
               font_cache: Path) -> set[str]:
    """Join the parts' files of one variant into ``target`` (pikepdf, which copies pages in
    qpdf's C++): blank pages where a part must start on a right-hand page, outlines and named
    destinations carried over, links across parts resolved, one copy of each font, and the
    sources attached to the reader edition. Returns the names of the font subsets it used
    from ``font_cache``."""
    with pikepdf.open(placed[0][1].files[variant]) as document:
        destinations = _named_destinations(document, document)
        outline = _outline_items(document, document)
        as_print = _PrintPages(document, book.config.pdf.bleed_mm) if variant == "print" else None
        for first_page, cached in placed[1:]:
            while len(document.pages) < first_page - 1:
                _add_blank_page(document, as_print)
            with pikepdf.open(cached.files["reader"]) as part:
                start = len(document.pages)
                document.pages.extend(part.pages)
                if as_print is not None:
                    as_print.convert(document.pages[start:])
                destinations += _named_destinations(document, part)
                outline += _outline_items(document, part)
        _set_named_destinations(document, destinations)
        _set_outline(document, outline)
        _resolve_links_across_parts(document)
        fonts_used = embed_fonts(document, _fonts_of(placed), font_cache)
        if variant == "reader":
            _attach_sources(document, book, project)
        # The file identifier is derived from the content: the same sources give the same bytes.
        document.save(target, deterministic_id=True)
    return fonts_used


def _fonts_of(placed: list[tuple[int, CachedPart]]) -> dict[str, dict]:
    """The fonts the parts left to the joiner, each with the glyphs of all parts."""
    fonts: dict[str, dict] = {}
    for _, cached in placed:
        for name, font in cached.fonts.items():
            joined = fonts.setdefault(name, {**font, "glyphs": set()})
            joined["glyphs"].update(font["glyphs"])
    return fonts


def _named_destinations(document, source) -> list:
    """[(name, destination)] of ``source``, its destinations copied into ``document``."""
    names = source.Root.get("/Names")
    tree = names.get("/Dests") if names is not None else None
    if tree is None:
        return []
    pairs = list(tree.get("/Names", []))
    if source is document:
        return [(str(name), destination) for name, destination in zip(pairs[0::2], pairs[1::2])]
    # WeasyPrint writes destinations as direct arrays; qpdf copies only indirect objects (and
    # maps the page each refers to onto the page already copied).
    return [(str(name), document.copy_foreign(source.make_indirect(destination)))
            for name, destination in zip(pairs[0::2], pairs[1::2])]


def _set_named_destinations(document, destinations: list) -> None:
    flat = []
    for name, destination in sorted(destinations, key=lambda pair: pair[0]):  # a name tree is sorted
        flat += [pikepdf.String(name), destination]
    if "/Names" not in document.Root:
        document.Root.Names = pikepdf.Dictionary()
    document.Root.Names.Dests = document.make_indirect(pikepdf.Dictionary(Names=pikepdf.Array(flat)))


def _outline_items(document, source) -> list:
    """The top-level outline items of ``source``, copied into ``document`` with their children."""
    outlines = source.Root.get("/Outlines")
    items = []
    item = outlines.get("/First") if outlines is not None else None
    while item is not None:
        items.append(item if source is document else document.copy_foreign(item))
        item = item.get("/Next")
    return items


def _set_outline(document, items: list) -> None:
    """Chain the parts' top-level outline items under one outline root."""
    if not items:
        return
    root = document.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines))
    for previous, item in zip([None] + items, items):
        item.Parent = root
        for link in ("/Prev", "/Next"):
            if link in item:
                del item[link]
        if previous is not None:
            item.Prev, previous.Next = previous, item
    root.First, root.Last = items[0], items[-1]
    root.Count = sum(1 + max(int(item.get("/Count", 0)), 0) for item in items)
    document.Root.Outlines = root


def _resolve_links_across_parts(document) -> None:
    """``reportpub-anchor:id`` link actions become links to the named destination ``id``."""
    for page in document.pages:
        for annotation in page.obj.get("/Annots", []):
            action = annotation.get("/A")
            uri = action.get("/URI") if action is not None else None
            if uri is not None and str(uri).startswith(ANCHOR_SCHEME):
                del annotation["/A"]
                annotation.Dest = pikepdf.String(str(uri)[len(ANCHOR_SCHEME):])


class _PrintPages:
    """Turns pages WeasyPrint wrote for the reader edition (PDF/A-3b, cropped to the trim box)
    into the print edition's (PDF/X-4), as WeasyPrint would have written them from the same
    layout: the same content, and only these differences, taken from the print edition's
    first page: its media, trim and bleed boxes around the same trim box, the printer's marks
    (pdf_finishers.printer_marks), links not printed (PDF/A gives them the print flag), and
    the sRGB profile of the PDF/X output intent. Writing each part once instead of twice
    saves a third of a full build's PDF writing. tests/test_pdf_assembly.py compares the
    result with a print edition WeasyPrint wrote whole."""

    def __init__(self, document, bleed_mm: float):
        model = document.pages[0].obj
        trim, media, bleed = ([float(v) for v in model[box]] for box in ("/TrimBox", "/MediaBox", "/BleedBox"))
        self.media_margin = [m - t for m, t in zip(media, trim)]
        self.bleed_margin = [b - t for b, t in zip(bleed, trim)]
        self.srgb = model.Resources.ColorSpace.get("/srgb") if "/ColorSpace" in model.Resources else None
        self.document, self.bleed = document, bleed_mm * PT_PER_MM
        self.marks: dict[tuple, pikepdf.Stream] = {}  # one marks stream per page geometry

    def convert(self, pages) -> None:
        converted = set()
        for page in pages:
            obj = page.obj
            trim = [float(v) for v in obj.MediaBox]
            media = [t + m for t, m in zip(trim, self.media_margin)]
            obj.TrimBox = pikepdf.Array(trim)
            obj.MediaBox = pikepdf.Array(media)
            obj.BleedBox = pikepdf.Array([t + b for t, b in zip(trim, self.bleed_margin)])
            contents = obj.Contents
            obj.Contents = pikepdf.Array([*(contents if isinstance(contents, pikepdf.Array) else [contents]),
                                          self.marks_for(trim, media)])
            for annotation in obj.get("/Annots", []):
                if "/F" in annotation:
                    del annotation["/F"]
            resources = obj.Resources
            if resources.objgen not in converted and self.srgb is not None and "/srgb" in resources.get("/ColorSpace", {}):
                resources.ColorSpace.srgb = self.srgb
            converted.add(resources.objgen)

    def marks_for(self, trim: list[float], media: list[float]) -> pikepdf.Stream:
        """The printer's marks around ``trim``: one stream for every page of that geometry."""
        if tuple(trim) not in self.marks:
            self.marks[tuple(trim)] = pikepdf.Stream(self.document, printer_marks(trim, media, self.bleed))
        return self.marks[tuple(trim)]


def _add_blank_page(document, as_print: _PrintPages | None) -> None:
    """A blank page like the one before it (same boxes and turn); the print edition's carries
    the printer's marks, as every page of a print layout does."""
    previous = document.pages[-1].obj
    document.add_blank_page()
    blank = document.pages[-1].obj
    for box in ("/MediaBox", "/TrimBox", "/BleedBox", "/Rotate"):
        if box in previous:
            blank[box] = previous[box]
    if as_print is not None:
        blank.Contents = as_print.marks_for([float(v) for v in previous.TrimBox], [float(v) for v in previous.MediaBox])


def _attach_sources(document, book: Book, project: Project) -> None:
    """The manuscript sources as PDF/A-3 associated files (the catalog's /AF, relationship
    Source), as WeasyPrint attaches them to a document it writes whole."""
    import mimetypes

    stamp = "D:" + book.config.timestamp.strftime("%Y%m%d%H%M%SZ")
    specs = []
    sources = project.source_files([c.source for c in book.chapters], [a.path for a in book.assets])
    for name, path in sorted((project.relative(path), path) for path in sources):
        spec = pikepdf.AttachedFileSpec(
            document, path.read_bytes(), description="manuscript source", filename=name,
            mime_type=mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream",
            creation_date=stamp, mod_date=stamp, relationship=pikepdf.Name.Source)
        document.attachments[name] = spec
        specs.append(spec.obj)
    if specs:
        document.Root.AF = pikepdf.Array(specs)


def _css_string(text: str) -> str:
    return html_module.unescape(text).replace("\\", "\\\\").replace('"', '\\"')
