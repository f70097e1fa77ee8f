"""Citations in the manuscript: ``[@key]``, ``[@key, p. 12]``, ``[@a; @b]``, ``[-@key]``.

The inline processor only marks where a citation stands, keeping its text as the author
wrote it (code spans and backslash escapes too, see :mod:`reportpub.citing.syntax`) in a
``<cite class="citation" data-cite="…">`` element. Parsing the text, checking keys
and formatting notes happen in resolve.py, which sees the whole book in order (the
first citation of a source is set in full, later ones short).
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree

from markdown import util
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

from reportpub.citing.syntax import as_written_code, as_written_mark

# A bracket group holding an "@key" at its start or after a space or ";", and not a link:
# not followed by "(" or ":", nor by "[" unless a footnote or another citation follows.
# The group may run over a line break of its paragraph ("[@a,\np. 3]"); inline patterns
# never see a blank line.
CITATION_PATTERN = r"\[((?:[^\[\]]*?[\s;])?-?@[A-Za-z0-9_{][^\[\]]*)\](?!\(|:|\[(?![\^@-]))"


# Where an inline HTML tag is still open ("<span title=\"[@a]"): no citation there.
_OPEN_TAG = re.compile(r"<[A-Za-z/!][^<>]*$")

# What the inline patterns before this one left in a citation's text: a stashed element or
# string (a code span), an escaped character, and the backslashes and backticks that are text.
_STASHED = re.compile(
    rf"{util.INLINE_PLACEHOLDER_RE.pattern}|{util.STX}(\d+){util.ETX}|(\\(?=[!-/:-@\[-`{{-~])|`)")


class CitationInlineProcessor(InlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802
        if _OPEN_TAG.search(data, 0, m.start(0)):
            return None, None, None  # inside a raw HTML tag: an attribute's text, not a citation
        cite = etree.Element("cite")
        cite.set("class", "citation")
        cite.set("data-cite", self._as_written(m.group(1)))
        return cite, m.start(0), m.end(0)

    def _as_written(self, text: str) -> str:
        """The citation's text with what Python-Markdown stashed of it by now (code spans,
        escapes: control characters XHTML cannot hold) written back as Markdown, so that the
        note sets the code as code and the escaped marks as text."""
        stash = self.md.treeprocessors["inline"].stashed_nodes

        def written(m: re.Match) -> str:
            if m.group(1) is not None:  # a stashed code span (its text escaped for HTML) or escape
                value = stash.get(m.group(1), "")
                if isinstance(value, str):
                    return _STASHED.sub(written, value)
                code = html.unescape("".join(value.itertext()))
                return as_written_code(code) if value.tag == "code" else code
            if m.group(2) is not None:  # an escaped character
                return as_written_mark(chr(int(m.group(2))))
            return as_written_mark(m.group(3))  # a backslash or a backtick that is text
        return _STASHED.sub(written, text)


class CitationExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802
        # Above footnote references (175) and links (160).
        md.inlinePatterns.register(CitationInlineProcessor(CITATION_PATTERN, md), "reportpub-citation", 180)
