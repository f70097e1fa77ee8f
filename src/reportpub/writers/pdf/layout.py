"""PDF editions through WeasyPrint: lay the book out once per writing mode, write it as needed.

``PdfLayout`` prepares one writing mode (the book's HTML, the parsed stylesheets, the
fonts) and lays out the whole book or one part of it (writers/pdf/parts.py puts the
parts together); ``layout_book`` lays the whole book out in one document. ``write_pdf``
writes a layout as the reader edition (PDF/A-3a and PDF/UA-1, tagged, cropped to the trim size, sources
attached) or the print edition (PDF/X-4 with bleed and marks). Vertical layouts use the
derived vertical fonts and are turned by a finisher.
"""

from __future__ import annotations

import contextlib
import hashlib
import html as html_module
import json
import logging
import re
import struct
from pathlib import Path
from typing import Callable

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from reportpub.cache import DERIVED_FONTS_DIR, PUNCTUATION_FONT_PREFIX, VERTICAL_FONT_PREFIX, Cache, cache_root
from reportpub.diagnostics import Diagnostic, ReportpubError, SourceLocation
from reportpub.digests import fonts_digest, package_digest
from reportpub.model import Book
from reportpub.project import Project
from reportpub.templates import Templates
from reportpub.theme import stylesheet_text, stylesheets
from reportpub.writers.pdf.author_fonts import punctuation_twin_faces, vertical_author_sheet, with_punctuation_twins
from reportpub.writers.pdf.book_html import NOMBRE_CARRIER, mark_vertical_matter
from reportpub.writers.pdf.chapter_html import DROPPED_CLASSES, pdf_chapter_html
from reportpub.writers.pdf.fetcher import ProjectURLFetcher
from reportpub.writers.pdf.geometry import (
    MARKS_ROOM_MM,
    horizontal_geometry,
    vertical_geometry,
)
from reportpub.writers.pdf import leaders, page_flow, part_pool, table_widths
from reportpub.writers.pdf.islands import ISLAND, MeasuredIslands, measure_islands, place_islands, split_islands
from reportpub.writers.pdf.justify import install as justify_between_characters


class WeasyPrintWarnings(logging.Handler):
    """Collects WeasyPrint's warnings (bad CSS in an author's stylesheet, refused URLs)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class PdfLayout:
    """Everything one writing mode's layouts share: the whole book's HTML, the parsed
    stylesheets, the fonts and the project fetcher. ``render`` lays out the whole book or
    a part of it (writers/pdf/parts.py); ``check`` raises what the renders found wrong."""

    def __init__(self, book: Book, project: Project, mode: str, templates: Templates):
        self.book, self.project, self.mode = book, project, mode
        justify_between_characters()
        self.vertical = vertical = mode == "vertical"
        self.chapter_html_cache = Cache(cache_root(project.build_dir) / "pdf-html" / mode)
        # The vertical islands' measured sizes: kept for this build (a part laid out again in a
        # later round measures the same islands) and between builds (an edited chapter's islands,
        # and every later chapter's when its pages move, are the same as before).
        self.island_sizes: dict[str, MeasuredIslands] = {}
        self.island_cache = Cache(cache_root(project.build_dir) / "pdf-islands" / mode)
        # Classes the PDF markup may drop with their spans, unless the author's CSS names them.
        author_css = "".join(sheet.read_text(encoding="utf-8") for sheet in project.style_files())
        self.styled_classes = frozenset(name for name in DROPPED_CLASSES if re.search(rf"\.{name}\b", author_css))
        chapters = [
            {"id": c.id, "title": c.title, "href": "", "headings": c.headings, "source": c.source,
             "sections": c.contents(book.config.toc.depth),
             "html": self._chapter_html(c)}
            for c in book.chapters
        ]
        cover = pdf_cover(book, project, mode) if book.config.pdf.cover_page else None
        html = templates.render("pdf.html", book, chapters=chapters, mode=mode, stylesheets=[], cover_page=cover)
        if vertical:
            html = mark_vertical_matter(html)
        # The book title as the title page gives it to the running heads (its text, digits set);
        # read without an XML parser, since an author's title page template need not be XHTML.
        title_page = re.search(r'<p class="title">(.*?)</p>', html, re.DOTALL)
        self.running_title = html_module.unescape(re.sub(r"<[^>]*>", "", title_page.group(1))) if title_page \
            else book.config.title
        self.fetcher = fetcher = ProjectURLFetcher(project.root, allow_remote=book.config.allow_remote,
                                                     remote_resources=book.remote_resources)
        self.font_config = font_config = FontConfiguration()
        sheets = stylesheets(project, "pdf", mode)
        if vertical:
            self.geometry = vertical_geometry(book.config)
            # Text that CSS generates (問, 注, leaders) must be in the derived fonts too.
            css_text = "".join(sheet.read_text(encoding="utf-8") for sheet in sheets)
            faces, self.derived_fonts = vertical_font_faces(html + css_text, project, fetcher)
            self.derived_files = set(self.derived_fonts.values())
            page_css = self.geometry.css() + faces
            # The nombre is a running element; it must sit inside the first page's content.
            html = html.replace('id="titlepage">', f'id="titlepage">{NOMBRE_CARRIER}', 1)
        else:
            self.geometry = horizontal_geometry(book.config)
            faces, self.derived_fonts = punctuation_font_faces(project, fetcher)
            self.derived_files = set(self.derived_fonts.values())
            page_css = self.geometry.css() + faces
        if cover is not None:
            page_css += cover_page_css(book.config, vertical)
        self.html = html
        # The CSS bleed also holds the printer's marks, so it is wider than the print bleed;
        # the print finisher puts the PDF BleedBox back at book.toml's bleed and draws the marks
        # (drawing them there costs nothing in the reader edition, which shares this layout).
        bleed = f"@page {{ bleed: {book.config.pdf.bleed_mm + MARKS_ROOM_MM:.3f}mm; }}\n"
        self.page_css = page_css + bleed
        self.problems: list[Diagnostic] = []
        self.warnings = WeasyPrintWarnings()
        author_sheets = set(project.style_files())
        sheet_texts = [stylesheet_text(sheet, project, vertical_pdf=vertical) for sheet in sheets]
        if not vertical:  # the author's @font-face fonts get their punctuation fonts too
            sheet_texts, twin_faces = self._punctuation_twins(sheets, sheet_texts, author_sheets)
            self.page_css += twin_faces
        self.css = [weasyprint.CSS(string=self.page_css, url_fetcher=fetcher, font_config=font_config)]
        if vertical:  # the author's @font-face fonts, derived for the turned frame as the bundled ones
            for index, sheet in enumerate(sheets):
                if sheet in author_sheets and "@font-face" in sheet_texts[index].lower():
                    sheet_texts[index], problems = vertical_author_sheet(
                        sheet, sheet_texts[index], project.root, project.relative,
                        lambda path, family: derive_author_font(path, family, html + css_text, project,
                                                                self.derived_files),
                        fetcher.project_url)
                    self.problems += problems
        with self._listening():
            for sheet, text in zip(sheets, sheet_texts):
                seen = len(self.warnings.messages)
                if sheet in author_sheets:
                    # Under the project's virtual URL, as the HTML is: WeasyPrint names the images a
                    # stylesheet uses after their URLs, which must not hold where the project lies.
                    self.css.append(weasyprint.CSS(string=text, base_url=fetcher.project_url(sheet),
                                                   url_fetcher=fetcher, font_config=font_config))
                else:
                    self.css.append(weasyprint.CSS(string=text, base_url=sheet.as_uri(), url_fetcher=fetcher,
                                                   font_config=font_config))
                if sheet in author_sheets:
                    self.problems += [_css_diagnostic(project.relative(sheet), m) for m in self.warnings.messages[seen:]]
        # What the layouts depend on besides their HTML: the page rules, fonts and stylesheets.
        self.stylesheet_texts = [self.page_css] + sheet_texts
        self.base_url = fetcher.project_url(project.manuscript) + "/"

    def _punctuation_twins(self, sheets: list[Path], texts: list[str], author_sheets: set[Path]) -> tuple[list[str], str]:
        """The stylesheets' texts naming the punctuation twins of the author's fonts, and the twins'
        @font-face rules (writers/pdf/author_fonts.py)."""
        rules, families = [], set()
        for sheet, text in zip(sheets, texts):
            if sheet in author_sheets and "@font-face" in text.lower():
                sheet_rules, sheet_families = punctuation_twin_faces(
                    sheet, text, self.project.root,
                    lambda path, family: derive_author_punctuation(path, family, self.project, self.derived_files),
                    self.fetcher.project_url)
                rules += sheet_rules
                families |= sheet_families
        return [with_punctuation_twins(text, families) for text in texts], "".join(rule + "\n" for rule in rules)

    def _chapter_html(self, chapter) -> str:
        """A chapter's HTML for this mode, kept in build/.cache/pdf-html between builds
        (rewriting ruby, notes and islands of a long book takes a quarter of a second)."""
        # The chapter is a frozen dataclass of strings and tuples: its repr is its content.
        fonts = fonts_digest(self.project.config.fonts)
        key = hashlib.sha256(f"{package_digest()}|{fonts}|{sorted(self.styled_classes)}|{chapter!r}"
                             .encode()).hexdigest()[:32]
        stored = self.chapter_html_cache.get(key, "html")  # None when missing or damaged
        if stored is not None:
            return stored.decode("utf-8")
        html = pdf_chapter_html(chapter, vertical=self.vertical, cache_dir=cache_root(self.project.build_dir),
                                styled_classes=self.styled_classes)
        self.chapter_html_cache.put(key, html, "html")
        return html

    @contextlib.contextmanager
    def _listening(self):
        """Collect WeasyPrint's warnings meanwhile."""
        logger = logging.getLogger("weasyprint")
        logger.addHandler(self.warnings)
        try:
            yield
        finally:
            logger.removeHandler(self.warnings)

    def render(self, html: str | None = None, extra_css: str = "", inputs_key: str | None = None,
               start_of: Callable[[int], int] | None = None) -> weasyprint.Document:
        """Lay out ``html`` (by default the whole book) with this mode's stylesheets.
        ``inputs_key`` names everything the layout depends on but its HTML (stylesheets,
        fonts, images, reportpub itself; writers/pdf/parts.py's digest of them): given, the
        islands' sizes are also kept between builds. With ``start_of``, ``html`` is laid out
        from part_pool.PROVISIONAL_START and its folios from the first page ``start_of(pages)``
        gives once its pages are made (writers/pdf/part_pool.py)."""
        html = self.html if html is None else html
        css = self.css + ([weasyprint.CSS(string=extra_css, url_fetcher=self.fetcher, font_config=self.font_config)]
                          if extra_css else [])
        page_flow.install()  # notes with their calls, islands as page floats
        table_widths.install()  # an island's copies share their tables' column widths
        leaders.install()  # a leader's dots drawn as one text
        with self._listening(), table_widths.shared_between_layouts():  # the islands' measurement's with the chapter's
            if self.vertical:
                theme_css = self.css[1:]  # the islands are measured with the theme, without the page rules
                measured = self._island_sizes(html, theme_css, inputs_key)
                html = place_islands(split_islands(html, measured.cuts), measured.sizes, self.geometry.column_length)
            with part_pool.first_page_later(start_of) if start_of else contextlib.nullcontext():
                document = weasyprint.HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher).render(
                    stylesheets=css, font_config=self.font_config)
        return document

    def island_key(self, html: str, inputs_key: str | None) -> str | None:
        """The key of ``html``'s island sizes, None when it has no islands to measure."""
        contents = ISLAND.findall(html) if self.vertical else []
        if not contents:
            return None
        return hashlib.sha256(json.dumps([package_digest(), fonts_digest(self.project.config.fonts),
                                          self.stylesheet_texts, inputs_key, self.geometry.island_width,
                                          self.geometry.column_length,
                                          contents]).encode()).hexdigest()[:32]

    def keep_island_sizes(self, html: str, inputs_key: str) -> None:
        """Keep the sizes of ``html``'s islands in the cache, though it is not laid out this build."""
        key = self.island_key(html, inputs_key)
        if key is not None:
            self.island_cache.mark_used([key])

    def _island_sizes(self, html: str, theme_css: list, inputs_key: str | None) -> MeasuredIslands:
        """islands.measure_islands for ``html``, or what it gave for the same islands."""
        key = self.island_key(html, inputs_key)
        if key is None:
            return MeasuredIslands([], {})
        if key in self.island_sizes:
            return self.island_sizes[key]
        stored = self.island_cache.get(key, "json") if inputs_key is not None else None
        if stored is not None:
            measured = MeasuredIslands.from_json(stored)
        else:
            measured = measure_islands(html, theme_css, self.geometry.island_width, self.geometry.column_length,
                                       self.font_config, self.fetcher, self.base_url, self.book.config.language)
            if inputs_key is not None:
                self.island_cache.put(key, measured.to_json(), "json")
        self.island_sizes[key] = measured
        return measured

    def check(self) -> None:
        """Raise every problem the stylesheets and the renders so far met."""
        book, project = self.book, self.project
        problems = list(self.problems)
        author_files = project.style_files() + project.template_files() + [project.root / c.source for c in book.chapters]
        problems += self.fetcher.diagnostics(author_files, book.config.path, project.relative)
        # A font that does not load would silently fall back to another (sideways kanji in a
        # vertical edition): never publish that.
        problems += [Diagnostic(SourceLocation("fonts"), m) for m in self.warnings.messages if "cannot be loaded" in m]
        if problems:
            raise ReportpubError(problems)


def layout_book(book: Book, project: Project, mode: str, templates: Templates) -> weasyprint.Document:
    """Lay the whole book out for one writing mode in one document (the reference the
    chapter-by-chapter assembly of writers/pdf/parts.py is held to)."""
    layout = PdfLayout(book, project, mode, templates)
    layout.check()
    document = layout.render()
    layout.check()
    return document


def pdf_cover(book: Book, project: Project, mode: str) -> dict[str, str]:
    """The cover page's image ([pdf] cover_page = true): book.toml's cover, else one set in type
    at the trim size's shape, as a data: URL (a generated cover is no file of the project), and
    its alternative text."""
    import base64

    from reportpub.writers.cover import cover_image

    config = book.config
    width = 1400
    height = round(width * config.pdf.height_mm / config.pdf.width_mm)
    href, data, _ = cover_image(config, project, mode, width, height)
    media_type = "image/png" if href.lower().endswith(".png") else "image/jpeg"
    return {"src": f"data:{media_type};base64,{base64.b64encode(data).decode()}", "alt": f"表紙：{config.title}"}


def cover_page_css(config, vertical: bool) -> str:
    """The cover image filling the trim, kept whole. On the vertical edition's turned frame it is
    drawn a quarter turn back (its width along the frame's height), so that it stands upright once
    the page is turned for reading, as the horizontal islands are."""
    width, height = config.pdf.width_mm, config.pdf.height_mm
    if not vertical:
        return f".cover-page img {{ width: {width:.3f}mm; height: {height:.3f}mm; }}\n"
    return (f".cover-page img {{ width: {width:.3f}mm; height: {height:.3f}mm; transform-origin: 0 0; "
            f"transform: translate(0, {width:.3f}mm) rotate(-90deg); }}\n")


def font_cache_dir(project: Project) -> Path:
    """Where the derived vertical fonts are kept."""
    return cache_root(project.build_dir) / DERIVED_FONTS_DIR


def vertical_font_faces(html: str, project: Project, fetcher: ProjectURLFetcher) -> tuple[str, dict[tuple[str, int], Path]]:
    """@font-face rules for the derived vertical fonts, subset to the document's characters and
    the common ones, and the file of each (family, weight)."""
    from reportpub.typography.font_choice import declared_families, system_pattern
    from reportpub.typography.fonts import TEXT_FACES, find_face
    from reportpub.typography.vertical_font import derive_vertical_font

    characters, tcy_strings = vertical_font_text(html)
    rules, files = [], {}
    project_families = declared_families(project.style_files())
    for text_face in TEXT_FACES:
        # book.toml's [fonts] choose the system family the face is derived from; a project font in
        # the role is derived from the author's @font-face instead (writers/pdf/author_fonts.py).
        pattern = system_pattern(text_face.pattern, project.config.fonts, project_families)
        if pattern is None:
            continue
        face, family, weight = find_face(pattern), text_face.vertical_family, text_face.weight
        path = derive_vertical_font(face.path, characters, font_cache_dir(project), f"{family} {weight}", face.index,
                                    tcy_strings=tcy_strings)
        rules.append(_font_face_rule(family, weight, fetcher.project_url(path)))
        files[(family, weight)] = path
    return "\n".join(rules) + "\n", files


def punctuation_font_faces(project: Project, fetcher: ProjectURLFetcher) -> tuple[str, dict[tuple[str, int], Path]]:
    """@font-face rules for the horizontal PDF's punctuation fonts (consecutive punctuation
    closed up, typography/punctuation_font.py), and the file of each (family, weight)."""
    from reportpub.typography.font_choice import declared_families, system_pattern
    from reportpub.typography.fonts import TEXT_FACES, find_face
    from reportpub.typography.punctuation_font import derive_punctuation_font

    rules, files = [], {}
    project_families = declared_families(project.style_files())
    for text_face in TEXT_FACES:
        family, weight = text_face.punctuation_family, text_face.weight
        # From book.toml's [fonts] family, as the vertical fonts; none for a project font's role.
        pattern = system_pattern(text_face.pattern, project.config.fonts, project_families)
        if family is None or pattern is None:
            continue
        face = find_face(pattern)
        path = derive_punctuation_font(face.path, font_cache_dir(project), f"{family} {weight}", face.index)
        rules.append(_font_face_rule(family, weight, fetcher.project_url(path)))
        files[(family, weight)] = path
    return "\n".join(rules) + "\n", files


def _font_face_rule(family: str, weight: int, url: str) -> str:
    return f'@font-face {{ font-family: "{family}"; font-weight: {weight}; src: url("{url}"); }}'


def vertical_font_text(html: str) -> tuple[str, set[str]]:
    """What the derived vertical fonts hold: the characters of ``html`` and the common ones,
    and the tate-chu-yoko cells they draw (pdf-vertical.css turns on their feature in .tcy):
    the text of every element of class tcy (automatic 12 and !?, the author's ^123^), the note
    numbers the footnote calls and markers show, and the common ones (page numbers)."""
    from reportpub.typography.vertical_font import COMMON_TCY_STRINGS, common_japanese

    characters = "".join(sorted(set(html) | set(common_japanese())))
    tcy_strings = {html_module.unescape(m.group(3)) for m in re.finditer(
        r'<([A-Za-z][\w:-]*)\s[^>]*?\bclass="([^"]*)"[^>]*>([^<>]{1,3})</\1>', html)
        if "tcy" in m.group(2).split()}
    tcy_strings |= set(re.findall(r'\bdata-number="(\d{1,3})"', html))
    return characters, tcy_strings | COMMON_TCY_STRINGS


def derive_author_font(path: Path, family: str, html: str, project: Project, reached: set[Path]) -> Path:
    """The derived vertical-frame copy of an author's font, or ValueError saying why the font
    cannot set vertical text. Of a collection (.ttc), every face the stylesheet can reach by
    weight and style is derived (the first face of each; a collection of one style in several
    languages gives its first face), and the derived faces are one collection again, from
    which fontconfig picks by weight and style as it does from the author's own. Every derived
    file it took (faces and collection) is added to ``reached``."""
    from reportpub.typography.vertical_font import derive_vertical_font

    characters, tcy_strings = vertical_font_text(html)
    return _derive_faces(path, VERTICAL_FONT_PREFIX, lambda index: derive_vertical_font(
        path, characters, font_cache_dir(project), f"RP Vertical {family}", index, tcy_strings=tcy_strings),
        font_cache_dir(project), reached)


def derive_author_punctuation(path: Path, family: str, project: Project, reached: set[Path]) -> Path:
    """The punctuation font (typography/punctuation_font.py) of an author's font, every face of
    a collection as for the vertical copy (added to ``reached``); ValueError when it cannot be made."""
    from reportpub.typography.punctuation_font import derive_punctuation_font

    return _derive_faces(path, PUNCTUATION_FONT_PREFIX, lambda index: derive_punctuation_font(
        path, font_cache_dir(project), f"RP Punctuation {family}", index), font_cache_dir(project), reached)


def _derive_faces(path: Path, prefix: str, derive_face, cache_dir: Path, reached: set[Path]) -> Path:
    """``derive_face(index)`` for the first face of each style of a font file, as one file; the
    faces and their collection are added to ``reached`` (the collection's key names the faces)."""
    from fontTools.ttLib import TTLibError

    from reportpub.typography.vertical_font import FontDerivationError, derived_collection

    try:
        derived = [derive_face(index) for index in _faces_by_style(path, vertical=prefix == VERTICAL_FONT_PREFIX)]
        reached.update(derived)
        whole = derived[0] if len(derived) == 1 else derived_collection(derived, cache_dir, prefix)
        reached.add(whole)
        return whole
    except (TTLibError, FontDerivationError, OSError, KeyError, AssertionError) as error:
        raise ValueError(f"{path.name}: {error}") from None


def _faces_by_style(path: Path, vertical: bool = True) -> list[int]:
    """The first face of each (weight, italic) of a font file (of a single font: [0]); for the
    vertical copy each is checked for vertical forms (ValueError if a face has none)."""
    from fontTools.ttLib import TTFont

    from reportpub.typography.vertical_font import vertical_substitutions

    with path.open("rb") as stream:
        header = stream.read(12)
    count = struct.unpack(">I", header[8:12])[0] if header[:4] == b"ttcf" and len(header) == 12 else 1
    faces: dict[tuple[int, bool], int] = {}
    for index in range(count):
        with TTFont(path, fontNumber=index, lazy=True) as font:
            style = (font["OS/2"].usWeightClass, bool(font["OS/2"].fsSelection & 1 or font["head"].macStyle & 2))
            if style in faces:
                continue
            if vertical and not vertical_substitutions(font):
                raise ValueError(f"{path.name} has no vertical forms (no OpenType vert feature): "
                                 "its brackets and small kana would be wrong in a column")
            faces[style] = index
    return sorted(faces.values())


def _css_diagnostic(source: str, message: str) -> Diagnostic:
    """WeasyPrint's 'Ignored `x` at 3:6, unknown property.' as 'styles/x.css:3: CSS: …'."""
    import re

    match = re.search(r" at (\d+):\d+", message)
    text = re.sub(r" at \d+:\d+", "", message).rstrip(".")
    return Diagnostic(SourceLocation(source, int(match.group(1)) if match else None), f"CSS: {text}")


