"""Chapter file → :class:`ChapterDraft`: parsed XHTML plus what resolve.py needs to check it.

Python-Markdown does not track source lines, so everything that may be reported to
the author (footnote labels, citations, images, raw HTML) is also located by
scanning the raw text here.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from pathlib import Path

import markdown

from reportpub.diagnostics import (
    DiagnosticCollector,
    ReportpubError,
    decode_utf8,
    line_of_offset,
)
from reportpub.model import CAPTION_AS_ALT_CLASS
from reportpub.project import Project
from reportpub.manuscript.limits import check_limits, too_deep, tree_too_deep
from reportpub.manuscript.quotes import pair_double_quotes
from reportpub.manuscript.slips import blank_code, find_slips
from reportpub.safety.sanitizer import locate, sanitize, srcset_urls
from reportpub.xhtml import parse_fragment, remove_keeping_tail, text_of

FOOTNOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
FOOTNOTE_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:", re.MULTILINE)
IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")

@dataclass
class ChapterDraft:
    """A chapter as read, before book-wide numbering and checks."""

    source: str  # project-relative path
    text: str  # raw Markdown
    body: etree.Element  # wrapper <div> holding the chapter's XHTML
    notes: dict[str, etree.Element]  # footnote label → <div> holding the note's blocks
    images: list[str] = field(default_factory=list)  # src attributes, as written

    def line_of(self, needle: str, default: int | None = None, occurrence: int = 0) -> int | None:
        """The line of the ``occurrence``-th (0-based) appearance of ``needle`` in the source."""
        offset = -1
        for _ in range(occurrence + 1):
            found = self.text.find(needle, offset + 1)
            if found < 0:
                break
            offset = found
        return line_of_offset(self.text, offset) if offset >= 0 else default


def read_chapter(project: Project, path: Path, md: markdown.Markdown, problems: DiagnosticCollector) -> ChapterDraft | None:
    """Read and parse one chapter; problems are collected, None when it cannot be parsed."""
    source = project.relative(path)
    try:
        raw = project.input(path).read_bytes()
    except ReportpubError as error:
        problems.extend(error)
        return None
    except OSError as exc:
        problems.error(source, f"cannot read: {exc.strerror}")
        return None
    try:
        text = decode_utf8(raw, source).lstrip("\ufeff")
    except ReportpubError as error:
        problems.extend(error)
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    _check_footnote_labels(source, text, problems)
    find_slips(source, text, problems)
    if not check_limits(source, blank_code(text), problems):
        return None

    md.reset()
    try:
        html = md.convert(text)
    except RecursionError:  # nesting the source scans did not count (a mix of kinds)
        too_deep(source, _too_deep_line(text, md), problems)
        return None
    try:
        body = parse_fragment(html)
    except etree.ParseError as error:
        # Only raw HTML written by the author can make Python-Markdown's output ill-formed.
        prefixed = PREFIXED_TAG.search(blank_code(text)) if "unbound prefix" in str(error) else None
        if prefixed:
            problems.error(source, f"raw HTML <{prefixed.group(1)}> is not allowed (only HTML elements, without "
                           "namespace prefixes)", line_of_offset(text, prefixed.start()))
            return None
        tag, line = _unbalanced_tag(text)
        if tag:
            what = f"<{tag}> is not closed or not well-formed"
        else:
            line, cause = _ill_formed_block(text, md)
            what = f"raw HTML is not well-formed: {cause}" if cause else "raw HTML is not well-formed"
        problems.error(source, f"{what} (raw HTML must be well-formed XHTML)", line)
        return None

    if tree_too_deep(body):
        too_deep(source, _too_deep_line(text, md), problems)
        return None
    draft = ChapterDraft(source=source, text=text, body=body, notes={})
    refusals = sanitize(body)
    for refusal, line in zip(refusals, locate(refusals, blank_code(text))):
        problems.error(source, refusal.message, line)
    _check_unrecognised_citations(draft, problems)
    mark_url_links(body)
    pair_double_quotes(body)
    _extract_footnotes(draft)
    draft.images = list(dict.fromkeys(url for img in body.iter("img")
                                      for url in [img.get("src", ""), *srcset_urls(img.get("srcset", ""))] if url))
    _check_alternative_text(draft, problems)
    return draft


# A tag name followed by ":" is an autolink (<https://…>, <mailto:…>), not a tag.
RAW_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)(?![\w:-])[^<>]*?(/?)>")
# An element with a namespace prefix (<svg:svg>), which XHTML cannot parse without its declaration.
PREFIXED_TAG = re.compile(r"</?(?!(?:https?|mailto|ftp):)([A-Za-z][\w.-]*:[A-Za-z][\w.-]*)")


def _unbalanced_tag(text: str) -> tuple[str | None, int | None]:
    """The first raw HTML tag of the source that is never closed, with its line."""
    open_tags: list[tuple[str, int]] = []
    for match in RAW_TAG.finditer(blank_code(text)):
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if self_closing or name in ("br", "hr", "img", "wbr"):
            continue
        if not closing:
            open_tags.append((name, match.start()))
        elif open_tags and open_tags[-1][0] == name:
            open_tags.pop()
        else:
            return name, line_of_offset(text, match.start())
    if open_tags:
        name, offset = open_tags[0]
        return name, line_of_offset(text, offset)
    return None, None


# A block of the source: lines up to a blank one.
_BLOCK = re.compile(r"(?:[^\n]*\S[^\n]*(?:\n|$))+")


def _ill_formed_block(text: str, md: markdown.Markdown) -> tuple[int | None, str | None]:
    """The first line of the first block of the source that is ill-formed on its own, and the
    XML reader's word for why ("duplicate attribute", "undefined entity" …); (None, None) when
    the fault shows only in the whole chapter. Only on the way to an error: each block is
    converted again."""
    def cause(block: str) -> str | None:
        try:
            parse_fragment(md.convert(block))
        except etree.ParseError as error:
            why = re.sub(r"^not well-formed \((.*)\)$", r"\1", str(error).split(":")[0].strip())
            if why == "undefined entity":
                why += " (XHTML knows only &amp; &lt; &gt; &quot; &apos;: write the character itself)"
            return why or "ill-formed"
        except RecursionError:
            return None
        return None
    return _first_block(text, md, cause)


def _too_deep_line(text: str, md: markdown.Markdown) -> int | None:
    """The first line of the first block of the source nested too deep on its own (a mix of
    quotes, lists and raw HTML the source scans count apart), for the error's line."""
    def cause(block: str) -> str | None:
        try:
            return "too deep" if tree_too_deep(parse_fragment(md.convert(block))) else None
        except RecursionError:
            return "too deep"
        except etree.ParseError:
            return None
    return _first_block(text, md, cause)[0]


def _first_block(text: str, md: markdown.Markdown, cause) -> tuple[int | None, str | None]:
    """(first line, cause) of the first block (lines up to a blank one) for which ``cause``
    gives a reason; (None, None) when none does alone."""
    scanned = blank_code(text)  # blank lines inside fenced code do not split a block there
    for block in _BLOCK.finditer(scanned):
        md.reset()
        why = cause(text[block.start():block.end()])
        if why is not None:
            return line_of_offset(text, block.start()), why
    return None, None


def _check_alternative_text(draft: ChapterDraft, problems: DiagnosticCollector) -> None:
    """A warning, at its line, for each figure whose image has no alternative text of its own."""
    seen: dict[str, int] = {}
    for figure in draft.body.iter("figure"):
        image = figure.find("img")
        if image is None or CAPTION_AS_ALT_CLASS not in (figure.get("class") or "").split():
            continue
        src = image.get("src", "")
        occurrence = seen.get(src, 0)
        seen[src] = occurrence + 1
        problems.warning(draft.source, f"figure '{src}' has no alternative text apart from its caption: "
                         f'write ![caption]({src} "what the figure shows")', draft.line_of(f"({src}", occurrence=occurrence))


def _check_footnote_labels(source: str, text: str, problems: DiagnosticCollector) -> None:
    scanned = blank_code(text)
    defined: dict[str, int] = {}
    for m in FOOTNOTE_DEFINITION.finditer(scanned):
        if m.group(1) in defined:
            # Python-Markdown would keep the second text and drop the first without a word.
            problems.error(source, f"footnote [^{m.group(1)}] is defined twice (first on line "
                           f"{line_of_offset(text, defined[m.group(1)])}); give each note its own label",
                           line_of_offset(text, m.start()))
        else:
            defined[m.group(1)] = m.start()
    used = set()
    for m in FOOTNOTE_REFERENCE.finditer(scanned):
        used.add(m.group(1))
        if m.group(1) not in defined:
            problems.error(source, f"footnote [^{m.group(1)}] is not defined", line_of_offset(text, m.start()))
    for label, offset in defined.items():
        if label not in used:
            problems.warning(source, f"footnote [^{label}] is defined but never referenced", line_of_offset(text, offset))


LEFTOVER_CITATION = re.compile(r"\[-?@[^\s\]]*")
CODE_ELEMENTS = {"code", "pre", "kbd", "samp"}


def _check_unrecognised_citations(draft: ChapterDraft, problems: DiagnosticCollector) -> None:
    """A "[@…" left as text would print literally: say so rather than publish it."""
    def texts(element, in_code=False):
        in_code = in_code or element.tag in CODE_ELEMENTS
        if not in_code:
            yield element.text or ""
        for child in element:
            yield from texts(child, in_code)
            yield child.tail or ""

    unescaped = draft.text.replace("\\[", "")  # "\[@x]" is the author's way to print "[@x]"
    for text in texts(draft.body):
        for match in LEFTOVER_CITATION.finditer(text):
            if match.group(0) not in unescaped:
                continue
            problems.error(draft.source, f"'{match.group(0)}' is not a citation reportpub understands "
                           "(write [@key], [@key, p. 12] or [@key1; @key2]; keys start with a letter, digit or _)",
                           draft.line_of(match.group(0)))


def mark_url_links(body: etree.Element) -> None:
    """Links that show their own URL get class ``url``: they may break anywhere, and in vertical
    text they are set sideways as one Latin run (never tate-chu-yoko)."""
    for link in body.iter("a"):
        text = text_of(link).strip()
        if text.startswith(("http://", "https://", "www.")) or (text and text == link.get("href")):
            classes = (link.get("class") or "").split()
            if "url" not in classes:
                link.set("class", " ".join(classes + ["url"]))


def _extract_footnotes(draft: ChapterDraft) -> None:
    """Move Python-Markdown's footnote list out of the body into ``draft.notes`` and turn
    each reference into ``<span class="noteref" data-label="…"/>``."""
    body = draft.body
    for container in [el for el in body.iter("div") if el.get("class") == "footnote"]:
        for li in container.iter("li"):
            label = li.get("id", "")[len("fn:"):]
            note = etree.Element("div")
            note.text = li.text if (li.text or "").strip() else None
            for child in list(li):
                note.append(child)
            for parent in note.iter():
                for link in [c for c in parent if c.tag == "a" and c.get("class") == "footnote-backref"]:
                    remove_keeping_tail(parent, link)
            _strip_trailing_space(note)
            draft.notes[label] = note
        remove_keeping_tail(_parent_of(body, container), container)
    for parent in list(body.iter()):
        for sup in [c for c in parent if c.tag == "sup" and (c.get("id") or "").startswith("fnref")]:
            link = sup.find("a")
            label = (link.get("href", "") if link is not None else "")[len("#fn:"):]
            span = etree.Element("span", {"class": "noteref", "data-label": label})
            span.tail = sup.tail
            parent[list(parent).index(sup)] = span


def _parent_of(root: etree.Element, child: etree.Element) -> etree.Element:
    for parent in root.iter():
        if child in list(parent):
            return parent
    raise ValueError("element not in tree")


def _strip_trailing_space(note: etree.Element) -> None:
    """Python-Markdown puts a no-break space before the back link; drop it and blank text."""
    for element in note.iter():
        if element.tail:
            element.tail = element.tail.rstrip("\xa0")
        if element.text:
            element.text = element.text.rstrip("\xa0")
    if note.text is not None and not note.text.strip():
        note.text = None
    for child in note:
        if child.tail is not None and not child.tail.strip():
            child.tail = None
