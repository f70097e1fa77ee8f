"""Nothing outside the project: file paths that leave it and network URLs are refused, with file:line."""

import pytest

from reportpub.writers.pdf.fetcher import ProjectURLFetcher, RefusedResource
from tests.conftest import book_toml, loopback_server, run_cli


def book(formats=("pdf",), **keys) -> str:
    return book_toml(title="本", authors=None, formats=list(formats), modes=["horizontal"], **keys)


@pytest.fixture
def server():
    """A loopback HTTP server that counts the requests it gets (never another address)."""
    with loopback_server(lambda path: (200, {"Content-Type": "text/css"}, b"p { color: #123456; }")) as server:
        yield server


def test_fetcher_serves_project_files_and_refuses_the_rest(tmp_path):
    project = tmp_path / "p"
    (project / "styles").mkdir(parents=True)
    (project / "styles" / "a.css").write_text("p{}", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (project / "styles" / "link.css").symlink_to(tmp_path / "secret.txt")
    fetcher = ProjectURLFetcher(project)
    assert fetcher.fetch((project / "styles" / "a.css").as_uri()).read() == b"p{}"
    for url in [(tmp_path / "secret.txt").as_uri(), (project / "styles" / ".." / ".." / "secret.txt").as_uri(),
                (project / "styles" / "link.css").as_uri(), "http://127.0.0.1:9/x.css", "ftp://example.invalid/x"]:
        with pytest.raises(RefusedResource):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 5


@pytest.mark.parametrize("edition", ["pdf", "epub", "html"])
def test_css_reaching_outside_the_project_is_an_error_for_every_edition(make_project, tmp_path, server, edition):
    base, hits = server
    (tmp_path / "outside.png").write_bytes(b"\x89PNG")
    root = make_project({"01.md": "# 一\n\n本文。\n"}, book=book([edition]), files={
        "styles/evil.css": f'@import url("{base}/remote.css");\n\nbody {{ background: url("../../outside.png"); }}\n'
                           '@IMPORT "\\66ile:///etc/passwd";\n'})
    result = run_cli("build", str(root))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"styles/evil.css:1: '{base}/remote.css' is a remote resource (remote resources need allow_remote = true in book.toml)",
        "styles/evil.css:3: '../../outside.png' lies outside the project; the build reads only files inside it",
        "styles/evil.css:4: a file: resource ('file:///etc/passwd') is not allowed: only files inside the project may be used"]
    assert hits == []  # the network was never reached
    assert not (root / "build").exists() or not any((root / "build").glob("t*"))


def test_remote_resources_when_allowed(make_project, server):
    base, hits = server
    root = make_project({"01.md": "# 一\n\n本文。\n"}, book=book(allow_remote=True),
                        files={"styles/remote.css": f'@import url("{base}/remote.css");\n'})
    result = run_cli("build", str(root))
    assert result.returncode == 0, result.stderr
    assert hits == ["/remote.css"]


@pytest.mark.parametrize("link", ["manuscript/02.md", "styles/theft.css", "templates/colophon.html"])
def test_symbolic_links_out_of_the_project_are_refused(make_project, tmp_path, link):
    secret = tmp_path / "secret.txt"
    secret.write_text("# 秘密\n", encoding="utf-8")
    root = make_project({"01.md": "# 一\n\n本文。\n"}, book=book())
    (root / link).parent.mkdir(parents=True, exist_ok=True)
    (root / link).symlink_to(secret)
    result = run_cli("build", str(root))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{link}: links to a file outside the project; the build reads only files inside it" in result.stderr.splitlines()
