"""Remote resources, when book.toml sets ``allow_remote = true``: fetched once per build, never silently lost.

The build fetches every http(s) URL the author's stylesheets and templates name while it
reads the book, in the main process, once each (:func:`fetch_remote_references`); the
results travel with the :class:`~reportpub.model.Book` to the writers, whose URL
fetcher serves them from there. A redirect is followed only to another http(s) URL
(never to ``file:`` or anything else) and only a few times. A fetch that fails, times
out, is too large or is redirected is a warning naming the URL and the author's file
and line that refer to it — an error under ``build --strict``.
"""

from __future__ import annotations

import http.client
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from reportpub.model import RemoteResource
from reportpub.safety.url_policy import REMOTE_SCHEMES, normalized

TIMEOUT_SECONDS = 10
SIZE_LIMIT = 20 * 1024 * 1024
MAX_REDIRECTS = 5
USER_AGENT = "reportpub"


@dataclass(frozen=True)
class RemoteReference:
    """A remote URL as an author's file names it."""

    url: str
    path: str  # project-relative
    line: int | None


class FetchFailed(Exception):
    """A remote resource that could not be had (the message says why)."""


def _opener() -> urllib.request.OpenerDirector:
    """urllib without its redirect handler: redirects are followed here, by the policy."""
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), urllib.request.HTTPHandler(), urllib.request.HTTPSHandler(),
                    urllib.request.HTTPDefaultErrorHandler(), urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


def fetch(url: str) -> tuple[RemoteResource, list[str]]:
    """(the resource, the redirects it took as "A → B" notes). Raises FetchFailed."""
    opener = _opener()
    current, redirects = normalized(url), []
    for _ in range(MAX_REDIRECTS + 1):
        if urllib.parse.urlsplit(current).scheme.lower() not in REMOTE_SCHEMES:
            raise FetchFailed(f"redirected to '{current}', which is not an http(s) URL; not followed")
        request = urllib.request.Request(current, headers={"User-Agent": USER_AGENT})
        try:
            with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
                body = response.read(SIZE_LIMIT + 1)
                if len(body) > SIZE_LIMIT:
                    raise FetchFailed(f"larger than {SIZE_LIMIT // (1024 * 1024)} MB")
                content_type = response.headers.get("Content-Type", "")
                return RemoteResource(url=url, final_url=current, content_type=content_type, body=body), redirects
        except urllib.error.HTTPError as error:
            location = error.headers.get("Location") if error.headers else None
            if 300 <= error.code < 400 and location:
                target = urllib.parse.urljoin(current, location)
                redirects.append(f"redirected ({error.code}) to '{target}'")
                current = target
                continue
            raise FetchFailed(f"HTTP {error.code} {error.reason}") from None
        except TimeoutError:
            raise FetchFailed(f"no answer within {TIMEOUT_SECONDS} s") from None
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise FetchFailed(f"no answer within {TIMEOUT_SECONDS} s") from None
            raise FetchFailed(str(getattr(reason, "strerror", None) or reason)) from None
        except (OSError, ValueError, http.client.HTTPException) as error:
            raise FetchFailed(str(error) or type(error).__name__) from None
    raise FetchFailed(f"more than {MAX_REDIRECTS} redirects")


def fetch_remote_references(references: list[RemoteReference], problems) -> tuple[RemoteResource, ...]:
    """Fetch each URL of ``references`` once; a warning in ``problems`` (a
    DiagnosticCollector) at every reference to a URL that failed or was redirected."""
    by_url: dict[str, list[RemoteReference]] = {}
    for reference in references:
        by_url.setdefault(reference.url, []).append(reference)
    fetched = []
    for url, referrers in by_url.items():
        try:
            resource, redirects = fetch(url)
        except FetchFailed as failure:
            for referrer in referrers:
                problems.warning(referrer.path, f"could not fetch '{url}': {failure}; the edition is made without it",
                                 referrer.line)
            fetched.append(RemoteResource(url=url, final_url=url, content_type="", body=None))
            continue
        for referrer in referrers:
            for note in redirects:
                problems.warning(referrer.path, f"'{url}' was {note}", referrer.line)
        fetched.append(resource)
    return tuple(fetched)


# An http(s) URL a template embeds: in a src or srcset attribute, a <link href>, or inline CSS url().
TEMPLATE_URL = re.compile(r"""(?:\b(?:src|srcset)\s*=\s*["']?\s*|<link\b[^>]*?\bhref\s*=\s*["']?\s*|url\(\s*["']?\s*)(https?:[^\s"'<>)]+)""",
                          re.IGNORECASE)


def template_references(text: str, path: str) -> list[RemoteReference]:
    """The remote URLs an author's template names in attributes and inline CSS."""
    return [RemoteReference(m.group(1), path, text.count("\n", 0, m.start(1)) + 1) for m in TEMPLATE_URL.finditer(text)]
