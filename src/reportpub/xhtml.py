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


def ruby_bases_first(root: etree.Element) -> None:
    """Per-character ruby (``<ruby>彷<rt>ほう</rt>彿<rt>ふつ</rt></ruby>``) as one base and one
    reading (``<ruby>彷彿<rt>ほうふつ</rt></ruby>``), keeping its ``<rp>`` around the reading if
    it had them. HTML reads a ruby in document order, so a screen reader (and the text a
    reader copies) got 彷ほう彿ふつ; now it gets 彷彿ほうふつ, as for group ruby. The pairing
    markup that would keep each reading over its own character (``<rb>``…``<rt>``…) is not
    laid out by Chromium, which sets every reading over the first base (so not by reading
    systems built on it either), and readings of one character per kana pair come out the
    same as before: ほう over 彷, ふつ over 彿."""
    for ruby in list(root.iter("ruby")):
        readings = [child for child in ruby if child.tag == "rt"]
        if len(readings) < 2:
            continue
        parentheses = [child.text for child in ruby if child.tag == "rp"][:2]
        text, bases = ruby.text or "", []
        for child in list(ruby):
            if child.tag not in ("rt", "rp"):
                bases.append(child)  # markup in the base (an upright run) stays, with its tail
            elif bases:
                bases[-1].tail = (bases[-1].tail or "") + (child.tail or "")
            else:
                text += child.tail or ""
            ruby.remove(child)
        ruby.text = text
        ruby.extend(bases)
        reading = etree.Element("rt")
        reading.text = "".join(text_of(rt, skip=frozenset()) for rt in readings)
        if len(parentheses) == 2:
            opening, closing = etree.Element("rp"), etree.Element("rp")
            opening.text, closing.text = parentheses
            ruby.extend([opening, reading, closing])
        else:
            ruby.append(reading)


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
