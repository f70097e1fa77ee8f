"""Backticks inside a raw HTML tag are the tag's text, not a code span.

Python-Markdown looks for code spans before it looks for raw HTML, so in
``<span title="a `b` c">`` it made ``<code>b</code>`` inside the attribute's value and the
chapter was ill-formed. CommonMark gives raw HTML tags (and comments) precedence over code
spans; so does this: a code span does not start inside a tag or comment written in the source.
"""

from __future__ import annotations

import re

from markdown.extensions import Extension
from markdown.inlinepatterns import BACKTICK_RE, BacktickInlineProcessor

# An open or closing tag as CommonMark reads one (attribute values quoted, or bare without
# backticks), or a comment.
_ATTRIBUTE = r"""\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?"""
RAW_TAG_OR_COMMENT = re.compile(rf"<[A-Za-z][A-Za-z0-9-]*(?:{_ATTRIBUTE})*\s*/?>|</[A-Za-z][A-Za-z0-9-]*\s*>|<!--.*?-->",
                                re.DOTALL)


def inside_raw_tag(text: str, offset: int) -> bool:
    """Whether ``offset`` of an inline text falls inside a raw HTML tag or comment."""
    start = text.rfind("<", 0, offset)
    while start >= 0:
        tag = RAW_TAG_OR_COMMENT.match(text, start)
        if tag is not None:
            # A whole tag before the offset: one that held both would hold a "<" in its value.
            return tag.end() > offset
        start = text.rfind("<", 0, start)
    return False


class _CodeSpanOutsideTags(BacktickInlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802
        if m.group(1) is None and inside_raw_tag(data, m.start(0)):
            return None, None, None  # an attribute's or comment's backtick: the tag keeps it as written
        return super().handleMatch(m, data)


class RawTagsExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802
        md.inlinePatterns.register(_CodeSpanOutsideTags(BACKTICK_RE), "backtick", 190)  # in the built-in's place
