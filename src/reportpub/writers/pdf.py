"""PDF editions through WeasyPrint: lay the book out once per writing mode, write it as needed.

``layout_book`` returns a WeasyPrint Document (the expensive step); ``write_pdf``
writes that layout as a file. Horizontal pages are laid out as they are shown;
vertical pages are laid out on a frame of swapped dimensions and turned (see
typography.vertical_page).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

import pydyf
import weasyprint
from weasyprint.text.fonts import FontConfiguration

from reportpub.config import BookConfig
from reportpub.diagnostics import Diagnostic, ReportpubError, SourceLocation
from reportpub.fetcher import ProjectURLFetcher
from reportpub.model import Book
from reportpub.project import Project
from reportpub.templates import Templates
from reportpub.theme import stylesheets
from reportpub.writers.pdf_markup import pdf_chapter_html

PT_PER_MM = 72 / 25.4
BODY_FONT_PT = 9.5
LINE_HEIGHT = 1.75
MIN_SIDE_MARGIN_MM = 15
MAX_CHARACTERS_PER_LINE = 42
MARKS_ROOM_MM = 10  # room outside the bleed for crop and registration marks (トンボ)


@dataclass(frozen=True)
class PageGeometry:
    """The trim size and margins (mm) of a mode's pages, fitted to a whole-character grid."""

    width: float
    height: float
    top: float
    bottom: float
    inner: float
    outer: float

    def css(self) -> str:
        return (
            f"@page {{ size: {self.width:.3f}mm {self.height:.3f}mm; "
            f"margin: {self.top:.3f}mm {self.outer:.3f}mm {self.bottom:.3f}mm {self.inner:.3f}mm; }}\n"
            f"@page :left {{ margin-left: {self.outer:.3f}mm; margin-right: {self.inner:.3f}mm; }}\n"
            f"@page :right {{ margin-left: {self.inner:.3f}mm; margin-right: {self.outer:.3f}mm; }}\n"
        )


@dataclass(frozen=True)
class VerticalGeometry:
    """A vertical page (mm, as shown) and the turned frame WeasyPrint lays it out on.

    The frame is the page turned 90° counter-clockwise: frame width = page height,
    frame left = page top (天), frame right = page bottom (地), frame top = page right,
    frame bottom = page left. A vertical book binds on the right, so an odd page has
    its inner margin (のど) on its right side = the frame's top."""

    width: float
    height: float
    head: float  # 天
    foot: float  # 地
    inner: float  # のど
    outer: float  # 小口

    @property
    def island_width(self) -> float:
        """Frame height available to content: the page's text width, for upright islands."""
        return self.width - self.inner - self.outer

    def css(self) -> str:
        return (
            f"@page {{ size: {self.height:.3f}mm {self.width:.3f}mm; "
            f"margin: {self.inner:.3f}mm {self.foot:.3f}mm {self.outer:.3f}mm {self.head:.3f}mm; }}\n"
            f"@page :left {{ margin-top: {self.outer:.3f}mm; margin-bottom: {self.inner:.3f}mm; }}\n"
            f"@page :right {{ margin-top: {self.inner:.3f}mm; margin-bottom: {self.outer:.3f}mm; }}\n"
            f":root {{ --island-width: {self.island_width:.3f}mm; }}\n"
            f".island {{ width: {self.island_width:.3f}mm; transform: translate(0, {self.island_width:.3f}mm) rotate(-90deg); }}\n"
        )


MAX_CHARACTERS_PER_COLUMN = 45


def vertical_geometry(config: BookConfig) -> VerticalGeometry:
    """Column length a whole number of characters (at most 45), 天 a little narrower than 地
    (which holds the nombre); the sides split for のど and 小口 with room for side notes."""
    width, height = config.pdf.width_mm, config.pdf.height_mm
    char_mm = BODY_FONT_PT / PT_PER_MM
    characters = min(MAX_CHARACTERS_PER_COLUMN, math.floor((height - 2 * MIN_SIDE_MARGIN_MM - 10) / char_mm))
    spare = height - characters * char_mm
    side = max(MIN_SIDE_MARGIN_MM, width * 0.11)
    return VerticalGeometry(width=width, height=height, head=spare * 0.45, foot=spare * 0.55,
                            inner=side * 1.1, outer=side * 0.9)


def horizontal_geometry(config: BookConfig) -> PageGeometry:
    """Line length a whole number of characters (at most 42, JLREQ's comfortable range),
    the rest split between the margins, the inner one a little wider for the binding."""
    width, height = config.pdf.width_mm, config.pdf.height_mm
    char_mm = BODY_FONT_PT / PT_PER_MM
    characters = min(MAX_CHARACTERS_PER_LINE, math.floor((width - 2 * MIN_SIDE_MARGIN_MM) / char_mm))
    spare = width - characters * char_mm
    return PageGeometry(width=width, height=height, top=height * 0.095, bottom=height * 0.105,
                        inner=spare * 0.53, outer=spare * 0.47)


class WeasyPrintWarnings(logging.Handler):
    """Collects WeasyPrint's warnings (bad CSS in an author's stylesheet, refused URLs)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def layout_book(book: Book, project: Project, mode: str, templates: Templates) -> weasyprint.Document:
    """Lay the whole book out for one writing mode."""
    vertical = mode == "vertical"
    chapters = [
        {"id": c.id, "title": c.title, "href": "", "headings": c.headings, "source": c.source,
         "html": pdf_chapter_html(c, vertical=vertical)}
        for c in book.chapters
    ]
    html = templates.render("pdf.html", book, chapters=chapters, mode=mode, stylesheets=[])
    fetcher = ProjectURLFetcher(project.root, allow_remote=book.config.allow_remote)
    font_config = FontConfiguration()
    if vertical:
        geometry = vertical_geometry(book.config)
        page_css = geometry.css() + vertical_font_faces(html, project, fetcher)
        # The nombre is a running element; it must sit inside the first page's content.
        html = html.replace('id="titlepage">', 'id="titlepage"><div class="nombre"></div>', 1)
    else:
        page_css = horizontal_geometry(book.config).css()
    # The CSS bleed also holds the printer's marks, so it is wider than the print bleed;
    # the print finisher puts the PDF BleedBox back at book.toml's bleed and draws the marks
    # (drawing them there costs nothing in the reader edition, which shares this layout).
    bleed = f"@page {{ bleed: {book.config.pdf.bleed_mm + MARKS_ROOM_MM:.3f}mm; }}\n"
    css = [weasyprint.CSS(string=page_css + bleed, url_fetcher=fetcher, font_config=font_config)]
    warnings = WeasyPrintWarnings()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(warnings)
    problems: list[Diagnostic] = []
    author_sheets = set(project.style_files())
    try:
        for sheet in stylesheets(project, "pdf", mode):
            seen = len(warnings.messages)
            css.append(weasyprint.CSS(filename=str(sheet), url_fetcher=fetcher, font_config=font_config))
            if sheet in author_sheets:
                problems += [_css_diagnostic(project.relative(sheet), m) for m in warnings.messages[seen:]]
        document = weasyprint.HTML(string=html, base_url=fetcher.project_url(project.manuscript) + "/",
                                   url_fetcher=fetcher).render(stylesheets=css, font_config=font_config)
    finally:
        logger.removeHandler(warnings)
    document.reportpub_vertical = vertical  # the writer turns the pages of a vertical layout
    document.metadata.xmp_metadata = [edition_xmp(book.config)]
    author_files = project.style_files() + project.template_files() + [project.root / c.source for c in book.chapters]
    problems += fetcher.diagnostics(author_files, book.config.path, project.relative)
    # A font that does not load would silently fall back to another (sideways kanji in a
    # vertical edition): never publish that.
    problems += [Diagnostic(SourceLocation("fonts"), m) for m in warnings.messages if "cannot be loaded" in m]
    if problems:
        raise ReportpubError(problems)
    return document


def edition_xmp(config: BookConfig) -> bytes:
    """XMP beyond WeasyPrint's own: language, identifier, edition version and date (standard
    Dublin Core and XMP Media Management properties, so PDF/A needs no extension schema)."""
    from xml.sax.saxutils import escape

    date = config.date.isoformat() if config.date else ""
    return (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">'
        '<rdf:Description rdf:about="">'
        f'<dc:language><rdf:Bag><rdf:li>{escape(config.language)}</rdf:li></rdf:Bag></dc:language>'
        f'<dc:identifier>{escape(config.identifier)}</dc:identifier>'
        + (f'<dc:date><rdf:Seq><rdf:li>{date}</rdf:li></rdf:Seq></dc:date>' if date else "")
        + f'<xmpMM:VersionID>{escape(config.version)}</xmpMM:VersionID>'
        '</rdf:Description></rdf:RDF>'
    ).encode()


# The derived vertical fonts: (fontconfig pattern, family name in the theme, CSS weight).
VERTICAL_FACES = (
    ("Noto Serif CJK JP", "RP Vertical Serif", 400),
    ("Noto Serif CJK JP:bold", "RP Vertical Serif", 700),
    ("Noto Sans CJK JP", "RP Vertical Sans", 400),
    ("Noto Sans CJK JP:bold", "RP Vertical Sans", 700),
)


def font_cache_dir(project: Project) -> Path:
    return project.build_dir / ".cache" / "fonts"


def vertical_font_faces(html: str, project: Project, fetcher: ProjectURLFetcher) -> str:
    """@font-face rules for the derived vertical fonts, subset to the document's characters."""
    from reportpub.typography.fonts import find_face
    from reportpub.typography.vertical_font import derive_vertical_font

    characters = "".join(sorted(set(html)))
    rules = []
    for pattern, family, weight in VERTICAL_FACES:
        face = find_face(pattern)
        # No punctuation tightening: WeasyPrint justifies only at spaces, so a tightened column
        # would end short of the grid; aligned columns matter more to a Japanese reader.
        path = derive_vertical_font(face.path, characters, font_cache_dir(project), f"{family} {weight}", face.index,
                                    tighten_punctuation=False)
        rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; src: url("{fetcher.project_url(path)}"); }}')
    return "\n".join(rules) + "\n"


def _css_diagnostic(source: str, message: str) -> Diagnostic:
    """WeasyPrint's 'Ignored `x` at 3:6, unknown property.' as 'styles/x.css:3: CSS: …'."""
    import re

    match = re.search(r" at (\d+):\d+", message)
    text = re.sub(r" at \d+:\d+", "", message).rstrip(".")
    return Diagnostic(SourceLocation(source, int(match.group(1)) if match else None), f"CSS: {text}")


READER_VARIANT = "pdf/a-3b"
PRINT_VARIANT = "pdf/x-4"


def source_attachments(book: Book, project: Project) -> list[weasyprint.Attachment]:
    """The manuscript sources the archival PDF carries: book.toml, chapters, bibliography,
    figures and the author's styles and templates, named by their project-relative paths."""
    stamp = book.config.timestamp
    return [
        weasyprint.Attachment(string=path.read_bytes(), name=project.relative(path), description="manuscript source",
                              created=stamp, modified=stamp, relationship="Source")
        for path in project.source_files([c.source for c in book.chapters], [a.path for a in book.assets])
    ]


def write_pdf(document: weasyprint.Document, target: Path, book: Book, project: Project,
              print_edition: bool = False) -> None:
    """Write a laid-out book: the print edition as PDF/X with bleed and crop marks, the reader
    and archival edition as PDF/A-3 cropped to the trim size with its sources attached."""
    finishers = [set_bleed_box(book.config.pdf.bleed_mm), fixed_document_id(book.config)] if print_edition \
        else [crop_to_trim_box]
    if getattr(document, "reportpub_vertical", False):
        finishers.append(turn_pages_for_vertical_reading)
    if print_edition:
        document.write_pdf(target, pdf_variant=PRINT_VARIANT, finisher=_chain(finishers))
    else:
        document.write_pdf(target, pdf_variant=READER_VARIANT, attachments=source_attachments(book, project),
                           finisher=_chain(finishers))


def _chain(finishers):
    def finish(document, pdf):
        for finisher in finishers:
            finisher(document, pdf)
    return finish


def pdf_pages(pdf) -> list:
    """The page dictionaries of a pydyf document, in order."""
    return [obj for obj in pdf.objects if isinstance(obj, dict) and obj.get("Type") == "/Page"]


def set_bleed_box(bleed_mm: float):
    """A finisher that sets each page's BleedBox to the trim box grown by the print bleed and
    draws the printer's marks (トンボ) outside it."""
    bleed = bleed_mm * PT_PER_MM

    def finish(document, pdf) -> None:
        marks = None
        for page in pdf_pages(pdf):
            left, top, right, bottom = page["TrimBox"]
            page["BleedBox"] = pydyf.Array([left - bleed, top - bleed, right + bleed, bottom + bleed])
            if marks is None:  # every page has the same boxes: one marks stream serves all
                marks = pydyf.Stream([printer_marks(page["TrimBox"], page["MediaBox"], bleed)], compress=True)
                pdf.add_object(marks)
            page["Contents"] = pydyf.Array([page["Contents"], marks.reference])
    return finish


def printer_marks(trim, media, bleed: float) -> bytes:
    """PDF drawing operators for Japanese printer's marks in registration colour (all plates):
    double corner marks (内トンボ at the trim line, 外トンボ at the bleed line) and centre
    marks (センタートンボ, a cross with a circle) on each side, all outside the bleed."""
    x0, y0, x1, y1 = (float(v) for v in trim)
    mx0, my0, mx1, my1 = (float(v) for v in media)
    ops = ["q", "0.3 w", "1 1 1 1 K"]

    def line(ax, ay, bx, by):
        ops.append(f"{ax:.2f} {ay:.2f} m {bx:.2f} {by:.2f} l S")

    for cx, sx in ((x0, -1), (x1, 1)):  # corners: left/right side, sign pointing outward
        for cy, sy in ((y0, -1), (y1, 1)):
            edge_x, edge_y = (mx0 if sx < 0 else mx1), (my0 if sy < 0 else my1)
            for offset in (0, bleed):  # trim line, then bleed line
                line(cx + sx * bleed, cy + sy * offset, edge_x, cy + sy * offset)  # horizontal arm
                line(cx + sx * offset, cy + sy * bleed, cx + sx * offset, edge_y)  # vertical arm
    middle_x, middle_y = (x0 + x1) / 2, (y0 + y1) / 2
    arm = 4 * PT_PER_MM
    for px, py in (((mx0 + x0 - bleed) / 2, middle_y), ((mx1 + x1 + bleed) / 2, middle_y),
                   (middle_x, (my0 + y0 - bleed) / 2), (middle_x, (my1 + y1 + bleed) / 2)):
        line(px - arm, py, px + arm, py)
        line(px, py - arm, px, py + arm)
        radius, k = arm / 2, arm / 2 * 0.5523  # a circle from four Bézier quarters
        ops.append(f"{px + radius:.2f} {py:.2f} m "
                   f"{px + radius:.2f} {py + k:.2f} {px + k:.2f} {py + radius:.2f} {px:.2f} {py + radius:.2f} c "
                   f"{px - k:.2f} {py + radius:.2f} {px - radius:.2f} {py + k:.2f} {px - radius:.2f} {py:.2f} c "
                   f"{px - radius:.2f} {py - k:.2f} {px - k:.2f} {py - radius:.2f} {px:.2f} {py - radius:.2f} c "
                   f"{px + k:.2f} {py - radius:.2f} {px + radius:.2f} {py - k:.2f} {px + radius:.2f} {py:.2f} c S")
    ops.append("Q")
    return "\n".join(ops).encode()


def turn_pages_for_vertical_reading(document, pdf) -> None:
    """Show each frame page turned 90° clockwise (vertical-rl), and tell viewers the book
    reads right to left and opens on the right (a right-bound book)."""
    for page in pdf_pages(pdf):
        page["Rotate"] = 90
    preferences = pdf.catalog.get("ViewerPreferences") or pydyf.Dictionary()
    preferences["Direction"] = "/R2L"
    pdf.catalog["ViewerPreferences"] = preferences
    pdf.catalog["PageLayout"] = "/TwoPageRight"


def fixed_document_id(config: BookConfig):
    """A finisher replacing the random xmpMM:DocumentID WeasyPrint gives PDF/X-4 files with one
    derived from the edition, so that the same sources give the same bytes."""
    import hashlib
    import re

    def finish(document, pdf) -> None:
        metadata = pdf.catalog["Metadata"]
        stream = next(obj for obj in pdf.objects if getattr(obj, "reference", None) == metadata)
        seed = f"{config.identifier}|{config.version}|{document.reportpub_vertical}".encode()
        digest = hashlib.sha256(seed).hexdigest()
        document_id = f"xmp.did:{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
        stream.stream = [re.sub(rb"xmp\.did:[0-9a-f-]{36}", document_id.encode(), part) for part in stream.stream]
    return finish


def crop_to_trim_box(document, pdf) -> None:
    """Show only the trim area: the reader edition shares the print layout (one layout,
    two files) but hides the bleed and the crop marks outside the trim box."""
    for page in pdf_pages(pdf):
        if "TrimBox" in page:
            page["MediaBox"] = page["TrimBox"]
            del page["BleedBox"]
            del page["TrimBox"]
