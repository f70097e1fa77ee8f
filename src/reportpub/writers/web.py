"""The single-file web edition (``<slug>.html``): horizontal, self-contained, for browsers and preview.

Stylesheets are inlined and figures embedded as data: URIs, so the one file can be
mailed or opened offline. Notes are listed at the end of each chapter, linked both ways.
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as etree
from pathlib import Path

from reportpub.model import Book, Chapter, note_reference_id
from reportpub.project import Project
from reportpub.templates import Templates
from reportpub.theme import stylesheet_text, stylesheets
from reportpub.xhtml import parse_fragment, ruby_bases_first, serialize, serialize_element


def web_chapter_html(chapter: Chapter, images: dict[str, str]) -> tuple[str, str]:
    """(body HTML, notes HTML) of a chapter: note markers become linked superscripts."""
    root = parse_fragment(chapter.body)
    ruby_bases_first(root)
    seen: dict[str, int] = {}
    for marker in list(root.iter("span")):
        if marker.get("class") == "noteref" and marker.get("data-note"):
            number = marker.get("data-note")
            seen[number] = seen.get(number, 0) + 1
            reference_id = note_reference_id(number, seen[number])
            marker.attrib.clear()
            marker.tag = "sup"
            marker.set("class", "noteref")
            link = etree.SubElement(marker, "a", {"href": f"#note-{number}", "id": reference_id, "role": "doc-noteref"})
            link.text = number
    for img in root.iter("img"):
        if img.get("src") in images:
            img.set("src", images[img.get("src")])
        img.attrib.pop("srcset", None)  # the one file embeds each figure once, from its src
    notes = etree.Element("ol", {"class": "note-list"})
    for note in chapter.notes:
        item = etree.SubElement(notes, "li", {"id": note.id, "value": str(note.number)})
        back = etree.SubElement(item, "a", {"href": f"#noteref-{note.number}", "class": "note-back"})
        back.text = f"注{note.number}"
        content = parse_fragment(note.html)
        ruby_bases_first(content)
        back.tail = content.text
        for child in content:
            item.append(child)
    return serialize(root, html=True), (serialize_element(notes, html=True) if chapter.notes else "")


def write_web(book: Book, project: Project, templates: Templates, target: Path) -> None:
    images = {
        asset.href: f"data:{asset.media_type};base64," + base64.b64encode((project.root / asset.path).read_bytes()).decode()
        for asset in book.assets
    }
    chapters = []
    for chapter in book.chapters:
        html, notes_html = web_chapter_html(chapter, images)
        chapters.append({"id": chapter.id, "title": chapter.title, "href": "", "headings": chapter.headings,
                         "sections": chapter.contents(book.config.toc.depth),
                         "html": html, "notes_html": notes_html})
    css = "\n".join(stylesheet_text(path, project) for path in stylesheets(project, "web", "horizontal"))
    html = templates.render("web.html", book, chapters=chapters, inline_css=css, mode="horizontal")
    target.write_text(html, encoding="utf-8")
