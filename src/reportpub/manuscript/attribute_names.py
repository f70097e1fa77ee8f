"""Attribute lists that name no attribute an XHTML file can hold.

Python-Markdown's attribute lists take ``{1}`` on the line below a paragraph for a list
naming an attribute ``1``, and write ``<p 1="1">``, which no XML reader accepts (the build
then blamed the author's raw HTML). Such names are dropped, as attr_list drops the parts of
a list it cannot read.
"""

from __future__ import annotations

import re

from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

XML_NAME = re.compile(r"[A-Za-z_][-A-Za-z0-9_.]*(?::[A-Za-z_][-A-Za-z0-9_.]*)?")


class _DropUnnamableAttributes(Treeprocessor):
    def run(self, root):
        for element in root.iter():
            for name in [name for name in element.attrib if not XML_NAME.fullmatch(name)]:
                del element.attrib[name]


class AttributeNamesExtension(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(_DropUnnamableAttributes(md), "attribute_names", 7)  # after attr_list (8)
