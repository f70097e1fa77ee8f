"""A canary outside the project never reaches an edition, whatever the project tries.

One good project is built once with every default edition. Each attempt then starts
from a copy of it (its build/ included), adds one way of reaching a file outside the
project, and builds again: it must fail with a ``path:line`` message and keep the good
editions as they were, or — for what is allowed — build. Afterwards everything in build/
is searched for the canary's contents: the files' bytes, every PDF stream decoded, the
PDFs' attachments and page text, every EPUB member, and the web edition's data: URIs.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pymupdf
import pytest
from PIL import Image, PngImagePlugin

from tests.conftest import book_toml, run_cli

CANARY = "CANARY-2b9d-never-published"
BOOK = book_toml(authors=["著者 太郎"], slug="test", bibliography="refs.json")
CHAPTER = "# 一\n\n本文です[@a]。\n"
REFS = '[{"id": "a", "type": "book", "title": "題", "author": [{"family": "著者", "given": "花子"}], "issued": {"date-parts": [[2020]]}}]\n'


@pytest.fixture(scope="module")
def outside(tmp_path_factory) -> Path:
    """A folder outside every project, holding the canary in several forms."""
    folder = tmp_path_factory.mktemp("outside")
    (folder / "secret.md").write_text(f"# {CANARY}\n\n{CANARY}\n", encoding="utf-8")
    (folder / "secret.css").write_text(f'body::after {{ content: "{CANARY}"; }}\n', encoding="utf-8")
    (folder / "book.toml").write_text(BOOK.replace("試験の本", CANARY), encoding="utf-8")
    (folder / "refs.json").write_text(REFS.replace("題", CANARY), encoding="utf-8")
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", CANARY)
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), "red").save(buffer, "PNG", pnginfo=info)
    (folder / "secret.png").write_bytes(buffer.getvalue())
    return folder


@pytest.fixture(scope="module")
def good_project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("good") / "project"
    (root / "manuscript").mkdir(parents=True)
    (root / "manuscript" / "book.toml").write_text(BOOK, encoding="utf-8")
    (root / "manuscript" / "01.md").write_text(CHAPTER, encoding="utf-8")
    (root / "manuscript" / "refs.json").write_text(REFS, encoding="utf-8")
    result = run_cli("build", "--jobs", "2", str(root))
    assert result.returncode == 0, result.stderr
    return root


def editions(build: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in build.iterdir()
            if p.is_file() and not p.name.startswith(".")}


def published_bytes(build: Path):
    """(where, bytes) of everything a reader could get out of build/."""
    for path in sorted(build.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        yield str(path), data
        if path.suffix == ".pdf":
            with pikepdf.open(path) as pdf:
                for number, obj in enumerate(pdf.objects):
                    if isinstance(obj, pikepdf.Stream):
                        try:
                            yield f"{path} object {number}", obj.read_bytes()
                        except pikepdf.PdfError:
                            yield f"{path} object {number} (raw)", obj.read_raw_bytes()
                for name, attachment in pdf.attachments.items():
                    yield f"{path} attachment {name}", attachment.get_file().read_bytes()
            with pymupdf.open(path) as document:
                yield f"{path} text", "".join(page.get_text() for page in document).encode()
        elif path.suffix == ".epub":
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    yield f"{path}!{member}", archive.read(member)
        elif path.suffix == ".html":
            for match in re.finditer(rb"data:[^;,\"']*;base64,([A-Za-z0-9+/=]+)", data):
                yield f"{path} data: URI", base64.b64decode(match.group(1))


def assert_no_canary(build: Path) -> int:
    needles = [CANARY.encode(), CANARY.encode("utf-16-be"), base64.b64encode(CANARY.encode())[:20]]
    count = 0
    for where, data in published_bytes(build):
        count += 1
        for needle in needles:
            assert needle not in data, where
    return count


def link(root: Path, name: str, target: Path) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    path.symlink_to(target, target_is_directory=target.is_dir())


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


ATTEMPTS = {
    "template runs Python": (lambda root, out: write(root, "templates/colophon.html",
                             f"<section>\n{{{{ cycler.__init__.__globals__.__builtins__.open('{out}/secret.md').read() }}}}\n</section>\n"),
                             "templates/colophon.html:2: template error: "),
    "template includes through a linked folder": (lambda root, out: (
        write(root, "templates/colophon.html", "<section>{% include 'sub/secret.md' %}</section>\n"),
        link(root, "templates/sub", out)), "templates/sub: links to a folder outside the project"),
    "template includes by path": (lambda root, out: write(root, "templates/colophon.html",
                                  f"<section>\n{{% include '../../../{out.name}/secret.md' %}}\n</section>\n"),
                                  "templates/colophon.html:2: template error: "),
    "book.toml links outside": (lambda root, out: link(root, "manuscript/book.toml", out / "book.toml"),
                                "manuscript/book.toml: links to a file outside the project"),
    "chapter links outside": (lambda root, out: link(root, "manuscript/02.md", out / "secret.md"),
                              "manuscript/02.md: links to a file outside the project"),
    "bibliography links outside": (lambda root, out: link(root, "manuscript/refs.json", out / "refs.json"),
                                   "manuscript/book.toml: bibliography 'refs.json' must be a file inside the project"),
    "stylesheet links outside": (lambda root, out: link(root, "styles/a.css", out / "secret.css"),
                                 "styles/a.css: links to a file outside the project"),
    "stylesheet imports a file URL": (lambda root, out: write(root, "styles/a.css", f'@import "file://{out}/secret.css";\n'),
                                      "styles/a.css:1: a file: resource"),
    "stylesheet imports by path": (lambda root, out: write(root, "styles/a.css", f'@import "../../../{out.name}/secret.css";\n'),
                                   "styles/a.css:1: '../../../"),
    "figure links outside": (lambda root, out: (link(root, "manuscript/images/a.png", out / "secret.png"),
                                                write(root, "manuscript/01.md", CHAPTER + "\n![図](images/a.png)\n")),
                             "manuscript/01.md:5: image 'images/a.png' lies outside the project"),
    "cover links outside": (lambda root, out: (link(root, "manuscript/images/c.png", out / "secret.png"),
                                               write(root, "manuscript/book.toml", BOOK + 'cover = "images/c.png"\n')),
                            "manuscript/book.toml:6: cover 'images/c.png' links to a file outside the project"),
    "raw HTML image by file URL": (lambda root, out: write(root, "manuscript/01.md", CHAPTER + f'\n<IMG SRC="file://{out}/secret.png" alt=""/>\n'),
                                   "manuscript/01.md:5: <img src>: a file: resource"),
    "raw HTML object": (lambda root, out: write(root, "manuscript/01.md", CHAPTER + f'\n<Object data="file://{out}/secret.md"></Object>\n'),
                        "manuscript/01.md:5: raw HTML <object> is not allowed"),
    "link to a file URL": (lambda root, out: write(root, "manuscript/01.md", CHAPTER + f"\n[秘密](file://{out}/secret.md)\n"),
                           "manuscript/01.md:5: a file: link"),
}


@pytest.mark.parametrize("attempt", list(ATTEMPTS))
def test_an_attempt_to_read_outside_fails_and_keeps_the_good_editions(good_project, outside, tmp_path, attempt):
    root = tmp_path / "project"
    shutil.copytree(good_project, root, symlinks=True)
    before = editions(root / "build")
    make, expected = ATTEMPTS[attempt]
    make(root, outside)
    result = run_cli("build", "--jobs", "1", str(root))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    assert any(line.startswith(expected) for line in result.stderr.splitlines()), result.stderr
    assert editions(root / "build") == before
    assert assert_no_canary(root / "build") > 0


def test_system_fonts_by_name_and_by_local_build_and_publish_no_canary(good_project, outside, tmp_path):
    """The rule for system fonts: allowed by family name and by @font-face local() alike."""
    root = tmp_path / "project"
    shutil.copytree(good_project, root, symlinks=True)
    write(root, "styles/fonts.css", '@font-face { font-family: "Local Sans"; src: local("DejaVu Sans"); }\n'
                                    'p { font-family: "Local Sans", serif; }\n'
                                    'span.dv { font-family: "DejaVu Serif" !important; font-style: normal !important; '
                                    'font-weight: normal !important; }\n')
    write(root, "manuscript/01.md", CHAPTER + '\nLatin text in <span class="dv">DejaVu Serif</span>.\n')
    result = run_cli("build", "--jobs", "2", str(root))
    assert result.returncode == 0, result.stderr
    with pymupdf.open(root / "build" / "test-horizontal.pdf") as document:
        fonts = {font[3] for page in document for font in page.get_fonts()}
    assert any(name.endswith("+Local-Sans") for name in fonts), fonts  # DejaVu Sans, by local()
    assert any("DejaVu-Serif" in name for name in fonts), fonts  # by its family name
    assert assert_no_canary(root / "build") > 100
