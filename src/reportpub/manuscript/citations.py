"""Citations in the manuscript: ``[@key]``, ``[@key, p. 12]``, ``[@a; @b]``, ``[-@key]``.

The inline processor only marks where a citation stands, keeping its raw text in a
``<cite class="citation" data-cite="…">`` element. Parsing the text, checking keys
and formatting notes happen in resolve.py, which sees the whole book in order (the
first citation of a source is set in full, later ones short).
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

# A bracket group holding an "@key" at its start or after a space or ";", and not a link:
# not followed by "(" or ":", nor by "[" unless a footnote or another citation follows.
CITATION_PATTERN = r"\[((?:[^\[\]\n]*?[\s;])?-?@[A-Za-z0-9_{][^\[\]\n]*)\](?!\(|:|\[(?![\^@-]))"


class CitationInlineProcessor(InlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802
        cite = etree.Element("cite")
        cite.set("class", "citation")
        cite.set("data-cite", m.group(1))
        return cite, m.start(0), m.end(0)


class CitationExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802
        # Above footnote references (175) and links (160).
        md.inlinePatterns.register(CitationInlineProcessor(CITATION_PATTERN, md), "reportpub-citation", 180)
