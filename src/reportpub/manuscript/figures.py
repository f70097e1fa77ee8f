"""Figures and table captions.

An image alone in its paragraph becomes ``<figure><img/><figcaption>caption</figcaption></figure>``:
``![caption](images/x.png "alternative text")`` gives the caption and, apart from it, the
image's alternative text (what a reader who cannot see the figure hears or reads instead).
Without the quoted text the image repeats its caption as alternative text, and the figure
is marked ``caption-as-alt`` so that ``reportpub check`` can warn of it and an EPUB does
not claim alternative text for every image. A paragraph ``Table: caption`` directly before a table
becomes that table's ``<caption>``. Numbers (図1, 表1) are given by resolve.py.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from reportpub.model import CAPTION_AS_ALT_CLASS

TABLE_CAPTION_PREFIX = "Table:"


class FiguresTreeprocessor(Treeprocessor):
    def run(self, root):
        for parent in list(root.iter()):
            children = list(parent)
            for index, child in enumerate(children):
                if child.tag != "p":
                    continue
                if self._is_lone_image(child):
                    self._make_figure(child)
                elif (child.text or "").startswith(TABLE_CAPTION_PREFIX) and index + 1 < len(children) \
                        and children[index + 1].tag == "table":
                    self._move_caption(parent, child, children[index + 1])

    @staticmethod
    def _is_lone_image(p: etree.Element) -> bool:
        return len(p) == 1 and p[0].tag == "img" and not (p.text or "").strip() and not (p[0].tail or "").strip()

    @staticmethod
    def _make_figure(p: etree.Element) -> None:
        img = p[0]
        p.tag = "figure"
        caption_text = img.get("alt", "")
        alternative = (img.attrib.pop("title", None) or "").strip()
        if alternative:
            img.set("alt", alternative)
        p.set("class", " ".join(filter(None, [p.get("class"), "figure", None if alternative else CAPTION_AS_ALT_CLASS])))
        caption = etree.SubElement(p, "figcaption")
        caption.text = caption_text
        img.tail = None

    @staticmethod
    def _move_caption(parent: etree.Element, p: etree.Element, table: etree.Element) -> None:
        caption = etree.Element("caption")
        caption.text = (p.text or "")[len(TABLE_CAPTION_PREFIX):].lstrip()
        for child in list(p):
            caption.append(child)
        table.insert(0, caption)
        if p.get("id") and not table.get("id"):
            table.set("id", p.get("id"))
        parent.remove(p)


class FiguresExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802
        # After inline processing (20) so images exist as elements; before attr_list (8)?
        # attr_list must have run first so "{#id}" on the caption line is already an attribute.
        md.treeprocessors.register(FiguresTreeprocessor(md), "reportpub-figures", 6)
