"""BibTeX → CSL items: a thin adapter over bibtexparser 2.

bibtexparser splits the file into blocks (each with its ``start_line``; a block it
cannot parse becomes a failed block with its line), splits name lists and decodes
LaTeX. What stays here is what bibtexparser does not know:

* an author's error as ``path:line: message`` at the entry's own line, or where the
  entry breaks when that can be told (the field whose braces never close, the field
  that names an undefined ``@string``);
* ``@string`` macros and ``#`` concatenation, resolved here so that an undefined
  macro is an error instead of text (bibtexparser leaves it as the macro's name);
* the Japanese name rule: a CJK name without a comma is family-first (``田中 花子`` is
  family 田中, given 花子), a CJK name without a space is one name (``田中花子``);
* the mapping of BibTeX/BibLaTeX entry types and fields to CSL-JSON.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import bibtexparser
from bibtexparser.middlewares import LatexDecodingMiddleware
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import Entry, Field, ImplicitComment, ParsingFailedBlock

from reportpub.diagnostics import ReportpubError
from reportpub.typography.scripts import JAPANESE_LETTER

__all__ = ["BibtexRecord", "parse_bibtex", "bibtex_to_csl", "split_names"]


@dataclass
class BibtexRecord:
    """One ``@type{key, field = value, ...}`` entry; values are Unicode text, names CSL names."""

    type: str
    key: str
    fields: dict[str, str]
    names: dict[str, list[dict[str, str]]]
    line: int


_MONTH_MACROS = {m: str(i + 1) for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
_NAME_FIELDS = ("author", "editor", "translator")
_VERBATIM_FIELDS = frozenset({"url", "doi", "urldate", "eprint", "file"})
_DECODER = LatexDecodingMiddleware()

# bibtexparser logs each failed block ("Parsing of `@article` block (line 0) aborted…"); the
# author gets one path:line error from here instead
_LOG = logging.getLogger("bibtexparser")
_LOG.addHandler(logging.NullHandler())
_LOG.propagate = False


class _BadValue(Exception):
    def __init__(self, message: str, offset: int = 0):
        super().__init__(message)
        self.offset = offset


def parse_bibtex(text: str, display: str = "<bibtex>") -> list[BibtexRecord]:
    """Parse BibTeX source into records. Errors name the line of the broken entry."""
    library = bibtexparser.parse_string(text, parse_stack=[])  # raw values: macros are resolved below
    for block in library.blocks:
        if isinstance(block, ParsingFailedBlock) and type(block).__name__ != "DuplicateBlockKeyBlock":
            raise _syntax_error(block, text, display)
        if isinstance(block, ImplicitComment):
            # bibtexparser keeps "@book x, ..." (no brace) as text between entries: an entry meant
            m = _ENTRY_WITHOUT_BRACE.search(block.comment)
            if m:
                line = _line(block.start_line) + block.raw[: block.raw.find(m.group(0))].count("\n")
                raise ReportpubError.at(display, f"invalid BibTeX entry: expected '{{' after '@{m.group(1)}'", line)
            # ... and keeps what follows a '}' too many ("title = {A}}, year = 2020}") as text
            # between entries: the rest of the entry would be dropped without a word.
            m = _FIELDS_AFTER_ENTRY.match(block.raw)
            if m:
                line = _line(block.start_line) + m.group(0).count("\n")
                raise ReportpubError.at(display, f"invalid BibTeX entry: field '{m.group(1)}' comes after the entry "
                                        "was closed (a '}' too many before it?)", line)
    macros = dict(_MONTH_MACROS)
    for string in library.strings:
        try:
            macros[string.key.lower()] = _resolve(string.value, macros)
        except _BadValue as exc:
            raise ReportpubError.at(display, f"invalid BibTeX @string '{string.key}': {exc}",
                                    _line(string.start_line)) from None
    records = []
    for entry in _entries_in_order(library):
        if not entry.key.strip():
            raise ReportpubError.at(display, "invalid BibTeX entry: entry has no citation key", _line(entry.start_line))
        raw: dict[str, str] = {}
        for field in entry.fields:
            if field.key.lower() in raw:
                continue
            try:
                raw[field.key.lower()] = _resolve(field.value, macros)
            except _BadValue as exc:
                line = _line(field.start_line) + field.value[: exc.offset].count("\n")
                raise ReportpubError.at(display, f"invalid BibTeX entry '{entry.key}': field '{field.key}': {exc}",
                                        line) from None
        records.append(_record(entry, raw))
    return records


def _entries_in_order(library) -> list[Entry]:
    """Every entry, a duplicate key included (bibliography.py reports it at its line)."""
    entries = []
    for block in library.blocks:
        if isinstance(block, Entry):
            entries.append(block)
        elif type(block).__name__ == "DuplicateBlockKeyBlock":
            entries.append(block.ignore_error_block)
    return entries


def _line(start_line: int | None) -> int:
    return (start_line or 0) + 1  # bibtexparser counts lines from 0


def _syntax_error(block: ParsingFailedBlock, text: str, display: str) -> ReportpubError:
    """The failed block as ``path:line``: at the field whose braces never close, if one
    does not, else at the entry's first line."""
    raw = block.raw or ""
    header = re.match(r"@\s*([A-Za-z]+)\s*([{(])?\s*([^\s,{}()]*)", raw)
    kind = header.group(1) if header else ""
    key = header.group(3) if header else ""
    line = _line(block.start_line)
    reason = getattr(block.error, "abort_reason", str(block.error)).strip().rstrip(".")
    if header and not header.group(2):
        return ReportpubError.at(display, f"invalid BibTeX entry: expected '{{' after '@{kind}'", line)
    unclosed = _unclosed_value(raw)
    what = f"entry '{key}'" if key else "entry"
    if unclosed is not None:
        field, offset = unclosed
        return ReportpubError.at(display, f"invalid BibTeX entry: {what}: the value of field '{field}' "
                                 "is not closed (a '}' or '\"' is missing)", line + raw[:offset].count("\n"))
    if "end of file" in reason or "Unexpected block start" in reason or "Expected a `=`" in reason:
        return ReportpubError.at(display, f"invalid BibTeX entry: {what} is not closed with '}}' ({reason})", line)
    return ReportpubError.at(display, f"invalid BibTeX entry: {what}: {reason}", line)


_FIELDS_AFTER_ENTRY = re.compile(r"\s*,\s*([A-Za-z][\w-]*)\s*=")
_ENTRY_WITHOUT_BRACE = re.compile(r"(?m)^\s*@\s*([A-Za-z]+)\b(?!\s*[{(])")
_SWALLOWED_FIELD = re.compile(r"[,}]\s*\n\s*[A-Za-z][\w\-:.+/]*\s*=")
_FIELD_START = re.compile(r"([A-Za-z][\w\-:.+/]*)\s*=\s*")


def _unclosed_value(raw: str) -> tuple[str, int] | None:
    """(field, offset) of a braced or quoted value in a block's text that never closes, or
    that runs on over the next fields ("{Unclosed,\n  year = 2020,\n}")."""
    opening = raw.find("{") if "{" in raw else raw.find("(")
    pos = opening + 1
    while True:
        m = _FIELD_START.search(raw, pos)
        if m is None:
            return None
        start = m.end()
        if start >= len(raw):
            return None
        if raw[start] == "{":
            depth, i = 0, start
            while i < len(raw):
                ch = raw[i]
                if ch == "\\":
                    i += 2
                    continue
                depth += ch == "{"
                depth -= ch == "}"
                if depth == 0:
                    break
                i += 1
            if depth or _SWALLOWED_FIELD.search(raw, start, i):
                return m.group(1), m.start()  # never closed, or closed only by a later field's brace
            pos = i + 1
        elif raw[start] == '"':
            end = raw.find('"', start + 1)
            if end < 0:
                return m.group(1), m.start()
            pos = end + 1
        else:
            pos = start + 1


def _resolve(value: str, macros: dict[str, str]) -> str:
    """A raw BibTeX value (``{…}``, ``"…"``, a number, a macro, joined by ``#``) as its LaTeX text."""
    parts, i, n = [], 0, len(value)
    while True:
        while i < n and value[i].isspace():
            i += 1
        if i >= n:
            raise _BadValue("missing value", i)
        ch = value[i]
        if ch == "{" or ch == '"':
            end = _closing(value, i)
            parts.append(value[i + 1 : end])
            i = end + 1
        else:
            m = re.compile(r"[^\s#{}\"]+").match(value, i)
            word = m.group()
            if word.isdigit():
                parts.append(word)
            elif word.lower() in macros:
                parts.append(macros[word.lower()])
            else:
                raise _BadValue(f"undefined @string macro '{word}'", i)
            i = m.end()
        end_of_part = i
        while i < n and value[i].isspace():
            i += 1
        if i >= n:
            return "".join(parts)
        if value[i] != "#":
            raise _BadValue(f"expected ',' or '}}' after the value, found '{value[i]}'", end_of_part)
        i += 1


def _closing(value: str, i: int) -> int:
    """Index of the brace or quote that closes the one at ``i``."""
    quote = value[i] == '"'
    depth, k = 0, i + (1 if quote else 0)
    while k < len(value):
        ch = value[k]
        if ch == "\\":
            k += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0 or (depth == 0 and not quote):
                if depth < 0:
                    raise _BadValue("unbalanced '}' in value", k)
                return k
        elif ch == '"' and quote and depth == 0:
            return k
        k += 1
    raise _BadValue("value is not closed", i)


# Text and names ---------------------------------------------------------------


def _decode(values: dict[str, str]) -> dict[str, str]:
    """LaTeX → Unicode through bibtexparser's decoder, whitespace collapsed."""
    library = bibtexparser.Library([Entry("decode", "decode", [Field(k, v) for k, v in values.items()])])
    decoded = _DECODER.transform(library).entries[0]
    return {f.key: re.sub(r"\s+", " ", str(f.value)).strip() for f in decoded.fields}




def split_names(value: str) -> list[dict[str, str]]:
    """A BibTeX name list ("A and B") as CSL names.

    bibtexparser splits the list and each name into first/von/last/jr; a name wholly
    in braces (``{World Health Organization}``) is a literal (an organisation). The
    Japanese rule comes first: a CJK name without a comma is family-first
    (``田中 花子``), a CJK name without a space a literal (``田中花子``). ``and others``
    is dropped."""
    names = []
    for raw in split_multiple_persons_names(value.strip()):
        raw = raw.strip()
        if not raw or raw.lower() == "others":
            continue
        if _wholly_braced(raw):
            names.append({"literal": _decode({"n": raw[1:-1]})["n"]})
            continue
        if JAPANESE_LETTER.search(raw) and "," not in raw:
            words = _decode({"n": raw})["n"].split()
            names.append({"family": words[0], "given": "".join(words[1:])} if len(words) > 1 else {"literal": words[0]})
            continue
        parts = parse_single_name_into_parts(raw, strict=False)
        text = _decode({"first": " ".join(parts.first), "von": " ".join(parts.von),
                        "last": " ".join(parts.last), "jr": " ".join(parts.jr)})
        name = {"family": text["last"]} if text["last"] else {"literal": text["first"]}
        if text["von"]:
            name["non-dropping-particle"] = text["von"]
        if text["first"] and text["last"]:
            name["given"] = text["first"]
        if text["jr"]:
            name["suffix"] = text["jr"]
        names.append(name)
    return names


def _wholly_braced(text: str) -> bool:
    """``{World Health Organization}``: one brace group from the first character to the last."""
    if not text.startswith("{"):
        return False
    try:
        return _closing(text, 0) == len(text) - 1
    except _BadValue:  # unbalanced: not a group
        return False


def _record(entry: Entry, raw: dict[str, str]) -> BibtexRecord:
    names = {k: split_names(raw[k]) for k in _NAME_FIELDS if raw.get(k, "").strip()}
    decoded = _decode({k: v for k, v in raw.items() if k not in _VERBATIM_FIELDS and k not in _NAME_FIELDS})
    for key in _VERBATIM_FIELDS & raw.keys():
        decoded[key] = re.sub(r"\s+", "", raw[key].replace("{", "").replace("}", ""))
    return BibtexRecord(entry.entry_type.lower(), entry.key, decoded, names, _line(entry.start_line))


# Entry mapping ----------------------------------------------------------------

_TYPE_MAP = {
    "article": "article-journal",
    "book": "book",
    "mvbook": "book",
    "booklet": "pamphlet",
    "inbook": "chapter",
    "incollection": "chapter",
    "bookinbook": "chapter",
    "suppbook": "chapter",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "proceedings": "book",
    "mvproceedings": "book",
    "collection": "book",
    "mvcollection": "book",
    "manual": "book",
    "techreport": "report",
    "report": "report",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "online": "webpage",
    "www": "webpage",
    "electronic": "webpage",
    "unpublished": "manuscript",
    "patent": "patent",
    "dataset": "dataset",
    "software": "software",
    "periodical": "periodical",
    "newspaper": "article-newspaper",
    "inreference": "entry-encyclopedia",
    "reference": "book",
    "standard": "standard",
    "misc": "document",
}

_LANGS = {
    "japanese": "ja", "english": "en", "american": "en-US", "british": "en-GB", "german": "de",
    "ngerman": "de", "french": "fr", "chinese": "zh", "korean": "ko", "spanish": "es",
    "italian": "it", "russian": "ru",
}

_SIMPLE_FIELDS = {
    "title": "title",
    "shorttitle": "title-short",
    "edition": "edition",
    "volume": "volume",
    "volumes": "number-of-volumes",
    "pagetotal": "number-of-pages",
    "series": "collection-title",
    "note": "note",
    "isbn": "ISBN",
    "issn": "ISSN",
    "type": "genre",
    "version": "version",
    "eventtitle": "event",
    "venue": "event-place",
    "chapter": "chapter-number",
    "abstract": "abstract",
    "addendum": "references",
}

_THESIS_GENRES = {"phdthesis": ("博士論文", "PhD thesis"), "mastersthesis": ("修士論文", "Master's thesis")}


def bibtex_to_csl(record: BibtexRecord, display: str = "<bibtex>") -> dict[str, Any]:
    """Map a BibTeX/BibLaTeX record to a CSL item (not yet normalised)."""
    text = record.fields
    item: dict[str, Any] = {"id": record.key}
    subtype = text.get("entrysubtype", "").lower()
    ctype = _TYPE_MAP.get(record.type, "document")
    if record.type == "article" and subtype in ("newspaper", "magazine"):
        ctype = "article-" + subtype
    url = text.get("url") or _howpublished_url(text.get("howpublished", ""))
    if record.type == "misc" and url:
        ctype = "webpage"
    item["type"] = ctype
    item.update(record.names)
    for bib_name, csl_name in _SIMPLE_FIELDS.items():
        if text.get(bib_name):
            item[csl_name] = text[bib_name]
    if text.get("subtitle") and item.get("title"):
        item["title"] = f"{item['title']}: {text['subtitle']}"
    if text.get("howpublished") and not _howpublished_url(text["howpublished"]):
        item["medium"] = text["howpublished"]
    container = text.get("journaltitle") or text.get("journal") or text.get("booktitle")
    if container:
        item["container-title"] = container
    if text.get("pages"):
        item["page"] = re.sub(r"\s*[–—-]+\s*", "-", text["pages"])
    number, issue = text.get("number"), text.get("issue")
    if ctype.startswith("article") or ctype == "periodical":
        if number or issue:
            item["issue"] = issue or number
    else:
        if number:
            item["number"] = number
        if issue:
            item["issue"] = issue
    publisher = text.get("publisher") or text.get("institution") or text.get("school") or text.get("organization")
    if publisher:
        item["publisher"] = publisher
    if record.type in _THESIS_GENRES and "genre" not in item:
        japanese = bool(JAPANESE_LETTER.search(text.get("title", "") + (publisher or "")))
        item["genre"] = _THESIS_GENRES[record.type][0 if japanese else 1]
    place = text.get("location") or text.get("address")
    if place:
        item["publisher-place"] = place
    issued = _bib_date(text)
    if issued:
        item["issued"] = issued
    if text.get("urldate"):
        item["accessed"] = text["urldate"]
    if url:
        item["URL"] = url
    if text.get("doi"):
        item["DOI"] = re.sub(r"^https?://(dx\.)?doi\.org/", "", text["doi"])
    lang = (text.get("langid") or text.get("language") or "").strip().lower()
    if lang:
        item["language"] = _LANGS.get(lang, lang)
    for key in ("yomi", "reading"):
        if text.get(key):
            item["reading"] = text[key]
            break
    return item


def _howpublished_url(value: str) -> str | None:
    m = re.match(r"\s*(https?://\S+)\s*$", value)
    return m.group(1) if m else None


_MONTH_NAMES = {
    name: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}


def _bib_date(text: dict[str, str]) -> Any:
    if text.get("date"):
        return text["date"]
    year = text.get("year", "").strip()
    if not year:
        return None
    m = re.match(r"^(\d{1,4})$", unicodedata.normalize("NFKC", year))
    if not m:
        return {"literal": year}
    parts = [int(m.group(1))]
    month = unicodedata.normalize("NFKC", text.get("month", "").strip().lower().rstrip("."))
    if month:
        num = int(month) if month.isdigit() else _MONTH_NAMES.get(month)
        if num and 1 <= num <= 12:
            parts.append(num)
            day = unicodedata.normalize("NFKC", text.get("day", "").strip())
            if day.isdigit() and 1 <= int(day) <= 31:
                parts.append(int(day))
    return {"date-parts": [parts]}
