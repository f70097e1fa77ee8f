"""Parts laid out before their first page is known: the provisional start and the shared page counts.

A part's pages do not depend on its first page number, only its folios do: every part starts
on a right-hand page (parts.first_right_page_after), so a page keeps its side whatever its
number, and WeasyPrint makes the margin boxes, where the folios and the vertical nombre are,
after every page is made (``weasyprint.layout.layout_document``), from the page counters it
stored for each page. So a worker lays a part out from a provisional first page, publishes its
length in :class:`PageCounts`, waits only for the lengths of the parts before it, and shifts the
stored page counters to the real first page before the margin boxes are made and the PDF
written (:func:`settle_before_margins`). The parts of a book are thus laid out side by side in a
build's worker processes (writers/pdf/parts.py ``ModePdfs.place``).

A part whose pages show a page number outside the margins and running elements (``counter(page)``
in the text, a ``target-counter()``) does depend on it: it is laid out again once its first page is known
(:class:`StartDependent`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from typing import Callable

from weasyprint import layout as weasyprint_layout

PROVISIONAL_START = 1  # a right-hand page, as every part's first
UNKNOWN, FAILED = -1, -2
POLL_SECONDS = 0.01

_make_all_pages = weasyprint_layout.make_all_pages
_make_margin_boxes = weasyprint_layout.make_margin_boxes
_settle: Callable | None = None  # the render in progress that waits for its first page


class StartDependent(Exception):
    """The part's pages print a page number outside the margins: lay it out at its real start."""


class PartAbandoned(Exception):
    """A part before this one failed: this one's first page will never be known."""


class PageCounts:
    """The page count of every part of one writing mode, per round of placing (slot), shared by
    the build and its forked workers. Made before the workers are forked; written once per slot.
    Waiting polls: a worker that dies mid-way holds no lock anyone waits on."""

    def __init__(self, slots: int):
        self.values = multiprocessing.get_context("fork").RawArray("i", [UNKNOWN] * max(slots, 1))

    def publish(self, slot: int, pages: int) -> None:
        self.values[slot] = pages

    def fail(self, slot: int) -> None:
        if self.values[slot] == UNKNOWN:
            self.values[slot] = FAILED

    def wait(self, slots: list[int], give_up: Callable[[], None] = lambda: None) -> list[int]:
        """The counts of ``slots`` once all are known; PartAbandoned when one failed.
        ``give_up()`` is called meanwhile and may raise (the build: a worker's error)."""
        while True:
            values = [self.values[slot] for slot in slots]
            if FAILED in values:
                raise PartAbandoned()
            if UNKNOWN not in values:
                return values
            give_up()
            time.sleep(POLL_SECONDS)


def install() -> None:
    """Let a render wait for its first page between making its pages and their margin boxes,
    and record on each page the folio its margin boxes print (``folio``)."""
    weasyprint_layout.make_all_pages = _recording_make_all_pages
    weasyprint_layout.make_margin_boxes = _settling_make_margin_boxes


@contextlib.contextmanager
def first_page_later(start_of: Callable[[int], int]):
    """Within this block, a render laid out from PROVISIONAL_START calls ``start_of(pages)`` with
    its page count once its pages are made, and gets its folios from the first page it returns.
    Raises StartDependent (from the render) when its pages print a page number outside the margins."""
    global _settle
    install()
    _settle = start_of
    try:
        yield
    finally:
        _settle = None


def _recording_make_all_pages(context, root_box, html, pages):
    made = []
    for page in _make_all_pages(context, root_box, html, pages):
        made.append(page)
        yield page
    context.reportpub_pages = made  # the last round's pages are the document's


def _settling_make_margin_boxes(context, page, state):
    if _settle is not None and not getattr(context, "reportpub_settled", False):
        context.reportpub_settled = True
        settle_before_margins(context, _settle)
    page.reportpub_folio = (state[1].get("page") or [None])[-1]
    return _make_margin_boxes(context, page, state)


def folio(page) -> int | None:
    """The value of the page counter on a laid-out page (weasyprint.Page), as its margin boxes
    print it whatever the stylesheets reset it to; None when the render had no install()."""
    return getattr(page._page_box, "reportpub_folio", None)


def settle_before_margins(context, start_of: Callable[[int], int]) -> None:
    """The margin boxes of the first page are about to be made: learn the real first page and
    shift every page's stored page counter to it."""
    if _numbers_pages_in_text(context):
        raise StartDependent()
    shift = start_of(len(context.reportpub_pages)) - PROVISIONAL_START
    for _, _, _, page_state, _ in context.page_maker:
        values = page_state[1].get("page")
        if values:
            page_state[1]["page"] = values[:-1] + [values[-1] + shift]


def _numbers_pages_in_text(context) -> bool:
    """Whether a box on the pages shows a page-based counter other than the part's page total,
    or a target's page. The running elements (the vertical nombre) do not count: the margin
    boxes make their content again from their own counters. A box of neither kind counts (it
    would be on a page): the part is laid out again rather than numbered wrong."""
    suspects = {box for (box, _), item in context.target_collector.counter_lookup_items.items()
                if set(item.missing_counters) - {"pages"} or item.missing_target_counters}
    if not suspects:
        return False
    running = {box.missing_link for by_page in context.running_elements.values() for boxes in by_page.values()
               for element in boxes for box in element.descendants()
               if getattr(box, "missing_link", None) is not None}
    return bool(suspects - running)
