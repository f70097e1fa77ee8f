"""Explicit tate-chu-yoko: ``^12^`` sets up to three characters horizontally in vertical text.

Automatic tate-chu-yoko (1–2 digit runs, ``!?``) belongs to the vertical editions
only and is added later by typography.vertical_markup; this marks what the author
asked for explicitly, in every mode (horizontal editions simply ignore the class).
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

# One to three characters that are not spaces, carets or brackets (so ``[^1][^2]``
# footnote markers, already consumed at higher priority, can never look like one).
TCY_PATTERN = r"\^([^\s^\[\]]{1,3})\^"


class TateChuYokoInlineProcessor(InlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802
        span = etree.Element("span")
        span.set("class", "tcy" if len(m.group(1)) < 3 else "tcy tcy-3")
        span.text = m.group(1)
        return span, m.start(0), m.end(0)


class TateChuYokoExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802
        # Below footnote references (175) so "[^1]" is never read as a caret pair.
        md.inlinePatterns.register(TateChuYokoInlineProcessor(TCY_PATTERN, md), "reportpub-tcy", 165)
