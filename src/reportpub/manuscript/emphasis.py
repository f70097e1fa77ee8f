"""Emphasis dots (傍点): ``《《文字》》``, and ``*text*`` in Japanese text, as sesame dots.

Japanese emphasis is never slanted type. Both forms become ``<em class="em-sesame">``
(the 電書協 class name); an ``<em>`` whose text has no Japanese character keeps plain
emphasis, since sesame dots on Latin text are not a convention.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from reportpub.typography.scripts import JAPANESE_LETTER

EMPHASIS_DOTS_PATTERN = r"《《(.+?)》》"


class EmphasisDotsInlineProcessor(InlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802
        em = etree.Element("em")
        em.set("class", "em-sesame")
        em.text = m.group(1)
        return em, m.start(0), m.end(0)


class JapaneseEmphasisTreeprocessor(Treeprocessor):
    """Give ``*text*`` emphasis on Japanese text the sesame-dot class."""

    def run(self, root):
        for em in root.iter("em"):
            text = "".join(em.itertext())
            classes = (em.get("class") or "").split()
            if JAPANESE_LETTER.search(text) and "em-sesame" not in classes:
                em.set("class", " ".join(classes + ["em-sesame"]))


class EmphasisDotsExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802
        md.inlinePatterns.register(EmphasisDotsInlineProcessor(EMPHASIS_DOTS_PATTERN, md), "reportpub-emphasis-dots", 166)
        md.treeprocessors.register(JapaneseEmphasisTreeprocessor(md), "reportpub-japanese-emphasis", 5)
