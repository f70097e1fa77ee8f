"""Chapter XHTML → the HTML WeasyPrint lays out.

WeasyPrint has no ruby layout and no ``text-emphasis``, and shows notes with
``float: footnote`` (the note's text must stand where it is called). So the PDF
writer rewrites the neutral chapter markup: note markers become floating notes,
``<ruby>`` becomes stacked boxes (reading above base: on the right once a vertical
page is turned), and sesame-dot emphasis becomes one box per character.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from pathlib import Path

from reportpub.model import Chapter
from reportpub.xhtml import parse_fragment, serialize, text_of

ISLAND_TAGS = ("figure", "table", "pre")
TEXT_PRESENTATION = "\ufe0e"


def pdf_chapter_html(chapter: Chapter, vertical: bool = False, cache_dir: Path | None = None,
                     styled_classes: frozenset[str] = frozenset()) -> str:
    """The chapter body as HTML for the PDF writer (``cache_dir`` keeps the fonts' coverage;
    ``styled_classes``, classes the author's stylesheets style, keep their spans)."""
    body = chapter.body
    if vertical:
        from reportpub.typography.vertical_markup import (
            DEFAULT_SKIP_ELEMENTS,
            add_vertical_markup,
        )

        # Figures stand upright as horizontal islands: their captions keep horizontal digits.
        body = add_vertical_markup(body, skip_elements=DEFAULT_SKIP_ELEMENTS | {"figure"})
    root = parse_fragment(body)
    notes = {note.number: note for note in chapter.notes}
    _float_notes(root, notes, vertical)
    _ruby_boxes(root)
    _emphasis_dot_boxes(root)
    _unwrap_unstyled_spans(root, styled_classes)
    _make_islands(root, vertical, chapter.id)
    if vertical:
        _mark_symbols(root, cache_dir)
    return serialize(root, html=True)


def _mark_symbols(root: etree.Element, cache_dir: Path | None = None) -> None:
    """Emoji and symbols the CJK fonts lack go in ``<span class="symbol">`` naming the derived
    vertical symbol font, which sets them upright. Each gets U+FE0E (text presentation):
    Pango matches emoji presentation runs to an emoji font of fontconfig's choosing,
    whatever the CSS says."""
    from reportpub.typography.coverage import covered_code_points
    from reportpub.typography.fonts import CJK_FAMILIES

    cjk = covered_code_points(cache_dir, CJK_FAMILIES)

    def split(text: str) -> tuple[str, list[etree.Element]]:
        """Text before the first symbol, then symbol spans each carrying the text after it."""
        head, spans = [], []
        for character in text:
            if ord(character) not in cjk and not character.isspace() and ord(character) > 0x7F \
                    and character != TEXT_PRESENTATION:
                span = etree.Element("span", {"class": "symbol"})
                span.text = character + TEXT_PRESENTATION
                span.tail = ""
                spans.append(span)
            elif spans:
                spans[-1].tail += character
            else:
                head.append(character)
        return "".join(head), spans

    for element in list(root.iter()):
        if (element.get("class") or "") in ("symbol", "tcy") or element.tag in ("rt", "code", "pre"):
            continue
        children = list(element)
        if element.text:
            element.text, spans = split(element.text)
            for position, span in enumerate(spans):
                element.insert(position, span)
        for child in children:
            if child.tail:
                child.tail, spans = split(child.tail)
                index = list(element).index(child)
                for offset, span in enumerate(spans, 1):
                    element.insert(index + offset, span)


def _make_islands(root: etree.Element, vertical: bool, chapter_id: str) -> None:
    """Wrap figures, tables and code blocks in islands, the page floats of writers/pdf/page_flow.py.
    A vertical island's content is turned back upright, once writers/pdf/islands.py has
    measured it; a horizontal one is a float of the text's width, numbered here. An empty
    block after the last island closes the chapter only once every island is set."""
    count = 0
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in ISLAND_TAGS and "island" not in (parent.get("class") or ""):
                if vertical:
                    island = etree.Element("div", {"class": "island"})
                    content = etree.SubElement(island, "div", {"class": "island-content"})
                else:
                    island = content = etree.Element(
                        "div", {"class": "island", "data-island": f"{chapter_id}-{count}", "data-island-last": ""})
                count += 1
                island.tail, child.tail = child.tail, None
                parent[list(parent).index(child)] = island
                content.append(child)
    if count:
        etree.SubElement(root, "div", {"class": "island-end"})

def _float_notes(root: etree.Element, notes: dict, vertical: bool) -> None:
    for marker in root.iter("span"):
        if marker.get("class") != "noteref" or not marker.get("data-note"):
            continue
        note = notes[int(marker.get("data-note"))]
        inline_html = note.inline_html
        if vertical:
            from reportpub.typography.vertical_markup import add_vertical_markup

            inline_html = add_vertical_markup(inline_html)
        content = parse_fragment(inline_html)
        marker.attrib.clear()
        marker.set("class", "footnote")
        marker.set("data-number", str(note.number))
        marker.set("id", note.id)
        marker.text = content.text
        for child in content:
            marker.append(child)


# Spans the theme's PDF stylesheets give nothing: a note's paragraphs made inline (no
# attributes), and upright digits, which the derived vertical fonts set upright anyway.
UNSTYLED_SPANS = ({}, {"class": "upright"})
DROPPED_CLASSES = frozenset(attributes["class"] for attributes in UNSTYLED_SPANS if "class" in attributes)


def _unwrap_unstyled_spans(root: etree.Element, styled_classes: frozenset[str] = frozenset()) -> None:
    """Replace every span of ``root`` whose attributes are one of UNSTYLED_SPANS, and whose
    class is not in ``styled_classes``, by its content: every inline element costs
    WeasyPrint's line breaking a descent."""
    unstyled = [attributes for attributes in UNSTYLED_SPANS if attributes.get("class") not in styled_classes]
    for parent in reversed(list(root.iter())):  # innermost first: what an unwrapped span holds is done
        for child in [c for c in parent if c.tag == "span" and dict(c.attrib) in unstyled]:
            position = list(parent).index(child)
            parent.remove(child)
            _append_text(parent, position, child.text or "")
            for offset, grandchild in enumerate(list(child)):
                parent.insert(position + offset, grandchild)
            _append_text(parent, position + len(child), child.tail or "")


# JLREQ §3.3: a reading longer than its base may overhang the neighbouring characters by up
# to one ruby character (half an em of the base text) in all; here a quarter em on each side.
MAX_RUBY_OVERHANG_EM = 0.25


def ruby_overhang_em(base: str, reading: str) -> float:
    """How far (em of the base text) a ruby box may reach into its neighbours on each side:
    the reading's excess width over the base, halved, at most a quarter em. Ruby characters
    are half size; Latin readings count half again."""
    def width(text: str, scale: float) -> float:
        return sum(scale * (0.5 if ord(c) < 0x2000 else 1.0) for c in text)

    excess = width(reading, 0.5) - width(base, 1.0)
    return round(min(MAX_RUBY_OVERHANG_EM, excess / 2), 3) if excess > 0 else 0.0


def ruby_overhang_class(overhang_em: float) -> str:
    """The class pdf.css gives a ruby box's overhang: ``overhang-N`` for N eighths of an em.
    Widths count in quarter ems, so every overhang is a whole number of eighths. A class,
    not a style attribute: WeasyPrint computes a style attribute's style afresh for each box."""
    return f"overhang-{round(overhang_em * 8)}"


def _ruby_boxes(root: etree.Element) -> None:
    """Each reading and its base become one inline box: the reading a block line above,
    the base the box's own text. The boxes replace the <ruby> element in its parent, with
    no wrapper: every inline element costs WeasyPrint's line breaking a descent."""
    for parent in list(root.iter()):
        for ruby in [child for child in parent if child.tag == "ruby"]:
            boxes = []
            base = ruby.text or ""
            for child in ruby:
                if child.tag == "rt":
                    box = etree.Element("span", {"class": "ruby"})
                    overhang = ruby_overhang_em(base, child.text or "")
                    if overhang:
                        box.set("class", f"ruby {ruby_overhang_class(overhang)}")
                    etree.SubElement(box, "span", {"class": "rt"}).text = child.text or ""
                    box[0].tail = base
                    boxes.append(box)
                    base = ""
                elif child.tag != "rp":
                    base += text_of(child)
                base += child.tail or ""
            # Base text after the last reading is set without ruby, as the ruby's tail.
            tail = base + (ruby.tail or "")
            position = list(parent).index(ruby)
            parent.remove(ruby)
            if not boxes:
                _append_text(parent, position, tail)
                continue
            for offset, box in enumerate(boxes):
                parent.insert(position + offset, box)
            boxes[-1].tail = tail or None


def _append_text(parent: etree.Element, position: int, text: str) -> None:
    """Add ``text`` just before the child at ``position`` of ``parent``: to the tail of the
    child before it, or to the parent's own text."""
    if position == 0:
        parent.text = (parent.text or "") + text
    else:
        previous = parent[position - 1]
        previous.tail = (previous.tail or "") + text


def _emphasis_dot_boxes(root: etree.Element) -> None:
    for em in list(root.iter("em")):
        if "em-sesame" not in (em.get("class") or "").split():
            continue
        text = em.text or ""
        em.text = None
        boxes = []
        for character in text:
            if character.isspace():
                if boxes:
                    boxes[-1].tail = (boxes[-1].tail or "") + character
                else:
                    em.text = (em.text or "") + character
                continue
            box = etree.Element("span", {"class": "em-dot"})
            box.text = character
            boxes.append(box)
        for position, box in enumerate(boxes):
            em.insert(position, box)
