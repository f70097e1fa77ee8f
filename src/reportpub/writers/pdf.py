"""PDF editions through WeasyPrint: lay the book out once per writing mode, write it as needed.

``layout_book`` returns a WeasyPrint Document (the expensive step); ``write_pdf``
writes that one layout as the reader edition (PDF/A-3b, cropped to the trim size,
sources attached) or the print edition (PDF/X-4 with bleed and marks). Vertical
layouts use the derived vertical fonts and are turned by a finisher.
"""

from __future__ import annotations

import logging
from pathlib import Path

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from reportpub.config import BookConfig
from reportpub.diagnostics import Diagnostic, ReportpubError, SourceLocation
from reportpub.fetcher import ProjectURLFetcher
from reportpub.model import Book
from reportpub.project import Project
from reportpub.templates import Templates
from reportpub.theme import stylesheets
from reportpub.writers.page_geometry import (
    MARKS_ROOM_MM,
    horizontal_geometry,
    vertical_geometry,
)
from reportpub.writers.pdf_finishers import (
    chain,
    crop_to_trim_box,
    fixed_document_id,
    set_bleed_box,
    turn_pages_for_vertical_reading,
)
from reportpub.writers.pdf_islands import measure_islands, place_islands
from reportpub.writers.pdf_markup import pdf_chapter_html


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
        # Text that CSS generates (問, 答, 注, leaders) must be in the derived fonts too.
        css_text = "".join(sheet.read_text(encoding="utf-8") for sheet in stylesheets(project, "pdf", mode))
        page_css = geometry.css() + vertical_font_faces(html + css_text, project, fetcher)
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
        base_url = fetcher.project_url(project.manuscript) + "/"
        if vertical:
            theme_css = css[1:]  # the islands are measured with the theme, without the page rules
            heights = measure_islands(html, theme_css, geometry.island_width, font_config, fetcher, base_url)
            html = place_islands(html, heights, geometry.island_width, geometry.column_length)
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            stylesheets=css, font_config=font_config)
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
    ("Symbola", "RP Vertical Symbols", 400),  # emoji and symbols the CJK fonts lack (💡 ✅)
)


def font_cache_dir(project: Project) -> Path:
    return project.build_dir / ".cache" / "fonts"


def vertical_font_faces(html: str, project: Project, fetcher: ProjectURLFetcher) -> str:
    """@font-face rules for the derived vertical fonts, subset to the document's characters."""
    import html as html_module
    import re

    from reportpub.typography.fonts import find_face
    from reportpub.typography.vertical_font import derive_vertical_font

    characters = "".join(sorted(set(html)))
    # Tate-chu-yoko cells the fonts draw (pdf-vertical.css turns on their feature in .tcy):
    # the text of every element of class tcy (automatic 12 and !?, the author's ^123^),
    # and the note numbers the footnote calls and markers show.
    tcy_strings = {html_module.unescape(m.group(3)) for m in re.finditer(
        r'<([A-Za-z][\w:-]*)\s[^>]*?\bclass="([^"]*)"[^>]*>([^<>]{1,3})</\1>', html)
        if "tcy" in m.group(2).split()}
    tcy_strings |= set(re.findall(r'\bdata-number="(\d{1,3})"', html))
    rules = []
    for pattern, family, weight in VERTICAL_FACES:
        face = find_face(pattern)
        # No punctuation tightening: WeasyPrint justifies only at spaces, so a tightened column
        # would end short of the grid; aligned columns matter more to a Japanese reader.
        path = derive_vertical_font(face.path, characters, font_cache_dir(project), f"{family} {weight}", face.index,
                                    tighten_punctuation=False, tcy_strings=tcy_strings)
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
        document.write_pdf(target, pdf_variant=PRINT_VARIANT, finisher=chain(finishers))
    else:
        document.write_pdf(target, pdf_variant=READER_VARIANT, attachments=source_attachments(book, project),
                           finisher=chain(finishers))


