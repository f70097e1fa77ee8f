"""Writing a laid-out book as a PDF edition: the reader edition (PDF/A-3a and PDF/UA-1:
tagged, cropped to the trim size, sources attached) or the print edition (PDF/X-4 with
bleed and marks, untagged: a printer's file, read by no assistive technology; joined from
the reader edition's pages, it leaves their structure behind, writers/pdf/join.py). The
edition's own XMP properties go into WeasyPrint's one metadata packet.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import weasyprint

from reportpub.config import BookConfig
from reportpub.editions import PRINT_PDF, READER_PDF, PdfVariant
from reportpub.model import Book
from reportpub.project import Project
from reportpub.toolchain import BUILD_RECORD, build_record
from reportpub.writers.pdf.finishers import (
    chain,
    crop_to_trim_box,
    fixed_document_id,
    merge_edition_metadata,
    no_image_interpolation,
    set_bleed_box,
    turn_pages_for_vertical_reading,
)
from reportpub.writers.pdf.tagging import PartTagger, describe_link


PDFUA_EXTENSION_SCHEMA = (
    # PDF/A admits XMP properties outside its predefined schemas only when the packet
    # describes them: this is the PDF/UA identification schema's description (ISO 14289-1).
    '<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" '
    'xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
    '<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
    '<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>'
    '<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>'
    '<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>'
    '<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">'
    '<pdfaProperty:name>part</pdfaProperty:name><pdfaProperty:valueType>Integer</pdfaProperty:valueType>'
    '<pdfaProperty:category>internal</pdfaProperty:category>'
    '<pdfaProperty:description>Part of ISO 14289 the file conforms to</pdfaProperty:description>'
    '</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>'
    '<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
    '<pdfuaid:part>1</pdfuaid:part></rdf:Description>'
)


def edition_xmp(config: BookConfig, universal_access: bool) -> bytes:
    """XMP beyond WeasyPrint's own, as ``rdf:Description`` elements for its packet: language,
    identifier, edition version and date (Dublin Core and XMP Media Management, predefined
    for PDF/A), and with ``universal_access`` the PDF/UA-1 identification and its schema."""
    from xml.sax.saxutils import escape

    date = config.date.isoformat() if config.date else ""
    return (
        '<rdf:Description rdf:about="" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">'
        f'<dc:language><rdf:Bag><rdf:li>{escape(config.language)}</rdf:li></rdf:Bag></dc:language>'
        f'<dc:identifier>{escape(config.identifier)}</dc:identifier>'
        + (f'<dc:date><rdf:Seq><rdf:li>{date}</rdf:li></rdf:Seq></dc:date>' if date else "")
        + f'<xmpMM:VersionID>{escape(config.version)}</xmpMM:VersionID>'
        '</rdf:Description>'
        + (PDFUA_EXTENSION_SCHEMA if universal_access else "")
    ).encode()


@dataclass(frozen=True)
class AttachedFile:
    """A file the reader PDF carries, as a PDF/A-3 associated file."""

    name: str
    data: bytes
    description: str
    relationship: str  # the /AFRelationship: Source or Supplement


def attached_files(book: Book, project: Project, mode: str) -> list[AttachedFile]:
    """What the archival PDF carries, in name order: every source it is made from (book.toml,
    chapters, bibliography and its style, figures, the author's styles with what they use, and
    templates) by its project-relative path, and the build record that ``reportpub verify``
    rebuilds it with."""
    files = [AttachedFile(project.relative(path), path.read_bytes(), "manuscript source", "Source")
             for path in project.source_files([c.source for c in book.chapters], [a.path for a in book.assets])]
    files.append(AttachedFile(BUILD_RECORD, build_record(book.config.slug, "pdf", mode),
                              "how this edition was built: its slug, writing mode and tool versions", "Supplement"))
    return sorted(files, key=lambda file: file.name)


def source_attachments(book: Book, project: Project, mode: str) -> list[weasyprint.Attachment]:
    """``attached_files`` as WeasyPrint attaches them to a document it writes whole."""
    stamp = book.config.timestamp
    return [weasyprint.Attachment(string=file.data, name=file.name, description=file.description,
                                  created=stamp, modified=stamp, relationship=file.relationship)
            for file in attached_files(book, project, mode)]


def write_pdf(document: weasyprint.Document, target: Path, book: Book, project: Project, *, vertical: bool,
              variant: PdfVariant = READER_PDF, attachments: bool = True, part_name: str = "book") -> None:
    """Write a laid-out book (``vertical``: laid out for vertical reading, its pages to be
    turned): the print edition as PDF/X with bleed and crop marks, the reader and archival
    edition as PDF/A-3 cropped to the trim size with its sources attached (unless
    ``attachments`` is false: the parts of an assembled book, which gets them once).
    ``part_name`` keeps the IDs of its structure tree apart from other parts' (tagging.py)."""
    print_edition = variant == PRINT_PDF
    finishers = [set_bleed_box(book.config.pdf.bleed_mm), fixed_document_id(book.config, vertical)] if print_edition \
        else [crop_to_trim_box]
    if vertical:
        finishers.append(turn_pages_for_vertical_reading)
    tagger = PartTagger(part_name, describe_link, book.config.language)
    tagger.link_note_calls(document)  # the print edition's links are the reader's (join.py takes its pages over)
    finishers += ([] if print_edition else [tagger]) + [
        no_image_interpolation, merge_edition_metadata(edition_xmp(book.config, universal_access=not print_edition))]
    with_sources = attachments and not print_edition
    with contextlib.nullcontext() if print_edition else tagger.recording():
        # No file identifier: computing it serialises every object a second time, and qpdf
        # writes the edition's own when it saves the file (join.save_archival, which every
        # PDF edition passes through).
        document.write_pdf(target, pdf_variant=variant.weasyprint_variant, pdf_tags=not print_edition,
                           pdf_identifier=False,
                           finisher=chain(finishers),
                           attachments=source_attachments(book, project, "vertical" if vertical else "horizontal")
                           if with_sources else None)
