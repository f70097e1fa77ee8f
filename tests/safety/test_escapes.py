"""Nothing outside the project gets in: templates in a sandbox, inputs that link out, links that run code.

Each attempt is made as an author would make it — files in a project, the real command
line — and must end in a ``path:line: message`` with exit status 1, never a traceback,
and without the contents of a canary file outside the project in anything built.
"""

from __future__ import annotations

import pytest

from reportpub.build import read_book
from reportpub.diagnostics import ReportpubError
from reportpub.project import Project
from tests.conftest import book_toml, run_cli

CANARY = "CANARY-7f3e-outside-the-project"
HTML_ONLY = book_toml(authors=None, slug="test", formats=["html"], modes=["horizontal"])


@pytest.fixture
def canary(tmp_path):
    """A file outside every project of the test, whose contents must never be published."""
    path = tmp_path / "outside" / "secret.md"
    path.parent.mkdir()
    path.write_text(f"{CANARY}\n", encoding="utf-8")
    return path


def refused(root, *expected: str) -> str:
    """Build with the command line; the build must fail with each expected line and publish nothing."""
    result = run_cli("build", str(root))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    for line in expected:
        assert any(found.startswith(line) for found in lines), (line, lines)
    built = root / "build"
    for path in built.rglob("*") if built.is_dir() else ():
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path
    return result.stderr


def error_lines(root) -> list[str]:
    with pytest.raises(ReportpubError) as info:
        read_book(Project.open(root))
    return [str(d) for d in info.value.diagnostics]


# --- templates ------------------------------------------------------------------------


@pytest.mark.parametrize("expression", [
    "cycler.__init__.__globals__.__builtins__.open('{canary}').read()",
    "''.__class__.__mro__[1].__subclasses__()",
    "lipsum.__globals__['os'].popen('cat {canary}').read()",
    "book.__class__.__init__.__globals__",
    "'{{0.__class__}}'.format(book)",
])
def test_a_template_cannot_reach_python(make_project, canary, expression):
    colophon = "<section class=\"colophon\">\n<p>奥付</p>\n{{ " + expression.format(canary=canary) + " }}\n</section>\n"
    root = make_project({"01.md": "# 一\n\n本文。\n"}, book=HTML_ONLY,
                        files={"templates/colophon.html": colophon})
    stderr = refused(root, "templates/colophon.html:3: template error: ")
    assert "unsafe" in stderr or "undefined" in stderr


def test_a_template_folder_linking_outside_is_refused(make_project, canary):
    root = make_project({"01.md": "# 一\n\n本文。\n"}, book=HTML_ONLY,
                        files={"templates/colophon.html": "<section>{% include 'sub/secret.md' %}</section>\n"})
    (root / "templates" / "sub").symlink_to(canary.parent, target_is_directory=True)
    refused(root, "templates/sub: links to a folder outside the project; the build reads only files inside it")


def test_an_include_through_a_linked_folder_is_refused_by_the_loader(make_project, canary, monkeypatch):
    from reportpub.templates import Templates

    root = make_project({"01.md": "# 一\n\n本文。\n"}, files={"templates/colophon.html": "{% include 'sub/secret.md' %}\n"})
    project = Project.open(root)
    book = read_book(project)
    (root / "templates" / "sub").symlink_to(canary.parent, target_is_directory=True)
    monkeypatch.setattr(Project, "template_files", lambda self: [])  # the loader alone, without the build's own check
    with pytest.raises(ReportpubError) as info:
        Templates(project).render("colophon.html", book)
    assert str(info.value) == ("templates/sub/secret.md: links to a file outside templates/; templates are read only "
                               "from the project's templates/ folder")


def test_template_names_cannot_climb_out(make_project):
    root = make_project({"01.md": "# 一\n\n本文。\n"}, book=HTML_ONLY,
                        files={"templates/colophon.html": "<section>\n{% include '../manuscript/book.toml' %}\n</section>\n"})
    refused(root, "templates/colophon.html:2: template error: ")


# --- inputs -----------------------------------------------------------------------------


def test_book_toml_linking_outside_is_refused(make_project, tmp_path):
    outside = tmp_path / "outside-book.toml"
    outside.write_text(HTML_ONLY.replace("試験の本", CANARY), encoding="utf-8")
    root = make_project({"01.md": "# 一\n\n本文。\n"})
    (root / "manuscript" / "book.toml").unlink()
    (root / "manuscript" / "book.toml").symlink_to(outside)
    refused(root, "manuscript/book.toml: links to a file outside the project; the build reads only files inside it")


def test_an_input_linking_inside_the_project_is_read(make_project):
    root = make_project({"01.md": "# 一\n\n本文。\n"}, files={"shared/02.md": "# 二\n\n共有の章。\n"})
    (root / "manuscript" / "02.md").symlink_to(root / "shared" / "02.md")
    assert [c.title for c in read_book(Project.open(root)).chapters] == ["一", "二"]


@pytest.mark.parametrize("folder", ["styles", "manuscript/images"])
def test_a_folder_linking_outside_is_refused(make_project, canary, folder, tmp_path):
    (canary.parent / "a.css").write_text(f"/* {CANARY} */", encoding="utf-8")
    root = make_project({"01.md": "# 一\n\n本文。\n\n![図](images/secret.md)\n" if "images" in folder else "# 一\n\n本文。\n"},
                        book=HTML_ONLY)
    (root / folder).symlink_to(canary.parent, target_is_directory=True)
    refused(root, "manuscript/01.md:5: image 'images/secret.md' lies outside the project" if "images" in folder
            else "styles/a.css: links to a file outside the project")


# --- links from the four sources ------------------------------------------------------------

LINK_BOOK = book_toml(authors=None, slug="test", bibliography=["refs.json", "refs.bib"])


@pytest.mark.parametrize("scheme", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "file:///etc/passwd"])
def test_active_links_are_refused_from_every_source(make_project, scheme):
    shown = scheme.split(":")[0].lower()
    root = make_project(
        {"01.md": f"# 一\n\n本文[@web][@bib]。\n\n[Markdown]({scheme})\n\n<a href=\"{scheme}\">raw</a>\n"},
        book=LINK_BOOK,
        files={"manuscript/refs.json": f'[\n  {{"id": "web", "type": "webpage", "title": "題",\n   "URL": "{scheme}"}}\n]\n',
               "manuscript/refs.bib": f"@misc{{bib,\n  title = {{題二}},\n  url = {{{scheme}}}\n}}\n"})
    lines = error_lines(root)
    link = f"a {shown}: link ('{scheme}') is not allowed: links may go to http, https or mailto addresses or to an anchor in the book (#id)"
    assert f"manuscript/01.md:5: {link}" in lines
    assert f"manuscript/01.md:7: {link}" in lines
    assert f"manuscript/refs.json:3: entry 'web': {link}" in lines
    (root / "manuscript" / "refs.json").write_text('[{"id": "web", "type": "webpage", "title": "題"}]', encoding="utf-8")
    assert f"manuscript/refs.bib:3: entry 'bib': {link}" in error_lines(root)


def test_active_link_end_to_end(make_project):
    root = make_project({"01.md": "# 一\n\n本文。\n\n[押す](javascript:alert(document.cookie))\n"},
                        book=HTML_ONLY)
    refused(root, "manuscript/01.md:5: a javascript: link")


# --- raw HTML, any case, any namespace --------------------------------------------------------


@pytest.mark.parametrize("raw, expected", [
    ("<SCRIPT>alert(1)</SCRIPT>", "raw HTML <script> is not allowed in a manuscript"),
    ("<Iframe src=\"https://e.invalid/\"></Iframe>", "raw HTML <iframe> is not allowed in a manuscript"),
    ("<Style>p { color: red }</Style>", "raw HTML <style> is not allowed in a manuscript"),
    ("<IMG SRC=\"http://e.invalid/x.png\" alt=\"\"/>", "<img src>: 'http://e.invalid/x.png' is not a file of the project"),
    ("<img src=\"images/a.png\" srcset=\"https://e.invalid/x.png 2x\" alt=\"\"/>",
     "<img srcset>: 'https://e.invalid/x.png' is not a file of the project"),
    ("<svg:svg>x</svg:svg>", "raw HTML <svg:svg> is not allowed (only HTML elements, without namespace prefixes)"),
    ("<svg:svg xmlns:svg=\"http://www.w3.org/2000/svg\">x</svg:svg>",
     "raw HTML <svg> in the namespace 'http://www.w3.org/2000/svg' is not allowed"),
    ("<script xmlns=\"http://www.w3.org/1999/xhtml\">alert(1)</script>", "raw HTML <script> is not allowed in a manuscript"),
    ("<b xmlns:x=\"urn:x\" x:onclick=\"alert(1)\">x</b>", "raw HTML attribute 'onclick' in the namespace 'urn:x' is not allowed"),
])
def test_raw_html_in_any_case_or_namespace_is_an_error_at_its_line(make_project, raw, expected):
    root = make_project({"01.md": f"# 一\n\n本文。\n\n前 {raw} 後\n"}, book=HTML_ONLY)
    refused(root, f"manuscript/01.md:5: {expected}")


def test_srcset_images_of_the_project_are_carried_and_the_epub_is_valid(make_project):
    import io
    import zipfile

    from PIL import Image

    from tests.conftest import run_epubcheck

    def png(colour: str) -> bytes:
        buffer = io.BytesIO()
        Image.new("RGB", (40, 20), colour).save(buffer, "PNG")
        return buffer.getvalue()

    root = make_project({"01.md": "# 一\n\n本文。\n\n<img src=\"images/a.png\" srcset=\"images/a.png 1x, images/b.png 2x\" alt=\"図\"/>\n"},
                        book=HTML_ONLY.replace('["html"]', '["epub", "html"]'),
                        files={"manuscript/images/a.png": png("navy"), "manuscript/images/b.png": png("red")})
    result = run_cli("build", str(root))
    assert result.returncode == 0, result.stderr
    epub = root / "build" / "test-horizontal.epub"
    with zipfile.ZipFile(epub) as archive:
        assert {"EPUB/images/a.png", "EPUB/images/b.png"} <= set(archive.namelist()), archive.namelist()
    report = run_epubcheck(epub)
    assert report["errors"] == 0, report["messages"]
    web = (root / "build" / "test.html").read_text(encoding="utf-8")
    assert "srcset" not in web and 'src="data:image/png;base64,' in web
