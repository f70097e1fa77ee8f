"""Joining laid-out parts into one PDF edition with pikepdf.

The front matter's file gives the document catalog (PDF/A or PDF/X metadata, output
intent, viewer preferences); the other parts add their pages, outlines and named
destinations; a blank page goes in wherever a part ends on a right-hand page; links
between parts (``reportpub-anchor:`` URIs) become links to named destinations; fonts are
embedded once for the whole book (fonts.py); the parts' structure trees become one
(tagging.py); the reader edition gets its sources attached; every stream's length is left
unambiguous, as PDF/A asks (``save_archival``).
"""

from __future__ import annotations

import base64
import contextlib
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from reportpub.atomic import temporary_beside
from reportpub.model import Book
from reportpub.project import Project
from reportpub.writers.pdf.book_html import ANCHOR_SCHEME
from reportpub.writers.pdf.finishers import printer_marks
from reportpub.writers.pdf.fonts import embed_fonts
from reportpub.writers.pdf.geometry import PT_PER_MM
from reportpub.writers.pdf.tagging import StructureJoiner


@dataclass
class CachedPart:
    """A laid-out part on disk: its page count, the page (from 0) of each anchor, its files."""

    key: str
    pages: int
    anchors: dict[str, int]
    files: dict[str, Path]
    fonts: dict[str, dict]  # PDF font name → its file and the glyphs used: left to the joiner (writers/pdf/fonts.py)
    # (the block each page begins in, its characters before the page, its folio: parts.page_starts);
    # "" notes only, None blank
    page_blocks: list[tuple[str | None, int, int | None]]


def join_parts(placed: list[tuple[int, CachedPart]], targets: dict[str, Path], book: Book, project: Project,
               font_cache: Path, mode: str) -> set[str]:
    """Join the placed parts into each edition of ``targets`` (variant → file), with pikepdf,
    which copies pages in qpdf's C++: blank pages where a part must start on a right-hand
    page, outlines and named destinations carried over, links across parts resolved, one
    copy of each font, and the sources attached to the reader edition. Every part but the
    front matter is written as the reader edition only, and each is opened once for all the
    editions (a tagged part has about a thousand objects to read). Returns the keys of the
    font subsets the editions used from ``font_cache``."""
    fonts = _fonts_of(placed)
    with contextlib.ExitStack() as stack:
        editions = {variant: _Edition(stack.enter_context(pikepdf.open(placed[0][1].files[variant])), variant, book)
                    for variant in targets}
        for first_page, cached in placed[1:]:
            with pikepdf.open(cached.files["reader"]) as part:
                for edition in editions.values():
                    edition.add(part, first_page)
        fonts_used: set[str] = set()
        for variant, edition in editions.items():
            fonts_used |= edition.finish(fonts, font_cache)
            if variant == "reader":
                _attach_sources(edition.document, book, project, mode)
            save_archival(edition.document, targets[variant])
    return fonts_used


class _Edition:
    """One edition being joined: the front matter's file, which the other parts' pages,
    structure, destinations and outline items are added to."""

    def __init__(self, document: pikepdf.Pdf, variant: str, book: Book):
        self.document = document
        self.destinations = _named_destinations(document, document)
        self.outline = _outline_items(document, document)
        self.as_print = _PrintPages(document, book.config.pdf.bleed_mm) if variant == "print" else None
        self.structure = StructureJoiner(document)

    def add(self, part: pikepdf.Pdf, first_page: int) -> None:
        """``part``'s pages from ``first_page`` on, after blank pages up to it."""
        document = self.document
        while len(document.pages) < first_page - 1:
            _add_blank_page(document, self.as_print)
        start = len(document.pages)
        # Page by page: pages.extend() warns that it drops named destinations (PageCopyWarning),
        # which the joiner carries over itself (_named_destinations).
        for page in part.pages:
            document.pages.append(page)
        if self.as_print is not None:
            self.as_print.convert(document.pages[start:])
        self.structure.add(part, document.pages[start:])
        self.destinations += _named_destinations(document, part)
        self.outline += _outline_items(document, part)

    def finish(self, fonts: dict[str, dict], font_cache: Path) -> set[str]:
        """Destinations, outline, structure tree, links and fonts made whole; returns the keys
        of the font subsets used."""
        document = self.document
        _set_named_destinations(document, self.destinations)
        _set_outline(document, self.outline)
        self.structure.finish()
        _resolve_links_across_parts(document)
        return embed_fonts(document, fonts, font_cache)


def save_archival(document: pikepdf.Pdf, target: Path) -> None:
    """Save with every stream's length unambiguous, as PDF/A asks: qpdf ends a stream's data
    with a newline before ``endstream``, so data that itself ends in a carriage return would
    read as ending one byte early (CR LF taken as the end of line). Every stream is
    compressed here, not by qpdf, so that its final bytes are known (but the XMP packet,
    which stays plain text); the few that end in CR get an ASCII85 layer (whose data ends
    in ``~>``), and qpdf writes them as they are.
    The file identifier is derived from the content: the same sources give the same bytes."""
    for obj in document.objects:
        if not isinstance(obj, pikepdf.Stream) or obj.get("/Type") == pikepdf.Name.Metadata:
            continue
        filters = obj.get("/Filter")
        if filters is None:
            obj.write(zlib.compress(obj.read_raw_bytes(), 9), filter=pikepdf.Name.FlateDecode)
        raw = obj.read_raw_bytes()
        if raw.endswith(b"\r"):
            filters, parameters = obj.get("/Filter"), obj.get("/DecodeParms")
            filters = list(filters) if isinstance(filters, pikepdf.Array) else [filters]
            if parameters is not None:  # one per filter, the new first one taking none
                parameters = [None, *(parameters if isinstance(parameters, pikepdf.Array) else [parameters])]
            obj.write(base64.a85encode(raw) + b"~>", filter=pikepdf.Array([pikepdf.Name.ASCII85Decode, *filters]),
                      decode_parms=None if parameters is None else pikepdf.Array(parameters))
    # qpdf neither decodes nor compresses (it would undo the ASCII85 layer): every stream is ready.
    document.save(target, deterministic_id=True, compress_streams=False,
                  stream_decode_level=pikepdf.StreamDecodeLevel.none)


def finish_archival_file(path: Path) -> None:
    """A PDF WeasyPrint wrote whole, saved again as ``save_archival`` saves a joined one."""
    with pikepdf.open(path) as document:
        temporary = temporary_beside(path)
        try:
            save_archival(document, temporary)
            document.close()
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)


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
    """Turns pages WeasyPrint wrote for the reader edition (PDF/A-3a, cropped to the trim box)
    into the print edition's (PDF/X-4), as WeasyPrint would have written them from the same
    layout: the same content, and only these differences, taken from the print edition's
    first page: its media, trim and bleed boxes around the same trim box, the printer's marks
    (pdf_finishers.printer_marks), links not printed (PDF/A gives them the print flag),
    the sRGB profile of the PDF/X output intent, and no structure keys (the print edition is
    untagged, and the parts' structure trees are not copied into it). Writing each part once
    instead of twice saves a third of a full build's PDF writing. tests/writers/pdf/test_parts.py compares the
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
            if "/StructParents" in obj:  # the print edition is untagged: its keys lead nowhere
                del obj["/StructParents"]
            trim = [float(v) for v in obj.MediaBox]
            media = [t + m for t, m in zip(trim, self.media_margin)]
            obj.TrimBox = pikepdf.Array(trim)
            obj.MediaBox = pikepdf.Array(media)
            obj.BleedBox = pikepdf.Array([t + b for t, b in zip(trim, self.bleed_margin)])
            contents = obj.Contents
            obj.Contents = pikepdf.Array([*(contents if isinstance(contents, pikepdf.Array) else [contents]),
                                          self.marks_for(trim, media)])
            for annotation in obj.get("/Annots", []):
                for key in ("/F", "/StructParent"):
                    if key in annotation:
                        del annotation[key]
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


def _attach_sources(document, book: Book, project: Project, mode: str) -> None:
    """The sources and the build record as PDF/A-3 associated files (the catalog's /AF), as
    WeasyPrint attaches them to a document it writes whole."""
    import mimetypes

    from reportpub.writers.pdf.output import attached_files

    stamp = "D:" + book.config.timestamp.strftime("%Y%m%d%H%M%SZ")
    specs = []
    for file in attached_files(book, project, mode):
        spec = pikepdf.AttachedFileSpec(
            document, file.data, description=file.description, filename=file.name,
            mime_type=mimetypes.guess_type(file.name, strict=False)[0] or "application/octet-stream",
            creation_date=stamp, mod_date=stamp, relationship=pikepdf.Name("/" + file.relationship))
        document.attachments[file.name] = spec
        specs.append(spec.obj)
    if specs:
        document.Root.AF = pikepdf.Array(specs)
