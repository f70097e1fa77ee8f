"""The only way WeasyPrint reaches a resource: files inside the project or reportpub's own data.

WeasyPrint would otherwise follow any ``file://`` path or network URL found in a
manuscript or stylesheet. This fetcher serves a URL only when it names a file under
the project directory or the installed package (after resolving ``..`` and symbolic
links); network URLs are refused unless book.toml sets ``allow_remote = true``,
and then only http(s), with a timeout and a size limit. Refused URLs are remembered
so the build can report them as errors instead of silently dropping a resource.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse

from reportpub.diagnostics import Diagnostic, SourceLocation
from reportpub.digests import PACKAGE_DIR

# Documents are given this base URL instead of the project's file:// URL: WeasyPrint names
# images and fonts after their URLs, and an absolute path there would make the PDF's
# bytes depend on where the project lies. The fetcher maps it back to the project.
PROJECT_ORIGIN = "https://project.reportpub.invalid/"
REMOTE_TIMEOUT_SECONDS = 10
REMOTE_SIZE_LIMIT = 20 * 1024 * 1024


class RefusedResource(ValueError):
    """A URL the build may not read (WeasyPrint logs it and goes on; we report it)."""


class ProjectURLFetcher(URLFetcher):
    """A WeasyPrint URL fetcher confined to the project and the package's own data."""

    def __init__(self, project_root: Path, allow_remote: bool = False, extra_roots: tuple[Path, ...] = ()):
        super().__init__(timeout=REMOTE_TIMEOUT_SECONDS, allow_redirects=False)
        self.roots = (project_root.resolve(), PACKAGE_DIR, *(r.resolve() for r in extra_roots))
        self.allow_remote = allow_remote
        self.refused: list[str] = []

    def allowed_path(self, url: str) -> Path | None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            return None
        path = Path(urllib.parse.unquote(parsed.path)).resolve()
        if any(path == root or root in path.parents for root in self.roots):
            return path
        return None

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
            response = super().fetch(url, headers)
            data = response.read(REMOTE_SIZE_LIMIT + 1)
            response.close()
            if len(data) > REMOTE_SIZE_LIMIT:
                self.refused.append(url)
                raise RefusedResource(f"refused {url}: larger than {REMOTE_SIZE_LIMIT} bytes")
            return URLFetcherResponse(response.url, data, response.headers, response.status)
        self.refused.append(url)
        raise RefusedResource(f"refused to read {url}: outside the project")

    def diagnostics(self, candidates: list[Path], fallback: str, relative) -> list[Diagnostic]:
        """A problem per refused URL, placed at the first author file (stylesheet, template,
        chapter) and line that mentions it, else at ``fallback``."""
        hint = "" if self.allow_remote else " (remote resources need allow_remote = true in book.toml)"
        problems = []
        for url in dict.fromkeys(self.refused):
            location = _find_reference(url, candidates, relative) or SourceLocation(fallback)
            problems.append(Diagnostic(location, f"refused to read '{url}': only files inside the project may be used{hint}"))
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
