"""Attribute lists that name no attribute an XHTML file can hold.

Python-Markdown's attribute lists take ``{1}`` on the line below a paragraph for a list
naming an attribute ``1``, and write ``<p 1="1">``, which no XML reader accepts (the build
then blamed the author's raw HTML). Such names are dropped, as attr_list drops the parts of
a list it cannot read.

A brace group that does not begin like an attribute list at all (``{1}``, ``{注}``: no ``#id``,
``.class`` or ASCII name first) is the author's text, not a list: attr_list took it for one
and the text vanished (# 見出し {1} gave the heading 見出し), so it is left where it stands.
"""

from __future__ import annotations

import re

from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListTreeprocessor
from markdown.treeprocessors import Treeprocessor

XML_NAME = re.compile(r"[A-Za-z_][-A-Za-z0-9_.]*(?::[A-Za-z_][-A-Za-z0-9_.]*)?")


class _AttributeLists(AttrListTreeprocessor):
    """attr_list's lists, only where the group begins with an id, a class or an attribute name."""

    BASE_RE = r"\{\:?[ ]*((?=[#.A-Za-z_:])[^\}\n ][^\n]*)\}"
    HEADER_RE = re.compile(r"[ ]+{}[ ]*$".format(BASE_RE))
    BLOCK_RE = re.compile(r"\n[ ]*{}[ ]*$".format(BASE_RE))
    INLINE_RE = re.compile(r"^{}".format(BASE_RE))


class _DropUnnamableAttributes(Treeprocessor):
    def run(self, root):
        for element in root.iter():
            for name in [name for name in element.attrib if not XML_NAME.fullmatch(name)]:
                del element.attrib[name]


class AttributeNamesExtension(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(_AttributeLists(md), "attr_list", 8)  # in attr_list's own place
        md.treeprocessors.register(_DropUnnamableAttributes(md), "attribute_names", 7)  # after attr_list (8)
