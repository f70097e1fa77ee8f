"""``reportpub preview``: the book served on loopback, rebuilt on save, reloaded in the browser.

The server hands out the files of build/ (the web edition, the download page, the
PDFs and EPUBs) and nothing else. Into every HTML page it serves it adds a small
script that polls ``/__reportpub/status``: when a rebuild has written new editions
the page reloads itself; when the build failed, the errors (``path:line: message``,
as the terminal shows them) are laid over the page until the next good build.
The web edition is rebuilt first, so the page changes within a second or two of a
save; the other editions follow.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from reportpub.build import build
from reportpub.build.watch import watch_sources
from reportpub.diagnostics import ReportpubError
from reportpub.project import Project

STATUS_PATH = "/__reportpub/status"
POLL_MILLISECONDS = 500

# Added before </body> of every page served: reload on a new build, show a failed build's errors.
RELOAD_SCRIPT = """<script id="reportpub-preview">
(function () {
  var seen = %(generation)d, box = null;
  function show(errors) {
    if (!errors.length) { if (box) { box.remove(); box = null; } return; }
    if (!box) {
      box = document.createElement("pre");
      box.id = "reportpub-preview-errors";
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;margin:0;padding:1em;max-height:50vh;" +
        "overflow:auto;background:#fff0f0;color:#900;border-top:3px solid #c00;font:13px/1.5 monospace;" +
        "white-space:pre-wrap;z-index:2147483647;writing-mode:horizontal-tb";
      document.body.appendChild(box);
    }
    box.textContent = "build failed:\\n" + errors.join("\\n");
  }
  function poll() {
    fetch("%(status)s", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (s.generation !== seen) { location.reload(); return; }
      show(s.errors);
      setTimeout(poll, %(interval)d);
    }).catch(function () { setTimeout(poll, %(interval)d); });
  }
  setTimeout(poll, %(interval)d);
})();
</script>
"""

WAITING_PAGE = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>reportpub preview</title></head>
<body><h1>reportpub preview</h1><p>%(message)s</p></body></html>
"""


@dataclass
class PreviewState:
    """What the pages poll: a generation that grows with every build that wrote something, and
    the errors of the last build (empty when it succeeded)."""

    generation: int = 0
    errors: list[str] = field(default_factory=list)
    building: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def as_json(self) -> bytes:
        with self.lock:
            return json.dumps({"generation": self.generation, "errors": self.errors,
                               "building": self.building}).encode()


def _handler(project_root: Path, state: PreviewState, landing: Callable[[], str]):
    build_dir = project_root / "build"

    class PreviewHandler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 (the base class's name)
            pass  # the terminal shows builds and errors, not every poll

        def do_GET(self):  # noqa: N802 (the base class's name)
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            if path == STATUS_PATH:
                return self._send(state.as_json(), "application/json")
            if path == "/":
                self.send_response(HTTPStatus.FOUND)
                self.send_header("Location", "/" + landing())
                self.end_headers()
                return None
            name = path.lstrip("/")
            # Only the editions themselves: one file name, straight inside build/, no hidden files.
            target = build_dir / name
            if "/" in name or "\\" in name or not name or name.startswith(".") or not target.is_file():
                if name == landing():
                    return self._send_page(WAITING_PAGE % {"message": "the first build is under way…"})
                return self._send(b"not found", "text/plain", HTTPStatus.NOT_FOUND)
            content = target.read_bytes()
            if name.endswith(".html"):
                return self._send_page(content.decode("utf-8"))
            return self._send(content, mimetypes.guess_type(name)[0] or "application/octet-stream")

        def _send_page(self, page: str) -> None:
            with state.lock:
                script = RELOAD_SCRIPT % {"generation": state.generation, "status": STATUS_PATH,
                                          "interval": POLL_MILLISECONDS}
            at = page.rfind("</body>")
            page = page[:at] + script + page[at:] if at >= 0 else page + script
            self._send(page.encode("utf-8"), "text/html; charset=utf-8")

        def _send(self, body: bytes, content_type: str, status: HTTPStatus = HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

    return PreviewHandler


def _rebuild(project_root: Path, state: PreviewState, arguments: argparse.Namespace, say: Callable[[str], None]) -> None:
    """The web edition first (what the open page shows), then every other edition."""
    with state.lock:
        state.building = True
    started = time.monotonic()
    written: list[str] = []
    try:
        project = Project.open(project_root)  # book.toml may have changed
        for only in ("html", arguments.only):
            result = build(project, only=only, mode=arguments.mode, jobs=arguments.jobs, report=say)
            written += result.written
            with state.lock:
                state.errors = []
                if result.written:
                    state.generation += 1
    except ReportpubError as error:
        messages = [str(d) for d in error.diagnostics]
        for message in messages:
            say(message)
        with state.lock:
            state.errors = messages
    finally:
        with state.lock:
            state.building = False
    for name in written:
        say(f"wrote build/{name}")
    if written:
        say(f"rebuilt in {time.monotonic() - started:.1f} s at {time.strftime('%H:%M:%S')}")


def preview(project: Project, arguments: argparse.Namespace, say: Callable[[str], None]) -> int:
    """Serve build/ on ``arguments.host``:``arguments.port`` and rebuild on every save until Ctrl-C."""
    state = PreviewState()
    slug = project.config.slug

    def landing() -> str:
        return f"{slug}.html" if "html" in project.config.editions.formats else "index.html"

    try:
        server = ThreadingHTTPServer((arguments.host, arguments.port), _handler(project.root, state, landing))
    except OSError as exc:
        raise ReportpubError.at(f"--port {arguments.port}", f"cannot serve on {arguments.host}:{arguments.port}: "
                                f"{exc.strerror}; choose another port with --port N") from None
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="reportpub-preview", daemon=True).start()
    host = f"[{arguments.host}]" if ":" in arguments.host else arguments.host
    say(f"preview at http://{host}:{server.server_port}/ (Ctrl-C to stop)")
    try:
        _rebuild(project.root, state, arguments, say)
        for _ in watch_sources(project):
            _rebuild(project.root, state, arguments, say)
    finally:
        server.shutdown()
        server.server_close()
    return 0

