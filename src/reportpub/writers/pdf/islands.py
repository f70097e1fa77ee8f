"""Upright islands in the vertical PDF: figures, tables and code that keep horizontal setting.

On the turned frame an island is laid out at the page's text width and turned back a
quarter, so it stands upright on the page. Turned, its height on the frame becomes its
width across the page's columns, which CSS cannot express; so each island is first
measured in a small layout of its own, then placed as a float at the frame's left —
the top of the page (天) — with exactly that width. The text flows on below it, as
Japanese vertical books set a table at the head of a page.
"""

from __future__ import annotations

import re

import weasyprint

ISLAND = re.compile(r'<div class="island"><div class="island-content">(.*?)</div></div>', re.DOTALL)
PX_PER_MM = 96 / 25.4


def _find_box(box, element_id: str):
    element = getattr(box, "element", None)
    if element is not None and element.get("id") == element_id:
        return box
    for child in getattr(box, "children", ()):
        found = _find_box(child, element_id)
        if found is not None:
            return found
    return None


def measure_islands(html: str, stylesheets: list, island_width_mm: float, font_config, fetcher, base_url: str) -> list[float]:
    """The height (mm) of each island of the document, laid out at the island width."""
    contents = ISLAND.findall(html)
    if not contents:
        return []
    body = "".join(f'<div id="island-measure-{n}" style="width: {island_width_mm:.3f}mm">'
                   f'<div class="island-content">{content}</div></div>' for n, content in enumerate(contents))
    page = weasyprint.CSS(string=f"@page {{ size: {island_width_mm + 1:.3f}mm 5000mm; margin: 0; bleed: 0; }}",
                          font_config=font_config, url_fetcher=fetcher)
    document = weasyprint.HTML(string=f'<html class="vertical"><body class="measure">{body}</body></html>',
                               base_url=base_url, url_fetcher=fetcher).render(
        stylesheets=[*stylesheets, page], font_config=font_config)
    heights = []
    for n in range(len(contents)):
        box = None
        for laid_out in document.pages:
            box = _find_box(laid_out._page_box, f"island-measure-{n}")
            if box is not None:
                break
        heights.append(box.margin_height() / PX_PER_MM if box is not None else island_width_mm)
    return heights


def place_islands(html: str, heights: list[float], island_width_mm: float, column_length_mm: float) -> str:
    """Give each island its measured width on the frame; an island taller than a column is
    scaled down to fit the page."""
    counter = iter(heights)

    def place(match: re.Match) -> str:
        height = next(counter)
        scale = min(1.0, column_length_mm / height) if height else 1.0
        width = height * scale
        transform = f"translate(0, {island_width_mm * scale:.3f}mm) rotate(-90deg)" + (f" scale({scale:.4f})" if scale < 1 else "")
        return (f'<div class="island" style="width: {width:.3f}mm; height: {island_width_mm:.3f}mm">'
                f'<div class="island-content" style="width: {island_width_mm:.3f}mm; transform: {transform}">'
                f'{match.group(1)}</div></div>')

    return ISLAND.sub(place, html)
