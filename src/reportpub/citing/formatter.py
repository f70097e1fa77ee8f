"""Citation notes and the references list, through CSL (citeproc-py) plus a Japanese layer.

:class:`CitationFormatter` turns :class:`~reportpub.citing.syntax.Citation` objects into
note texts (HTML fragments), in document order, and lists the cited works.

* The first citation of a work in a :class:`NoteSequence` gives its full form. For a
  note style (Chicago notes) that is the style's own first note; for any other style
  (SIST 02, a numeric style) it is the style's bibliography entry for the work,
  without its number, plus the locator before any DOI or URL, a cited page in place
  of a book's total page count: that is how Japanese reports set such notes.
* Later citations give a short form naming the note with the full form: 著者,
  前掲注3 (sist02), 著者「題名」前掲注3 (the 「」『』 styles), ``Author, op. cit.,
  note 3`` (Western works in a style that is not a note style; Chicago keeps its
  ``Author, Short Title, 45``), or 同上 / ``Ibid.`` when the note just before, in
  the same sequence, cited the same single work. Co-authors are joined as the full
  form joins them.
* What reportpub adds around each bundled style (brackets, page-range dash, name
  delimiters, quote punctuation) is stated once, in its :class:`StyleRules`.
* :meth:`CitationFormatter.bibliography` gives the references list of every cited
  work, as (key, HTML) pairs: Japanese works first, by reading (the entry's ``reading`` field, else the
  author's or title's characters by code point, katakana read as hiragana), then
  Western works by author, title and year.

citeproc-py does the CSL work; this module fixes what it gets wrong, in a small
layer around it:

* it ignores ``initialize="false"`` ("Smith, J." for "Smith, John"):
  ``citeproc.model.Name.initialize`` is patched (once, at import) to honour it;
* it prints a label for an empty variable ("ページ", "Edition"): labels are
  wrapped in a test for their variable before the style is handed over;
* it leaks a cite's locator into the bibliography entry: entries are rendered
  from locator-free cites;
* it crashes on date ranges ("2020-01-02/2020-03-04"): ranges are handed over as
  literal text (2020年1月2日–3月4日);
* it keeps per-document state for positions (first/subsequent/ibid) that is wrong
  across locales: positions are decided here, each cite rendered on its own;
* it does not escape text for HTML: field values are escaped before it sees them;
* it joins a name as "given family" or "family, given" whatever the script
  ("田中, . 花子 ."): CJK names become literals, family then given, no space;
* it has no per-entry language: Japanese entries are rendered with the ja-JP
  locale (terms 参照, names joined by the style's delimiter rather than " と "),
  Western ones with en-US;
* a numeric style's citation number ("(1)") is dropped from entries: in notes and in
  a list sorted by reading it means nothing;
* for styles whose rules ask for it (japanese-humanities, chicago-note, a project's
  own .csl), Japanese titles are set in 「」 (articles, chapters, web pages) or 『』
  (books, and the names of journals, newspapers and books that hold a part),
  without italics, ". " before an opening bracket is dropped (田中花子「題名」), and
  dates read 2024年1月5日;
* URLs and DOIs become ``<a class="url" href>`` links (class ``url`` as the
  reader gives links that show their URL: set sideways in vertical text); doubled punctuation ("?." "。." ",,")
  is removed; in English, commas and periods go inside closing quotes.

Output is deterministic for the same inputs.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import warnings
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

import citeproc
from citeproc import (
    Citation as _CpCitation,
)
from citeproc import (
    CitationItem as _CpCitationItem,
)
from citeproc import (
    CitationStylesBibliography,
    CitationStylesStyle,
    Locator,
)
from citeproc import (
    formatter as _cp_formatter,
)
from citeproc.source.json import CiteProcJSON
from lxml import etree

from reportpub.citing.bibliography import (
    NAME_VARIABLES,
    BibEntry,
    Bibliography,
    load_bibliography,
)
from reportpub.citing.syntax import (
    Citation,
    CitationItem,
    affix_html,
    parse_citation,
)
from reportpub.diagnostics import ReportpubError, SourceLocation
from reportpub.typography.scripts import JAPANESE_LETTER, JAPANESE_LETTERS

__all__ = [
    "CitationFormatter",
    "NoteSequence",
    "StyleRules",
    "BUNDLED_STYLES",
    "is_japanese_entry",
    "style_path",
    "load_formatter",
    "format_citation_element",
    "uncited_warnings",
]

CSL_NS = "http://purl.org/net/xbiblio/csl"
_NS = {"cs": CSL_NS}

@dataclass(frozen=True)
class StyleRules:
    """What reportpub does around a style's CSL, per style (see the module docstring)."""

    file: str | None = None  # the bundled .csl file
    japanese_brackets: bool = True  # 「」/『』 around Japanese titles, 2024年1月5日 dates
    american_quotes: bool = True  # English: commas and periods inside closing quotes
    page_dash: str = "\u2013"  # between the numbers of a page range
    japanese_name_delimiter: str | None = None  # between Japanese co-authors, if not the style's
    western_name_delimiter: str | None = None  # between Western co-authors of a short form, if not "and"


SIST02_RULES = StyleRules("sist02.csl", japanese_brackets=False, american_quotes=False, page_dash="-",
                          japanese_name_delimiter=", ", western_name_delimiter="; ")
HUMANITIES_RULES = StyleRules("japanese-humanities.csl")
CHICAGO_RULES = StyleRules("chicago-notes-bibliography.csl")
BUNDLED_STYLES = {
    "sist02": SIST02_RULES,
    "japanese-humanities": HUMANITIES_RULES,
    "chicago-note": CHICAGO_RULES,
    "chicago-notes": CHICAGO_RULES,
    "chicago-notes-bibliography": CHICAGO_RULES,
}
OWN_STYLE_RULES = StyleRules()  # a project's own .csl file


class NoteSequence:
    """A run of notes as a reader meets them: where each work was given in full, and the
    work the note just before cited alone (the only note 同上 or Ibid. may point back to).

    An edition with one note list for the whole book keeps one sequence; an edition with
    a note list per chapter (the EPUB) calls :meth:`new_chapter` at each chapter, so that
    同上 never reaches into another chapter's list and a work is given in full again the
    first time a chapter cites it."""

    def __init__(self) -> None:
        self.full_in: dict[str, int | None] = {}  # key → number of the note with the full form
        self.previous: str | None = None

    def interrupt(self) -> None:
        """A note without citations came between: the next note cannot be 同上."""
        self.previous = None

    def new_chapter(self) -> None:
        self.full_in.clear()
        self.previous = None

# --------------------------------------------------------------- citeproc fix

_orig_initialize = citeproc.model.Name.initialize


def _initialize(self, given, mark, context):  # pragma: no cover - exercised through styles
    """citeproc-py ignores initialize="false": given names must then stay whole."""
    value = self.get("initialize")
    if value is None:
        node = context if context is not None else self
        for anc in node.iterancestors():
            if anc.tag in (f"{{{CSL_NS}}}citation", f"{{{CSL_NS}}}bibliography", f"{{{CSL_NS}}}style"):
                value = anc.get("initialize")
                if value is not None:
                    break
    if value == "false":
        return given
    return _orig_initialize(self, given, mark, context)


if getattr(citeproc.model.Name.initialize, "__name__", "") != "_initialize":
    citeproc.model.Name.initialize = _initialize

# ------------------------------------------------------------------ markers

# Private-use characters mark values inside citeproc's output (input values never
# hold them: the bibliography loader strips that range).
T_OPEN, T_CLOSE = "\ue000", "\ue001"  # title
C_OPEN, C_CLOSE = "\ue002", "\ue003"  # container-title
U_OPEN, U_CLOSE = "\ue004", "\ue005"  # URL
D_OPEN, D_CLOSE = "\ue006", "\ue007"  # DOI
_MARKERS = re.compile("[\ue000-\ue00f]")


# Titles of parts (in 「」) and of whole works (in 『』), for Japanese entries.
_PART_TYPES = frozenset(
    """article article-journal article-magazine article-newspaper chapter paper-conference
    entry entry-dictionary entry-encyclopedia webpage post post-weblog review review-book
    speech interview broadcast song""".split()
)
_WHOLE_TYPES = frozenset(
    """book report thesis periodical collection classic pamphlet map motion_picture
    musical_score standard dataset software""".split()
)
# Types whose container is a book or a periodical (its name in 『』).
_CONTAINER_WORK_TYPES = frozenset(
    """article-journal article-magazine article-newspaper chapter paper-conference
    entry-dictionary entry-encyclopedia review review-book""".split()
)

_JA_LOCATOR = {
    "chapter": "第{}章", "section": "第{}節", "volume": "第{}巻", "issue": "第{}号",
    "part": "第{}部", "paragraph": "第{}段落", "figure": "図{}", "table": "表{}",
    "note": "注{}", "line": "{}行", "column": "{}段", "book": "第{}冊", "appendix": "付録{}",
}
_EN_LOCATOR = {
    "chapter": ("chap.", "chaps."), "section": ("sec.", "secs."), "volume": ("vol.", "vols."),
    "issue": ("no.", "nos."), "part": ("pt.", "pts."), "paragraph": ("para.", "paras."),
    "figure": ("fig.", "figs."), "table": ("table", "tables"), "note": ("n.", "nn."),
    "line": ("line", "lines"), "column": ("col.", "cols."), "book": ("bk.", "bks."),
    "appendix": ("app.", "apps."), "page": ("p.", "pp."),
}


def is_japanese_entry(entry: BibEntry) -> bool:
    """A Japanese (CJK) entry: ``language`` ja/zh/ko, or, without one, CJK text in it."""
    lang = str(entry.data.get("language", "")).strip().lower()
    if lang:
        return lang.split("-")[0] in ("ja", "jp", "jpn", "zh", "ko")
    data = entry.data
    texts = [str(data.get(k, "")) for k in ("title", "container-title", "publisher")]
    for var in ("author", "editor"):
        for name in data.get(var, []):
            texts.extend(str(v) for v in name.values())
    return bool(JAPANESE_LETTER.search(" ".join(texts)))


def style_path(style: str | Path) -> Path:
    """The .csl file for a bundled style name or a path."""
    if isinstance(style, str) and style in BUNDLED_STYLES:
        ref = resources.files("reportpub.citing") / "styles" / BUNDLED_STYLES[style].file
        return Path(str(ref))
    return Path(style)


# CSL-JSON's rich text (as Zotero exports it): kept in these fields, escaped elsewhere.
_RICH_FIELDS = frozenset({"title", "title-short", "container-title", "collection-title", "note", "event"})
_RICH_TAG = re.compile(r"&lt;(/?)(i|b|sup|sub)&gt;")
_NOCASE = re.compile(r'&lt;span class=(?:"nocase"|&quot;nocase&quot;)&gt;(.*?)&lt;/span&gt;', re.DOTALL)


def _rich(text: str, *, keep_nocase: bool = True) -> str:
    """HTML-escape ``text`` but keep balanced <i> <b> <sup> <sub> and nocase spans."""
    out = html.escape(text, quote=False)
    out = _NOCASE.sub(lambda m: f'<span class="nocase">{m.group(1)}</span>' if keep_nocase else m.group(1), out)
    for tag in ("i", "b", "sup", "sub"):
        opens = [m for m in _RICH_TAG.finditer(out) if m.group(2) == tag]
        depth, ok = 0, True
        for m in opens:
            depth += -1 if m.group(1) else 1
            if depth < 0 or depth > 1:
                ok = False
                break
        if ok and depth == 0 and opens:
            out = re.sub(rf"&lt;(/?){tag}&gt;", rf"<\1{tag}>", out)
    return out


# --------------------------------------------------------------- the layer


class CitationFormatter:
    """Formats citation notes and the references list for one document.

    ``style`` is a bundled style name (``sist02``, ``chicago-note``) or a path to a
    ``.csl`` file; ``locale`` is the report's language: for a Japanese report
    (``ja``) Japanese entries are rendered with the ja-JP locale and all others with
    en-US; for any other language every entry is rendered in that locale.
    ``style_source`` names the file that chose the style and ``style_display`` how
    to show a style file's path, for error messages.

    Call :meth:`note` for every citation in document order (and :meth:`interrupt`
    for every note of the author's own in between, so that 同上/Ibid. never reaches
    across it); then :meth:`bibliography` gives the references list.
    """

    def __init__(
        self,
        bibliography: Bibliography,
        style: str | Path,
        locale: str = "ja",
        *,
        style_source: str = "manuscript/book.toml",
        style_display: str | None = None,
    ):
        self.bib = bibliography
        self.style_name = str(style)
        self.locale = locale or "ja"
        self._doc_japanese = self.locale.lower().split("-")[0] in ("ja", "jp")
        self._style_display = style_display or str(style)
        self.rules = OWN_STYLE_RULES
        if isinstance(style, str) and style in BUNDLED_STYLES:
            self._style_display = f"bundled style '{style}'"
            self.rules = BUNDLED_STYLES[style]
        elif isinstance(style, str) and not style.lower().endswith(".csl") and "/" not in style:
            names = ", ".join(sorted(BUNDLED_STYLES))
            raise ReportpubError.at(
                style_source, f"unknown citation style '{style}' (bundled: {names}; or a path to a .csl file)"
            )
        self._xml = self._read_style(style_path(style), style_display or str(style), style_source)
        root = self._xml.getroot()
        self.note_class = root.get("class") == "note"
        self._styles: dict[tuple[str, bool], CitationStylesStyle] = {}
        self._entry_cache: dict[tuple[str, bool, bool], str] = {}
        self._cited: dict[str, None] = {}  # every key cited, in order of first citation
        self._sequence = NoteSequence()  # the notes of :meth:`note` calls without a sequence of their own
        self.memo = None  # a CitationMemo (citing/memo.py) of citeproc's outputs kept between builds, if any

    def style_key(self) -> str:
        """A digest of all that citeproc's output depends on besides the call itself: the style's
        XML, its rules, the book's language, citeproc's version and reportpub's own code."""
        from reportpub.citing.memo import call_key
        from reportpub.digests import package_digest

        return call_key(etree.tostring(self._xml).decode("utf-8"), repr(self.rules), self.locale,
                        getattr(citeproc, "__version__", ""), package_digest())

    # ------------------------------------------------------------ style XML

    @staticmethod
    def _read_style(path: Path, shown: str, style_source: str) -> etree._ElementTree:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ReportpubError.at(style_source, f"citation style file not found: {shown}") from None
        except OSError as exc:
            raise ReportpubError.at(style_source, f"cannot read citation style {shown}: {exc.strerror}") from None
        parser = etree.XMLParser(remove_comments=True, no_network=True, resolve_entities=False)
        try:
            tree = etree.parse(io.BytesIO(data), parser)
        except etree.XMLSyntaxError as exc:
            line = exc.lineno if exc.lineno else None
            raise ReportpubError.at(shown, f"invalid CSL style (XML): {exc.msg}", line) from None
        root = tree.getroot()
        if root.tag != f"{{{CSL_NS}}}style":
            raise ReportpubError.at(shown, "not a CSL style: the root element must be <style> in the CSL namespace", 1)
        if root.find("cs:info/cs:link[@rel='independent-parent']", _NS) is not None:
            raise ReportpubError.at(
                shown, "a dependent CSL style only names its parent style; use the parent .csl file", 1
            )
        if root.find("cs:citation", _NS) is None or root.find("cs:bibliography", _NS) is None:
            raise ReportpubError.at(shown, "the CSL style needs both <citation> and <bibliography>", 1)
        return tree

    def _style(self, lang: str, no_substitute: bool) -> CitationStylesStyle:
        """A citeproc style for a locale, with our transformations applied."""
        key = (lang, no_substitute)
        if key in self._styles:
            return self._styles[key]
        root = etree.fromstring(etree.tostring(self._xml))
        # numbers of a numeric style make no sense in notes or in a list sorted by reading
        for el in root.findall("cs:bibliography//cs:text[@variable='citation-number']", _NS):
            el.getparent().remove(el)
        # citeproc-py prints a label even when its variable is empty
        for label in root.iter(f"{{{CSL_NS}}}label"):
            var = label.get("variable")
            parent = label.getparent()
            if not var or parent is None or parent.tag == f"{{{CSL_NS}}}names":
                continue
            choose = etree.Element(f"{{{CSL_NS}}}choose")
            cond = etree.SubElement(choose, f"{{{CSL_NS}}}if", variable=var)
            parent.replace(label, choose)
            cond.append(label)
        if no_substitute:
            for sub in root.findall(".//cs:substitute", _NS):
                sub.getparent().remove(sub)
        if lang.startswith("ja"):
            if self.rules.japanese_brackets:
                _japanese_dates(root)
            # "山田太郎 と 佐藤次郎" reads badly: Japanese names are listed with the delimiter
            for name in root.iter(f"{{{CSL_NS}}}name"):
                name.attrib.pop("and", None)
                if self.rules.japanese_name_delimiter:
                    name.set("delimiter", self.rules.japanese_name_delimiter)
        data = etree.tostring(root)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                style = CitationStylesStyle(io.BytesIO(data), locale=lang, validate=False)
        except Exception as exc:  # citeproc rejects the style
            raise ReportpubError.at(self._style_display, f"citeproc cannot use this CSL style: {exc}") from None
        self._styles[key] = style
        return style

    # ----------------------------------------------------------- rendering

    def _lang_of(self, entry: BibEntry) -> str:
        if not self._doc_japanese:
            return _citeproc_locale(self.locale)
        return "ja-JP" if is_japanese_entry(entry) else "en-US"

    def _prepare(self, entry: BibEntry, japanese: bool, suppress_author: bool) -> dict[str, Any]:
        allowed = {v.replace("_", "-") for v in citeproc.VARIABLES} | {"type"}
        allowed |= {"URL", "DOI", "ISBN", "ISSN", "PMCID", "PMID"}
        item: dict[str, Any] = {"id": "ref", "type": entry.type}
        for name, value in entry.data.items():
            if name in ("id", "type") or name not in allowed:
                continue
            if name in NAME_VARIABLES:
                if suppress_author and name == "author":
                    continue
                item[name] = [_prepare_name(n) for n in value]
            elif isinstance(value, dict):
                item[name] = _range_as_literal(value, japanese) if len(value.get("date-parts", [])) > 1 else value
            else:
                item[name] = _rich(str(value)) if name in _RICH_FIELDS else html.escape(str(value), quote=False)
        if japanese and self.rules.japanese_brackets:
            if item.get("title"):
                item["title"] = T_OPEN + item["title"] + T_CLOSE
            if item.get("container-title"):
                item["container-title"] = C_OPEN + item["container-title"] + C_CLOSE
        if item.get("URL"):
            item["URL"] = U_OPEN + item["URL"] + U_CLOSE
        if item.get("DOI"):
            item["DOI"] = D_OPEN + item["DOI"] + D_CLOSE
        return item

    def _citeproc(self, entry: BibEntry, *, suppress_author: bool, locator: CitationItem | None, note: bool,
                  omit_total_pages: bool = False) -> str:
        lang = self._lang_of(entry)
        japanese = is_japanese_entry(entry)
        item = self._prepare(entry, japanese, suppress_author)
        if omit_total_pages:
            item.pop("number-of-pages", None)
        memo_key = None
        if self.memo is not None:
            from reportpub.citing.memo import call_key

            memo_key = call_key(lang, item, suppress_author, note, locator.locator_label if locator else None,
                                locator.locator if locator else None)
            out = self.memo.get(memo_key)
            if out is not None:
                return self._finished(out, entry, japanese, lang)
        out = self._run_citeproc(entry, item, lang, suppress_author, locator, note)
        if memo_key is not None:
            self.memo.put(memo_key, out)
        return self._finished(out, entry, japanese, lang)

    def _run_citeproc(self, entry: BibEntry, item: dict[str, Any], lang: str, suppress_author: bool,
                      locator: CitationItem | None, note: bool) -> str:
        """citeproc's own HTML for one prepared entry, before our layer's changes."""
        style = self._style(lang, suppress_author)
        try:
            source = CiteProcJSON([item])
            bib = CitationStylesBibliography(style, source, _cp_formatter.html)
            kwargs = {}
            if locator is not None and locator.locator:
                kwargs["locator"] = Locator(locator.locator_label or "page", locator.locator)
            cite = _CpCitation([_CpCitationItem("ref", **kwargs)])
            bib.register(cite)
            if note:
                out = str(bib.cite(cite, lambda _item: None))
            else:
                entries = bib.bibliography()
                out = str(entries[0]) if entries else ""
        except ReportpubError:
            raise
        except Exception as exc:
            raise ReportpubError.at(
                entry.location.path,
                f"cannot format entry '{entry.key}' with {self._style_display}: {type(exc).__name__}: {exc}",
                entry.location.line,
            ) from None
        return out

    def _finished(self, out: str, entry: BibEntry, japanese: bool, lang: str) -> str:
        """citeproc's output with our layer's changes; "" when the style leaves the work out."""
        out = _postprocess(out, entry, japanese and self.rules.japanese_brackets, lang, self.rules)
        if not re.sub(r"<[^>]+>|[\s.,;:]", "", out):
            return ""  # the style leaves this work out (e.g. Chicago: posts in the bibliography)
        return out

    def _shown(self, text: str, entry: BibEntry) -> str:
        if not text:
            raise ReportpubError.at(
                entry.location.path,
                f"entry '{entry.key}' shows nothing in {self._style_display}: give it at least a title",
                entry.location.line,
            )
        return text

    def reference(self, key: str, *, suppress_author: bool = False, omit_total_pages: bool = False) -> str:
        """The full bibliography entry of one work (HTML), as the style sets it ("" if it leaves the work out).

        ``omit_total_pages`` leaves out a book's total page count (a note's cited page takes its place)."""
        entry = self._entry(key)
        cache_key = (key, suppress_author, omit_total_pages)
        if cache_key not in self._entry_cache:
            self._entry_cache[cache_key] = self._citeproc(
                entry, suppress_author=suppress_author, locator=None, note=False, omit_total_pages=omit_total_pages
            )
        return self._entry_cache[cache_key]

    def _entry(self, key: str, location: SourceLocation | None = None) -> BibEntry:
        entry = self.bib.get(key)
        if entry is None:
            loc = location or SourceLocation("<citation>")
            raise ReportpubError.at(loc.path, self.bib.unknown_key_message(key), loc.line)
        return entry

    # ----------------------------------------------------------------- notes

    def note(self, citation: Citation, location: SourceLocation | None = None, *, number: int | None = None,
             sequence: NoteSequence | None = None) -> str:
        """The text of note ``number`` for one citation group (HTML), in document order.

        The first note of ``sequence`` to cite a work gives it in full; later ones give
        it short, naming the note that has the full form (前掲注3) when the notes are
        numbered; a note citing only the work the note just before cited alone is 同上
        (Ibid.). Without a ``sequence``, the formatter's own is used.

        Raises ``path:line: unknown citation key 'x'`` (at ``location``) for a key
        not in the bibliography, before changing any state.
        """
        sequence = sequence if sequence is not None else self._sequence
        entries = [self._entry(item.key, location) for item in citation.items]
        if not entries:
            return ""
        single = len(citation.items) == 1
        parts = []
        for item, entry in zip(citation.items, entries):
            if single and sequence.previous == item.key:
                text = self._ibid(item, entry)
            elif item.key in sequence.full_in:
                text = self._short(item, entry, sequence.full_in[item.key])
            else:
                text = self._full(item, entry)
                sequence.full_in[item.key] = number
            self._cited.setdefault(item.key, None)
            parts.append(_with_affixes(_strip_final_period(text), item))
        sequence.previous = citation.items[0].key if single else None
        text = "; ".join(p for p in parts if p)
        if citation.items[0].prefix and text[:1].isascii() and text[:1].islower():
            text = text[0].upper() + text[1:]
        return _finish_note(text)

    def interrupt(self) -> None:
        """A note without citations came between: the next note of the formatter's own sequence cannot be 同上."""
        self._sequence.interrupt()

    @property
    def cited_keys(self) -> list[str]:
        """Keys cited so far, in order of first citation."""
        return list(self._cited)

    def _full(self, item: CitationItem, entry: BibEntry) -> str:
        japanese = is_japanese_entry(entry)
        page = item if item.locator and (item.locator_label or "page") == "page" else None
        if self.note_class:
            # the style's own first note; it sets page locators itself
            text = self._citeproc(entry, suppress_author=item.suppress_author, locator=page, note=True)
            text = self._shown(text, entry)
            if item.locator and page is None:
                text = _strip_final_period(text) + ", " + self._locator_text(item, japanese)
            return text
        # the cited page takes the place of the total page count (never "256p, p. 45")
        text = self._shown(self.reference(entry.key, suppress_author=item.suppress_author,
                                          omit_total_pages=page is not None), entry)
        if item.locator:
            text = _with_locator(_strip_final_period(text), self._locator_text(item, japanese))
        return text

    def _locator_text(self, item: CitationItem, japanese: bool) -> str:
        label = item.locator_label or "page"
        value = html.escape(item.locator or "", quote=False).replace("-", self.rules.page_dash)
        if japanese:
            if label == "page":
                return "p. " + value
            return _JA_LOCATOR.get(label, "{}").format(value)
        plural = bool(re.search(r"[-\u2013,&]", value))
        if label == "page" and self.note_class:
            return value
        single, many = _EN_LOCATOR.get(label, ("", ""))
        word = many if plural else single
        return f"{word} {value}".strip()

    def _ibid(self, item: CitationItem, entry: BibEntry) -> str:
        japanese = is_japanese_entry(entry)
        word = "同上" if japanese else "Ibid."
        if item.locator:
            return f"{word}, {self._locator_text(item, japanese)}"
        return word

    def _short(self, item: CitationItem, entry: BibEntry, full_note: int | None) -> str:
        """The short form of a work given in full before, in note ``full_note`` (if numbered)."""
        japanese = is_japanese_entry(entry)
        data = entry.data
        names = data.get("author") or data.get("editor") or []
        authors = "" if item.suppress_author else self._short_authors(names, japanese)
        title = data.get("title-short") or data.get("title") or ""
        if not japanese and not data.get("title-short"):
            title = re.split(r"[:?!.]\s", title, maxsplit=1)[0]
        title_html = _rich(title, keep_nocase=False)
        kind = _title_kind(entry)
        locator = self._locator_text(item, japanese) if item.locator else ""
        if japanese:
            where = f"前掲注{full_note}" if full_note is not None else "前掲"
            if self.rules.japanese_brackets:
                # 田中花子『日本の報告書』前掲注3, p. 45
                if title:
                    title_html = _bracket(title_html, "「」" if kind != "whole" else "『』")
                bits = [f"{authors}{title_html}{where}"]
            else:
                # 田中花子, 前掲注3, p. 45 (the title only when no note number says which work)
                bits = [authors, where] if full_note is not None else [authors, title_html, where]
            return ", ".join(b for b in bits + [locator] if b)
        if not self.note_class and full_note is not None:
            # Lucas, op. cit., note 3, p. 107: a note style's readers get the short title instead
            return ", ".join(b for b in (authors, f"op. cit., note {full_note}", locator) if b)
        # Western: Author, Short Title, locator
        if title and kind == "whole":
            title_html = f"<i>{title_html}</i>" if self.note_class else title_html
        elif title:
            title_html = f"\u201c{title_html}\u201d"
        text = ", ".join(b for b in (authors, title_html, locator) if b)
        return _quote_punct(text) if self.rules.american_quotes else text

    def _short_authors(self, names: list[dict[str, str]], japanese: bool) -> str:
        """Family names (Japanese: whole names) joined as the full form joins them."""
        def one(n: dict[str, str]) -> str:
            if "literal" in n:
                return n["literal"]
            family = " ".join(x for x in (n.get("non-dropping-particle", ""), n.get("family", "")) if x)
            if JAPANESE_LETTER.search(family + n.get("given", "")):
                return family + n.get("given", "") if japanese else family
            return family or n.get("given", "")

        shown = [html.escape(one(n), quote=False) for n in names if one(n)]
        if not shown:
            return ""
        if japanese:
            if len(shown) > 2:
                return shown[0] + "ほか"
            return (self.rules.japanese_name_delimiter or ", ").join(shown)
        if len(shown) > 2:
            return f"{shown[0]} et al."
        if self.rules.western_name_delimiter:
            return self.rules.western_name_delimiter.join(shown)
        return " and ".join(shown)

    # --------------------------------------------------------- references

    def bibliography(self, keys: Iterable[str] | None = None) -> list[tuple[str, str]]:
        """The references list: (key, HTML) pairs for the cited keys, or for ``keys``.

        Japanese entries first, by reading (or code point), then Western entries
        by author, title and year; ties broken by key. A work the style leaves out
        of its bibliography (Chicago: social-media posts) is not listed.
        """
        return self._listed(list(self._cited) if keys is None else list(dict.fromkeys(keys)))

    def _listed(self, keys: list[str]) -> list[tuple[str, str]]:
        entries = sorted((self._entry(k) for k in keys), key=_sort_key)
        listed = [(e.key, self.reference(e.key)) for e in entries]
        return [(key, _finish_note(_strip_final_period(text))) for key, text in listed if text]


# ------------------------------------------------------------ helpers


def _citeproc_locale(language: str) -> str:
    """A locale citeproc-py ships for a language tag ("de" -> "de-DE"); en-US if none."""
    import json
    import os

    tag = language.replace("_", "-")
    if os.path.isfile(os.path.join(citeproc.LOCALES_PATH, f"locales-{tag}.xml")):
        return tag
    try:
        with open(os.path.join(citeproc.LOCALES_PATH, "locales.json"), encoding="utf-8") as handle:
            dialects = json.load(handle)["primary-dialects"]
    except (OSError, ValueError, KeyError):
        dialects = {}
    dialect = dialects.get(tag.split("-")[0].lower())
    if dialect and os.path.isfile(os.path.join(citeproc.LOCALES_PATH, f"locales-{dialect}.xml")):
        return dialect
    return "en-US"


def _prepare_name(name: dict[str, str]) -> dict[str, str]:
    if "literal" in name:
        return {"literal": html.escape(name["literal"], quote=False)}
    family = name.get("family", "")
    given = name.get("given", "")
    if JAPANESE_LETTER.search(family + given):
        # family name first, no space: 田中花子
        particle = name.get("non-dropping-particle", "")
        return {"literal": html.escape(particle + family + given, quote=False)}
    return {k: html.escape(v, quote=False) for k, v in name.items()}


def _range_as_literal(date: dict[str, Any], japanese: bool) -> dict[str, str]:
    """citeproc-py fails on date ranges: give them as text (2020年1月2日–3月4日, 2020-01-02–2020-03-04)."""
    begin, end = date["date-parts"][0], date["date-parts"][1]
    if japanese:
        units = ("年", "月", "日")
        first = "".join(f"{n}{u}" for n, u in zip(begin, units))
        same = 0
        while same < min(len(begin), len(end)) - 1 and begin[same] == end[same]:
            same += 1
        second = "".join(f"{n}{u}" for n, u in list(zip(end, units))[same:])
        return {"literal": f"{first}\u2013{second}"}

    def iso(parts: list[int]) -> str:
        return "-".join([str(parts[0])] + [f"{n:02d}" for n in parts[1:]])

    return {"literal": f"{iso(begin)}\u2013{iso(end)}"}


def _japanese_dates(root: etree._Element) -> None:
    """Rewrite date formats as 2024年1月5日 for Japanese entries."""
    for date in root.iter(f"{{{CSL_NS}}}date"):
        if date.getparent() is not None and date.getparent().tag == f"{{{CSL_NS}}}locale":
            continue
        if date.get("form") == "numeric":
            date.set("form", "text")
        if date.get("form"):
            continue
        parts = {p.get("name"): p for p in date.findall("cs:date-part", _NS)}
        if not parts:
            continue
        if "delimiter" in date.attrib:
            del date.attrib["delimiter"]
        for p in list(date):
            date.remove(p)
        for name, suffix in (("year", "年"), ("month", "月"), ("day", "日")):
            if name in parts:
                p = parts[name]
                for attr in ("prefix", "suffix", "strip-periods", "text-case"):
                    p.attrib.pop(attr, None)
                if name != "year":
                    p.set("form", "numeric")
                else:
                    p.set("form", "long")
                p.set("suffix", suffix)
                date.append(p)


def _title_kind(entry: BibEntry) -> str:
    t = entry.type
    if t in _WHOLE_TYPES and not (t == "report" and entry.data.get("container-title")):
        return "whole"
    if t in _PART_TYPES or t == "report":
        return "part"
    return "other"


def _bracket(text: str, pair: str) -> str:
    """Wrap in 「」 or 『』; inside 「」, inner 「」 become 『』 as Japanese nesting asks."""
    open_, close = pair
    if text.startswith(open_) and text.endswith(close):
        return text
    if pair == "「」":
        text = text.replace("「", "『").replace("」", "』")
    return open_ + text + close


_QUOTES_OPEN = "\u201c\u2018\"'「『"
_QUOTES_CLOSE = "\u201d\u2019\"'」』"


def _replace_marked(text: str, open_m: str, close_m: str, pair: str | None) -> str:
    """Set a marked value in ``pair`` brackets (or bare), dropping the style's quotes/italics."""
    pattern = re.compile(
        r"(?P<i_open>(?:<i>)?)(?P<q_open>[" + _QUOTES_OPEN + r"]?)"
        + open_m + r"(?P<body>[^" + open_m + close_m + r"]*)" + close_m
        + r"(?P<punct>[,.]?)(?P<q_close>[" + _QUOTES_CLOSE + r"]?)(?P<i_close>(?:</i>)?)"
    )

    def repl(m: re.Match) -> str:
        body = m.group("body")
        punct = m.group("punct")
        q_open, q_close = m.group("q_open"), m.group("q_close")
        i_open, i_close = m.group("i_open"), m.group("i_close")
        out = body
        if bool(q_open) != bool(q_close):
            # not a pair around the value: keep what is there
            out = q_open + body + punct + q_close
            punct = ""
        if pair:
            out = _bracket(out, pair)
        if bool(i_open) != bool(i_close):
            out = i_open + out + i_close
        return out + punct

    return pattern.sub(repl, text)


def _link(m: re.Match) -> str:
    url = html.unescape(m.group("body"))
    return f'<a class="url" href="{html.escape(url, quote=True)}">{html.escape(url, quote=False)}</a>'


def _postprocess(out: str, entry: BibEntry, japanese: bool, lang: str, rules: StyleRules) -> str:
    out = out.strip()
    if japanese:
        kind = _title_kind(entry)
        title_pair = {"whole": "『』", "part": "「」"}.get(kind)
        # a title the style quotes is a part in any case
        out = _replace_marked(out, T_OPEN, T_CLOSE, title_pair or "「」")
        container_pair = "『』" if entry.type in _CONTAINER_WORK_TYPES else None
        out = _replace_marked(out, C_OPEN, C_CLOSE, container_pair)
    # links
    out = re.sub(
        U_OPEN + r"(?P<body>[^" + U_CLOSE + r"]*)" + U_CLOSE,
        lambda m: _link(m),
        out,
    )
    out = re.sub(
        r"(?P<shown>(?:https?://(?:dx\.)?doi\.org/|doi:\s?|DOI:\s?)?)" + D_OPEN + r"(?P<body>[^" + D_CLOSE + r"]*)" + D_CLOSE,
        lambda m: _doi_link(m),
        out,
    )
    out = _MARKERS.sub("", out)
    if rules.page_dash != "\u2013":
        out = re.sub(r"(?<=p\. )([0-9A-Za-z]+)\u2013(?=[0-9A-Za-z])", rf"\1{rules.page_dash}", out)
    out = _tidy(out, japanese, lang, rules)
    return out


def _doi_link(m: re.Match) -> str:
    doi = html.unescape(m.group("body"))
    shown = m.group("shown") or ""
    href = doi if doi.lower().startswith(("http://", "https://")) else "https://doi.org/" + doi
    label = shown + doi
    return f'<a class="url" href="{html.escape(href, quote=True)}">{html.escape(label, quote=False)}</a>'


_TAG_SPLIT = re.compile(r"(<a\b[^>]*>.*?</a>|<[^>]+>)", re.DOTALL)


def _on_text(out: str, fn) -> str:
    """Apply ``fn`` to the text between tags, leaving tags and links alone.

    Text is processed as one string with tags replaced by placeholders so that
    patterns can see across ``</i>``.
    """
    pieces = _TAG_SPLIT.split(out)
    tags = pieces[1::2]
    joined = "".join(p + ("\ue010" if i < len(tags) else "") for i, p in enumerate(pieces[0::2]))
    done = fn(joined)
    chunks = done.split("\ue010")
    if len(chunks) != len(tags) + 1:  # fn removed a placeholder: give up safely
        return out
    return "".join(c + (tags[i] if i < len(tags) else "") for i, c in enumerate(chunks))


def _tidy(out: str, japanese: bool, lang: str, rules: StyleRules) -> str:
    tag = "\ue010*"

    def fix(text: str) -> str:
        # doubled punctuation: "?." "。." ",," ". ." ".," (tags may sit between)
        text = re.sub(r"([?!？！。．])(" + tag + r")[.,]", r"\1\2", text)
        text = re.sub(r"(?<!\.)\.(" + tag + r")\.(?!\.)", r".\1", text)
        text = re.sub(r",(" + tag + r")\s*,", r",\1", text)
        text = re.sub(r"[ \t]+([.,])", r"\1", text)
        text = re.sub(r"  +", " ", text)
        if japanese:
            # 田中花子. 「題名」 -> 田中花子「題名」; 」. 『 -> 」『
            text = re.sub(r"(?<=[^\s\ue010])(" + tag + r")[.,] (" + tag + r")(?=[「『])", r"\1\2", text)
            text = re.sub(r"(?<=[」』])(" + tag + r")[.,]? (" + tag + r")(?=[「『(（])", r"\1\2", text)
            # 高橋三郎, 編 -> 高橋三郎編 (a role term right after a Japanese name)
            text = re.sub(r"(?<=[" + JAPANESE_LETTERS + r"])(" + tag + r"), (" + tag + r")(?=(?:編著|編|監訳|監修|訳|共編|共訳)[\s.,\ue010])", r"\1\2", text)
        elif lang.startswith("en") and rules.american_quotes:
            text = _quote_punct(text)
        return text

    return _on_text(out, fix)


def _quote_punct(text: str) -> str:
    """American usage: a comma or period after a closing double quote goes inside."""
    text = re.sub(r"([\u201d\u2019])(\ue010*)([.,])", r"\3\1\2", text)
    # "Why Notes?," -> "Why Notes?" : a question or exclamation mark is enough
    return re.sub(r"([?!])[.,]([\u201d\u2019])", r"\1\2", text)


def _strip_final_period(text: str) -> str:
    text = text.rstrip()
    m = re.search(r"\.((?:</[a-z]+>)*)$", text)
    if m and not text[: m.start()].endswith(".."):
        return text[: m.start()] + m.group(1)
    m = re.search(r"\.([\u201d\u2019])((?:</[a-z]+>)*)$", text)
    if m:
        return text[: m.start()] + m.group(1) + m.group(2)
    return text


def _finish_note(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    bare = re.sub(r"<[^>]+>", "", text)
    if re.search(r"[.?!。．？！][\u201d\u2019」』)）]*$", bare):
        return text
    if bare.endswith(("\u201d", "\u2019")):
        m = re.search(r"([\u201d\u2019])((?:</[a-z]+>)*)$", text)
        if m:
            return text[: m.start()] + "." + m.group(1) + m.group(2)
    return text + "."


_FIRST_LINK = re.compile(r'(\. |, | )(<a class="url")')


def _with_locator(text: str, locator: str) -> str:
    """The cited place after the work's own elements, before its DOI, URL and access date."""
    m = _FIRST_LINK.search(text)
    if m is None:
        return f"{text}, {locator}"
    return f"{text[:m.start()]}, {locator}{m.group(1)}{text[m.start(2):]}"


def _with_affixes(text: str, item: CitationItem) -> str:
    prefix = affix_html(item.prefix)
    suffix = affix_html(item.suffix)
    if prefix:
        joiner = "" if JAPANESE_LETTER.search(prefix[-1]) or prefix[-1] in "「『(（" else " "
        text = prefix + joiner + text
    if suffix:
        first = suffix[0]
        joiner = "" if (first in ",.;:、。)）」』" or JAPANESE_LETTER.search(first)) else " "
        text = text + joiner + suffix
    return text


_KATAKANA = re.compile(r"[\u30a1-\u30f6]")


def _reading_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _KATAKANA.sub(lambda m: chr(ord(m.group()) - 0x60), text)
    text = re.sub(r"[\s・「」『』\"“”'‘’()（）]", "", text)
    return text


def _first_name_text(entry: BibEntry) -> str:
    for var in ("author", "editor"):
        for n in entry.data.get(var, []):
            if "literal" in n:
                return n["literal"]
            return " ".join(x for x in (n.get("family", ""), n.get("given", "")) if x)
    return ""


def _year(entry: BibEntry) -> int:
    issued = entry.data.get("issued", {})
    try:
        return int(issued["date-parts"][0][0])
    except (KeyError, IndexError, TypeError, ValueError):
        return 0


def _sort_key(entry: BibEntry) -> tuple:
    title = str(entry.data.get("title", ""))
    if is_japanese_entry(entry):
        head = entry.reading or _first_name_text(entry) or title
        return (0, _reading_key(head), _reading_key(title), _year(entry), entry.key)
    names = entry.data.get("author") or entry.data.get("editor") or []
    if names:
        n = names[0]
        who = n.get("literal") or " ".join(x for x in (n.get("family", ""), n.get("given", "")) if x)
    else:
        who = title
    fold = lambda s: unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().casefold() or s.casefold()
    return (1, fold(who), fold(re.sub(r"^(the|a|an)\s+", "", title, flags=re.I)), _year(entry), entry.key)


# ------------------------------------------------------ the project's view


def load_formatter(project):
    """The citation formatter of a project: its bibliography files and ``csl`` style.

    Bibliography files and a ``.csl`` path are relative to manuscript/ and must lie
    inside the project; problems are ``path:line`` errors.
    """
    config = project.config
    files = []
    for name, path in zip(config.bibliography, project.bibliography_files()):
        if project.inside(path) is None:
            raise ReportpubError.at(config.path, f"bibliography '{name}' must be a file inside the project")
        files.append((path, project.relative(path)))
    bibliography = load_bibliography(files)
    style = config.csl
    if style in BUNDLED_STYLES:
        return CitationFormatter(bibliography, style, config.language, style_source=config.path)
    path = project.manuscript / style
    if project.inside(path) is None:
        raise ReportpubError.at(config.path, f"csl '{style}' must be a bundled style name or a .csl file inside the project")
    return CitationFormatter(
        bibliography, path, config.language, style_source=config.path, style_display=project.relative(path)
    )


def format_citation_element(formatter, raw: str, path: str, line: int | None = None, *,
                            number: int | None = None, sequence: NoteSequence | None = None):
    """A citation's note text as an ``xml.etree`` ``<span class="citation">``, in document order.

    Raises ``path:line: …`` for a malformed citation, an unknown key, or a
    citation in a book without a bibliography.
    """
    citation = parse_citation(raw, path=path, line=line)
    if formatter is None:
        raise ReportpubError.at(path, f"citation '[{raw.strip()}]' but book.toml names no bibliography", line)
    text = formatter.note(citation, SourceLocation(str(path), line), number=number, sequence=sequence)
    try:
        return ElementTree.fromstring(f'<span class="citation">{text}</span>')
    except ElementTree.ParseError:  # never expected: the formatter writes well-formed markup
        span = ElementTree.Element("span", {"class": "citation"})
        span.text = html.unescape(re.sub(r"<[^>]+>", "", text))
        return span


def uncited_warnings(project, cited_keys) -> list[str]:
    """``path:line: warning: bibliography entry 'x' is never cited`` for ``reportpub check``.

    ``cited_keys`` come from reading the book the way the build does
    (:attr:`reportpub.model.Book.cited_keys`): there is one reader of citation syntax."""
    if not project.config.bibliography:
        return []
    try:
        files = [(p, project.relative(p)) for p in project.bibliography_files() if project.inside(p) is not None]
        bibliography = load_bibliography(files)
    except ReportpubError:
        return []  # reading the book has reported it
    return [str(d) for d in bibliography.uncited_warnings(cited_keys)]
