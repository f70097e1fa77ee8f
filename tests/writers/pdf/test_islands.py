"""A vertical island's content is written once and copied into its narrower floats' boxes."""

from __future__ import annotations

import re

import weasyprint

from reportpub.writers.pdf import island_pieces, islands
from reportpub.writers.pdf.geometry import BODY_FONT_PT

TABLE = ("<table><caption>表1　日本の主な港</caption><thead><tr><th>港</th><th>取扱量（万トン）</th><th>備考</th></tr></thead>"
         "<tbody><tr><td>名古屋</td><td>16,000</td><td>自動車の輸出が多い</td></tr>"
         "<tr><td>千葉</td><td>13,500</td><td>石油と化学工業の原料</td></tr>"
         "<tr><td colspan=\"2\">横浜・川崎</td><td>首都圏の玄関口として発達した</td></tr></tbody></table>")
FIGURE = '<figure id="fig-1"><figcaption>図1　港の取扱量の推移を示すやや長めの説明文</figcaption></figure>'
CSS = ("@page { size: 200mm 1000mm; margin: 0 } body { font-family: 'Noto Serif CJK JP'; font-size: 10pt } "
       "td, th { border: 1px solid; padding: 1mm } .island { float: left; clear: left } "
       ".island-content { transform-origin: top left }")
SIZES = [[(90.0, 40.0), (60.0, 55.0), (40.0, 80.0)], [(80.0, 12.0), (50.0, 20.0)]]


def chapter_html() -> str:
    return (f'<div class="island"><div class="island-content">{TABLE}</div></div><p>本文</p>'
            f'<div class="island"><div class="island-content">{FIGURE}</div></div>')


def written_out(html: str) -> str:
    """The same floats with each copy's content written in the HTML, as islands.py wrote them before."""
    content = {}

    def fill(match: re.Match) -> str:
        head, inner = match.group(1), match.group(2)
        number = re.search(r'data-island="(\d+)"', head).group(1)
        if islands.COPY not in head:
            content[number] = inner
            return match.group(0)
        return head.replace(f' {islands.COPY}=""', "") + content[number] + "</div></div>"

    return re.sub(r'(<div class="island" [^>]*><div class="island-content"[^>]*>)(.*?)</div></div>', fill, html)


def floats(document) -> list[tuple]:
    """Each island float's width, height, and the place, size and text of every box in it, from its own corner."""
    found = []

    def inside(box, x0, y0):
        text = getattr(box, "text", None)
        yield (type(box).__name__, round(box.position_x - x0, 4), round(box.position_y - y0, 4),
               round(box.width, 4), round(box.height, 4) if isinstance(box.height, float) else box.height, text)
        for child in getattr(box, "children", ()):
            yield from inside(child, x0, y0)

    def walk(box):
        element = getattr(box, "element", None)
        if element is not None and element.get("data-group") is not None and box.is_floated():
            found.append(list(inside(box, box.position_x, box.position_y)))
            return
        for child in getattr(box, "children", ()):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return found


def render(html: str):
    # The groups are renamed: a test before this one in the process may have installed the page
    # flow (page_flow.install), which sets one float of each data-island group and skips the rest.
    islands.install()
    html = html.replace("data-island=", "data-group=")
    return weasyprint.HTML(string=f'<html lang="ja"><body>{html}</body></html>').render(
        stylesheets=[weasyprint.CSS(string=CSS)])


def test_an_island_s_content_is_written_once():
    html = islands.place_islands(chapter_html(), SIZES, column_length_mm=150.0)
    assert html.count("名古屋") == 1 and html.count("図1") == 1
    assert html.count(islands.COPY) == 3  # the narrower floats
    # The ids stay on the anchor before the group, never on a copy.
    assert html.count('id="fig-1"') == 1 and '<div class="island-anchor" id="fig-1">' in html


def test_an_island_that_would_leave_too_short_a_column_under_it_takes_the_whole_column():
    # A column under an island shorter than MIN_CHARACTERS_UNDER characters (after the gap) is
    # no column: the first pieces of a long table left two-character columns under them.
    em = BODY_FONT_PT * 25.4 / 72
    column = 150.0
    short = column - (islands.MIN_CHARACTERS_UNDER + islands.ISLAND_GAP_EM - 1) * em  # leaves seven
    room = column - (islands.MIN_CHARACTERS_UNDER + islands.ISLAND_GAP_EM + 1) * em  # leaves nine
    html = islands.place_islands(chapter_html(), [[(90.0, short), (60.0, room)], [(80.0, 12.0)]], column)
    lengths = [float(length) for length in re.findall(r'data-island="0"[^>]*style="width: ([\d.]+)mm', html)]
    assert lengths == [column, round(room, 3)]


def test_the_copies_are_laid_out_as_floats_written_out_in_full():
    html = islands.place_islands(chapter_html(), SIZES, column_length_mm=150.0)
    copied, full = floats(render(html)), floats(render(written_out(html)))
    assert len(copied) == 5
    assert copied == full
    texts = [[text for *_, text in boxes if text] for boxes in copied]
    assert all("備考" in texts[n] for n in range(3)) and all(any("図1" in t for t in texts[n]) for n in (3, 4))
    # Each copy is set at its own width: the narrowest table's cells wrap into more lines.
    assert len([box for box in copied[2] if box[0] == "LineBox"]) > len([box for box in copied[0] if box[0] == "LineBox"])


def test_an_island_is_measured_narrower_as_with_its_content_written_at_each_width():
    measured = islands.measure_islands(f'<div class="island"><div class="island-content">{TABLE}</div></div>',
                                       [weasyprint.CSS(string=CSS)], 120.0, 150.0, None, None, None, "ja")
    (natural, *narrower), = measured.sizes
    assert measured.cuts == {}, "a table shorter than a column is not cut"
    assert narrower, "a table is also measured at narrower widths"
    for (width, height), (wider, lower) in zip(narrower, [natural, *narrower]):
        assert width < wider and height >= lower  # a narrower copy has the table in it, rewrapped


def test_an_island_is_measured_at_the_body_text_size_it_is_set_at():
    # The theme's stylesheets reach the measurement without the page rules, which set the body
    # text's size (geometry.BODY_FONT_PT): ten full-width characters measure ten of its ems.
    theme = weasyprint.CSS(string="body { font-family: 'Noto Serif CJK JP' } p { margin: 0 }")
    (natural, *_), = islands.measure_islands('<div class="island"><div class="island-content"><p>'
                                             + "あ" * 10 + "</p></div></div>", [theme], 120.0, 150.0, None, None, None,
                                             "ja").sizes
    assert abs(natural[0] - 10 * BODY_FONT_PT * 25.4 / 72) < 0.5


LONG_TABLE = ("<table id=\"table-1\"><caption>表1　長い表</caption><thead><tr><th>行</th><th>内容</th></tr></thead><tbody>"
              + "".join(f"<tr><td>R{n:02d}</td><td>{'港の取扱量' * (1 + n % 3)}</td></tr>" for n in range(1, 41))
              + "</tbody></table>")
LONG_CODE = "<pre><code>" + "".join(f"line_{n:02d} = {n}\n" for n in range(1, 61)) + "</code></pre>"


def test_a_table_or_code_longer_than_a_column_is_cut_between_rows_into_pieces_that_fit():
    html = "".join(f'<div class="island"><div class="island-content">{content}</div></div><p>本文</p>'
                   for content in (LONG_TABLE, TABLE, LONG_CODE))
    column = 80.0
    measured = islands.measure_islands(html, [weasyprint.CSS(string=CSS)], 120.0, column, None, None, None, "ja")
    assert sorted(measured.cuts) == [0, 2]  # the short table is left whole
    split = islands.split_islands(html, measured.cuts)
    pieces = islands.ISLAND.findall(split)
    assert len(pieces) == len(measured.sizes) >= 5
    # Every piece fits in a column, and only the whole short table is measured at narrower widths.
    assert all(height <= column for island in measured.sizes for _, height in island[:1])
    tables = [piece for piece in pieces if "長い表" in piece]
    assert len(tables) >= 2 and "（続き）" not in tables[0] and all("表1　長い表（続き）" in t for t in tables[1:])
    assert all('table-layout: fixed' in t for t in tables) and "<thead>" in tables[0]
    # A later piece's header and caption are repeats, marked so (the EPUB's page-list does not count them).
    assert all(f'<thead class="{island_pieces.REPEATED_CLASS}">' in t and f'<caption class="{island_pieces.REPEATED_CLASS}">'
               in t for t in tables[1:])
    assert 'id="table-1"' in tables[0] and not any("id=" in t for t in tables[1:])
    rows = [re.findall(r"R\d\d", t) for t in tables]
    assert [row for piece in rows for row in piece] == [f"R{n:02d}" for n in range(1, 41)]
    code = [piece for piece in pieces if "line_" in piece]
    assert len(code) >= 2
    assert [line for piece in code for line in re.findall(r"line_\d\d", piece)] == [f"line_{n:02d}" for n in range(1, 61)]
    # Written again from its cuts (the cache keeps them), the document is the same.
    again = islands.MeasuredIslands.from_json(measured.to_json())
    assert islands.split_islands(html, again.cuts) == split and again.sizes == measured.sizes


def test_a_long_table_with_a_cell_spanning_rows_is_left_whole_and_one_that_names_rowspan_is_cut():
    # A cell spanning rows would be cut in two; the word in a cell's text is no reason to keep
    # the table whole (it was, when the rows' HTML was searched for the word).
    spanning = LONG_TABLE.replace("<td>R02</td>", '<td rowspan="2">R02</td>').replace("<tr><td>R03</td>", "<tr>")
    naming = LONG_TABLE.replace("<td>R02</td>", "<td>R02 rowspan</td>")
    html = "".join(f'<div class="island"><div class="island-content">{content}</div></div><p>本文</p>'
                   for content in (spanning, naming))
    measured = islands.measure_islands(html, [weasyprint.CSS(string=CSS)], 120.0, 80.0, None, None, None, "ja")
    assert sorted(measured.cuts) == [1]


def test_a_narrower_width_at_which_an_island_is_longer_than_a_column_is_not_offered():
    # Set that narrow, the table would be scaled down whole to the column's length (its text
    # smaller than the body's, its cells broken a character a line, as on an A6 page): the
    # widths it keeps are those at which it still fits the column.
    html = f'<div class="island"><div class="island-content">{TABLE}</div></div>'
    stylesheets = [weasyprint.CSS(string=CSS)]
    (every,) = islands.measure_islands(html, stylesheets, 120.0, 1000.0, None, None, None, "ja").sizes
    natural, narrowest = every[0], every[-1]
    assert len(every) >= 3 and narrowest[1] > natural[1]
    column = (natural[1] + narrowest[1]) / 2
    (kept,) = islands.measure_islands(html, stylesheets, 120.0, column, None, None, None, "ja").sizes
    assert kept == [size for size in every if size[1] <= column] and len(kept) < len(every)
