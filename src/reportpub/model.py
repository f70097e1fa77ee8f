"""The Book model: what readers produce and writers consume. Plain frozen data, no I/O.

Chapter bodies are XHTML fragments (serialised with ``markup.serialize``) in which
every note reference is ``<span class="noteref" data-note="N"></span>``: each writer
decides how a note is shown (a PDF footnote, an EPUB pop-up note, a web note) from
``Chapter.notes``. A figure whose author gave its image no alternative text of its own
(the image repeats the caption) has the class ``caption-as-alt``. Only resolve.py numbers things (notes, figures, tables).
"""

from __future__ import annotations

from dataclasses import dataclass

from reportpub.config import BookConfig
from reportpub.diagnostics import SourceLocation

CAPTION_AS_ALT_CLASS = "caption-as-alt"  # see the module docstring


@dataclass(frozen=True)
class Heading:
    """A chapter or section heading, for the table of contents and the PDF outline."""

    level: int
    id: str
    text: str


@dataclass(frozen=True)
class ContentsEntry:
    """A heading in the contents list (目次), with the headings under it."""

    heading: Heading
    children: tuple["ContentsEntry", ...] = ()


@dataclass(frozen=True)
class Note:
    """One note, numbered in a single sequence through the book.

    ``html`` is block XHTML (paragraphs) for notes shown apart from the text;
    ``inline_html`` is the same content without block elements, for notes that
    float into a PDF page's note area from inside a paragraph. ``chapter_html``, where
    it is not None, is how an edition with a note list per chapter (the EPUB) shows the
    note: a citation there never points back (同上, 前掲注N) into another chapter.
    """

    number: int
    html: str
    inline_html: str
    location: SourceLocation
    is_citation: bool = False
    chapter_html: str | None = None

    @property
    def html_per_chapter(self) -> str:
        return self.html if self.chapter_html is None else self.chapter_html

    @property
    def id(self) -> str:
        return f"note-{self.number}"


def note_reference_id(number: int | str, call: int) -> str:
    """The id of the ``call``-th call (from 1) of note ``number`` in an edition that links
    each call: the first is ``noteref-N``, which the note's back link goes to."""
    return f"noteref-{number}" if call == 1 else f"noteref-{number}-{call}"


@dataclass(frozen=True)
class Asset:
    """A file the editions embed (a figure image).

    ``href`` is the reference as written in the chapter (relative to manuscript/, which
    is also where it lives inside an EPUB); ``path`` is the file, relative to the project.
    """

    href: str
    path: str
    media_type: str


@dataclass(frozen=True)
class Chapter:
    """One manuscript file, resolved."""

    index: int
    source: str  # project-relative path of the Markdown file
    id: str  # the chapter heading's id
    title: str  # plain text of the chapter heading
    body: str  # XHTML fragment, see module docstring
    headings: tuple[Heading, ...]
    notes: tuple[Note, ...]
    anchors: tuple[str, ...]  # every id defined in this chapter
    label: str = ""  # its number as printed, e.g. 第1章 or 付録A; "" when unnumbered (title then has none)
    appendix: bool = False

    def contents(self, depth: int) -> tuple[ContentsEntry, ...]:
        """The chapter's sections down to heading level ``depth`` (2: ##; 3: ### too), nested."""
        root: list = []
        stack: list[tuple[int, list]] = [(1, root)]
        for heading in self.headings:
            if heading.level < 2 or heading.level > depth:
                continue
            while stack[-1][0] >= heading.level:
                stack.pop()
            children: list = []
            stack[-1][1].append((heading, children))
            stack.append((heading.level, children))

        def freeze(entries: list) -> tuple[ContentsEntry, ...]:
            return tuple(ContentsEntry(heading, freeze(children)) for heading, children in entries)

        return freeze(root)

    @property
    def file_name(self) -> str:
        """The chapter's file in an EPUB."""
        return f"chapter-{self.index:03d}.xhtml"


@dataclass(frozen=True)
class Reference:
    """One entry of the references list (参考文献), formatted by the citation style."""

    key: str
    html: str


@dataclass(frozen=True)
class RemoteResource:
    """A remote resource the author's stylesheets or templates name, as this build fetched it
    (``allow_remote = true``); ``body`` is None when the fetch failed (and was reported)."""

    url: str  # as the author wrote it
    final_url: str  # after redirects
    content_type: str
    body: bytes | None


@dataclass(frozen=True)
class Book:
    """The whole resolved book: configuration, chapters in order, references, assets."""

    config: BookConfig
    chapters: tuple[Chapter, ...]
    references: tuple[Reference, ...]
    assets: tuple[Asset, ...]
    characters: str  # every distinct character of the text, for font checks and subsetting
    cited_keys: tuple[str, ...] = ()  # bibliography keys the text cites, in order of first citation
    remote_resources: tuple[RemoteResource, ...] = ()  # fetched once per build, for every writer

    def chapter_of_anchor(self, anchor: str) -> Chapter | None:
        for chapter in self.chapters:
            if anchor in chapter.anchors:
                return chapter
        return None
