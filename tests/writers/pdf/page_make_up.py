"""Reading a built PDF's page make-up back, as a reader sees it: where notes and their calls
are, how full each page is, and whether anything is printed over anything else.

Everything is measured in the page's frame (the unrotated PDF space PyMuPDF reports): a
vertical page is laid out on a landscape frame and shown turned, so in both writing modes
lines of text are horizontal in the frame and pages fill from the frame's top to its bottom.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pymupdf

BODY_PT = 9.5  # the theme's body text size
NOTE_PT = 7.5  # the notes' size
CALL_MAX_PT = 6.5  # note calls are smaller than anything else on the page
CHAPTER_TITLE_PT = 15.0
NOTE_MARKER = re.compile(r"^注(\d+)\s*$")  # the marker is a span of its own (its font is the sans)


@dataclass
class Item:
    kind: str  # "text", "image" or "rule"
    box: tuple[float, float, float, float]
    size: float = 0.0
    text: str = ""


@dataclass
class Page:
    number: int  # 1-based
    items: list[Item] = field(default_factory=list)
    notes: list[int] = field(default_factory=list)  # the notes set on this page
    calls: list[int] = field(default_factory=list)  # the note calls in its text

    def has(self, size: float) -> bool:
        return any(i.kind == "text" and abs(i.size - size) < 0.05 for i in self.items)


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", unicodedata.normalize("NFKC", text))]


def read_pages(path) -> list[Page]:
    pages = []
    with pymupdf.open(path) as document:
        for index, pdf_page in enumerate(document):
            page = Page(index + 1)
            for block in pdf_page.get_text("dict")["blocks"]:
                for line in block.get("lines", ()):
                    for span in line["spans"]:
                        text = span["text"].strip()
                        if not text:
                            continue
                        page.items.append(Item("text", tuple(span["bbox"]), round(span["size"], 2), text))
                        if span["size"] < CALL_MAX_PT and re.fullmatch(r"[\d０-９\s]+", text):
                            page.calls += _numbers(text)
                        marker = NOTE_MARKER.match(unicodedata.normalize("NFKC", text))
                        if marker and abs(span["size"] - NOTE_PT) < 0.05:
                            page.notes.append(int(marker[1]))
            for image in pdf_page.get_image_info():
                page.items.append(Item("image", tuple(image["bbox"])))
            for drawing in pdf_page.get_drawings():
                for element in drawing["items"]:
                    if element[0] == "l":
                        (x0, y0), (x1, y1) = (element[1].x, element[1].y), (element[2].x, element[2].y)
                        page.items.append(Item("rule", (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))))
                    elif element[0] == "re":
                        rect = element[1]
                        if min(rect.width, rect.height) < 3:  # a border or rule drawn as a thin fill
                            page.items.append(Item("rule", (rect.x0, rect.y0, rect.x1, rect.y1)))
            pages.append(page)
    return pages


def text_block(pages: list[Page]) -> tuple[float, float, float, float]:
    """The text block in the frame: where the body text and the notes stand on any page."""
    boxes = [i.box for p in pages for i in p.items
             if i.kind == "text" and (abs(i.size - BODY_PT) < 0.05 or abs(i.size - NOTE_PT) < 0.05)]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def chapter_pages(pages: list[Page]) -> list[list[Page]]:
    """Each chapter's pages, from the page its title opens to the last page holding body text
    before the next chapter (blank pages left out)."""
    starts = [p.number for p in pages if p.has(CHAPTER_TITLE_PT)]
    chapters = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(pages) + 1
        chapter = [p for p in pages[start - 1:end - 1] if p.has(BODY_PT)]
        chapters.append(chapter)
    return chapters


def largest_gap(page: Page, block: tuple[float, float, float, float]) -> float:
    """The largest share of the text block's height (the frame's top to bottom) that nothing
    on the page covers: a page left half empty has a gap of a half."""
    x0, y0, x1, y1 = block
    spans = sorted((max(b[1], y0), min(b[3], y1)) for b in (i.box for i in page.items)
                   if b[2] > x0 and b[0] < x1 and b[3] > y0 and b[1] < y1)
    gap, reached = 0.0, y0
    for top, bottom in spans:
        gap = max(gap, top - reached)
        reached = max(reached, bottom)
    gap = max(gap, y1 - reached)
    return gap / (y1 - y0)


def _overlap(a, b) -> float:
    """The area two boxes share, as a share of the smaller."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / smaller if smaller > 0 else 0.0


def overprints(page: Page) -> list[str]:
    """Text or rules printed over an image, and lines of text printed over other lines."""
    found = []
    images = [i for i in page.items if i.kind == "image"]
    # Ruby and note calls stand against their lines on purpose: only text of a note's size and up.
    texts = [i for i in page.items if i.kind == "text" and i.size >= CALL_MAX_PT]
    for image in images:
        inside = (image.box[0] + 1, image.box[1] + 1, image.box[2] - 1, image.box[3] - 1)
        for item in page.items:
            if item is image or item.kind == "image":
                continue
            if item.kind == "text" and _overlap(item.box, inside) > 0.1:
                found.append(f"p{page.number}: text {item.text!r} over an image")
            elif item.kind == "rule" and _crosses(item.box, inside):
                found.append(f"p{page.number}: a rule across an image")
    for n, a in enumerate(texts):
        for b in texts[n + 1:]:
            same_line = abs(a.box[1] - b.box[1]) < 1 and abs(a.box[3] - b.box[3]) < 1
            if not same_line and _overlap(a.box, b.box) > 0.25:
                found.append(f"p{page.number}: {a.text!r} and {b.text!r} printed over each other")
    return found


def _crosses(rule, box) -> bool:
    return rule[0] < box[2] and rule[2] > box[0] and rule[1] < box[3] and rule[3] > box[1]
