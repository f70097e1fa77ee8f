"""Citations in the manuscript: ``[@key]``, ``[@key, p. 12]``, ``[@a; @b]``, ``[-@key]``.

The inline processor only marks where a citation stands, keeping its raw text in a
``<cite class="citation" data-cite="…">`` element. Parsing the text, checking keys
and formatting notes happen in resolve.py, which sees the whole book in order (the
first citation of a source is set in full, later ones short).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

# A bracket group holding an "@key" at its start or after a space or ";", and not a link:
# not followed by "(" or ":", nor by "[" unless a footnote or another citation follows.
# The group may run over a line break of its paragraph ("[@a,\np. 3]"); inline patterns
# never see a blank line.
CITATION_PATTERN = r"\[((?:[^\[\]]*?[\s;])?-?@[A-Za-z0-9_{][^\[\]]*)\](?!\(|:|\[(?![\^@-]))"


# Where an inline HTML tag is still open ("<span title=\"[@a]"): no citation there.
_OPEN_TAG = re.compile(r"<[A-Za-z/!][^<>]*$")


class CitationInlineProcessor(InlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802
        if _OPEN_TAG.search(data, 0, m.start(0)):
            return None, None, None  # inside a raw HTML tag: an attribute's text, not a citation
        cite = etree.Element("cite")
        cite.set("class", "citation")
        # A code span or backslash escape in the locator is stashed by then: its text, not the
        # stash's placeholder (control characters XHTML cannot hold), goes into the attribute.
        cite.set("data-cite", self.unescape(m.group(1)))
        return cite, m.start(0), m.end(0)


class CitationExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802
        # Above footnote references (175) and links (160).
        md.inlinePatterns.register(CitationInlineProcessor(CITATION_PATTERN, md), "reportpub-citation", 180)
