"""Writing a laid-out book as a PDF edition: the reader edition (PDF/A-3b, cropped to the
trim size, sources attached) or the print edition (PDF/X-4 with bleed and marks).
"""

from __future__ import annotations

from pathlib import Path

import weasyprint

from reportpub.config import BookConfig
from reportpub.editions import PRINT_PDF, READER_PDF, PdfVariant
from reportpub.model import Book
from reportpub.project import Project
from reportpub.writers.pdf.finishers import (
    chain,
    crop_to_trim_box,
    fixed_document_id,
    set_bleed_box,
    turn_pages_for_vertical_reading,
)


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


def source_attachments(book: Book, project: Project) -> list[weasyprint.Attachment]:
    """The manuscript sources the archival PDF carries: book.toml, chapters, bibliography,
    figures and the author's styles and templates, named by their project-relative paths."""
    stamp = book.config.timestamp
    return [
        weasyprint.Attachment(string=path.read_bytes(), name=project.relative(path), description="manuscript source",
                              created=stamp, modified=stamp, relationship="Source")
        for path in project.source_files([c.source for c in book.chapters], [a.path for a in book.assets])
    ]


def write_pdf(document: weasyprint.Document, target: Path, book: Book, project: Project, *, vertical: bool,
              variant: PdfVariant = READER_PDF, attachments: bool = True) -> None:
    """Write a laid-out book (``vertical``: laid out for vertical reading, its pages to be
    turned): the print edition as PDF/X with bleed and crop marks, the reader and archival
    edition as PDF/A-3 cropped to the trim size with its sources attached (unless
    ``attachments`` is false: the parts of an assembled book, which gets them once)."""
    print_edition = variant == PRINT_PDF
    finishers = [set_bleed_box(book.config.pdf.bleed_mm), fixed_document_id(book.config, vertical)] if print_edition \
        else [crop_to_trim_box]
    if vertical:
        finishers.append(turn_pages_for_vertical_reading)
    with_sources = attachments and not print_edition
    document.write_pdf(target, pdf_variant=variant.weasyprint_variant, finisher=chain(finishers),
                       attachments=source_attachments(book, project) if with_sources else None)
