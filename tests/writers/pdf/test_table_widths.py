"""Copies of a table share their column widths within a layout, and come out as laid out alone."""

from __future__ import annotations

import weasyprint
from weasyprint.layout import preferred
from weasyprint.layout import table as table_layout

from reportpub.writers.pdf import table_widths

TABLE = ("<table><caption>表1　日本の主な港</caption><thead><tr><th>港</th><th>取扱量（万トン）</th><th>備考</th></tr></thead>"
         "<tbody><tr><td>名古屋</td><td>16,000</td><td>自動車の輸出が多い</td></tr>"
         "<tr><td>千葉</td><td>13,500</td><td>石油と化学工業の原料</td></tr>"
         "<tr><td colspan=\"2\">横浜・川崎</td><td>首都圏の玄関口として発達した</td></tr></tbody></table>")
CSS = "@page { size: 200mm 1000mm; margin: 0 } body { font-family: 'Noto Serif CJK JP'; font-size: 10pt } " \
      "td, th { border: 1px solid; padding: 1mm } .float { float: left; clear: left }"


def document_html() -> str:
    """The table as islands.py writes an island: once per width, and once shrink-to-fit; then
    the same table where it inherits a larger size, and another table."""
    copies = "".join(f'<div class="float" style="width: {width}mm">{TABLE}</div>' for width in (90, 60, 40))
    return (f'<html lang="ja"><body>{copies}<div class="float" style="max-width: 90mm">{TABLE}</div>'
            f'<div class="float" style="font-size: 14pt; width: 60mm">{TABLE}</div>'
            f'<div class="float" style="width: 60mm">{TABLE.replace("名古屋", "名古屋港")}</div></body></html>')


def cell_geometry(document) -> list[tuple]:
    """Every table cell's place and size, in document order."""
    found = []

    def walk(box):
        if type(box).__name__ == "TableCellBox":
            found.append((round(box.position_x, 4), round(box.position_y, 4), round(box.width, 4), round(box.height, 4)))
        for child in getattr(box, "children", ()):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return found


def render():
    return weasyprint.HTML(string=document_html()).render(stylesheets=[weasyprint.CSS(string=CSS)])


def test_copies_of_a_table_are_laid_out_as_each_alone(monkeypatch):
    table_widths.install()
    shared = cell_geometry(render())
    with monkeypatch.context() as patch:
        patch.setattr(preferred, "table_and_columns_preferred_widths", table_widths._weasyprint_preferred_widths)
        patch.setattr(table_layout, "table_and_columns_preferred_widths", table_widths._weasyprint_preferred_widths)
        alone = cell_geometry(render())
    assert len(shared) == 6 * 11
    assert shared == alone
    # The copies really are set at their widths: the narrowest copy's cells are narrower.
    assert sum(width for _, _, width, _ in shared[2 * 11:3 * 11]) < sum(width for _, _, width, _ in shared[:11])


def counted_widths(monkeypatch) -> list:
    """The table boxes whose widths WeasyPrint works out from now on (the shared ones not among them)."""
    computed, weasyprint_widths = [], table_widths._weasyprint_preferred_widths

    def counting(context, box, outer=True):
        computed.append(box)
        return weasyprint_widths(context, box, outer)

    monkeypatch.setattr(table_widths, "_weasyprint_preferred_widths", counting)
    return computed


def test_a_table_s_widths_are_worked_out_once_for_its_copies(monkeypatch):
    table_widths.install()
    computed = counted_widths(monkeypatch)
    render()
    # The four copies share one; the larger-type copy and the other table have their own.
    assert len(computed) == 3


def test_layouts_made_together_share_a_table_s_widths_across_named_pages(monkeypatch):
    """As islands.py's measurement and the chapter (which asks for a named page) do in one render."""
    table_widths.install()
    named = CSS + " body { page: chapter }"
    alone = cell_geometry(weasyprint.HTML(string=document_html()).render(stylesheets=[weasyprint.CSS(string=named)]))
    computed = counted_widths(monkeypatch)
    with table_widths.shared_between_layouts():
        render()
        together = cell_geometry(weasyprint.HTML(string=document_html()).render(stylesheets=[weasyprint.CSS(string=named)]))
    # The second layout (its tables on a named page) takes all three tables' widths from the first.
    assert len(computed) == 3
    assert together == alone
    computed.clear()
    render()  # outside it, each layout its own again
    assert len(computed) == 3
