"""The sanitiser of author HTML: names read as a browser reads them, nothing active survives.

The property test throws random tag soup (any case, namespaced, entity-encoded URLs)
at the sanitiser and reads what comes out with Python's own HTML parser — a reader
that knows nothing of reportpub's rules — checking that no element or attribute that
runs code or fetches something is left.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportpub.safety.sanitizer import locate, sanitize, srcset_urls
from reportpub.safety.url_policy import link_problem, resource_problem
from reportpub.xhtml import parse_fragment, serialize

SVG = "http://www.w3.org/2000/svg"
XHTML = "http://www.w3.org/1999/xhtml"

# What a browser would run, embed or fetch: the oracle's own list, not the sanitiser's.
ACTIVE_ELEMENTS = {"script", "iframe", "object", "embed", "applet", "frame", "frameset", "style", "link", "meta",
                   "base", "form", "input", "button", "svg", "math", "image", "audio", "video", "source",
                   "noscript", "template", "textarea", "select", "portal"}
URL_ATTRIBUTES = {"href", "src", "srcset", "cite", "poster", "background", "longdesc", "lowsrc", "dynsrc", "data",
                  "action", "formaction", "usemap", "ping"}
DANGEROUS = re.compile(r"^(javascript|vbscript|data|file|ftp|blob|filesystem|jar):")


class Reader(HTMLParser):
    """Every (tag, attributes) an HTML reader sees."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    handle_startendtag = handle_starttag


def browser_url(value: str) -> str:
    return re.sub(r"[\t\n\r]", "", value.strip("".join(chr(c) for c in range(0x21)))).lower()


def assert_inert(html: str) -> None:
    reader = Reader()
    reader.feed(html)
    reader.close()
    for tag, attributes in reader.elements:
        assert tag not in ACTIVE_ELEMENTS, html
        assert ":" not in tag and "{" not in tag, html
        for name, value in attributes:
            value = value or ""
            assert not name.startswith("on"), html
            assert ":" not in name, html
            if name == "srcset":
                assert not any(DANGEROUS.match(browser_url(u)) or browser_url(u).startswith(("http", "//"))
                               for u in srcset_urls(value)), html
            elif name in URL_ATTRIBUTES:
                url = browser_url(value)
                assert not DANGEROUS.match(url), html
                if name not in ("href", "cite", "longdesc"):
                    assert not url.startswith(("http:", "https:", "//")), html
            elif name == "style":
                assert "url(" not in value.lower().replace("\\", ""), html


TAGS = ["span", "a", "img", "b", "p", "script", "iframe", "style", "svg", "math", "object", "embed", "image",
        "link", "meta", "base", "form", "input", "noscript", "template", "video", "source", "abbr", "q"]
ATTRIBUTES = ["href", "src", "srcset", "cite", "style", "onclick", "onload", "class", "title", "poster",
              "background", "data", "action", "formaction", "ping", "lang", "longdesc"]
URL_STARTS = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:x", "java\tscript:x", "java\nscript:x",
              "\x01javascript:x", "vbscript:x", "data:text/html,<script>x</script>", "DATA:image/png;base64,AA",
              "file:///etc/passwd", "FILE:///x", "http://e.invalid/x.png", "https://e.invalid/", "//e.invalid/x",
              "mailto:a@b.invalid", "#anchor", "images/a.png", "/etc/passwd", "", "ftp://e.invalid/",
              "background: url(http://e.invalid/)", "background:u\\72l(x)", "a.png 1x, javascript:x 2x"]


@st.composite
def mixed_case(draw, name: str) -> str:
    flags = draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    return "".join(c.upper() if f else c for c, f in zip(name, flags))


@st.composite
def attribute_value(draw) -> str:
    value = draw(st.sampled_from(URL_STARTS)) + draw(st.text(alphabet="abc/:;()&#<>\"' \t", max_size=8))
    encode = draw(st.lists(st.booleans(), min_size=len(value), max_size=len(value)))
    out = []
    for character, as_reference in zip(value, encode):
        if as_reference:
            out.append(f"&#{ord(character)};" if ord(character) >= 0x20 or character in "\t\n\r" else " ")
        elif character in "<&\"":
            out.append({"<": "&lt;", "&": "&amp;", '"': "&quot;"}[character])
        elif ord(character) < 0x20 and character not in "\t\n\r":
            out.append(" ")  # XML 1.0 has no other control characters
        else:
            out.append(character)
    return "".join(out)


@st.composite
def element(draw, depth: int = 0) -> str:
    tag = draw(mixed_case(draw(st.sampled_from(TAGS))))
    namespace = draw(st.sampled_from(["", "", "", f' xmlns="{XHTML}"', f' xmlns="{SVG}"', "prefix"]))
    if namespace == "prefix":
        declaration, tag = f' xmlns:s="{draw(st.sampled_from([SVG, XHTML, "urn:x"]))}"', f"s:{tag}"
    else:
        declaration = namespace
    names = draw(st.lists(st.sampled_from(ATTRIBUTES), max_size=3, unique=True))
    attributes = "".join(f' {draw(mixed_case(name))}="{draw(attribute_value())}"' for name in names)
    if draw(st.booleans()):
        attributes += f' xmlns:x="urn:x" x:{draw(st.sampled_from(ATTRIBUTES))}="{draw(attribute_value())}"'
    children = draw(st.lists(element(depth + 1), max_size=2)) if depth < 3 else []
    text = draw(st.sampled_from(["", "本文", "a&amp;b", "&lt;script&gt;"]))
    return f"<{tag}{declaration}{attributes}>{text}{''.join(children)}</{tag}>"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(element(), min_size=1, max_size=3))
def test_nothing_active_survives_random_tag_soup(fragments):
    source = "前" + "".join(fragments) + "後"
    root = parse_fragment(source)
    refusals = sanitize(root)
    assert_inert(serialize(root, html=True))
    parse_fragment(serialize(root))  # still well-formed XHTML for the EPUB
    assert all(r.message for r in refusals)
    assert "前" in serialize(root) and "後" in serialize(root)


@pytest.mark.parametrize("source, message", [
    ("<SCRIPT>x</SCRIPT>", "raw HTML <script> is not allowed"),
    ("<Iframe src='https://e.invalid/'></Iframe>", "raw HTML <iframe> is not allowed"),
    ("<Style>p{}</Style>", "raw HTML <style> is not allowed"),
    (f'<svg:svg xmlns:svg="{SVG}"><svg:a/></svg:svg>', f"raw HTML <svg> in the namespace '{SVG}' is not allowed"),
    (f'<script xmlns="{XHTML}">x</script>', "raw HTML <script> is not allowed"),
    ('<b xmlns="urn:x">x</b>', "raw HTML <b> in the namespace 'urn:x' is not allowed"),
    ('<IMG SRC="http://e.invalid/x.png"/>', "<img src>: 'http://e.invalid/x.png' is not a file of the project"),
    ('<img src="a.png" srcset="a.png 1x, https://e.invalid/b.png 2x"/>', "<img srcset>: 'https://e.invalid/b.png' is not a file of the project"),
    ('<a HREF="JavaScript:alert(1)">x</a>', "a javascript: link"),
    ('<a href="jav&#x61;script:alert(1)">x</a>', "a javascript: link"),
    ('<a href="data:text/html,x">x</a>', "a data: link"),
    ('<a href="file:///etc/passwd">x</a>', "a file: link"),
    ('<span OnMouseOver="x">x</span>', "raw HTML attribute 'onmouseover' (a script) is not allowed"),
    ('<span style="background: u\\72l(https://e.invalid/)">x</span>', "a style attribute may not name a URL"),
])
def test_each_refusal(source, message):
    text = f"一行目\n本文{source}です。"
    root = parse_fragment(text)
    refusals = sanitize(root)
    assert any(message in r.message for r in refusals), [r.message for r in refusals]
    assert set(locate(refusals, text)) == {2}
    assert_inert(serialize(root, html=True))


def test_allowed_markup_is_kept_in_lower_case():
    root = parse_fragment('<SPAN Class="x" xml:lang="en">a</SPAN><a href="https://e.invalid/">b</a>'
                          '<a href="#note">c</a><a href="mailto:a@b.invalid">d</a><img src="images/a.png" alt=""/>')
    assert sanitize(root) == []
    assert serialize(root) == ('<span class="x" lang="en">a</span><a href="https://e.invalid/">b</a>'
                               '<a href="#note">c</a><a href="mailto:a@b.invalid">d</a><img src="images/a.png" alt="" />')


def test_url_policy():
    assert link_problem("https://e.invalid/") is None and link_problem("#x") is None and link_problem("mailto:a@b") is None
    for url in ["javascript:x", " JAVA\tSCRIPT:x", "data:,x", "file:///x", "vbscript:x", "other.md", "ftp://x/"]:
        assert link_problem(url), url
    assert resource_problem("images/a.png") is None
    assert resource_problem("data:image/png;base64,AA", allow_data=True) is None
    assert resource_problem("data:image/png;base64,AA")
    assert resource_problem("https://e.invalid/x.css") and resource_problem("https://e.invalid/x.css", allow_remote=True) is None
    assert resource_problem("//e.invalid/x.css") and resource_problem("file:///etc/passwd", allow_remote=True)
    assert resource_problem("/etc/passwd")
    assert srcset_urls("a.png 1x, b.png 2x,c.png") == ["a.png", "b.png", "c.png"]
    assert srcset_urls("data:image/png;base64,AA,BB 1x, d.png (x, y) 2x") == ["data:image/png;base64,AA,BB", "d.png"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(element(), min_size=1, max_size=2), st.sampled_from(["inline", "block", "note", "link"]),
       st.sampled_from(URL_STARTS))
def test_nothing_active_survives_the_reader(tmp_path, fragments, placement, url):
    """The same soup through the whole reader (Python-Markdown, footnotes, links): the sanitiser
    sees what Markdown makes of raw HTML, wherever it stands."""
    from reportpub.diagnostics import DiagnosticCollector
    from reportpub.manuscript import make_markdown
    from reportpub.manuscript.reader import read_chapter
    from reportpub.project import Project

    soup = "".join(fragments)
    text = {"inline": f"# 章\n\n本文 {soup} です。\n",
            "block": f"# 章\n\n{soup}\n\n本文。\n",
            "note": f"# 章\n\n本文[^1]。\n\n[^1]: 注 {soup}\n",
            "link": f"# 章\n\n[リンク]({url.strip().replace(' ', '%20') or '#x'}) {soup}\n"}[placement]
    root = tmp_path / "p"
    (root / "manuscript").mkdir(parents=True, exist_ok=True)
    (root / "manuscript" / "book.toml").write_text('title = "本"\n', encoding="utf-8")
    (root / "manuscript" / "01.md").write_text(text, encoding="utf-8")
    draft = read_chapter(Project.open(root), root / "manuscript" / "01.md", make_markdown(), DiagnosticCollector())
    if draft is None:
        return  # not well-formed: refused as a whole
    assert_inert(serialize(draft.body, html=True))
    for note in draft.notes.values():
        assert_inert(serialize(note, html=True))
