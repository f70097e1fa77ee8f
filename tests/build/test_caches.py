"""Every cache entry is checked before it is used: a damaged one is made again, never trusted."""

import json

from reportpub.atomic import is_sealed, read_cache_entry, seal, write_cache_entry
from reportpub.cache import LAST_BUILD_FILE
from tests.conftest import book_toml, run_cli

BOOK = book_toml(version="1.0", formats=["pdf", "epub"], modes=["vertical"])
# The caches a vertical PDF and EPUB build prunes by cache.keep_recent, and the slots they also hold.
LAST_BUILD_GLOB = LAST_BUILD_FILE.replace(".json", "*.json")  # cache.last_build_record: one per pattern pruned
PRUNED_CACHES = {"chapters", "pdf-html/vertical", "pdf-parts/vertical", "pdf-parts/vertical/fonts", "fonts",
                 "epub-chapters/vertical"}
SLOTS = {"fonts": {"source-digests"}}


def test_a_cache_entry_reads_back_only_while_whole(tmp_path):
    entry = tmp_path / "entry"
    write_cache_entry(entry, "内容")
    assert read_cache_entry(entry) == "内容".encode()
    entry.write_bytes(entry.read_bytes()[:-1])
    assert read_cache_entry(entry) is None and not entry.exists()
    entry.write_bytes(b"garbage without a header")
    assert read_cache_entry(entry) is None and not entry.exists()


def test_a_sealed_file_is_trusted_only_while_unchanged(tmp_path):
    font = tmp_path / "vertical.otf"
    font.write_bytes(b"OTTO" + bytes(1000))
    assert not is_sealed(font) and not font.exists()  # never sealed: not trusted
    font.write_bytes(b"OTTO" + bytes(1000))
    seal(font)
    assert is_sealed(font)
    font.write_bytes(b"OTTO")
    assert not is_sealed(font) and not font.exists()


def test_damaged_caches_are_rebuilt_to_the_same_editions(make_project):
    """Build; damage every file in build/.cache (each cut to half, the cover replaced by garbage);
    build again: the editions are byte-identical to the first build's, and EPUBCheck passes."""
    from tests.conftest import run_epubcheck

    root = make_project({"01.md": "# 第一章\n\n縦書きの本文です。「括弧」と12の数字[^a]。\n\n[^a]: 注。\n"}, book=BOOK)
    first = run_cli("build", "--jobs", "1", str(root))
    assert first.returncode == 0, first.stderr
    editions = ["t-vertical.pdf", "t-vertical.epub"]
    good = {name: (root / "build" / name).read_bytes() for name in editions}
    cache = root / "build" / ".cache"
    kinds = {p.relative_to(cache).parts[0] for p in cache.rglob("*") if p.is_file()}
    assert {"fonts", "covers", "chapters", "pdf-parts", "pdf-html"} <= kinds, kinds
    damaged = 0
    for path in cache.rglob("*"):
        if path.is_file() and not path.name.endswith(".sha256"):
            content = path.read_bytes()
            path.write_bytes(b"\x89PNG garbage" * 10 if path.parent.name == "covers" else content[:len(content) // 2])
            damaged += 1
    assert damaged >= 8
    for name in editions:
        (root / "build" / name).unlink()
    second = run_cli("build", "--jobs", "1", str(root))
    assert second.returncode == 0, second.stderr
    for name in editions:
        assert (root / "build" / name).read_bytes() == good[name], f"{name} differs after rebuilding damaged caches"
    report = run_epubcheck(root / "build" / "t-vertical.epub")
    assert report["errors"] == 0, report["messages"]


def test_force_trusts_no_cache(make_project):
    root = make_project({"01.md": "# 第一章\n\n本文です。\n"}, book=BOOK.replace('["pdf", "epub"]', '["epub"]'))
    assert run_cli("build", str(root)).returncode == 0
    stale = root / "build" / ".cache" / "pdf-html" / "vertical" / "0123.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("a cache entry of any kind", encoding="utf-8")
    assert run_cli("build", "--force", str(root)).returncode == 0
    assert not stale.exists()


def test_force_keeps_only_the_sealed_derived_fonts(make_project):
    """--force empties build/.cache but for the derived fonts (the vertical faces and the
    horizontal punctuation fonts), which are checked against their seal before use: the forced
    build derives none again (the font files are the same files), and a font damaged meanwhile
    is derived again, not used."""
    book = BOOK.replace('["pdf", "epub"]', '["pdf"]').replace('["vertical"]', '["vertical", "horizontal"]')
    root = make_project({"01.md": "# 第一章\n\n本文です。「括弧」。\n"}, book=book)
    assert run_cli("build", "--jobs", "1", str(root)).returncode == 0
    cache = root / "build" / ".cache"
    fonts = sorted((cache / "fonts").glob("*.otf"))
    assert {font.name.split("-")[0] for font in fonts} == {"vertical", "punctuation"}, fonts
    assert all(is_sealed(font) for font in fonts)
    before = {font: font.stat().st_mtime_ns for font in fonts}
    stale = cache / "pdf-html" / "vertical" / "0123.html"
    stale.write_text("a cache entry of any kind", encoding="utf-8")
    assert run_cli("build", "--force", "--jobs", "1", str(root)).returncode == 0
    assert not stale.exists()
    assert {font: font.stat().st_mtime_ns for font in fonts} == before, "a derived font was derived again"
    damaged = fonts[0]
    damaged.write_bytes(damaged.read_bytes()[:1000])
    assert run_cli("build", "--force", "--jobs", "1", str(root)).returncode == 0
    assert is_sealed(damaged) and damaged.stat().st_size > 1000, "the damaged font was not derived again"


def test_caches_keep_this_build_and_the_one_before_only(make_project):
    """Three edits that each bring new characters (new derived vertical fonts) and a new title
    (a new cover): the fonts of the first build and its covers are gone, the last two builds'
    fonts are kept (undoing an edit derives nothing), and one cover per mode and size remains."""
    root = make_project({"01.md": "# 一\n\n本文です。\n"}, book=BOOK)
    cache = root / "build" / ".cache"
    fonts_of_build, used_by_build = [], []
    for number, text in enumerate(["鬱蒼", "薔薇", "檸檬"], 1):
        (root / "manuscript" / "01.md").write_text(f"# 一\n\n本文{text}です。\n", encoding="utf-8")
        book = root / "manuscript" / "book.toml"
        book.write_text(BOOK.replace("試験の本", f"試験の本{number}"), encoding="utf-8")
        result = run_cli("build", str(root), "--jobs", "1")
        assert result.returncode == 0, result.stderr
        fonts_of_build.append({p.name for p in (cache / "fonts").glob("vertical-*.otf")})
        used_by_build.append({folder.parent.relative_to(cache).as_posix(): set(json.loads(folder.read_text()))
                              for folder in cache.rglob(LAST_BUILD_GLOB)})
    first, second, third = fonts_of_build
    assert second > first, "the second build keeps the first one's fonts beside its own"
    assert not first & third, "the first build's fonts are gone after the third"
    assert (second - first) < third  # the second build's fonts stay for an undo
    assert all((cache / "fonts" / (name + ".sha256")).is_file() for name in third)
    covers = sorted(p.name for p in (cache / "covers").iterdir())
    assert len(covers) == len(set(covers)) and all(name.startswith("cover-vertical-") for name in covers)
    assert len(covers) <= 2, covers  # the EPUB's cover and the download page's, one of each size
    # Every pruned cache holds only what the last two builds used; the first build's entries are gone.
    assert set(used_by_build[-1]) == PRUNED_CACHES, sorted(used_by_build[-1])
    for folder in PRUNED_CACHES:
        first, kept = used_by_build[0][folder], used_by_build[1][folder] | used_by_build[2][folder]
        keys = {p.name.split(".", 1)[0] for p in (cache / folder).iterdir() if p.is_file() and not p.name.startswith(".")}
        assert keys - SLOTS.get(folder, set()) <= kept, (folder, keys - kept)
        assert first - kept and not (first - kept) & keys, folder
    # The other caches are one entry per slot, replaced in place.
    slots = sorted(p.relative_to(cache).as_posix() for p in cache.rglob("*") if p.is_file()
                   and not any(p.parent.relative_to(cache).as_posix() == folder for folder in PRUNED_CACHES))
    assert all(name.startswith(("covers/cover-vertical-", "coverage-", "font-digests")) for name in slots), slots


def test_punctuation_fonts_of_faces_no_longer_set_are_pruned(make_project):
    """The horizontal PDF's punctuation fonts were never pruned: each serif family the book
    tried left its two fonts in build/.cache for good. Three builds, each with another serif:
    the first serif's punctuation fonts are gone after the third, the second's stay for an
    undo, and the sans fonts, set by every build, stay throughout."""
    def punctuation_fonts() -> set[str]:
        return {p.name for p in (root / "build" / ".cache" / "fonts").glob("punctuation-*.otf")}

    builds = []
    for number, serif in enumerate(["Noto Serif CJK JP", "Noto Serif CJK SC", "Noto Serif CJK KR"]):
        book = book_toml(version="1.0", formats=["pdf"], modes=["horizontal"], fonts={"serif": serif})
        if number == 0:
            root = make_project({"01.md": "# 一\n\n本文「です」。\n"}, book=book)
        (root / "manuscript" / "book.toml").write_text(book, encoding="utf-8")
        result = run_cli("build", str(root), "--jobs", "1")
        assert result.returncode == 0, result.stderr
        builds.append(punctuation_fonts())
    first, second, third = builds
    assert len(first) == 4 and first < second and len(second) == 6, (first, second)  # serif and sans, each 400 and 700
    assert len(first & third) == 2, "only the sans fonts of the first build stay"
    assert second - first < third and len(third) == 6, "the build before's fonts stay for an undo"
