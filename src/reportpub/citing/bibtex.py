"""BibTeX → CSL items: a reader for .bib files that keeps each entry's line for errors.

It parses entries, strings (@string macros), braces and quotes, turns LaTeX accents and
escapes into Unicode, splits author lists the BibTeX way ("Family, Given", "{Organisation}",
"and"), and maps entry types and fields to CSL-JSON. Its own parser is kept (rather than
bibtexparser) because an author's error must name the line of the broken entry.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from reportpub.diagnostics import ReportpubError, line_of_offset


@dataclass
class BibtexRecord:
    """One ``@type{key, field = value, ...}`` entry; values are raw LaTeX text."""

    type: str
    key: str
    fields: dict[str, str]
    line: int


_MONTHS = {
    m: str(i + 1)
    for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())
}


class _BibtexSyntaxError(Exception):
    def __init__(self, message: str, pos: int):
        super().__init__(message)
        self.pos = pos


def parse_bibtex(text: str, display: str = "<bibtex>") -> list[BibtexRecord]:
    """Parse BibTeX source into records. Errors name the line of the broken entry."""
    records: list[BibtexRecord] = []
    macros = dict(_MONTHS)
    pos = 0
    n = len(text)
    while True:
        at = _next_entry_start(text, pos)
        if at < 0:
            break
        entry_line = line_of_offset(text, at)
        try:
            pos, record = _parse_entry(text, at, macros)
        except _BibtexSyntaxError as exc:
            raise ReportpubError.at(display, f"invalid BibTeX entry: {exc}", entry_line) from None
        except RecursionError:
            raise ReportpubError.at(display, "invalid BibTeX entry: nested too deeply", entry_line) from None
        if record is not None:
            record.line = entry_line
            records.append(record)
        if pos >= n:
            break
    return records


def _next_entry_start(text: str, pos: int) -> int:
    """Position of the next '@' that starts an entry (not inside % comments or words)."""
    while True:
        at = text.find("@", pos)
        if at < 0:
            return -1
        line_start = text.rfind("\n", 0, at) + 1
        before = text[line_start:at]
        if "%" in before or (at > 0 and (text[at - 1].isalnum() or text[at - 1] in "._-+")):
            pos = at + 1
            continue
        return at


_IDENT = re.compile(r"[A-Za-z][\w\-:.+/]*")
_WS = re.compile(r"\s*")


def _parse_entry(text: str, at: int, macros: dict[str, str]) -> tuple[int, BibtexRecord | None]:
    pos = at + 1
    m = _IDENT.match(text, pos)
    if not m:
        raise _BibtexSyntaxError("expected an entry type after '@'", pos)
    etype = m.group().lower()
    pos = _WS.match(text, m.end()).end()
    if pos >= len(text) or text[pos] not in "{(":
        raise _BibtexSyntaxError(f"expected '{{' after '@{m.group()}'", pos)
    opener = text[pos]
    closer = "}" if opener == "{" else ")"
    pos += 1
    if etype == "comment":
        end = _skip_balanced(text, pos, opener, closer)
        return end, None
    if etype == "preamble":
        pos = _WS.match(text, pos).end()
        _, pos = _parse_value(text, pos, macros, closer)
        pos = _WS.match(text, pos).end()
        if pos >= len(text) or text[pos] != closer:
            raise _BibtexSyntaxError(f"expected '{closer}' to close @preamble", pos)
        return pos + 1, None
    if etype == "string":
        pos = _WS.match(text, pos).end()
        name, pos = _parse_field_name(text, pos)
        pos = _WS.match(text, pos).end()
        if pos >= len(text) or text[pos] != "=":
            raise _BibtexSyntaxError(f"expected '=' after '{name}' in @string", pos)
        value, pos = _parse_value(text, _WS.match(text, pos + 1).end(), macros, closer)
        macros[name.lower()] = value
        pos = _WS.match(text, pos).end()
        if pos >= len(text) or text[pos] != closer:
            raise _BibtexSyntaxError(f"expected '{closer}' to close @string", pos)
        return pos + 1, None
    # a regular entry: key, then fields
    pos = _WS.match(text, pos).end()
    key_m = re.compile(r"[^\s,{}()\"=#%'~\\]+").match(text, pos)
    if not key_m:
        raise _BibtexSyntaxError("entry has no citation key", pos)
    key = key_m.group()
    pos = _WS.match(text, key_m.end()).end()
    fields: dict[str, str] = {}
    if pos < len(text) and text[pos] == closer:
        return pos + 1, BibtexRecord(etype, key, fields, 0)
    if pos >= len(text) or text[pos] != ",":
        raise _BibtexSyntaxError(f"expected ',' after the key '{key}'", pos)
    pos += 1
    while True:
        pos = _WS.match(text, pos).end()
        if pos >= len(text):
            raise _BibtexSyntaxError(f"entry '{key}' is not closed with '{closer}'", pos)
        if text[pos] == closer:
            return pos + 1, BibtexRecord(etype, key, fields, 0)
        name, pos = _parse_field_name(text, pos)
        pos = _WS.match(text, pos).end()
        if pos >= len(text) or text[pos] != "=":
            raise _BibtexSyntaxError(f"expected '=' after field '{name}' in entry '{key}'", pos)
        pos = _WS.match(text, pos + 1).end()
        value, pos = _parse_value(text, pos, macros, closer)
        fields.setdefault(name.lower(), value)
        pos = _WS.match(text, pos).end()
        if pos < len(text) and text[pos] == ",":
            pos += 1
        elif pos < len(text) and text[pos] == closer:
            continue
        elif pos >= len(text):
            raise _BibtexSyntaxError(f"entry '{key}' is not closed with '{closer}'", pos)
        else:
            raise _BibtexSyntaxError(
                f"expected ',' or '{closer}' after field '{name}' in entry '{key}'", pos
            )


def _parse_field_name(text: str, pos: int) -> tuple[str, int]:
    m = _IDENT.match(text, pos)
    if not m:
        ch = text[pos] if pos < len(text) else "end of file"
        raise _BibtexSyntaxError(f"expected a field name, found '{ch}'", pos)
    return m.group(), m.end()


def _skip_balanced(text: str, pos: int, opener: str, closer: str) -> int:
    depth = 1
    while pos < len(text):
        ch = text[pos]
        if ch == "\\":
            pos += 2
            continue
        if ch == opener:
            depth += 1
        elif ch == closer:
            depth -= 1
            if depth == 0:
                return pos + 1
        pos += 1
    raise _BibtexSyntaxError(f"missing '{closer}'", pos)


def _parse_value(text: str, pos: int, macros: dict[str, str], closer: str) -> tuple[str, int]:
    parts = []
    while True:
        if pos >= len(text):
            raise _BibtexSyntaxError("missing value", pos)
        ch = text[pos]
        if ch == "{":
            end = _skip_balanced(text, pos + 1, "{", "}")
            parts.append(text[pos + 1 : end - 1])
            pos = end
        elif ch == '"':
            depth = 0
            i = pos + 1
            while True:
                if i >= len(text):
                    raise _BibtexSyntaxError('unterminated "…" value', pos)
                c = text[i]
                if c == "\\":
                    i += 2
                    continue
                if c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                    if depth < 0:
                        raise _BibtexSyntaxError("unbalanced '}' in value", i)
                elif c == '"' and depth == 0:
                    break
                i += 1
            parts.append(text[pos + 1 : i])
            pos = i + 1
        elif ch.isdigit():
            m = re.compile(r"\d+").match(text, pos)
            parts.append(m.group())
            pos = m.end()
        else:
            m = _IDENT.match(text, pos)
            if not m:
                raise _BibtexSyntaxError(f"expected a value, found '{ch}'", pos)
            name = m.group().lower()
            if name not in macros:
                raise _BibtexSyntaxError(f"undefined @string macro '{m.group()}'", pos)
            parts.append(macros[name])
            pos = m.end()
        pos = _WS.match(text, pos).end()
        if pos < len(text) and text[pos] == "#":
            pos = _WS.match(text, pos + 1).end()
            continue
        return "".join(parts), pos


# LaTeX to Unicode ------------------------------------------------------------

_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
    "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331",
}
_SYMBOLS = {
    "ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
    "aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð",
    "th": "þ", "TH": "Þ", "textendash": "–", "textemdash": "—", "textquoteleft": "‘",
    "textquoteright": "’", "textquotedblleft": "“", "textquotedblright": "”",
    "ldots": "…", "dots": "…", "textellipsis": "…", "S": "§", "P": "¶", "copyright": "©",
    "textregistered": "®", "texttrademark": "™", "euro": "€", "pounds": "£", "LaTeX": "LaTeX",
    "TeX": "TeX", "textasciitilde": "~", "textbackslash": "\\", "textunderscore": "_",
}
_ESCAPES = {"&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}", " ": " ", ",": "\u2009", "\\": " "}


def latex_to_text(value: str, *, verbatim: bool = False) -> str:
    """Turn a BibTeX field value into plain Unicode text (accents, escapes, braces, dashes)."""
    out = []
    i = 0
    n = len(value)
    while i < n:
        ch = value[i]
        if ch == "\\":
            if i + 1 >= n:
                i += 1
                continue
            nxt = value[i + 1]
            if nxt in _ACCENTS and (not nxt.isalpha() or not (i + 2 < n and value[i + 2].isalpha())):
                # \'e  \'{e}  \"{o}  \c{c}  \c c
                j = i + 2
                while j < n and value[j] == " " and nxt.isalpha():
                    j += 1
                if j < n and value[j] == "{":
                    end = _brace_end(value, j)
                    base = latex_to_text(value[j + 1 : end - 1])
                    i = end
                elif j < n:
                    base = value[j]
                    if base == "\\" and j + 1 < n:
                        m = re.compile(r"\\([A-Za-z]+)").match(value, j)
                        if m:
                            base = _SYMBOLS.get(m.group(1), m.group(1))
                            i = m.end()
                        else:
                            i = j + 1
                    else:
                        i = j + 1
                else:
                    base, i = "", j
                if base == "ı":
                    base = "i"
                out.append(unicodedata.normalize("NFC", base[:1] + _ACCENTS[nxt] + base[1:]) if base else "")
                continue
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            m = re.compile(r"\\([A-Za-z]+)\s*").match(value, i)
            if m:
                cmd = m.group(1)
                i = m.end()
                if cmd in _SYMBOLS:
                    out.append(_SYMBOLS[cmd])
                    if i < n and value[i : i + 2] == "{}":
                        i += 2
                    continue
                if cmd == "href" and i < n and value[i] == "{":
                    end = _brace_end(value, i)  # skip the URL, keep the text
                    i = end
                    continue
                # \emph{x}, \textit{x}, \url{x}, unknown commands: keep the argument
                continue
            out.append(nxt)
            i += 2
            continue
        if ch in "{}":
            i += 1
            continue
        if not verbatim:
            if ch == "~":
                out.append("\u00a0")
                i += 1
                continue
            if value.startswith("---", i):
                out.append("—")
                i += 3
                continue
            if value.startswith("--", i):
                out.append("–")
                i += 2
                continue
            if value.startswith("``", i) or value.startswith("''", i):
                out.append("“" if ch == "`" else "”")
                i += 2
                continue
        out.append(ch)
        i += 1
    text = "".join(out)
    return re.sub(r"[ \t\r\n]+", " ", text).strip(" \t\r\n")


def _brace_end(value: str, j: int) -> int:
    depth = 0
    k = j
    while k < len(value):
        c = value[k]
        if c == "\\":
            k += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return k + 1
        k += 1
    return len(value)


# Names -----------------------------------------------------------------------

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3006\u30fc\uff66-\uff9f]")


def _split_top(value: str, sep_re: str) -> list[str]:
    """Split at a separator regex that occurs at brace depth 0."""
    parts, depth, start = [], 0, 0
    i = 0
    pattern = re.compile(sep_re, re.IGNORECASE)
    while i < len(value):
        c = value[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0:
            m = pattern.match(value, i)
            if m and m.end() > i:
                parts.append(value[start:i])
                start = i = m.end()
                continue
        i += 1
    parts.append(value[start:])
    return parts


def split_bibtex_names(value: str) -> list[dict[str, str]]:
    """BibTeX name list → CSL names.

    ``Family, Given`` and ``Given Family``, ``von Last, Jr, First``; a name wholly in
    braces (``{World Health Organization}``) is a literal (an organisation); a CJK
    name without a comma is family-first (``田中 花子``), a CJK name without space a
    literal (``田中花子``). ``and others`` is dropped.
    """
    names = []
    for raw in _split_top(value.strip(), r"\s+and\s+"):
        raw = raw.strip()
        if not raw:
            continue
        if raw.lower() == "others":
            continue
        if raw.startswith("{") and _brace_end(raw, 0) == len(raw):
            names.append({"literal": latex_to_text(raw[1:-1])})
            continue
        parts = [latex_to_text(p) for p in _split_top(raw, r",")]
        parts = [p for p in parts]
        if len(parts) >= 2:
            family, given = parts[0], parts[-1]
            suffix = parts[1] if len(parts) >= 3 else ""
            name = _split_particle(family)
            if given:
                name["given"] = given
            if suffix:
                name["suffix"] = suffix
            names.append(name)
            continue
        text = parts[0]
        if not text:
            continue
        words = _split_top(raw, r"\s+")
        words = [latex_to_text(w) for w in words if w.strip()]
        if _CJK.search(text):
            if len(words) >= 2:
                names.append({"family": words[0], "given": "".join(words[1:])})
            else:
                names.append({"literal": text})
            continue
        if len(words) == 1:
            names.append({"family": words[0]})
            continue
        # Given [von] Last: the von part starts at the first lowercase word
        idx = len(words) - 1
        for k, w in enumerate(words[:-1]):
            if w[:1].islower() and k > 0:
                idx = k
                break
        given = " ".join(words[:idx])
        name = _split_particle(" ".join(words[idx:]))
        if given:
            name["given"] = given
        names.append(name)
    return names


def _split_particle(family: str) -> dict[str, str]:
    words = family.split()
    k = 0
    while k < len(words) - 1 and words[k][:1].islower():
        k += 1
    if k:
        return {"non-dropping-particle": " ".join(words[:k]), "family": " ".join(words[k:])}
    return {"family": family}


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


def bibtex_to_csl(record: BibtexRecord, display: str = "<bibtex>") -> dict[str, Any]:
    """Map a BibTeX/BibLaTeX record to a CSL item (not yet normalised)."""
    f = record.fields
    text = {k: latex_to_text(v) for k, v in f.items() if k not in ("url", "doi", "urldate")}
    item: dict[str, Any] = {"id": record.key}
    subtype = text.get("entrysubtype", "").lower()
    ctype = _TYPE_MAP.get(record.type, "document")
    if record.type == "article" and subtype in ("newspaper", "magazine"):
        ctype = "article-" + subtype
    url = _bib_url(f)
    if record.type == "misc" and url:
        ctype = "webpage"
    item["type"] = ctype

    for bib_name, csl_name in (("author", "author"), ("editor", "editor"), ("translator", "translator")):
        if f.get(bib_name, "").strip():
            item[csl_name] = split_bibtex_names(f[bib_name])
    for bib_name, csl_name in _SIMPLE_FIELDS.items():
        if text.get(bib_name):
            item[csl_name] = text[bib_name]
    if text.get("subtitle") and item.get("title"):
        item["title"] = f"{item['title']}: {text['subtitle']}"
    if text.get("howpublished") and "\\url" not in f.get("howpublished", ""):
        item["medium"] = text["howpublished"]
    container = text.get("journaltitle") or text.get("journal") or text.get("booktitle")
    if container:
        item["container-title"] = container
    if text.get("pages"):
        item["page"] = text["pages"].replace("–", "-")
    number = text.get("number")
    issue = text.get("issue")
    if ctype.startswith("article") or ctype == "periodical":
        if number or issue:
            item["issue"] = issue or number
    else:
        if number:
            item["number"] = number
        if issue:
            item["issue"] = issue
    publisher = (
        text.get("publisher") or text.get("institution") or text.get("school") or text.get("organization")
    )
    if publisher:
        item["publisher"] = publisher
    place = text.get("location") or text.get("address")
    if place:
        item["publisher-place"] = place
    issued = _bib_date(text)
    if issued:
        item["issued"] = issued
    if f.get("urldate"):
        item["accessed"] = latex_to_text(f["urldate"], verbatim=True)
    if url:
        item["URL"] = url
    if f.get("doi"):
        doi = latex_to_text(f["doi"], verbatim=True)
        item["DOI"] = re.sub(r"^https?://(dx\.)?doi\.org/", "", doi)
    lang = (text.get("langid") or text.get("language") or "").strip().lower()
    if lang:
        item["language"] = _LANGS.get(lang, lang)
    for key in ("yomi", "reading"):
        if text.get(key):
            item["reading"] = text[key]
            break
    return item


def _bib_url(f: dict[str, str]) -> str | None:
    if f.get("url"):
        return latex_to_text(f["url"], verbatim=True).replace(" ", "%20")
    hp = f.get("howpublished", "")
    m = re.search(r"\\url\{([^}]*)\}", hp)
    if m:
        return latex_to_text(m.group(1), verbatim=True)
    return None


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
    month = text.get("month", "").strip().lower().rstrip(".")
    if month:
        month = unicodedata.normalize("NFKC", month)
        num = int(month) if month.isdigit() else _MONTH_NAMES.get(month)
        if num and 1 <= num <= 12:
            parts.append(num)
            day = unicodedata.normalize("NFKC", text.get("day", "").strip())
            if day.isdigit() and 1 <= int(day) <= 31:
                parts.append(int(day))
    return {"date-parts": [parts]}
