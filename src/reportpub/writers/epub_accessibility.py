"""What an EPUB edition says about its accessibility (EPUB Accessibility 1.1).

The package metadata a reading system or a bookshop shows to readers who need it:
how the content is perceived (``schema:accessMode``: textual, and visual when the book
has figures), which of those modes suffice alone (``accessModeSufficient``: textual
when every figure has alternative text), the features it has (structural navigation,
a table of contents, a logical reading order, alternative text, ruby annotations, the
writing direction), its hazards (none: no flashing, motion or sound), a summary in
words (book.toml's ``accessibility_summary``, else one said from those facts), and
``dcterms:conformsTo`` EPUB Accessibility 1.1 at WCAG 2.2 AA when every figure has its
alternative text, the one requirement the manuscript can leave unmet.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportpub.model import CAPTION_AS_ALT_CLASS, Book

CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"


@dataclass(frozen=True)
class AccessibilityFacts:
    """What the book's content holds, as far as its accessibility metadata goes."""

    figures: int
    figures_without_alt: int
    ruby: bool
    tables: bool
    vertical: bool

    @property
    def alternative_text(self) -> bool:
        return self.figures > 0 and self.figures_without_alt == 0

    @property
    def conforms(self) -> bool:
        return self.figures_without_alt == 0


def accessibility_facts(book: Book, mode: str) -> AccessibilityFacts:
    """What the chapters hold: figures (and those whose image repeats its caption as
    alternative text, manuscript/figures.py), ruby, tables; and the writing mode."""
    bodies = [chapter.body for chapter in book.chapters]
    return AccessibilityFacts(
        figures=sum(body.count("<figure") for body in bodies),
        figures_without_alt=sum(body.count(CAPTION_AS_ALT_CLASS) for body in bodies),
        ruby=any("<ruby" in body for body in bodies),
        tables=any("<table" in body for body in bodies),
        vertical=mode == "vertical",
    )


def accessibility_metadata(book: Book, mode: str, page_list: bool = False) -> list[tuple[str, str]]:
    """(property, value) of the package's accessibility ``<meta>`` elements, in order;
    ``page_list``: the EPUB marks the reader PDF's pages (writers/page_list.py)."""
    facts = accessibility_facts(book, mode)
    metadata = [("schema:accessMode", "textual")]
    if facts.figures:
        metadata.append(("schema:accessMode", "visual"))
    if facts.figures == 0 or facts.alternative_text:
        metadata.append(("schema:accessModeSufficient", "textual"))
    if facts.figures:
        metadata.append(("schema:accessModeSufficient", "textual,visual"))
    features = ["structuralNavigation", "tableOfContents", "readingOrder"]
    if facts.alternative_text:
        features.append("alternativeText")
    if facts.ruby:
        features.append("rubyAnnotations")
    features.append("verticalWriting" if facts.vertical else "horizontalWriting")
    if page_list:
        features += ["pageBreakMarkers", "pageNavigation"]
    metadata += [("schema:accessibilityFeature", feature) for feature in features]
    metadata.append(("schema:accessibilityHazard", "none"))
    metadata.append(("schema:accessibilitySummary", book.config.accessibility_summary or default_summary(book, facts)))
    if facts.conforms:
        metadata.append(("dcterms:conformsTo", CONFORMANCE))
    return metadata


# The default summary's sentences, in Japanese for a Japanese book and in English for any other;
# "joiner" is what stands between sentences (Japanese sets none).
SUMMARY_SENTENCES = {
    "ja": {"navigation": "見出しと目次による構造化されたナビゲーションを備え、本文は論理的な読み順に並んでいます。",
           "alternative_text": "図にはすべて代替テキストがあります。",
           "captions_only": "代替テキストのない図があり、その図はキャプションだけで説明されています。",
           "ruby": "ルビはルビ注記として付されています。",
           "vertical": "縦組みの版です。", "horizontal": "横組みの版です。",
           "conforms": "EPUB Accessibility 1.1 と WCAG 2.2 レベル AA を満たすよう作られています。",
           "joiner": ""},
    "en": {"navigation": "Structured navigation by headings and a table of contents; the text is in a logical reading order.",
           "alternative_text": "Every figure has alternative text.",
           "captions_only": "Some figures have no alternative text and are described by their captions only.",
           "ruby": "Ruby annotations are marked up as ruby.",
           "vertical": "Vertical writing.", "horizontal": "Horizontal writing.",
           "conforms": "Made to meet EPUB Accessibility 1.1 and WCAG 2.2 Level AA.",
           "joiner": " "},
}


def default_summary(book: Book, facts: AccessibilityFacts) -> str:
    """The summary said from the facts, in Japanese for a Japanese book, else in English."""
    words = SUMMARY_SENTENCES["ja" if book.config.language.split("-")[0] == "ja" else "en"]
    sentences = [words["navigation"]]
    if facts.figures:
        sentences.append(words["alternative_text" if facts.alternative_text else "captions_only"])
    if facts.ruby:
        sentences.append(words["ruby"])
    sentences.append(words["vertical" if facts.vertical else "horizontal"])
    if facts.conforms:
        sentences.append(words["conforms"])
    return words["joiner"].join(sentences)
