"""book.toml → a frozen :class:`BookConfig`, every problem collected before failing.

The key names are the product contract (spec: "A publication project"). Unknown keys
and wrong types are errors that name the key and the file; tomllib gives no line
numbers for keys, so the line is found by scanning the raw text of the file.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from reportpub.diagnostics import DiagnosticCollector, ReportpubError, decode_utf8
from reportpub.editions import FORMATS, MODES
from reportpub.inputs import outside_problem, resolve_input
from reportpub.numbering import number_form

CONFIG_PATH = "manuscript/book.toml"  # where a project keeps its book.toml, relative to the project
# Trim sizes in millimetres (width, height), portrait.
PAPER_SIZES_MM: dict[str, tuple[float, float]] = {
    "A4": (210, 297),
    "A5": (148, 210),
    "A6": (105, 148),
    "B5": (182, 257),
    "B6": (128, 182),
    "shiroku": (127, 188),
    "shinsho": (103, 182),
}

_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt)\s*$")
_UNIT_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}


def parse_length_mm(text: str) -> float | None:
    """'3mm' → 3.0; None when the text is not a length."""
    m = _LENGTH.match(text)
    return float(m.group(1)) * _UNIT_MM[m.group(2)] if m else None


@dataclass(frozen=True)
class PdfConfig:
    """The ``[pdf]`` table."""

    paper: str = "A5"
    width_mm: float = 148
    height_mm: float = 210
    bleed_mm: float = 3.0


@dataclass(frozen=True)
class TocConfig:
    """The ``[toc]`` table: how deep the contents list (目次) goes."""

    depth: int = 2  # 1: chapters; 2: and their ## sections; 3: and ### subsections


@dataclass(frozen=True)
class NumberingConfig:
    """The ``[numbering]`` table: label patterns (see numbering.py); "" leaves chapters unnumbered."""

    chapters: str = ""
    appendix: str = "付録A"


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the colophon's publication history (初版・改版)."""

    version: str
    date: dt.date
    note: str = ""


@dataclass(frozen=True)
class ColophonConfig:
    """The ``[colophon]`` table: what a Japanese colophon (奥付) lists besides title and authors."""

    isbn: str | None = None
    printer: str | None = None
    contact: str | None = None
    history: tuple[HistoryEntry, ...] = ()


@dataclass(frozen=True)
class EditionsConfig:
    """The ``[editions]`` table: which formats and writing modes a plain build makes."""

    formats: tuple[str, ...] = FORMATS
    modes: tuple[str, ...] = MODES


@dataclass(frozen=True)
class BookConfig:
    """Everything book.toml says, validated; paths stay relative to manuscript/."""

    title: str
    slug: str
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    publisher: str | None = None
    language: str = "ja"
    date: dt.date | None = None
    version: str = "1.0"
    identifier: str = ""
    rights: str | None = None
    bibliography: tuple[str, ...] = ()
    csl: str = "sist02"
    chapters: tuple[str, ...] | None = None
    appendix: tuple[str, ...] = ()
    cover: str | None = None
    allow_remote: bool = False
    accessibility_summary: str | None = None  # the EPUB's schema:accessibilitySummary; else one said from the book
    pdf: PdfConfig = field(default_factory=PdfConfig)
    toc: TocConfig = field(default_factory=TocConfig)
    numbering: NumberingConfig = field(default_factory=NumberingConfig)
    colophon: ColophonConfig = field(default_factory=ColophonConfig)
    editions: EditionsConfig = field(default_factory=EditionsConfig)
    path: str = "manuscript/book.toml"

    @property
    def timestamp(self) -> dt.datetime:
        """The one timestamp every output carries: book.toml's date, at midnight UTC."""
        day = self.date or dt.date(1980, 1, 1)
        return FourDigitYearDateTime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


class FourDigitYearDateTime(dt.datetime):
    """A datetime whose ``strftime`` writes ``%Y`` with four digits, as ISO 8601, PDF dates and
    EPUB's dcterms:modified require: glibc writes the year 1 as "1". Libraries that format the
    timestamp themselves (EbookLib, WeasyPrint) get the padded year too."""

    def strftime(self, format: str) -> str:
        return super().strftime(format.replace("%Y", f"{self.year:04d}"))


# key → (accepted Python types, description used in messages)
_TOP_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "title": ((str,), "a string"),
    "subtitle": ((str,), "a string"),
    "authors": ((list,), "a list of strings"),
    "publisher": ((str,), "a string"),
    "language": ((str,), "a string"),
    "date": ((dt.date,), "a date such as 2024-12-20"),
    "version": ((str,), "a string"),
    "identifier": ((str,), "a string"),
    "rights": ((str,), "a string"),
    "slug": ((str,), "a string"),
    "bibliography": ((str, list), "a file name or a list of file names"),
    "csl": ((str,), "a style name or a .csl path"),
    "chapters": ((list,), "a list of file names"),
    "appendix": ((list,), "a list of file names"),
    "cover": ((str,), "an image file name such as \"images/cover.jpg\""),
    "allow_remote": ((bool,), "true or false"),
    "accessibility_summary": ((str,), "a string"),
    "pdf": ((dict,), "a table"),
    "editions": ((dict,), "a table"),
    "toc": ((dict,), "a table"),
    "numbering": ((dict,), "a table"),
    "colophon": ((dict,), "a table"),
}
_PDF_KEYS = {"paper": ((str,), "a string"), "bleed": ((str,), "a length such as \"3mm\"")}
_EDITION_KEYS = {"formats": ((list,), "a list"), "modes": ((list,), "a list")}
_TOC_KEYS = {"depth": ((int,), "1, 2 or 3")}
_NUMBERING_KEYS = {"chapters": ((str,), "a label such as \"第1章\", \"1\" or \"第一章\", or \"\" for none"),
                   "appendix": ((str,), "a label such as \"付録A\"")}
_COLOPHON_KEYS = {"isbn": ((str,), "a string such as \"978-4-00-000000-0\""), "printer": ((str,), "a string"),
                  "contact": ((str,), "a string"), "history": ((list,), "a list of {version, date, note} tables")}
_HISTORY_KEYS = {"version": ((str,), "a string"), "date": ((dt.date,), "a date such as 2024-12-20"),
                 "note": ((str,), "a string")}
TOC_DEPTHS = (1, 2, 3)
COVER_SUFFIXES = (".png", ".jpg", ".jpeg")


def line_of_key(text: str, key: str, table: str | None = None) -> int | None:
    """The line where ``key = …`` is written, inside ``[table]`` when given."""
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        header = re.match(r"^\[\s*([A-Za-z0-9_.\-]+)\s*\]", line)
        if header:
            current = header.group(1)
            continue
        if current == table and re.match(rf'^"?{re.escape(key)}"?\s*=', line):
            return number
    return None


# "key = value" whose value starts like no TOML value (string, number, date, boolean, array, table).
_BARE_VALUE = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=\s*(?![\"'\[{+\-]|\d|true\b|false\b|inf\b|nan\b)(\S.*?)\s*(#.*)?$")


def _bare_word_hint(text: str, line: int | None) -> str:
    """For a value written without quotes (paper = B6): the hint to quote it."""
    lines = text.splitlines()
    m = _BARE_VALUE.match(lines[line - 1]) if line and line <= len(lines) else None
    return f" (text must be quoted: {m.group(1)} = \"{m.group(2)}\")" if m else ""


def safe_slug(name: str) -> str:
    """A file-name-safe form of a directory name, used when book.toml has no slug."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return slug or "book"


def isbn_problem(isbn: str) -> str | None:
    """Why an ISBN (10 or 13 digits, hyphens allowed) is not valid, or None."""
    digits = isbn.replace("-", "").replace(" ", "").upper()
    if re.fullmatch(r"97[89]\d{10}", digits):
        total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12]))
        expected = str((10 - total % 10) % 10)
    elif re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
        expected = "0123456789X"[(11 - total % 11) % 11]
    else:
        return "is not an ISBN (13 digits starting 978 or 979, or 10 digits)"
    return None if digits[-1] == expected else f"has a wrong check digit (the last digit should be {expected})"


def _colophon(table: dict, text: str, problems: DiagnosticCollector, check) -> ColophonConfig:
    """The [colophon] table, its ISBN and history entries checked."""
    isbn = table.get("isbn")
    if isbn and (why := isbn_problem(isbn)):
        problems.error(CONFIG_PATH, f"[colophon] isbn '{isbn}' {why}", line_of_key(text, "isbn", "colophon"))
    history = []
    for entry in table.get("history", []):
        if not isinstance(entry, dict):
            problems.error(CONFIG_PATH, "[colophon] history must be a list of {version, date, note} tables",
                           line_of_key(text, "history", "colophon"))
            continue
        good = check(entry, _HISTORY_KEYS, "colophon.history")
        if "version" in good and "date" in good:
            history.append(HistoryEntry(good["version"], good["date"], good.get("note", "")))
        elif len(good) == len(entry):
            problems.error(CONFIG_PATH, "[colophon] each history entry needs a version and a date",
                           line_of_key(text, "history", "colophon"))
    return ColophonConfig(isbn=isbn, printer=table.get("printer"), contact=table.get("contact"),
                          history=tuple(sorted(history, key=lambda e: e.date)))


def load_config(project_dir: Path) -> BookConfig:
    """Read and validate manuscript/book.toml; raise one ReportpubError with every problem."""
    rel = CONFIG_PATH
    try:
        raw_bytes = resolve_input(project_dir.resolve(), project_dir / rel).read_bytes()
    except FileNotFoundError:
        raise ReportpubError.at(rel, "no book.toml: is this a reportpub project? (reportpub init DIR makes one)")
    except OSError as exc:
        raise ReportpubError.at(rel, f"cannot read: {exc.strerror}")
    text = decode_utf8(raw_bytes, rel)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        line = int(m.group(1)) if m else None
        raise ReportpubError.at(rel, f"malformed TOML: {message}{_bare_word_hint(text, line)}", line)

    problems = DiagnosticCollector()

    def check(table: dict, schema: dict, table_name: str | None) -> dict:
        good = {}
        for key, value in table.items():
            where = f"[{table_name}] " if table_name else ""
            line = line_of_key(text, key, table_name)
            if key not in schema:
                known = ", ".join(sorted(schema))
                problems.error(rel, f"unknown key {where}'{key}' (known keys: {known})", line)
                continue
            types, description = schema[key]
            # TOML dates with a time are datetimes (a subclass of date): not what we want.
            if not isinstance(value, types) or (dt.date in types and isinstance(value, dt.datetime)) or (
                bool not in types and isinstance(value, bool)
            ):
                problems.error(rel, f"{where}'{key}' must be {description}", line)
                continue
            good[key] = value
        return good

    top = check(data, _TOP_KEYS, None)
    if "title" not in data:
        problems.error(rel, "missing key 'title'")

    def string_list(key: str, value, table: str | None = None) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not all(isinstance(v, str) for v in value):
            problems.error(rel, f"'{key}' must be a list of strings", line_of_key(text, key, table))
            return ()
        return tuple(value)

    pdf_table = check(top.get("pdf", {}), _PDF_KEYS, "pdf")
    paper = pdf_table.get("paper", "A5")
    width, height = PAPER_SIZES_MM["A5"]
    if paper in PAPER_SIZES_MM:
        width, height = PAPER_SIZES_MM[paper]
    else:
        parts = paper.split()
        sizes = [parse_length_mm(p) for p in parts]
        if len(parts) == 2 and all(s for s in sizes):
            width, height = sizes
        else:
            names = " ".join(PAPER_SIZES_MM)
            problems.error(rel, f"[pdf] paper '{paper}' is not one of {names} nor \"WIDTH HEIGHT\" such as \"148mm 210mm\"",
                           line_of_key(text, "paper", "pdf"))
    bleed = parse_length_mm(pdf_table.get("bleed", "3mm"))
    if bleed is None:
        problems.error(rel, f"[pdf] bleed '{pdf_table['bleed']}' is not a length such as \"3mm\"", line_of_key(text, "bleed", "pdf"))
        bleed = 3.0

    editions_table = check(top.get("editions", {}), _EDITION_KEYS, "editions")
    formats = string_list("formats", editions_table.get("formats", list(FORMATS)), "editions")
    modes = string_list("modes", editions_table.get("modes", list(MODES)), "editions")
    for name, values, allowed in (("formats", formats, FORMATS), ("modes", modes, MODES)):
        for v in values:
            if v not in allowed:
                problems.error(rel, f"[editions] {name}: unknown '{v}' (choose from {', '.join(allowed)})",
                               line_of_key(text, name, "editions"))

    toc_table = check(top.get("toc", {}), _TOC_KEYS, "toc")
    depth = toc_table.get("depth", TocConfig.depth)
    if depth not in TOC_DEPTHS:
        problems.error(rel, f"[toc] depth {depth} must be 1 (chapters), 2 (and sections) or 3 (and subsections)",
                       line_of_key(text, "depth", "toc"))
    numbering_table = check(top.get("numbering", {}), _NUMBERING_KEYS, "numbering")
    for key, value in numbering_table.items():
        if value and number_form(value) is None:
            problems.error(rel, f"[numbering] {key} '{value}' holds no number: write the first label, "
                           "with 1, 一 or A where the number goes (\"第1章\", \"第一章\", \"付録A\")",
                           line_of_key(text, key, "numbering"))
    colophon = _colophon(check(top.get("colophon", {}), _COLOPHON_KEYS, "colophon"), text, problems, check)

    authors = string_list("authors", top.get("authors", []))
    bibliography = string_list("bibliography", top.get("bibliography", []))
    chapters = string_list("chapters", top["chapters"]) if "chapters" in top else None
    appendix = string_list("appendix", top.get("appendix", []))
    cover = top.get("cover")
    for key, names in (("chapters", chapters or ()), ("appendix", appendix), ("bibliography", bibliography),
                       ("cover", (cover,) if cover else ())):
        for name in names:
            if Path(name).is_absolute() or ".." in Path(name).parts:
                problems.error(rel, f"'{name}' must be a path inside manuscript/", line_of_key(text, key))
    if cover and Path(cover).suffix.lower() not in COVER_SUFFIXES:
        problems.error(rel, f"cover '{cover}' must be a PNG or JPEG image (.png, .jpg)", line_of_key(text, "cover"))
    elif cover and not (project_dir / "manuscript" / cover).is_file():
        problems.error(rel, f"cover '{cover}' not found (the path is relative to manuscript/)", line_of_key(text, "cover"))
    elif cover and (outside := outside_problem(project_dir.resolve(), project_dir / "manuscript" / cover)):
        problems.error(rel, f"cover '{cover}' {outside}", line_of_key(text, "cover"))
    for name in set(chapters or ()) & set(appendix):
        problems.error(rel, f"'{name}' is listed both in chapters and in appendix", line_of_key(text, "appendix"))
    problems.raise_if_errors()

    slug = top.get("slug") or safe_slug(project_dir.resolve().name)
    if slug != safe_slug(slug):
        raise ReportpubError.at(rel, f"slug '{slug}' may hold only letters, digits, '.', '_' and '-'", line_of_key(text, "slug"))
    identifier = top.get("identifier") or f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'reportpub:' + top.get('title', '') + ':' + slug)}"
    return BookConfig(
        title=top.get("title", ""),
        slug=slug,
        subtitle=top.get("subtitle"),
        authors=authors,
        publisher=top.get("publisher"),
        language=top.get("language", "ja"),
        date=top.get("date"),
        version=top.get("version", "1.0"),
        identifier=identifier,
        rights=top.get("rights"),
        bibliography=bibliography,
        csl=top.get("csl", "sist02"),
        chapters=chapters,
        appendix=appendix,
        cover=cover,
        allow_remote=top.get("allow_remote", False),
        accessibility_summary=top.get("accessibility_summary"),
        pdf=PdfConfig(paper=paper, width_mm=width, height_mm=height, bleed_mm=bleed),
        toc=TocConfig(depth=depth),
        numbering=NumberingConfig(**numbering_table),
        colophon=colophon,
        editions=EditionsConfig(formats=formats, modes=modes),
        path=rel,
    )
