"""Ruby (furigana): ``{漢字|かんじ}`` group ruby and ``{漢字|かん|じ}`` per-character ruby.

The syntax is Denden Markdown's. Per-character ruby needs one reading per base
character; other counts are an error the author sees with both counts
(manuscript/slips.py), so the joined group ruby made here for them is never published.
The output is HTML ``<ruby>`` (what EPUB reading systems lay out natively); the PDF
writer rebuilds it into boxes WeasyPrint can place.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

# Base: no braces, bars or line breaks. Readings: one or more "|reading" parts.
RUBY_PATTERN = r"\{([^{}|\n]+)((?:\|[^{}|\n]*)+)\}"


def ruby_element(base: str, readings: list[str]) -> etree.Element:
    """``<ruby>`` for a base and its readings (one per character, or one for the group)."""
    ruby = etree.Element("ruby")
    pairs = list(zip(base, readings)) if len(readings) == len(base) > 1 else [(base, "".join(readings))]
    last = None
    for part, reading in pairs:
        if last is None:
            ruby.text = (ruby.text or "") + part
        else:
            last.tail = (last.tail or "") + part
        rp = etree.SubElement(ruby, "rp")
        rp.text = "("
        rt = etree.SubElement(ruby, "rt")
        rt.text = reading
        rp2 = etree.SubElement(ruby, "rp")
        rp2.text = ")"
        last = rp2
    return ruby


class RubyInlineProcessor(InlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802 (Python-Markdown's name)
        base = m.group(1)
        readings = m.group(2).split("|")[1:]
        if not base.strip() or not any(r.strip() for r in readings):
            return None, None, None
        return ruby_element(base, readings), m.start(0), m.end(0)


class RubyExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802
        # Above links (160) so a ruby inside link text still works; below citations and footnotes.
        md.inlinePatterns.register(RubyInlineProcessor(RUBY_PATTERN, md), "reportpub-ruby", 168)
