"""The URL policy: which links an edition may carry and which resources an author's file may name.

One rule for every source of URLs — Markdown links, raw HTML attributes and ``srcset``,
CSL ``URL`` and BibTeX ``url`` fields, stylesheets' ``@import`` and ``url()``:

* a **link** (what a reader follows: ``href``, ``cite`` …) goes to an http, https or
  mailto address, or to an anchor in the book (``#id``). ``javascript:``, ``data:``,
  ``file:``, every other scheme and relative paths are refused.
* a **resource** (what an edition embeds: ``src``, ``srcset``, CSS ``url()`` and
  ``@import``) is a file of the project named by a relative path (whether it lies
  inside the project is checked where the path is resolved, by
  :func:`reportpub.project.resolve_input`); http(s) only when book.toml sets
  ``allow_remote = true``; ``data:`` only where the caller allows it (stylesheets:
  it embeds nothing from outside); ``file:`` and other schemes never.

Schemes are read as a browser reads them: case-insensitively, after dropping leading
and trailing spaces and control characters and every tab and newline inside
(``" Java\\tScript:"`` is ``javascript:``). Entities and CSS escapes are decoded by
the parsers before a URL gets here.
"""

from __future__ import annotations

import re

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
REMOTE_SCHEMES = frozenset({"http", "https"})

_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
_EDGE = "".join(chr(c) for c in range(0x21))  # C0 controls and space, which browsers strip around a URL
_INSIDE = re.compile(r"[\t\n\r]")  # which browsers remove anywhere in a URL

LINK_RULE = "links may go to http, https or mailto addresses or to an anchor in the book (#id)"


def normalized(url: str) -> str:
    """The URL as a browser would read it before parsing."""
    return _INSIDE.sub("", url.strip(_EDGE))


def scheme_of(url: str) -> str | None:
    """The lower-case scheme of a URL, None for a relative reference."""
    match = _SCHEME.match(normalized(url))
    return match.group(1).lower() if match else None


def link_problem(url: str) -> str | None:
    """Why ``url`` may not be a link in an edition, or None when it may."""
    url_ = normalized(url)
    if url_ == "" or url_.startswith("#"):
        return None
    scheme = scheme_of(url_)
    if scheme in LINK_SCHEMES and (scheme == "mailto" or url_[len(scheme) + 1:].startswith("//")):
        return None
    if scheme is None:
        return f"link '{_short(url)}' is not allowed: {LINK_RULE}"
    return f"a {scheme}: link ('{_short(url)}') is not allowed: {LINK_RULE}"


def resource_problem(url: str, allow_remote: bool | None = None, allow_data: bool = False) -> str | None:
    """Why ``url`` may not name a resource an edition embeds, or None when it may (a relative
    path still has to resolve inside the project). ``allow_remote`` is book.toml's setting
    where it applies (stylesheets, templates), None where remote resources are never
    allowed (a chapter's images)."""
    url_ = normalized(url)
    scheme = scheme_of(url_)
    if scheme is None and url_.startswith("//"):
        scheme = "http"  # a network-path reference: remote, whatever the edition's own scheme
    if scheme is None:
        if url_.startswith(("/", "\\")):
            return f"'{_short(url)}' is an absolute path; name files of the project by a path relative to the file that uses them"
        return None
    if scheme == "data":
        return None if allow_data else f"'{_short(url)}' is inline data (data:), not a file of the project"
    if scheme in REMOTE_SCHEMES:
        if allow_remote:
            return None
        if allow_remote is None:
            return f"'{_short(url)}' is not a file of the project (remote resources are not allowed here)"
        return f"'{_short(url)}' is a remote resource (remote resources need allow_remote = true in book.toml)"
    return f"a {scheme}: resource ('{_short(url)}') is not allowed: only files inside the project may be used"


def remote(url: str) -> bool:
    """Whether a resource URL names something on the network."""
    url_ = normalized(url)
    return scheme_of(url_) in REMOTE_SCHEMES or (scheme_of(url_) is None and url_.startswith("//"))


def _short(url: str, limit: int = 60) -> str:
    """The URL as a message shows it: control characters visible, long ones cut."""
    shown = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", url)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
