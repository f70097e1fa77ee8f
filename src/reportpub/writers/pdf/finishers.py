"""Finishers: changes made to a laid-out PDF just before it is written (WeasyPrint's
``write_pdf(finisher=…)`` hook, which receives the pydyf document).

They turn vertical pages, crop the reader edition to its trim box, set the print
edition's bleed box and draw its printer's marks, and fix the one random value
WeasyPrint writes, so that the same sources give the same bytes.
"""

from __future__ import annotations

import hashlib
import re

import pydyf

from reportpub.config import BookConfig
from reportpub.writers.pdf.geometry import PT_PER_MM


def chain(finishers):
    """One finisher that runs several in order."""
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
    ops = ["/Artifact BMC", "q", "0.3 w", "1 1 1 1 K"]  # not content: an artifact of a tagged page

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
    ops += ["Q", "EMC"]
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


def fixed_document_id(config: BookConfig, vertical: bool):
    """A finisher replacing the random xmpMM:DocumentID WeasyPrint gives PDF/X-4 files with one
    derived from the edition (``vertical``: its writing mode), so that the same sources give
    the same bytes."""
    def finish(document, pdf) -> None:
        metadata = pdf.catalog["Metadata"]
        stream = next(obj for obj in pdf.objects if getattr(obj, "reference", None) == metadata)
        seed = f"{config.identifier}|{config.version}|{vertical}".encode()
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


def merge_edition_metadata(rdf_descriptions: bytes):
    """A finisher putting the edition's own XMP properties (``rdf:Description`` elements)
    into the one ``rdf:RDF`` of WeasyPrint's metadata packet: XMP readers and PDF/A
    validators read only the first, so a second ``rdf:RDF`` block would go unseen."""
    def finish(document, pdf) -> None:
        metadata = pdf.catalog["Metadata"]
        stream = next(obj for obj in pdf.objects if getattr(obj, "reference", None) == metadata)
        packet = b"".join(part if isinstance(part, bytes) else str(part).encode() for part in stream.stream)
        # The edition's version replaces the placeholder "1" WeasyPrint gives PDF/X-4 files.
        packet = re.sub(rb"<xmpMM:VersionID>[^<]*</xmpMM:VersionID>", b"", packet)
        end = packet.index(b"</rdf:RDF>")
        stream.stream = [packet[:end] + rdf_descriptions + packet[end:]]
    return finish


def no_image_interpolation(document, pdf) -> None:
    """Images ask for no interpolation: PDF/A forbids ``/Interpolate true``, which WeasyPrint
    writes for every image whose ``image-rendering`` is auto."""
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and "Interpolate" in obj.extra:
            del obj.extra["Interpolate"]
