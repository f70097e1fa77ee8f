"""Page break: a line holding only ``===`` between blank lines (Denden Markdown / VFM)."""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension


class PageBreakProcessor(BlockProcessor):
    def test(self, parent, block):
        return block.strip() == "==="

    def run(self, parent, blocks):
        blocks.pop(0)
        div = etree.SubElement(parent, "div")
        div.set("class", "page-break")


class PageBreakExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802
        # Before paragraphs (10) and setext headings (~70 in registry order): a lone "==="
        # block (blank line before it) is never a heading underline.
        md.parser.blockprocessors.register(PageBreakProcessor(md.parser), "reportpub-page-break", 75)
