"""The only way WeasyPrint reaches a resource: files inside the project or reportpub's own data.

WeasyPrint would otherwise follow any ``file://`` path or network URL found in a
manuscript or stylesheet. This fetcher serves a URL only when it names a file under
the project directory or the installed package (after resolving ``..`` and symbolic
links); network URLs are refused unless book.toml sets ``allow_remote = true``,
and then only http(s), with a timeout and a size limit.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
from pathlib import Path

import weasyprint

from reportpub.diagnostics import Diagnostic, SourceLocation

PACKAGE_DIR = Path(__file__).resolve().parent
REMOTE_TIMEOUT_SECONDS = 10
REMOTE_SIZE_LIMIT = 20 * 1024 * 1024


class RefusedResource(Exception):
    """A URL the build may not read."""


class ProjectURLFetcher:
    """A WeasyPrint url_fetcher confined to the project; refused URLs are remembered."""

    def __init__(self, project_root: Path, allow_remote: bool = False, extra_roots: tuple[Path, ...] = ()):
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

    def __call__(self, url: str, *args, **kwargs):
        scheme = urllib.parse.urlsplit(url).scheme
        if scheme == "data":
            return weasyprint.default_url_fetcher(url, *args, **kwargs)
        if scheme == "file":
            path = self.allowed_path(url)
            if path is not None:
                return weasyprint.default_url_fetcher(url, *args, **kwargs)
        elif scheme in ("http", "https") and self.allow_remote:
            return self._fetch_remote(url)
        self.refused.append(url)
        raise RefusedResource(f"refused to read {url}: outside the project")

    def _fetch_remote(self, url: str) -> dict:
        with urllib.request.urlopen(url, timeout=REMOTE_TIMEOUT_SECONDS) as response:  # noqa: S310 (scheme checked)
            data = response.read(REMOTE_SIZE_LIMIT + 1)
            if len(data) > REMOTE_SIZE_LIMIT:
                self.refused.append(url)
                raise RefusedResource(f"refused {url}: larger than {REMOTE_SIZE_LIMIT} bytes")
            return {"string": data, "mime_type": response.headers.get_content_type(), "redirected_url": url}

    def diagnostics(self, source: str) -> list[Diagnostic]:
        return [Diagnostic(SourceLocation(source), f"refused to read '{url}': only files inside the project may be used"
                           + ("" if self.allow_remote else " (remote resources need allow_remote = true in book.toml)"))
                for url in dict.fromkeys(self.refused)]
