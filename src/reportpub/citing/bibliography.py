"""The bibliography: reference data loaded from CSL-JSON, CSL-YAML or BibTeX files.

Every file becomes a list of CSL items (plain dicts in CSL-JSON form), checked and
normalised so that later stages never meet a malformed value:

* names are lists of ``{"family", "given", ...}`` or ``{"literal"}`` dicts;
* dates are ``{"date-parts": [[y, m, d]]}`` (or a range) or ``{"literal": ...}``;
* every other field is a string.

A reading for sorting Japanese entries (五十音順) is taken from a top-level
``"reading"`` field (``"yomi"`` also works; in BibTeX the ``yomi`` field of
pBibTeX, or ``reading``), e.g. ``"reading": "たなか はなこ"``. It is kept out of the
CSL data handed to the citation processor.

Author mistakes (bad syntax, an entry without ``id``, a duplicate key, a value of
the wrong shape) raise :class:`ReportpubError` naming the file and, where the
format has lines, the line of the entry.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import unicodedata
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any, Iterable, Iterator

from reportpub.diagnostics import (
    Diagnostic,
    ReportpubError,
    SourceLocation,
    decode_utf8,
    line_of_offset,
)
from reportpub.safety.url_policy import link_problem

__all__ = [
    "BibEntry",
    "Bibliography",
    "load_bibliography",
    "normalize_item",
    "CSL_TYPES",
    "NAME_VARIABLES",
    "DATE_VARIABLES",
]

# --------------------------------------------------------------------------- CSL

CSL_TYPES = frozenset(
    """article article-journal article-magazine article-newspaper bill book broadcast
    chapter classic collection dataset document entry entry-dictionary entry-encyclopedia
    event figure graphic hearing interview legal_case legislation manuscript map
    motion_picture musical_score pamphlet paper-conference patent performance periodical
    personal_communication post post-weblog regulation report review review-book software
    song speech standard thesis treaty webpage""".split()
)

NAME_VARIABLES = frozenset(
    """author chair collection-editor compiler composer container-author contributor
    curator director editor editorial-director editor-translator executive-producer guest
    host illustrator interviewer narrator organizer original-author performer producer
    recipient reviewed-author script-writer series-creator translator""".split()
)

DATE_VARIABLES = frozenset(
    "accessed available-date event-date issued original-date submitted container".split()
)

_NAME_PARTS = ("family", "given", "literal", "suffix", "dropping-particle", "non-dropping-particle")

# Fields that are not CSL variables but that we keep for our own use.
_READING_FIELDS = ("reading", "yomi")


@dataclass(frozen=True)
class BibEntry:
    """One bibliography entry: its key, normalised CSL data and where it was defined."""

    key: str
    data: dict[str, Any]
    location: SourceLocation
    reading: str | None = None

    @property
    def type(self) -> str:
        return self.data.get("type", "document")


@dataclass
class Bibliography:
    """Entries by key, in file order, each knowing its source location."""

    entries: dict[str, BibEntry] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def add(self, entry: BibEntry) -> None:
        if entry.key in self.entries:
            first = self.entries[entry.key].location
            raise ReportpubError.at(
                entry.location.path,
                f"duplicate bibliography key '{entry.key}' (first defined at {first})",
                entry.location.line,
            )
        self.entries[entry.key] = entry

    def __contains__(self, key: object) -> bool:
        return key in self.entries

    def __getitem__(self, key: str) -> BibEntry:
        return self.entries[key]

    def __iter__(self) -> Iterator[BibEntry]:
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    def keys(self) -> list[str]:
        return list(self.entries)

    def get(self, key: str) -> BibEntry | None:
        return self.entries.get(key)

    def location(self, key: str) -> SourceLocation:
        return self.entries[key].location

    def unknown_key_message(self, key: str) -> str:
        message = f"unknown citation key '{key}'"
        close = get_close_matches(key, list(self.entries), n=1, cutoff=0.75)
        if close:
            message += f" (did you mean '{close[0]}'?)"
        return message

    def check_keys(self, keys: Iterable[str], path: str, line: int | None = None) -> None:
        """Raise ``path:line: unknown citation key 'x'`` for every key not in the bibliography."""
        missing = [k for k in dict.fromkeys(keys) if k not in self.entries]
        if missing:
            raise ReportpubError(
                [Diagnostic(SourceLocation(str(path), line), self.unknown_key_message(k)) for k in missing]
            )

    def uncited_warnings(self, cited: Iterable[str]) -> list[Diagnostic]:
        """A warning for every entry that is never cited (for ``reportpub check``)."""
        cited = set(cited)
        return [
            Diagnostic(e.location, f"bibliography entry '{e.key}' is never cited", "warning")
            for e in self.entries.values()
            if e.key not in cited
        ]


# ----------------------------------------------------------------- loading files


def load_bibliography(files: list[tuple[Path, str]]) -> Bibliography:
    """Load and merge bibliography files; each tuple is (absolute path, display path).

    The format follows the suffix: ``.json`` CSL-JSON, ``.yaml``/``.yml`` CSL-YAML,
    ``.bib`` BibTeX. Keys must be unique across all files.
    """
    bib = Bibliography()
    for path, display in files:
        path = Path(path)
        display = str(display)
        suffix = path.suffix.lower()
        if suffix not in (".json", ".yaml", ".yml", ".bib"):
            raise ReportpubError.at(
                display, f"unknown bibliography format '{path.suffix}' (use .json, .yaml or .bib)"
            )
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise ReportpubError.at(display, "bibliography file not found") from None
        except OSError as exc:
            raise ReportpubError.at(display, f"cannot read bibliography file: {exc.strerror}") from None
        text = _decode(raw, display)
        if suffix == ".json":
            located = _read_csl_json(text, display)
        elif suffix in (".yaml", ".yml"):
            located = _read_csl_yaml(text, display)
        else:
            located = _read_bibtex(text, display)
        for line, item in located:
            bib.add(_make_entry(item, display, line, text))
        bib.files.append(display)
    return bib


def _decode(raw: bytes, display: str) -> str:
    text = decode_utf8(raw, display)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def _read_csl_json(text: str, display: str) -> list[tuple[int | None, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportpubError.at(display, f"invalid JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise ReportpubError.at(display, "invalid JSON: nested too deeply") from None
    if not isinstance(data, list):
        raise ReportpubError.at(display, "CSL-JSON must be an array of items", 1)
    # Find where each top-level element starts, for line numbers.
    lines: list[int | None] = []
    decoder = json.JSONDecoder()
    pos = text.index("[") + 1
    ws = re.compile(r"[ \t\n\r]*")
    for _ in data:
        pos = ws.match(text, pos).end()
        lines.append(line_of_offset(text, pos))
        _, pos = decoder.raw_decode(text, pos)
        pos = ws.match(text, pos).end()
        if pos < len(text) and text[pos] == ",":
            pos += 1
    return list(zip(lines, data))


def _read_csl_yaml(text: str, display: str) -> list[tuple[int | None, Any]]:
    import yaml  # imported only for a CSL-YAML bibliography, as bibtexparser only for BibTeX

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ReportpubError.at(display, f"invalid YAML: {problem}", line) from None
    except RecursionError:
        raise ReportpubError.at(display, "invalid YAML: nested too deeply") from None
    items_node = node
    if isinstance(data, dict) and "references" in data:
        data = data["references"]
        items_node = None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == "references":
                    items_node = v
    if data is None:
        return []
    if not isinstance(data, list):
        raise ReportpubError.at(display, "CSL-YAML must be a list of items or a mapping with 'references:'", 1)
    lines: list[int | None] = [None] * len(data)
    if isinstance(items_node, yaml.SequenceNode) and len(items_node.value) == len(data):
        lines = [n.start_mark.line + 1 for n in items_node.value]
    return list(zip(lines, data))


def _read_bibtex(text: str, display: str) -> list[tuple[int | None, Any]]:
    from reportpub.citing.bibtex import bibtex_to_csl, parse_bibtex

    result = []
    for record in parse_bibtex(text, display):
        result.append((record.line, bibtex_to_csl(record, display)))
    return result


# ------------------------------------------------------------- normalisation


def _find_line(text: str, key: str) -> int | None:
    """Line of an entry in raw text, found by its id (for formats without positions)."""
    for pattern in (
        r'"id"\s*:\s*' + re.escape(json.dumps(key, ensure_ascii=False)),
        r"\bid\s*:\s*['\"]?" + re.escape(key) + r"['\"]?\s*$",
        r"@\w+\s*[{(]\s*" + re.escape(key) + r"\s*,",
    ):
        m = re.search(pattern, text, re.MULTILINE)
        if m:
            return line_of_offset(text, m.start())
    return None


def _make_entry(item: Any, display: str, line: int | None, text: str) -> BibEntry:
    if not isinstance(item, dict):
        raise ReportpubError.at(display, "a bibliography item must be a mapping of CSL fields", line)
    if "id" not in item or item["id"] is None or str(item["id"]).strip() == "":
        raise ReportpubError.at(display, "bibliography entry has no 'id'", line)
    raw_id = item["id"]
    if isinstance(raw_id, (dict, list, bool)):
        raise ReportpubError.at(display, "the 'id' of a bibliography entry must be text", line)
    key = str(raw_id).strip()
    if line is None:
        line = _find_line(text, key)
    try:
        data, reading = normalize_item(item)
    except ValueError as exc:
        raise ReportpubError.at(display, f"entry '{key}': {exc}", line) from None
    problem = link_problem(data["URL"]) if data.get("URL") else None
    if problem:
        # The URL becomes a link in every edition: the link policy holds for it as for the text's.
        found = text.find(str(item.get("URL", item.get("url", ""))))
        raise ReportpubError.at(display, f"entry '{key}': {problem}", line_of_offset(text, found) if found >= 0 else line)
    return BibEntry(key=key, data=data, location=SourceLocation(display, line), reading=reading)


def normalize_item(item: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Check and normalise one CSL item; returns (data, reading). Raises ValueError."""
    data: dict[str, Any] = {}
    reading = None
    for name, value in item.items():
        name = str(name)
        if name == "id":
            data["id"] = str(value).strip()
            continue
        if name in _READING_FIELDS:
            if value is not None and not isinstance(value, (dict, list)):
                reading = str(value).strip() or None
            continue
        if value is None:
            continue
        if name == "type":
            t = str(value).strip()
            if t not in CSL_TYPES:
                raise ValueError(f"unknown CSL type '{t}'")
            data["type"] = t
        elif name in NAME_VARIABLES:
            names = _norm_names(value, name)
            if names:
                data[name] = names
        elif name in DATE_VARIABLES:
            date = _norm_date(value, name)
            if date:
                data[name] = date
        elif name == "shortTitle":
            data.setdefault("title-short", _norm_text(value, name))
        elif isinstance(value, (dict, list)):
            if name in _TEXT_VARIABLES:
                raise ValueError(f"field '{name}' must be text")
            continue  # structured extras from reference managers (e.g. 'custom'): ignore
        else:
            text = _norm_text(value, name)
            if text:
                data[name] = text
    data.setdefault("type", "document")
    return data, reading


_TEXT_VARIABLES = frozenset(
    """abstract annote archive archive_location archive-place authority call-number
    chapter-number citation-label collection-number collection-title container-title
    container-title-short dimensions DOI edition event event-place genre ISBN ISSN issue
    jurisdiction keyword language medium note number number-of-pages number-of-volumes
    original-publisher original-publisher-place original-title page page-first PMCID PMID
    publisher publisher-place references section source status title title-short URL
    version volume""".split()
)


def _norm_text(value: Any, name: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    # Private-use characters are reserved for reportpub's own markers.
    text = re.sub("[\ue000-\ue0ff]", "", text)
    return text.strip()


def _norm_names(value: Any, var: str) -> list[dict[str, str]]:
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list):
        raise ValueError(f"field '{var}' must be a list of names")
    names = []
    for n in value:
        if isinstance(n, str):
            from reportpub.citing.bibtex import split_names

            names.extend(split_names(n))
            continue
        if not isinstance(n, dict):
            raise ValueError(f"field '{var}' must be a list of names")
        name = {}
        for part in _NAME_PARTS:
            v = n.get(part)
            if v is not None and not isinstance(v, (dict, list)):
                s = _norm_text(v, var)
                if s:
                    name[part] = s
        if not name.keys() & {"family", "given", "literal"}:
            raise ValueError(f"a name in '{var}' has no 'family', 'given' or 'literal'")
        if "literal" in name:
            name = {"literal": name["literal"]}
        elif "family" not in name:
            name = {"literal": name["given"]}
        names.append(name)
    return names


_JA_DATE = re.compile(r"^\s*(\d{1,4})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?)?\s*$")
_ISO_DATE = re.compile(r"^\s*(-?\d{1,4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?\s*$")


def _parse_date_string(s: str) -> list[list[int]] | None:
    s = unicodedata.normalize("NFKC", s).strip()
    if not s:
        return None
    halves = s.split("/") if s.count("/") == 1 and "-" in s else [s]
    parts = []
    for half in halves:
        m = _ISO_DATE.match(half) or _JA_DATE.match(half)
        if not m:
            return None
        nums = [int(g) for g in m.groups() if g is not None]
        if len(nums) > 1 and not 1 <= nums[1] <= 12:
            return None
        if len(nums) > 2 and not 1 <= nums[2] <= 31:
            return None
        parts.append(nums)
    return parts


def _check_year(year: int, var: str) -> None:
    """A year from 1 to 9999: CSL reads 0 and negative years as BC, so a slip ("-5" for a
    month, a 0 for "unknown") would print "5 BC" or "0 AD" in the notes without a word."""
    if not 1 <= year <= 9999:
        raise ValueError(f"year {year} of '{var}' is not a year from 1 to 9999; write a date before "
                         "the common era as a literal, e.g. {\"literal\": \"紀元前5年\"}")


def _norm_date(value: Any, var: str) -> dict[str, Any] | None:
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return {"date-parts": [[value.year, value.month, value.day]]}
    if isinstance(value, bool):
        raise ValueError(f"field '{var}' is not a date")
    if isinstance(value, int):
        _check_year(value, var)
        return {"date-parts": [[value]]}
    if isinstance(value, str):
        parts = _parse_date_string(value)
        for nums in parts or ():
            _check_year(nums[0], var)
        return {"date-parts": parts} if parts else ({"literal": value.strip()} if value.strip() else None)
    if not isinstance(value, dict):
        raise ValueError(f"field '{var}' is not a date")
    out: dict[str, Any] = {}
    if "date-parts" in value:
        dp = value["date-parts"]
        if not isinstance(dp, list) or not dp or not all(isinstance(p, list) for p in dp):
            raise ValueError(f"'date-parts' of '{var}' must be a list of [year, month, day] lists")
        parts = []
        for p in dp[:2]:
            nums = []
            for x in p[:3]:
                try:
                    nums.append(int(str(x).strip()))
                except ValueError:
                    raise ValueError(f"'date-parts' of '{var}' must hold numbers") from None
            # Trailing zeros or empties mean "unknown" in some exports.
            while nums and nums[-1] == 0 and len(nums) > 1:
                nums.pop()
            if nums:
                _check_year(nums[0], var)
                if len(nums) > 1 and not 1 <= nums[1] <= 12 and not 21 <= nums[1] <= 24:
                    raise ValueError(f"month {nums[1]} of '{var}' is out of range")
                if len(nums) > 2 and not 1 <= nums[2] <= 31:
                    raise ValueError(f"day {nums[2]} of '{var}' is out of range")
                parts.append(nums)
        if not parts:
            return None
        out["date-parts"] = parts
        if value.get("circa") not in (None, False, 0, "", "false"):
            out["circa"] = True
        if value.get("season") not in (None, ""):
            out["season"] = str(value["season"])
        return out
    if value.get("raw") not in (None, ""):
        return _norm_date(str(value["raw"]), var)
    if value.get("literal") not in (None, ""):
        return {"literal": _norm_text(value["literal"], var)}
    return None
