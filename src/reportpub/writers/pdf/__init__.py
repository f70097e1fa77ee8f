"""The PDF editions: the book's HTML → WeasyPrint layouts, part by part → joined PDF files.

The stages, one module each:

* ``chapter_html`` — a chapter's XHTML as the PDF wants it (ruby and emphasis boxes,
  vertical markup); ``book_html`` — where the book's HTML is cut into parts;
* ``layout`` — ``PdfLayout``: one writing mode's HTML, stylesheets and fonts, laid out by
  WeasyPrint (``geometry`` gives the page frame, ``islands`` the upright figures and tables
  of the vertical book, ``table_widths`` their copies' shared column widths, ``fetcher``
  every resource it may load);
* ``parts`` — ``write_mode_pdfs``, whose ``ModePdfs`` lays each part out once (keeping what
  did not change), places the parts, settles the contents' page numbers, joins and prunes;
  ``part_pool`` — the parts laid out side by side in a build's workers, each before its first
  page is known (its folios shifted to it once the parts before it are laid out);
* ``output`` and ``finishers`` — a layout written as the reader (PDF/A) or print (PDF/X)
  edition; ``join`` and ``fonts`` — the parts joined with pikepdf, each font embedded once.
"""

from reportpub.writers.pdf.native_libraries import import_weasyprint

import_weasyprint()  # before any module of the writer imports it (native_libraries.py says why)
