"""book.toml → a frozen :class:`BookConfig`, every problem collected before failing.

The key names are the product contract (spec: "A publication project"), declared once in
:data:`BOOK_SCHEMA`: one :class:`Option` per key, a :class:`Table` per [table]. Unknown keys
and wrong values are errors that name the key, the file and the line; tomllib gives no line
numbers for keys, so the line is found by scanning the raw text of the file.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from reportpub.diagnostics import DiagnosticCollector, ReportpubError, decode_utf8
from reportpub.editions import FORMATS, MODES
from reportpub.safety.inputs import outside_problem, resolve_input
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
    cover_page: bool = False  # the cover on page 1 of the PDFs, before the title page


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
class FontsConfig:
    """The ``[fonts]`` table: the families of the theme's serif and sans text (typography/font_choice.py)."""

    serif: str | None = None  # None: the theme's Noto Serif CJK JP
    sans: str | None = None  # None: the theme's Noto Sans CJK JP


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
    fonts: FontsConfig = field(default_factory=FontsConfig)
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


# --- The schema: every key of book.toml once, with what it takes and what else it must be ----------
#
# In the manner of MkDocs' config options: each key is an Option that knows the TOML types it takes,
# how a message describes them, and what else it checks; a Table holds the options of one [table].
# A key that is absent, or whose value is reported wrong, is simply left out, so the defaults are
# the config dataclasses' own and are stated nowhere else.

_INVALID = object()  # what an option's validate returns for a value it has reported


class _Reading:
    """One book.toml being read: its text (where the lines of keys are found) and what is wrong."""

    def __init__(self, project_dir: Path, text: str):
        self.project_dir = project_dir
        self.text = text
        self.problems = DiagnosticCollector()

    def error(self, message: str, key: str | None = None, table: str | None = None) -> None:
        self.problems.error(CONFIG_PATH, message, line_of_key(self.text, key, table) if key else None)


@dataclass(frozen=True)
class Key:
    """Where a value stands: its key and the table holding it (None: the top level of the file)."""

    name: str
    table: str | None
    reading: _Reading

    @property
    def prefix(self) -> str:
        """How messages name the table: "[pdf] ", or nothing at the top level."""
        return f"[{self.table}] " if self.table else ""

    def error(self, message: str) -> None:
        self.reading.error(message, self.name, self.table)


class Option:
    """A key: the Python types its TOML value may have, how a message says that ("'csl' must be a
    style name or a .csl path"), whether the file must have it, and an optional check that returns
    what is wrong with a value of the right type (or nothing)."""

    def __init__(self, types: tuple[type, ...], description: str, *, required: bool = False,
                 check: Callable[[object, Key], str | None] | None = None):
        self.types = types
        self.description = description
        self.required = required
        self.check = check

    def accepts(self, value: object) -> bool:
        # TOML dates with a time are datetimes (a subclass of date), and booleans are ints:
        # neither is what a date or a number key means.
        return isinstance(value, self.types) and not (dt.date in self.types and isinstance(value, dt.datetime)) and not (
            bool not in self.types and isinstance(value, bool))

    def validate(self, value: object, key: Key) -> object:
        """The value as the config holds it (a value of the right type); problems go to key.error."""
        if self.check and (problem := self.check(value, key)):
            key.error(problem)
        return value


def string(description: str = "a string", **options) -> Option:
    """A key whose value is a TOML string."""
    return Option((str,), description, **options)


class Strings(Option):
    """A list of strings; where the types allow a string, one string stands for a list of one."""

    def validate(self, value, key):
        values = [value] if isinstance(value, str) else value
        if not all(isinstance(v, str) for v in values):
            key.error(f"'{key.name}' must be a list of strings")
            return _INVALID
        return tuple(values)


def _inside_manuscript(name: str, key: Key) -> None:
    if Path(name).is_absolute() or ".." in Path(name).parts:
        key.error(f"'{name}' must be a path inside manuscript/")


class ManuscriptFiles(Strings):
    """File names relative to manuscript/, which they may not leave."""

    def validate(self, value, key):
        names = super().validate(value, key)
        for name in () if names is _INVALID else names:
            _inside_manuscript(name, key)
        return names


class Choices(Strings):
    """A list of names, each one of ``allowed``."""

    def __init__(self, allowed: tuple[str, ...], description: str):
        super().__init__((list,), description)
        self.allowed = allowed

    def validate(self, value, key):
        names = super().validate(value, key)
        for name in () if names is _INVALID else names:
            if name not in self.allowed:
                key.error(f"{key.prefix}{key.name}: unknown '{name}' (choose from {', '.join(self.allowed)})")
        return names


class CoverImage(Option):
    """The cover: a PNG or JPEG file inside the project, relative to manuscript/."""

    def validate(self, cover, key):
        if not cover:
            return cover
        _inside_manuscript(cover, key)
        project_dir = key.reading.project_dir
        if Path(cover).suffix.lower() not in COVER_SUFFIXES:
            key.error(f"cover '{cover}' must be a PNG or JPEG image (.png, .jpg)")
        elif not (project_dir / "manuscript" / cover).is_file():
            key.error(f"cover '{cover}' not found (the path is relative to manuscript/)")
        elif outside := outside_problem(project_dir.resolve(), project_dir / "manuscript" / cover):
            key.error(f"cover '{cover}' {outside}")
        return cover


class FontFamily(Option):
    """A font family: installed on the machine or declared with @font-face in styles/*.css."""

    def validate(self, family, key):
        from reportpub.typography.font_choice import family_problem

        styles = key.reading.project_dir / "styles"
        if problem := family_problem(key.name, family, sorted(styles.glob("*.css")) if styles.is_dir() else []):
            key.error(problem)
        return family


class PaperSize(Option):
    """A paper name of PAPER_SIZES_MM, or "WIDTH HEIGHT"; held as (name, width_mm, height_mm)."""

    def validate(self, paper, key):
        if paper in PAPER_SIZES_MM:
            return (paper, *PAPER_SIZES_MM[paper])
        parts = paper.split()
        sizes = [parse_length_mm(p) for p in parts]
        if len(parts) == 2 and all(s for s in sizes):
            return (paper, *sizes)
        key.error(f"[pdf] paper '{paper}' is not one of {' '.join(PAPER_SIZES_MM)} nor \"WIDTH HEIGHT\" such as \"148mm 210mm\"")
        return _INVALID


class Length(Option):
    """A length such as "3mm", held in millimetres."""

    def validate(self, value, key):
        millimetres = parse_length_mm(value)
        if millimetres is None:
            key.error(f"{key.prefix}{key.name} '{value}' is not a length such as \"3mm\"")
            return _INVALID
        return millimetres


class Table(Option):
    """A [table] of options, made into its config class."""

    def __init__(self, schema: dict[str, Option], make: Callable[[dict], object]):
        super().__init__((dict,), "a table")
        self.schema = schema
        self.make = make

    def validate(self, value, key):
        name = key.name if key.table is None else f"{key.table}.{key.name}"
        return self.make(read_table(value, self.schema, name, key.reading))


class History(Option):
    """The colophon's history: a list of {version, date, note} tables, held sorted by date."""

    ENTRY = {"version": string(), "date": Option((dt.date,), "a date such as 2024-12-20"), "note": string()}

    def __init__(self):
        super().__init__((list,), "a list of {version, date, note} tables")

    def validate(self, entries, key):
        history = []
        for entry in entries:
            if not isinstance(entry, dict):
                key.error(f"{key.prefix}{key.name} must be {self.description}")
                continue
            good = read_table(entry, self.ENTRY, f"{key.table}.{key.name}", key.reading)
            if "version" in good and "date" in good:
                history.append(HistoryEntry(**good))
            elif len(good) == len(entry):  # nothing reported about this entry yet
                key.error(f"{key.prefix}each history entry needs a version and a date")
        return tuple(sorted(history, key=lambda e: e.date))


def read_table(data: dict, schema: dict[str, Option], table: str | None, reading: _Reading) -> dict:
    """The validated values of the keys ``data`` has; unknown keys and wrong values are reported."""
    values = {}
    for name, value in data.items():
        key = Key(name, table, reading)
        option = schema.get(name)
        if option is None:
            key.error(f"unknown key {key.prefix}'{name}' (known keys: {', '.join(sorted(schema))})")
        elif not option.accepts(value):
            key.error(f"{key.prefix}'{name}' must be {option.description}")
        elif (result := option.validate(value, key)) is not _INVALID:
            values[name] = result
    for name, option in schema.items():
        if option.required and name not in data:
            reading.error(f"missing key '{name}'")
    return values


def _pdf_config(values: dict) -> PdfConfig:
    fields = {}
    if "paper" in values:
        fields["paper"], fields["width_mm"], fields["height_mm"] = values["paper"]
    if "bleed" in values:
        fields["bleed_mm"] = values["bleed"]
    if "cover_page" in values:
        fields["cover_page"] = values["cover_page"]
    return PdfConfig(**fields)


def _toc_depth(depth, key) -> str | None:
    if depth not in TOC_DEPTHS:
        return f"[toc] depth {depth} must be 1 (chapters), 2 (and sections) or 3 (and subsections)"
    return None


def _number_label(label, key) -> str | None:
    if label and number_form(label) is None:
        return (f"[numbering] {key.name} '{label}' holds no number: write the first label, "
                "with 1, 一 or A where the number goes (\"第1章\", \"第一章\", \"付録A\")")
    return None


def _isbn(isbn, key) -> str | None:
    return f"[colophon] isbn '{isbn}' {why}" if isbn and (why := isbn_problem(isbn)) else None


# The keys of book.toml (the product contract, spec: "A publication project"); the names are
# BookConfig's fields.
BOOK_SCHEMA: dict[str, Option] = {
    "title": string(required=True),
    "subtitle": string(),
    "authors": Strings((list,), "a list of strings"),
    "publisher": string(),
    "language": string(),
    "date": Option((dt.date,), "a date such as 2024-12-20"),
    "version": string(),
    "identifier": string(),
    "rights": string(),
    "slug": string(),
    "bibliography": ManuscriptFiles((str, list), "a file name or a list of file names"),
    "csl": string("a style name or a .csl path"),
    "chapters": ManuscriptFiles((list,), "a list of file names"),
    "appendix": ManuscriptFiles((list,), "a list of file names"),
    "cover": CoverImage((str,), "an image file name such as \"images/cover.jpg\""),
    "allow_remote": Option((bool,), "true or false"),
    "accessibility_summary": string(),
    "pdf": Table({"paper": PaperSize((str,), "a string"), "bleed": Length((str,), "a length such as \"3mm\""),
                  "cover_page": Option((bool,), "true or false")}, _pdf_config),
    "editions": Table({"formats": Choices(FORMATS, "a list"), "modes": Choices(MODES, "a list")},
                      lambda values: EditionsConfig(**values)),
    "toc": Table({"depth": Option((int,), "1, 2 or 3", check=_toc_depth)}, lambda values: TocConfig(**values)),
    "numbering": Table({"chapters": string("a label such as \"第1章\", \"1\" or \"第一章\", or \"\" for none", check=_number_label),
                        "appendix": string("a label such as \"付録A\"", check=_number_label)},
                       lambda values: NumberingConfig(**values)),
    "fonts": Table({"serif": FontFamily((str,), "a font family name such as \"Noto Serif CJK JP\""),
                    "sans": FontFamily((str,), "a font family name such as \"Noto Sans CJK JP\"")},
                   lambda values: FontsConfig(**values)),
    "colophon": Table({"isbn": string("a string such as \"978-4-00-000000-0\"", check=_isbn), "printer": string(),
                       "contact": string(), "history": History()},
                      lambda values: ColophonConfig(**values)),
}


def _read_toml(project_dir: Path) -> tuple[str, dict]:
    """book.toml's text and its data; a file that is missing, unreadable or not TOML is an error."""
    try:
        raw_bytes = resolve_input(project_dir.resolve(), project_dir / CONFIG_PATH).read_bytes()
    except FileNotFoundError:
        raise ReportpubError.at(CONFIG_PATH, "no book.toml: is this a reportpub project? (reportpub init DIR makes one)")
    except OSError as exc:
        raise ReportpubError.at(CONFIG_PATH, f"cannot read: {exc.strerror}")
    text = decode_utf8(raw_bytes, CONFIG_PATH)
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        line = int(m.group(1)) if m else None
        raise ReportpubError.at(CONFIG_PATH, f"malformed TOML: {message}{_bare_word_hint(text, line)}", line)


def load_config(project_dir: Path) -> BookConfig:
    """Read and validate manuscript/book.toml; raise one ReportpubError with every problem."""
    text, data = _read_toml(project_dir)
    reading = _Reading(project_dir, text)
    values = read_table(data, BOOK_SCHEMA, None, reading)
    for name in set(values.get("chapters") or ()) & set(values.get("appendix", ())):
        reading.error(f"'{name}' is listed both in chapters and in appendix", "appendix")
    reading.problems.raise_if_errors()

    # Only a book.toml without other faults comes this far: the slug and identifier follow from it.
    slug = values.get("slug") or safe_slug(project_dir.resolve().name)
    if slug != safe_slug(slug):
        raise ReportpubError.at(CONFIG_PATH, f"slug '{slug}' may hold only letters, digits, '.', '_' and '-'",
                                line_of_key(text, "slug"))
    values["slug"] = slug
    values["identifier"] = values.get("identifier") or (
        f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'reportpub:' + values.get('title', '') + ':' + slug)}")
    return BookConfig(**values, path=CONFIG_PATH)
