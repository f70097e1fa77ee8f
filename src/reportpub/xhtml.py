"""XHTML fragments ↔ ElementTree: the one place chapter markup is parsed and serialised.

Chapter bodies travel as XHTML strings. Writers that need HTML (WeasyPrint parses
with an HTML parser, where ``<span/>`` would open an element) serialise with
``html=True``; the EPUB writer keeps XHTML.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

WRAPPER = "div"
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def parse_fragment(xhtml: str) -> etree.Element:
    """Parse an XHTML fragment into a wrapper ``<div>`` holding it. Raises etree.ParseError."""
    return etree.fromstring(f"<{WRAPPER}>{xhtml}</{WRAPPER}>")


def serialize(wrapper: etree.Element, html: bool = False) -> str:
    """The inside of a wrapper element as XHTML (default) or HTML."""
    parts = [_escape_text(wrapper.text or "")]
    for child in wrapper:
        parts.append(serialize_element(child, html))
    return "".join(parts)


def serialize_element(element: etree.Element, html: bool = False) -> str:
    """One element with its tail. Empty non-void elements are always written open/close,
    void ones self-closed in XHTML and bare in HTML, so both parsers agree."""
    attributes = "".join(f' {name}="{_escape_attribute(value)}"' for name, value in element.attrib.items())
    tag = element.tag
    if tag in VOID_ELEMENTS:
        out = f"<{tag}{attributes}>" if html else f"<{tag}{attributes} />"
    else:
        inner = _escape_text(element.text or "") + "".join(serialize_element(c, html) for c in element)
        out = f"<{tag}{attributes}>{inner}</{tag}>"
    return out + _escape_text(element.tail or "")


def text_of(element: etree.Element, skip: frozenset[str] = frozenset({"rt", "rp"})) -> str:
    """Plain text of an element, leaving out ruby readings by default."""
    parts = [element.text or ""] if element.tag not in skip else []
    for child in element:
        if child.tag not in skip:
            parts.append(text_of(child, skip))
        parts.append(child.tail or "")
    return "".join(parts)


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attribute(text: str) -> str:
    return _escape_text(text).replace('"', "&quot;")


def remove_keeping_tail(parent: etree.Element, child: etree.Element) -> None:
    """Remove an element with its content but keep the text that follows it."""
    children = list(parent)
    index = children.index(child)
    if child.tail:
        if index > 0:
            children[index - 1].tail = (children[index - 1].tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)
