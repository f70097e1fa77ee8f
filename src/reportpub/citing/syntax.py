"""Citation syntax: ``[@key]``, ``[@key, p. 45]``, ``[-@key]``, ``[see @a; @b, 第2章]``.

The syntax follows Pandoc's citations, with Japanese locators added:

* a group in square brackets holds one or more citations separated by ``;``;
* each citation is ``prefix @key, locator suffix``; prefix and suffix are optional;
* ``-@key`` suppresses the author (e.g. when the text already names them);
* a key starts with an ASCII letter, digit or ``_`` and goes on with letters,
  digits, ``_`` and internal ``:.#$%&-+?<>~/`` (punctuation followed by a letter
  or digit), like Pandoc's; a key that holds Japanese characters or other
  punctuation is written in braces, ``@{田中2020}``;
* a locator follows the comma after the key: ``p. 45``, ``pp. 3-5``, ``chap. 2``,
  ``sec. 3``, ``vol. 2``, ``no. 3``, ``fig. 1``, ``para. 4``, ``l. 7``, ``n. 2``,
  ``col. 2`` (also spelt out: ``page``, ``chapter``, ...), a bare number (a page),
  or a Japanese form: ``45頁``, ``45ページ``, ``p.45``, ``第2章``, ``第3節``, ``第2巻``,
  ``第3号``, ``第1部``, ``図3``, ``表2``, ``注4``, ``12行``. Text after the
  locator is the suffix.

The text of a group is Markdown's, as the author wrote it: a code span in a prefix, locator or
suffix (```` `x` ````) is set as code in the note, and a backslash escapes an ASCII punctuation
mark (``\\```, ``\\\\``). A ``;`` or ``@`` inside a code span or escaped is text, never syntax.
:func:`as_written_code` and :func:`as_written_mark` write the two forms, :func:`affix_html` reads them.

The build finds such groups with one Markdown inline pattern
(:mod:`reportpub.manuscript.citations`); ``reportpub check`` reads the book the same
way, so the two never disagree about what is a citation.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

from reportpub.diagnostics import ReportpubError
from reportpub.typography.scripts import JAPANESE_TEXT

__all__ = [
    "CitationItem",
    "Citation",
    "parse_citation",
    "LOCATOR_LABELS",
    "affix_html",
    "as_written_code",
    "as_written_mark",
]


@dataclass(frozen=True)
class CitationItem:
    """One cited work inside a citation group."""

    key: str
    locator_label: str | None = None  # a CSL locator term: "page", "chapter", "section", ...
    locator: str | None = None  # as written, digits made half-width, dashes made "-"
    suppress_author: bool = False
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Citation:
    """A citation group: the contents of one ``[...]``, rendered as one note."""

    items: tuple[CitationItem, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not isinstance(self.items, tuple):
            object.__setattr__(self, "items", tuple(self.items))

    @property
    def keys(self) -> list[str]:
        return [item.key for item in self.items]


# ------------------------------------------------- code spans and escapes

# A backslash before an ASCII punctuation mark, or a run of backticks.
_ESCAPE_OR_TICKS = re.compile(r"\\([!-/:-@\[-`{-~])|(`+)")


def as_written_mark(char: str) -> str:
    """A punctuation mark the author escaped, or a backslash or backtick meant as text."""
    return "\\" + char


def as_written_code(code: str) -> str:
    """A code span holding ``code``: fenced by one backtick more than its longest run, and
    spaced inside when it holds one (as authors write it, and needed at its ends)."""
    longest = max((len(run) for run in re.findall("`+", code)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest else ""
    return f"{fence}{pad}{code}{pad}{fence}"


def _pieces(text: str):
    """(start, end, kind, value) of each escape ("mark", the character) and code span ("code",
    its text) in ``text``; a run of backticks with no closing run of the same length is text."""
    at = 0
    while True:
        m = _ESCAPE_OR_TICKS.search(text, at)
        if m is None:
            return
        if m.group(1) is not None:
            yield m.start(), m.end(), "mark", m.group(1)
            at = m.end()
            continue
        fence = m.group(2)
        close = re.compile(rf"(?<!`){fence}(?!`)").search(text, m.end())
        if close is None:
            at = m.end()
            continue
        yield m.start(), close.end(), "code", text[m.end():close.start()].strip()
        at = close.end()


def _masked(text: str) -> str:
    """``text`` with every escape and code span blanked out, offsets kept: where ``;`` and ``@``
    are syntax."""
    for start, end, _, _ in _pieces(text):
        text = text[:start] + "\0" * (end - start) + text[end:]
    return text


def affix_html(text: str) -> str:
    """A prefix or suffix as note HTML: its code spans as ``<code>``, its escapes as the marks."""
    out, at = [], 0
    for start, end, kind, value in _pieces(text):
        out.append(html.escape(text[at:start], quote=False))
        out.append(f"<code>{html.escape(value, quote=False)}</code>" if kind == "code" else html.escape(value, quote=False))
        at = end
    out.append(html.escape(text[at:], quote=False))
    return "".join(out)


# ------------------------------------------------------------------ locators

_WESTERN_LABELS = {
    "page": ("p", "pp", "pg", "pgs", "page", "pages"),
    "chapter": ("ch", "chs", "chap", "chaps", "chapter", "chapters"),
    "section": ("sec", "secs", "sect", "section", "sections", "§", "§§"),
    "volume": ("v", "vol", "vols", "volume", "volumes"),
    "issue": ("no", "nos", "number", "numbers", "issue", "issues"),
    "figure": ("fig", "figs", "figure", "figures"),
    "table": ("tab", "tbl", "table", "tables"),
    "paragraph": ("para", "paras", "paragraph", "paragraphs", "¶", "¶¶"),
    "line": ("l", "ll", "line", "lines"),
    "note": ("n", "nn", "note", "notes"),
    "column": ("col", "cols", "column", "columns"),
    "part": ("pt", "pts", "part", "parts"),
    "book": ("bk", "bks", "book", "books"),
    "appendix": ("app", "appx", "appendix"),
}
LOCATOR_LABELS = frozenset(_WESTERN_LABELS)
_LABEL_OF = {word: label for label, words in _WESTERN_LABELS.items() for word in words}

_NUM = r"(?:[0-9０-９]+[A-Za-z]?|[ivxlcdmIVXLCDM]+(?![A-Za-z]))"
_DASH = r"[-‐‑–—~〜～－]"
_RANGE = rf"{_NUM}(?:\s*{_DASH}\s*{_NUM})?"
_VALUE = rf"{_RANGE}(?:\s*[,、&]\s*{_RANGE})*"
_DIGITS_RANGE = r"(?:[0-9０-９]+(?:\s*" + _DASH + r"\s*[0-9０-９]+)?)"
_DIGITS_VALUE = rf"{_DIGITS_RANGE}(?:\s*[,、]\s*{_DIGITS_RANGE})*"
_KANSUJI = "0-9０-９一二三四五六七八九十百千〇零"

_WESTERN_LOCATOR = re.compile(
    r"(?P<label>§§|§|¶¶|¶|[A-Za-z]+)(?:\.|(?=\s)|(?=[0-9]))\s*(?P<value>" + _VALUE + r")(?![0-9A-Za-z])"
)
_BARE_PAGE = re.compile(r"(?P<value>" + _DIGITS_VALUE + r")(?![0-9A-Za-z０-９頁ペ])")
_JA_PAGE = re.compile(r"(?P<value>" + _DIGITS_VALUE + r")\s*(?:頁|ページ|ぺーじ|p\b|pp\b)")
_JA_ORDINAL = re.compile(
    rf"第\s*(?P<value>[{_KANSUJI}]+(?:\s*{_DASH}\s*[{_KANSUJI}]+)?)\s*(?P<unit>章|節|巻|号|部|編|項|段落|段)"
)
_JA_PREFIXED = re.compile(rf"(?P<unit>図|表|注)\s*(?P<value>{_DIGITS_VALUE})")
_JA_LINE = re.compile(rf"(?P<value>{_DIGITS_VALUE})\s*行目?")
_JA_UNITS = {
    "章": "chapter", "節": "section", "巻": "volume", "号": "issue", "部": "part",
    "編": "part", "項": "section", "段落": "paragraph", "段": "column",
    "図": "figure", "表": "table", "注": "note",
}


def _clean_value(value: str) -> str:
    value = unicodedata.normalize("NFKC", value)
    value = re.sub(r"\s*" + _DASH + r"\s*", "-", value)
    value = re.sub(r"\s*[,、]\s*", ", ", value)
    return value.strip()


def _parse_locator(text: str) -> tuple[str | None, str | None, str]:
    """Split the text after the comma into (label, locator, suffix)."""
    m = _JA_ORDINAL.match(text)
    if m:
        return _JA_UNITS[m.group("unit")], _clean_value(m.group("value")), text[m.end():].strip()
    m = _JA_PREFIXED.match(text)
    if m:
        return _JA_UNITS[m.group("unit")], _clean_value(m.group("value")), text[m.end():].strip()
    m = _JA_PAGE.match(text)
    if m:
        return "page", _clean_value(m.group("value")), text[m.end():].strip()
    m = _JA_LINE.match(text)
    if m:
        return "line", _clean_value(m.group("value")), text[m.end():].strip()
    m = _WESTERN_LOCATOR.match(text)
    if m and m.group("label").lower() in _LABEL_OF:
        return _LABEL_OF[m.group("label").lower()], _clean_value(m.group("value")), text[m.end():].strip()
    m = _BARE_PAGE.match(text)
    if m:
        return "page", _clean_value(m.group("value")), text[m.end():].strip()
    return None, None, text.strip()


# --------------------------------------------------------------------- keys

_KEYCHAR = rf"(?:(?![{JAPANESE_TEXT}])\w)"
_KEY = re.compile(rf"[A-Za-z0-9_](?:{_KEYCHAR}|[:.#$%&\-+?<>~/](?={_KEYCHAR}))*")
_BRACED_KEY = re.compile(r"\{([^{}\n]+)\}")


def _key_starts(segment: str) -> list[int]:
    """Offsets of every '@' that starts a citation (not an e-mail address)."""
    starts = []
    for m in re.finditer("@", _masked(segment)):
        i = m.start()
        prev = segment[i - 1] if i else ""
        if prev and (prev.isascii() and (prev.isalnum() or prev in "._%+@")):
            continue
        starts.append(i)
    return starts


def _split_groups(text: str) -> list[str]:
    """Split at ';' outside braces, code spans and escapes."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(_masked(text)):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif ch == ";" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _read_key(segment: str, at: int) -> tuple[str, int] | None:
    m = _BRACED_KEY.match(segment, at + 1)
    if m and m.group(1).strip():
        return m.group(1).strip(), m.end()
    m = _KEY.match(segment, at + 1)
    if m:
        return m.group(), m.end()
    return None


def parse_citation(text: str, *, path: str = "<citation>", line: int | None = None) -> Citation:
    """Parse the inside of ``[...]`` into a :class:`Citation`.

    Raises :class:`ReportpubError` (at ``path:line``) when the text is not a
    well-formed citation group: no key, a key-less '@', an empty part between
    semicolons, two keys without a semicolon between them.
    """
    if not isinstance(text, str):
        raise ReportpubError.at(path, "a citation must be text", line)
    shown = " ".join(text.split())
    if len(shown) > 60:
        shown = shown[:57] + "…"
    if not text.strip():
        raise ReportpubError.at(path, "empty citation '[]'", line)
    items = []
    for segment in _split_groups(text):
        if not segment.strip():
            raise ReportpubError.at(path, f"empty part between ';' in citation '[{shown}]'", line)
        starts = _key_starts(segment)
        if not starts:
            raise ReportpubError.at(path, f"no citation key (@key) in '{segment.strip()}' of '[{shown}]'", line)
        found = []
        for at in starts:
            key = _read_key(segment, at)
            if key is None:
                raise ReportpubError.at(path, f"'@' without a citation key in '[{shown}]'", line)
            found.append((at, key))
        if len(found) > 1:
            a, b = found[0][1][0], found[1][1][0]
            raise ReportpubError.at(
                path, f"citations '@{a}' and '@{b}' need a ';' between them in '[{shown}]'", line
            )
        at, (key, end) = found[0]
        prefix = segment[:at]
        suppress = False
        if prefix.endswith("-") and (len(prefix) == 1 or prefix[-2].isspace()):
            suppress = True
            prefix = prefix[:-1]
        rest = segment[end:]
        label = locator = None
        stripped = rest.lstrip()
        if stripped.startswith(","):
            label, locator, suffix = _parse_locator(stripped[1:].strip())
            if label is None and suffix:
                suffix = ", " + suffix
        else:
            suffix = rest.strip()
        items.append(
            CitationItem(
                key=key,
                locator_label=label,
                locator=locator,
                suppress_author=suppress,
                prefix=" ".join(prefix.split()),
                suffix=" ".join(suffix.split()),
            )
        )
    return Citation(tuple(items))


