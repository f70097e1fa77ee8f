"""The URLs an author's stylesheet names, found by a CSS tokenizer and checked for every edition.

``@import``, ``url()``, ``src()`` and ``image-set()`` are read with tinycss2 (so CSS
escapes such as ``u\\72l(`` or ``\\66ile:`` are decoded as a browser decodes them),
each URL is held to the resource policy of :mod:`reportpub.safety.url_policy`, and a relative
one must resolve to a file inside the project. This runs while the book is read,
before any writer: the EPUB and the web edition copy stylesheets as they are, so a
refused URL must stop the build whatever editions it makes, not only the PDF's fetcher.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import tinycss2

from reportpub.safety.url_policy import normalized, remote, resource_problem, scheme_of

URL_FUNCTIONS = frozenset({"url", "src"})
IMAGE_SET_FUNCTIONS = frozenset({"image-set", "-webkit-image-set"})


@dataclass(frozen=True)
class CssUrl:
    """One URL a stylesheet names, with its 1-based line."""

    url: str
    line: int


def css_urls(text: str) -> Iterator[CssUrl]:
    """Every URL of a stylesheet: ``@import`` targets and URLs in values, in source order."""
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule":
            if rule.lower_at_keyword == "import":
                for token in rule.prelude:
                    if token.type in ("string", "url"):
                        yield CssUrl(token.value, token.source_line)
                        break
                    if token.type == "function" and token.lower_name in URL_FUNCTIONS:
                        yield from _function_urls(token)
                        break
            else:
                yield from _value_urls(rule.prelude)
            if rule.content is not None:
                yield from _value_urls(rule.content)
        elif rule.type == "qualified-rule":
            yield from _value_urls(rule.prelude)
            yield from _value_urls(rule.content)


def _value_urls(tokens) -> Iterator[CssUrl]:
    for token in tokens or ():
        if token.type == "url":
            yield CssUrl(token.value, token.source_line)
        elif token.type == "function":
            if token.lower_name in URL_FUNCTIONS:
                yield from _function_urls(token)
            elif token.lower_name in IMAGE_SET_FUNCTIONS:
                for argument in token.arguments:
                    if argument.type == "string":
                        yield CssUrl(argument.value, argument.source_line)
                yield from _value_urls(token.arguments)
            else:
                yield from _value_urls(token.arguments)
        elif token.type in ("() block", "[] block", "{} block"):
            yield from _value_urls(token.content)


def _function_urls(token) -> Iterator[CssUrl]:
    for argument in token.arguments:
        if argument.type == "string":
            yield CssUrl(argument.value, argument.source_line)
            return


def url_problems(text: str, sheet: Path, resolve_inside, allow_remote: bool) -> list[tuple[int, str]]:
    """(line, message) for every URL of the stylesheet at ``sheet`` the policy refuses;
    ``resolve_inside(path)`` is the project's check that a relative path stays inside it
    (it returns a message, or None)."""
    problems = []
    for found in css_urls(text):
        problem = resource_problem(found.url, allow_remote=allow_remote, allow_data=True)
        if problem is None and scheme_of(found.url) is None and not remote(found.url):
            relative = urllib.parse.unquote(urllib.parse.urlsplit(normalized(found.url)).path)
            outside = resolve_inside(sheet.parent / relative) if relative else None
            problem = f"'{found.url}' {outside}" if outside else None
        if problem:
            problems.append((found.line, problem))
    return problems


def remote_urls(text: str) -> list[CssUrl]:
    """The network URLs a stylesheet names (fetched once per build when allow_remote is set)."""
    return [found for found in css_urls(text) if remote(found.url)]
