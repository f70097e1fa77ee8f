"""The only way WeasyPrint reaches a resource: files inside the project or reportpub's own data.

WeasyPrint would otherwise follow any ``file://`` path or network URL found in a
manuscript or stylesheet. This fetcher serves a URL only when it names a file under
the project directory or the installed package (the rule of :mod:`reportpub.safety.inputs`:
``..`` and symbolic links resolved), or a font file fontconfig knows — the system
fonts a stylesheet may name by family or by ``@font-face { src: local() }`` alike.
Network URLs are refused unless book.toml sets ``allow_remote = true``, and then only
http(s): served from what the build fetched once while reading the book
(``Book.remote_resources``), else fetched here by the same rules (:mod:`reportpub.safety.remote`).
Refused and failed URLs are remembered so the build can report them as errors instead
of silently dropping a resource.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse

from reportpub.diagnostics import Diagnostic, SourceLocation
from reportpub.digests import PACKAGE_DIR
from reportpub.safety.inputs import inside
from reportpub.model import RemoteResource
from reportpub.safety.remote import TIMEOUT_SECONDS, FetchFailed, fetch
from reportpub.typography.fonts import system_font_files

# Documents are given this base URL instead of the project's file:// URL: WeasyPrint names
# images and fonts after their URLs, and an absolute path there would make the PDF's
# bytes depend on where the project lies. The fetcher maps it back to the project.
PROJECT_ORIGIN = "https://project.reportpub.invalid/"


class RefusedResource(ValueError):
    """A URL the build may not read (WeasyPrint logs it and goes on; we report it)."""


class ProjectURLFetcher(URLFetcher):
    """A WeasyPrint URL fetcher confined to the project and the package's own data."""

    def __init__(self, project_root: Path, allow_remote: bool = False, extra_roots: tuple[Path, ...] = (),
                 remote_resources: tuple[RemoteResource, ...] = ()):
        super().__init__(timeout=TIMEOUT_SECONDS, allow_redirects=False)
        self.roots = (project_root.resolve(), PACKAGE_DIR, *(r.resolve() for r in extra_roots))
        self.allow_remote = allow_remote
        self.remote = {resource.url: resource for resource in remote_resources}
        self.refused: list[str] = []
        self.failed: dict[str, str] = {}  # URL → why it could not be fetched

    def allowed_path(self, url: str) -> Path | None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            return None
        path = Path(urllib.parse.unquote(parsed.path))
        for root in self.roots:
            if (resolved := inside(root, path)) is not None:
                return resolved
        return path.resolve() if path.resolve() in system_font_files() else None

    def project_url(self, path: Path) -> str:
        """The virtual URL of a file inside the project."""
        return PROJECT_ORIGIN + urllib.parse.quote(path.resolve().relative_to(self.roots[0]).as_posix())

    def fetch(self, url, headers=None):
        if url.startswith(PROJECT_ORIGIN):
            relative = urllib.parse.unquote(urllib.parse.urlsplit(url).path).lstrip("/")
            url = (self.roots[0] / relative).as_uri()
            if self.allowed_path(url) is not None:
                response = super().fetch(url, headers)
                data = response.read()
                response.close()
                return URLFetcherResponse(PROJECT_ORIGIN + relative, data, response.headers, response.status)
        scheme = urllib.parse.urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file" and self.allowed_path(url) is not None:
            return super().fetch(url, headers)
        if scheme in ("http", "https") and self.allow_remote:
            return self._remote(url)
        self.refused.append(url)
        raise RefusedResource(f"refused to read {url}: outside the project")

    def _remote(self, url: str) -> URLFetcherResponse:
        """A remote resource, fetched at most once by this build (redirects only to http(s))."""
        resource = self.remote.get(url)
        if resource is None:
            try:
                resource, _ = fetch(url)
            except FetchFailed as failure:
                resource = RemoteResource(url=url, final_url=url, content_type="", body=None)
                self.failed[url] = str(failure)
            self.remote[url] = resource
        if resource.body is None:
            raise RefusedResource(f"could not fetch {url}")  # reported: a warning while reading, or an error here
        headers = {"Content-Type": resource.content_type} if resource.content_type else None
        return URLFetcherResponse(resource.final_url, resource.body, headers, 200)

    def diagnostics(self, candidates: list[Path], fallback: str, relative) -> list[Diagnostic]:
        """A problem per refused URL, placed at the first author file (stylesheet, template,
        chapter) and line that mentions it, else at ``fallback``."""
        hint = "" if self.allow_remote else " (remote resources need allow_remote = true in book.toml)"
        problems = []
        for url in dict.fromkeys(self.refused):
            location = _find_reference(url, candidates, relative) or SourceLocation(fallback)
            problems.append(Diagnostic(location, f"refused to read '{url}': only files inside the project may be used{hint}"))
        for url, reason in self.failed.items():
            location = _find_reference(url, candidates, relative) or SourceLocation(fallback)
            problems.append(Diagnostic(location, f"could not fetch '{url}': {reason}"))
        return problems


def _find_reference(url: str, candidates: list[Path], relative) -> SourceLocation | None:
    """Where an author's file refers to a URL: the full URL, else its last path segment."""
    name = urllib.parse.unquote(urllib.parse.urlsplit(url).path).rstrip("/").rsplit("/", 1)[-1]
    for needle in (url, name):
        if not needle:
            continue
        for path in candidates:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            offset = text.find(needle)
            if offset >= 0:
                return SourceLocation(relative(path), text.count("\n", 0, offset) + 1)
    return None
