"""BibTeX → CSL items: a thin adapter over bibtexparser 2.

bibtexparser splits the file into blocks (each with its ``start_line``), splits name
lists and names (its names middleware's functions), decodes LaTeX (its
``LatexDecodingMiddleware``) and reads month names (its ``MonthIntMiddleware``).
``bibtex_source`` says where the source goes wrong, as ``path:line`` errors, and resolves
``@string`` macros and ``#``. What stays here is what bibtexparser does not know:

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
from bibtexparser.middlewares import LatexDecodingMiddleware, MonthIntMiddleware
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import Entry, Field

from reportpub.citing.bibtex_source import check_blocks, line_of, resolved_entries, wholly_braced
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


_NAME_FIELDS = ("author", "editor", "translator")
_VERBATIM_FIELDS = frozenset({"url", "doi", "urldate", "eprint", "file"})
_DECODER = LatexDecodingMiddleware()
_MONTHS = MonthIntMiddleware()

# bibtexparser logs each failed block ("Parsing of `@article` block (line 0) aborted…"); the
# author gets one path:line error from here instead
_LOG = logging.getLogger("bibtexparser")
_LOG.addHandler(logging.NullHandler())
_LOG.propagate = False


def parse_bibtex(text: str, display: str = "<bibtex>") -> list[BibtexRecord]:
    """Parse BibTeX source into records. Errors name the line where the entry breaks."""
    library = bibtexparser.parse_string(text, parse_stack=[])  # raw values: bibtex_source resolves them
    check_blocks(library.blocks, display)
    return [_record(entry, values) for entry, values in resolved_entries(library, display)]


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
        if wholly_braced(raw):
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


def _record(entry: Entry, raw: dict[str, str]) -> BibtexRecord:
    names = {k: split_names(raw[k]) for k in _NAME_FIELDS if raw.get(k, "").strip()}
    decoded = _decode({k: v for k, v in raw.items() if k not in _VERBATIM_FIELDS and k not in _NAME_FIELDS})
    for key in _VERBATIM_FIELDS & raw.keys():
        decoded[key] = re.sub(r"\s+", "", raw[key].replace("{", "").replace("}", ""))
    return BibtexRecord(entry.entry_type.lower(), entry.key, decoded, names, line_of(entry.start_line))


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
    month = unicodedata.normalize("NFKC", text.get("month", "").strip())
    if month:
        num, _ = _MONTHS.resolve_month_field_val(Field("month", month))  # "mar", "March", "3" → 3
        if isinstance(num, int):
            parts.append(num)
            day = unicodedata.normalize("NFKC", text.get("day", "").strip())
            if day.isdigit() and 1 <= int(day) <= 31:
                parts.append(int(day))
    return {"date-parts": [parts]}
