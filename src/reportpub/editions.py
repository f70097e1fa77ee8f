"""The editions a build can make: the formats, the writing modes, and one value per edition file.

An :class:`Edition` is what every stage agrees on: its format (``pdf`` the reader and
archival PDF, ``print`` the printer's PDF, ``epub``, ``html`` the web edition), its writing
mode, its file name, and for a PDF the variant it is written as. The formats and modes an
author may name in book.toml or on the command line are the ones listed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reportpub.config import BookConfig

FORMATS = ("pdf", "print", "epub", "html")
MODES = ("vertical", "horizontal")
PDF_FORMATS = ("pdf", "print")


@dataclass(frozen=True)
class PdfVariant:
    """How a PDF edition is written: WeasyPrint's ``pdf_variant`` and the standard it meets."""

    name: str  # "reader" or "print": the two PDFs one layout gives
    weasyprint_variant: str
    conformance: str


# The reader edition is tagged: PDF/A-3a, and PDF/UA-1 (its identification in the XMP, writers/pdf/output.py).
READER_PDF = PdfVariant("reader", "pdf/a-3a", "PDF/A-3a, PDF/UA-1")
PRINT_PDF = PdfVariant("print", "pdf/x-4", "PDF/X-4")
PDF_VARIANTS = {variant.name: variant for variant in (READER_PDF, PRINT_PDF)}


@dataclass(frozen=True)
class Edition:
    """One edition file of a build."""

    format: str  # one of FORMATS
    mode: str  # one of MODES
    name: str  # the file name in build/

    @property
    def vertical(self) -> bool:
        return self.mode == "vertical"

    @property
    def pdf_variant(self) -> PdfVariant | None:
        """The variant of a PDF edition; None for the EPUB and the web edition."""
        return {"pdf": READER_PDF, "print": PRINT_PDF}.get(self.format)


def planned_editions(config: BookConfig, only: str | None = None, mode: str | None = None) -> list[Edition]:
    """The editions a build makes, in a fixed order, from book.toml and the command line
    (``only`` one format, ``mode`` one writing mode). The web edition is horizontal only."""
    formats = [only] if only else list(config.editions.formats)
    modes = [mode] if mode else list(config.editions.modes)
    editions = []
    for m in modes:
        if "pdf" in formats:
            editions.append(Edition("pdf", m, f"{config.slug}-{m}.pdf"))
        if "print" in formats:
            editions.append(Edition("print", m, f"{config.slug}-{m}-print.pdf"))
        if "epub" in formats:
            editions.append(Edition("epub", m, f"{config.slug}-{m}.epub"))
    if "html" in formats and mode in (None, "horizontal"):
        editions.append(Edition("html", "horizontal", f"{config.slug}.html"))
    return editions
