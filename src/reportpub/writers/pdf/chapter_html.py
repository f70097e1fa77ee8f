"""Chapter XHTML → the HTML WeasyPrint lays out.

WeasyPrint has no ruby layout and no ``text-emphasis``, and shows notes with
``float: footnote`` (the note's text must stand where it is called). So the PDF
writer rewrites the neutral chapter markup: note markers become floating notes,
``<ruby>`` becomes stacked boxes (reading above base: on the right once a vertical
page is turned), and sesame-dot emphasis becomes one box per character.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as etree
from pathlib import Path

from reportpub.model import Chapter
from reportpub.typography.punctuation import OPENING_BRACKETS, TRAILING_HALF
from reportpub.writers.page_list import mark_blocks
from reportpub.writers.pdf.line_units import NOTE_CALL_AGAIN_CLASS, compose_lines
from reportpub.writers.pdf.short_columns import keep_short_columns_unbroken
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
    mark_blocks(root, chapter.id)  # the EPUB's page-list names the block each page begins in
    notes = {note.number: note for note in chapter.notes}
    _float_notes(root, notes, vertical)
    _ruby_boxes(root)
    _emphasis_dot_boxes(root)
    compose_lines(root)
    _unwrap_unstyled_spans(root, styled_classes)
    keep_short_columns_unbroken(root)
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
    """Each note's first call becomes the floating note itself (its call and its text). A note
    is set once: its later calls (``[^a]`` cited again) show the same number and link to it, as
    a book numbers a note once and refers back to it (README: page make-up)."""
    floated: set[int] = set()
    for marker in list(root.iter("span")):
        if marker.get("class") != "noteref" or not marker.get("data-note"):
            continue
        note = notes[int(marker.get("data-note"))]
        marker.attrib.clear()
        if note.number in floated:
            marker.tag = "a"
            marker.set("class", NOTE_CALL_AGAIN_CLASS)
            marker.set("href", f"#{note.id}")
            marker.set("data-number", str(note.number))  # the vertical fonts' tate-chu-yoko strings count it
            marker.text = str(note.number)
            continue
        floated.add(note.number)
        inline_html = note.inline_html
        if vertical:
            from reportpub.typography.vertical_markup import add_vertical_markup

            inline_html = add_vertical_markup(inline_html)
        content = parse_fragment(inline_html)
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


# JLREQ §3.3: a reading longer than its base may overhang a neighbouring kana by up to one
# ruby character (half an em of the base text), and so an opening bracket before it or a
# closing bracket, full stop or comma after it (3.3.8: the mark's ink half, never its blank);
# never a kanji, another reading or anything that is not plain text beside it. Otherwise the
# base is spread (the box is as wide as the reading, the base centred in it).
MAX_RUBY_OVERHANG_EM = 0.5
RUBY_CHARACTERS_CLASS = "ruby-chars"  # the group of a per-character ruby's boxes
_OVERHUNG_BEFORE = re.compile(f"[\u3041-\u309f\u30a1-\u30ff{OPENING_BRACKETS}]")
_OVERHUNG_AFTER = re.compile(f"[\u3041-\u309f\u30a1-\u30ff{TRAILING_HALF}]")


def ruby_excess_em(base: str, reading: str) -> float:
    """How much wider (em of the base text) a reading is than its base. Ruby characters
    are half size; Latin readings count half again."""
    def width(text: str, scale: float) -> float:
        return sum(scale * (0.5 if ord(c) < 0x2000 else 1.0) for c in text)

    return max(0.0, width(reading, 0.5) - width(base, 1.0))


def ruby_overhangs_em(base: str, reading: str, before: str, after: str) -> tuple[float, float]:
    """How far a ruby box reaches into the character before it and the one after it:
    the excess shared by the sides whose neighbour is kana (or a mark, above), at most one
    ruby character (half an em) on a side. ``before``/``after`` are the neighbouring
    characters, "" when the neighbour is not plain text (another ruby box, an element, the
    paragraph's edge)."""
    excess = ruby_excess_em(base, reading)
    sides = [bool(_OVERHUNG_BEFORE.fullmatch(before or " ")), bool(_OVERHUNG_AFTER.fullmatch(after or " "))]
    if not excess or not any(sides):
        return 0.0, 0.0
    share = min(MAX_RUBY_OVERHANG_EM, excess / sum(sides))
    return tuple(round(share, 3) if side else 0.0 for side in sides)


def ruby_overhang_classes(before_em: float, after_em: float) -> list[str]:
    """The classes pdf.css gives a ruby box's overhangs: ``overhang-before-N`` and
    ``overhang-after-N`` for N eighths of an em (widths count in quarter ems). Classes, not
    a style attribute: WeasyPrint computes a style attribute's style afresh for each box."""
    return [f"overhang-{side}-{round(em * 8)}" for side, em in (("before", before_em), ("after", after_em)) if em]


def _ruby_boxes(root: etree.Element) -> None:
    """Each reading and its base become one inline box: the reading a block line above,
    the base the box's own text. The boxes replace the <ruby> element in its parent; the
    boxes of per-character ruby are held together in one unbreakable span (a ruby group is
    never divided at a line end)."""
    for parent in list(root.iter()):
        for ruby in [child for child in parent if child.tag == "ruby"]:
            pairs = []
            base = ruby.text or ""
            for child in ruby:
                if child.tag == "rt":
                    pairs.append((base, child.text or ""))
                    base = ""
                elif child.tag != "rp":
                    base += text_of(child)
                base += child.tail or ""
            # Base text after the last reading is set without ruby, as the ruby's tail.
            tail = base + (ruby.tail or "")
            position = list(parent).index(ruby)
            before = _text_before(parent, position)
            parent.remove(ruby)
            if not pairs:
                _append_text(parent, position, tail)
                continue
            boxes = []
            for index, (base_text, reading) in enumerate(pairs):
                neighbour_before = before[-1:] if index == 0 else ""
                neighbour_after = tail[:1] if index == len(pairs) - 1 else ""
                classes = ["ruby"] + ruby_overhang_classes(
                    *ruby_overhangs_em(base_text, reading, neighbour_before, neighbour_after))
                box = etree.Element("span", {"class": " ".join(classes)})
                etree.SubElement(box, "span", {"class": "rt"}).text = reading
                box[0].tail = base_text
                boxes.append(box)
            # A reading that overhangs a kana stays on its line with it: else at a line end it
            # would stand out of the text block.
            overhung_before = "overhang-before" in boxes[0].get("class")
            overhung_after = "overhang-after" in boxes[-1].get("class")
            if len(boxes) > 1 or overhung_before or overhung_after:
                # The boxes of one per-character ruby are told apart from an overhang's group:
                # the reader PDF reads them as one Ruby, the bases before the readings (tagging.py).
                group = etree.Element("span", {"class": f"nobr {RUBY_CHARACTERS_CLASS}" if len(boxes) > 1 else "nobr"})
                if overhung_before:
                    group.text = before[-1]
                    _set_text_before(parent, position, before[:-1])
                group.extend(boxes)
                if overhung_after:
                    boxes[-1].tail, tail = tail[0], tail[1:]
                boxes = [group]
            for offset, box in enumerate(boxes):
                parent.insert(position + offset, box)
            boxes[-1].tail = tail or None


def _text_before(parent: etree.Element, position: int) -> str:
    """The text just before the child at ``position`` of ``parent`` ("" after an element)."""
    return (parent.text or "") if position == 0 else (parent[position - 1].tail or "")


def _set_text_before(parent: etree.Element, position: int, text: str) -> None:
    """Replace the text just before the child at ``position`` of ``parent``."""
    if position == 0:
        parent.text = text or None
    else:
        parent[position - 1].tail = text or None


def _append_text(parent: etree.Element, position: int, text: str) -> None:
    """Add ``text`` just before the child at ``position`` of ``parent``: to the tail of the
    child before it, or to the parent's own text."""
    if position == 0:
        parent.text = (parent.text or "") + text
    else:
        previous = parent[position - 1]
        previous.tail = (previous.tail or "") + text


def _emphasis_dot_boxes(root: etree.Element) -> None:
    # Spaces and punctuation take no dot (as CSS text-emphasis, which the EPUB uses, draws none
    # on them) and no box: a bracket stays running text, closing up with the marks beside it.
    for em in list(root.iter("em")):
        if "em-sesame" not in (em.get("class") or "").split():
            continue
        text = em.text or ""
        em.text = None
        boxes = []
        for character in text:
            if character.isspace() or unicodedata.category(character).startswith("P"):
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
