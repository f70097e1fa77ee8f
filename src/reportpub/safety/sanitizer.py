"""Author HTML → the markup an edition may carry: the one sanitiser every chapter, note and reference passes.

Raw HTML in a chapter is parsed as XHTML (``xml.etree``), which keeps the case of names
and the namespaces an author declares; browsers and reading systems read HTML
case-insensitively. So the sanitiser first makes every element and attribute name what
an HTML reader sees — lower case, the XHTML namespace dropped — and then refuses, by
that name:

* elements that run code, embed or fetch other documents, or belong to the page rather
  than the text (:data:`REFUSED_ELEMENTS`), and any element in another namespace
  (``<svg:svg>``, ``<x xmlns="urn:y">``);
* event attributes (``on…``), attributes that make a request of their own
  (:data:`REFUSED_ATTRIBUTES`), namespaced attributes other than ``xml:lang``, and a
  ``style`` attribute that names a URL;
* a link attribute (``href``, ``cite`` …) or resource attribute (``src``, ``srcset``
  …) whose URL the policy of :mod:`reportpub.safety.url_policy` refuses.

Every refusal is returned with what to search for in the source to give its line; the
refused element or attribute is removed, so no later stage meets it even while the
build goes on collecting other problems.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

import tinycss2

from reportpub.safety.url_policy import link_problem, resource_problem
from reportpub.xhtml import remove_keeping_tail

XHTML_NAMESPACE = "http://www.w3.org/1999/xhtml"
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"

# Elements that run code, embed or fetch other documents, take input, or belong to the
# page rather than the text; also the HTML parser's raw-text and legacy elements, whose
# content a browser does not read as markup (see the README's "Raw HTML" section).
REFUSED_ELEMENTS = frozenset({
    "script", "noscript", "template", "iframe", "object", "embed", "applet", "param", "frame", "frameset",
    "noframes", "noembed", "portal", "link", "meta", "base", "style", "form", "input", "button", "textarea",
    "select", "option", "optgroup", "datalist", "keygen", "output", "audio", "video", "source", "track",
    "picture", "canvas", "svg", "math", "image", "xmp", "plaintext", "listing", "html", "head", "body", "title",
})
# Attributes that make a request or carry a document of their own, whatever their value.
REFUSED_ATTRIBUTES = frozenset({"ping", "srcdoc", "formaction", "action", "codebase", "classid", "archive", "manifest"})
# Attributes a reader follows: the link policy.
LINK_ATTRIBUTES = frozenset({"href", "cite", "longdesc", "usemap"})
# Attributes an edition fetches and embeds: the resource policy (files of the project).
RESOURCE_ATTRIBUTES = frozenset({"src", "poster", "background", "lowsrc", "dynsrc", "data"})


@dataclass(frozen=True)
class Refusal:
    """Something the sanitiser took out: the message, and patterns (regular expressions,
    case-insensitive, tried in order) that find it in the author's source."""

    message: str
    patterns: tuple[str, ...]


def sanitize(root: etree.Element) -> list[Refusal]:
    """Normalise and sanitise the tree below ``root`` in place; what was refused."""
    refusals: list[Refusal] = []
    _sanitize_children(root, refusals)
    _sanitize_attributes(root, refusals)
    return refusals


def locate(refusals: list[Refusal], source: str) -> list[int | None]:
    """The line of the source each refusal comes from. Refusals are in document order, so
    the second refusal found by the same pattern is taken from its second match."""
    seen: dict[tuple[str, ...], int] = {}
    lines = []
    for refusal in refusals:
        occurrence = seen.get(refusal.patterns, 0)
        seen[refusal.patterns] = occurrence + 1
        lines.append(None)
        for pattern in refusal.patterns:
            matches = list(re.finditer(pattern, source, re.IGNORECASE))
            if matches:
                match = matches[min(occurrence, len(matches) - 1)]
                lines[-1] = source.count("\n", 0, match.start()) + 1
                break
    return lines


def srcset_urls(value: str) -> list[str]:
    """The image URLs of a ``srcset`` attribute (HTML's candidate list: URL, then descriptors
    up to a comma outside parentheses)."""
    urls, position = [], 0
    while True:
        match = re.compile(r"[\s,]*(\S+)").match(value, position)
        if not match:
            return urls
        url = match.group(1)
        position = match.end()
        if url.endswith(","):
            urls.append(url.rstrip(","))
            continue
        urls.append(url)
        depth = 0
        while position < len(value) and not (value[position] == "," and depth == 0):
            depth += {"(": 1, ")": -1}.get(value[position], 0)
            position += 1


def _sanitize_children(parent: etree.Element, refusals: list[Refusal]) -> None:
    for child in list(parent):
        name, problem = _element_name(child.tag)
        if problem is None and name in REFUSED_ELEMENTS:
            problem = f"raw HTML <{name}> is not allowed in a manuscript"
        if problem is not None:
            local = name.rsplit(":", 1)[-1]
            refusals.append(Refusal(problem, (rf"<(?:[\w.-]+:)?{re.escape(local)}(?![\w.:-])",)))
            remove_keeping_tail(parent, child)
            continue
        child.tag = name
        _sanitize_attributes(child, refusals)
        _sanitize_children(child, refusals)


def _element_name(tag: str) -> tuple[str, str | None]:
    """(the name an HTML reader sees, why the element is refused for its namespace or None)."""
    if tag.startswith("{"):
        namespace, local = tag[1:].split("}", 1)
        if namespace != XHTML_NAMESPACE:
            return local.lower(), f"raw HTML <{local}> in the namespace '{namespace}' is not allowed (only HTML elements)"
        tag = local
    return tag.lower(), None


def _sanitize_attributes(element: etree.Element, refusals: list[Refusal]) -> None:
    attributes = {}
    for raw_name, value in element.attrib.items():
        name, problem = _attribute_name(raw_name)
        if problem is None:
            problem = _attribute_problem(element.tag, name, value)
        if problem is not None:
            patterns = (re.escape(value),) if value and name not in REFUSED_ATTRIBUTES else ()
            local = name.rsplit(":", 1)[-1]
            refusals.append(Refusal(problem, patterns + (rf"(?<![\w.-])(?:[\w.-]+:)?{re.escape(local)}\s*=",)))
            continue
        attributes.setdefault(name, value)  # HTML keeps the first of two names that differ in case only
    element.attrib.clear()
    element.attrib.update(attributes)


def _attribute_name(name: str) -> tuple[str, str | None]:
    if name.startswith("{"):
        namespace, local = name[1:].split("}", 1)
        if namespace == XML_NAMESPACE and local == "lang":
            return "lang", None
        if namespace != XHTML_NAMESPACE:
            return local.lower(), f"raw HTML attribute '{local}' in the namespace '{namespace}' is not allowed"
        name = local
    return name.lower(), None


def _attribute_problem(tag: str, name: str, value: str) -> str | None:
    if name.startswith("on"):
        return f"raw HTML attribute '{name}' (a script) is not allowed"
    if name in REFUSED_ATTRIBUTES:
        return f"raw HTML attribute '{name}' is not allowed (it makes a request of its own)"
    if name in LINK_ATTRIBUTES:
        return link_problem(value)
    if name in RESOURCE_ATTRIBUTES:
        return _resource_message(tag, name, resource_problem(value))
    if name == "srcset":
        for url in srcset_urls(value):
            problem = resource_problem(url)
            if problem:
                return _resource_message(tag, name, problem)
        return None
    if name == "style" and _style_names_a_url(value):
        return "a style attribute may not name a URL (url(), @import); put the rule in a stylesheet in styles/"
    return None


def _resource_message(tag: str, name: str, problem: str | None) -> str | None:
    return f"<{tag} {name}>: {problem}" if problem else None


def _style_names_a_url(value: str) -> bool:
    def walk(tokens) -> bool:
        for token in tokens:
            if token.type == "url" or token.type == "at-keyword":
                return True
            if token.type == "function" and (token.lower_name in ("url", "src", "image-set", "-webkit-image-set", "image", "expression")
                                             or walk(token.arguments)):
                return True
            if token.type in ("() block", "[] block", "{} block") and walk(token.content):
                return True
        return False

    return walk(tinycss2.parse_component_value_list(value))
