"""Tagged reader PDFs (PDF/UA-1 and PDF/A-3a) joined from parts, held to an independent
validator (page-validation) and to the structure checks no validator makes: every page that
draws text is reached from the one structure tree, the parent tree has no key twice, and
no link describes itself as ``reportpub-anchor:``."""

from __future__ import annotations

import subprocess
import sys
import zlib
from pathlib import Path

import pikepdf
import pytest

from tests.conftest import LINK_AND_TABLE_CHAPTER, book_toml, image_bytes, run_cli, write_project

MODES = ("vertical", "horizontal")

BOOK = book_toml(title="試験報告", authors=["著者 太郎"], version="1.0", slug="a", formats=["pdf", "print"])

CHAPTER_1 = """# 第一章　始まり

## 背景 {#background}

国際情勢を{彷彿|ほう|ふつ}とさせる出来事が12月にありました[^one]。引用 *Pax Romana* も混じります。

The Latin passage reads: <span lang="la">*Si vis pacem, para bellum.*</span>

二つ目の注もあります[^two]。

![港の見取り図](images/port.png "港の北側に岸壁が三つ並ぶ見取り図")

![透過のある図](images/alpha.png "半透明の赤い四角")

[^one]: 注の本文。<https://example.com/a>

[^two]: 二つ目の注の本文。
"""

CHAPTER_2 = LINK_AND_TABLE_CHAPTER + """
![写真](images/photo.jpg "灰色の写真")

![動かない絵](images/still.gif "青い四角の絵")
"""


def image(mode: str, colour, kind: str) -> bytes:
    return image_bytes((200, 120), colour, kind, mode)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """A two-chapter report with notes, ruby, a Latin passage (lang="la"), a table, a cross-chapter link
    and a figure of every image type the manuscript takes (PNG, PNG with alpha, JPEG, GIF)."""
    root = write_project(tmp_path_factory.mktemp("a11y") / "book", {"01.md": CHAPTER_1, "02.md": CHAPTER_2}, BOOK, {
        "manuscript/images/port.png": image("RGB", (30, 60, 120), "PNG"),
        "manuscript/images/alpha.png": image("RGBA", (200, 0, 0, 128), "PNG"),
        "manuscript/images/photo.jpg": image("RGB", (128, 128, 128), "JPEG"),
        "manuscript/images/still.gif": image("P", 3, "GIF"),
    })
    result = run_cli("build", str(root))
    assert result.returncode == 0, result.stderr
    return root / "build"


@pytest.fixture(scope="module")
def whole_book(book, tmp_path_factory):
    """{mode: reader PDF of the same report laid out whole, in one document}: the reference
    the joined book's reading order is held to."""
    from reportpub.build import read_book
    from reportpub.project import Project
    from reportpub.templates import Templates
    from reportpub.writers.pdf.layout import layout_book
    from reportpub.writers.pdf.output import write_pdf

    project = Project.open(book.parent)
    report = read_book(project)
    out = tmp_path_factory.mktemp("whole")
    paths = {}
    for mode in MODES:
        paths[mode] = out / f"{mode}.pdf"
        document = layout_book(report, project, mode, Templates(project))
        write_pdf(document, paths[mode], report, project, vertical=mode == "vertical")
    return paths


def text_in_tag_order(path) -> str:
    """What a screen reader reads of a tagged PDF: the text of its marked content in the
    order of the structure tree (outloud's reading of each page's content)."""
    from outloud.model import Document

    reader = Document(str(path))
    order = []
    with pikepdf.open(path) as pdf:
        page_of = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
        stack = [(kid, None) for kid in reversed(list(pdf.Root.StructTreeRoot.K))]
        while stack:  # depth first, in the order of each element's /K
            node, page = stack.pop()
            if isinstance(node, int):
                order.append((page_of[page.objgen], node))
                continue
            if not isinstance(node, pikepdf.Dictionary) or node.get("/Type") == pikepdf.Name.OBJR:
                continue
            if node.get("/Type") == pikepdf.Name.MCR:
                order.append((page_of[node.get("/Pg", page).objgen], int(node.MCID)))
                continue
            page = node.get("/Pg", page)
            kids = node.get("/K")
            kids = list(kids) if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]
            stack += [(kid, page) for kid in reversed(kids)]
        text = "".join(reader.content(number).mcid_text.get((None, mcid), "") for number, mcid in order)
    reader.close()
    return "".join(text.split())


def outloud_errors(path) -> list[str]:
    """The errors outloud (PDF/UA-1 and semantic checks) finds in a PDF."""
    import json

    result = subprocess.run([str(Path(sys.executable).parent / "outloud"), "--json", "-", "--fail-on", "never", str(path)],
                            capture_output=True, text=True, timeout=600)
    (checked,) = json.loads(result.stdout)["results"]
    assert checked["error"] is None, checked["error"]
    return [f"{f['rule']} p{f.get('page')}: {f['message']}" for f in checked["findings"] if f["severity"] == "error"]


def validation_failures(path, profile: str) -> list[str]:
    import page

    report = page.validate_pdf(str(path), profile=profile)
    return [f"{failure.rule_id}: {failure.message}" for failure in report.failures]


def structure_faults(path) -> list[str]:
    """What the joiner can get wrong and validators do not see."""
    faults = []
    with pikepdf.open(path) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            return ["no structure tree"]
        reached, pages_with_content, documents = set(), set(), 0
        stack = list(root.K) if isinstance(root.K, pikepdf.Array) else [root.K]
        while stack:
            element = stack.pop()
            if not isinstance(element, pikepdf.Dictionary) or element.objgen in reached:
                continue
            reached.add(element.objgen)
            documents += element.get("/S") == pikepdf.Name.Document
            kids = element.get("/K")
            for kid in (list(kids) if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]):
                if isinstance(kid, int):
                    pages_with_content.add(element.Pg.objgen)
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name.MCR:
                    pages_with_content.add(kid.get("/Pg", element.get("/Pg")).objgen)
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") != pikepdf.Name.OBJR:
                    stack.append(kid)
        if documents != 1:
            faults.append(f"{documents} Document elements")
        nums = list(root.ParentTree.Nums)
        keys = [int(key) for key in nums[0::2]]
        if len(keys) != len(set(keys)):
            faults.append(f"the parent tree repeats keys {sorted({k for k in keys if keys.count(k) > 1})[:10]}")
        parents = dict(zip(keys, nums[1::2]))
        for number, page in enumerate(pdf.pages, 1):
            artifact, draws_text = [], False
            for operands, operator in pikepdf.parse_content_stream(page):
                name = str(operator)
                if name in ("BDC", "BMC"):
                    artifact.append(str(operands[0]) == "/Artifact")
                elif name == "EMC":
                    artifact.pop()
                elif name in ("Tj", "TJ", "'", '"') and not any(artifact):
                    draws_text = True
            if draws_text and page.obj.objgen not in pages_with_content:
                faults.append(f"page {number} draws text the structure tree does not reach")
            if "/StructParents" in page.obj:
                marked = parents.get(int(page.obj.StructParents))
                if marked is None:
                    faults.append(f"page {number}: its /StructParents is not in the parent tree")
                elif any(isinstance(e, pikepdf.Dictionary) and e.objgen not in reached for e in marked):
                    faults.append(f"page {number}: content marked for an element outside the tree")
            for annotation in page.obj.get("/Annots", []):
                contents = str(annotation.get("/Contents", ""))
                if "reportpub-anchor:" in contents or not contents.strip():
                    faults.append(f"page {number}: a link's /Contents is {contents!r}")
                key = annotation.get("/StructParent")
                if key is None or int(key) not in parents:
                    faults.append(f"page {number}: a link outside the parent tree")
                elif parents[int(key)].objgen not in reached:
                    faults.append(f"page {number}: a link whose element the structure tree does not reach")
    return faults


@pytest.mark.parametrize("mode", MODES)
def test_reader_pdf_passes_pdfua1_and_pdfa3a(book, mode):
    path = book / f"a-{mode}.pdf"
    assert validation_failures(path, "ua1") == []
    assert validation_failures(path, "3a") == []
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Tagged:          yes" in info


@pytest.mark.parametrize("mode", MODES)
def test_one_structure_tree_reaches_every_part(book, mode):
    assert structure_faults(book / f"a-{mode}.pdf") == []


@pytest.mark.parametrize("mode", MODES)
def test_pages_and_links_share_one_key_space(book, mode):
    with pikepdf.open(book / f"a-{mode}.pdf") as pdf:
        keys = [int(page.obj.StructParents) for page in pdf.pages if "/StructParents" in page.obj]
        keys += [int(a.StructParent) for page in pdf.pages for a in page.obj.get("/Annots", [])]
        assert len(keys) == len(set(keys)) and len(keys) > len(pdf.pages) // 2
        assert int(pdf.Root.StructTreeRoot.ParentTreeNextKey) == max(keys) + 1
        ids = [str(element.ID) for element in _elements(pdf) if "/ID" in element]
        assert len(ids) == len(set(ids))


def _elements(pdf):
    stack, seen = [pdf.Root.StructTreeRoot.K[0]], set()
    while stack:
        element = stack.pop()
        if not isinstance(element, pikepdf.Dictionary) or element.objgen in seen or "/S" not in element:
            continue
        seen.add(element.objgen)
        yield element
        kids = element.get("/K")
        stack += list(kids) if isinstance(kids, pikepdf.Array) else [kids]


@pytest.mark.parametrize("mode", MODES)
def test_figures_tables_and_links_say_what_they_are(book, mode):
    with pikepdf.open(book / f"a-{mode}.pdf") as pdf:
        elements = list(_elements(pdf))
        alts = sorted(str(e.Alt) for e in elements if e.S == pikepdf.Name.Figure)
        assert alts == sorted(["港の北側に岸壁が三つ並ぶ見取り図", "半透明の赤い四角", "灰色の写真", "青い四角の絵"])
        scopes = [str(e.A.Scope) for e in elements if e.S == pikepdf.Name.TH]
        assert scopes and set(scopes) <= {"/Column", "/Row"} and "/Column" in scopes
        contents = {str(a.Contents) for page in pdf.pages for a in page.obj.get("/Annots", [])}
        assert "背景" in contents  # the cross-chapter link, in words
        assert "https://example.com/a" in contents
        assert [e for e in elements if e.S == pikepdf.Name.Document] == [pdf.Root.StructTreeRoot.K[0]]


@pytest.mark.parametrize("mode", MODES)
def test_ruby_reads_base_first_and_leaders_are_artifacts(book, mode):
    with pikepdf.open(book / f"a-{mode}.pdf") as pdf:
        rubies = [e for e in _elements(pdf) if e.S == pikepdf.Name.Ruby]
        # {彷彿|ほう|ふつ}, one ruby box per character on the page, is one Ruby: both bases, then both readings.
        assert len(rubies) == 1
        assert [str(kid.S) for kid in rubies[0].K] == ["/RB", "/RT"]
        assert [len(kid.K) for kid in rubies[0].K] == [2, 2]
        # The contents page draws each leader as one text of its dots, the same glyph over and
        # over (writers/pdf/leaders.py), as an artifact.
        leaders = []
        artifact = []
        for operands, operator in pikepdf.parse_content_stream(pdf.pages[2]):
            name = str(operator)
            if name in ("BDC", "BMC"):
                artifact.append(str(operands[0]) == "/Artifact")
            elif name == "EMC":
                artifact.pop()
            elif name == "TJ" and any(artifact):
                glyphs = b"".join(bytes(item) for item in operands[0] if isinstance(item, pikepdf.String))
                if len(glyphs) >= 40 and glyphs == glyphs[:2] * (len(glyphs) // 2):
                    leaders.append(len(glyphs) // 2)
        assert leaders, "no leader drawn as one text"


@pytest.mark.parametrize("mode", MODES)
def test_one_xmp_packet_holds_the_editions_metadata(book, mode):
    with pikepdf.open(book / f"a-{mode}.pdf") as pdf:
        packet = pdf.Root.Metadata.read_bytes().decode()
        assert packet.count("<rdf:RDF") == 1
        metadata = pdf.open_metadata()
        assert metadata["pdfaid:part"] == "3" and metadata["pdfaid:conformance"] == "A"
        assert metadata["pdfuaid:part"] == "1"
        assert metadata["dc:language"] == {"ja"} and metadata["xmpMM:VersionID"] == "1.0"
        assert metadata["dc:identifier"].startswith("urn:uuid:")
    with pikepdf.open(book / f"a-{mode}-print.pdf") as pdf:
        metadata = pdf.open_metadata()
        assert metadata["xmpMM:VersionID"] == "1.0" and "pdfuaid:part" not in metadata
        assert pdf.Root.Metadata.read_bytes().decode().count("<xmpMM:VersionID>") == 1


@pytest.mark.parametrize("mode", MODES)
def test_no_image_asks_for_interpolation_and_no_stream_ends_in_cr(book, mode):
    with pikepdf.open(book / f"a-{mode}.pdf") as pdf:
        streams = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream)]
        images = [s for s in streams if s.get("/Subtype") == pikepdf.Name.Image]
        assert len(images) >= 4 and not any(bool(s.get("/Interpolate", False)) for s in images)
        assert not any(s.read_raw_bytes().endswith(b"\r") for s in streams)


def test_a_stream_whose_data_ends_in_cr_gets_an_unambiguous_length(tmp_path):
    from reportpub.writers.pdf.join import save_archival

    # A comment whose length shifts the Adler-32 checksum (the last bytes of zlib's data) by 97 each time.
    data = next(text for n in range(1024) if zlib.compress(text := b"% " + b"a" * n + b"\n", 9).endswith(b"\r"))
    pdf = pikepdf.new()
    pdf.add_blank_page()
    stream = pikepdf.Stream(pdf, b"")
    stream.write(zlib.compress(data, 9), filter=pikepdf.Name.FlateDecode)
    pdf.pages[0].obj.Contents = pdf.make_indirect(stream)
    save_archival(pdf, tmp_path / "x.pdf")
    with pikepdf.open(tmp_path / "x.pdf") as saved:
        contents = saved.pages[0].obj.Contents
        assert not contents.read_raw_bytes().endswith(b"\r")
        assert contents.read_bytes() == data
    assert not [failure for failure in validation_failures(tmp_path / "x.pdf", "3b") if "STREAM-LENGTH" in failure]


@pytest.mark.parametrize("mode", MODES)
def test_sample_reader_pdfs_pass_pdfua1_and_pdfa3a(sample_build, mode):
    path = sample_build / f"report-{mode}.pdf"
    assert validation_failures(path, "ua1") == []
    assert validation_failures(path, "3a") == []
    assert structure_faults(path) == []


@pytest.mark.parametrize("mode", MODES)
def test_joined_book_reads_in_the_order_of_a_whole_book_layout(book, whole_book, mode):
    joined = text_in_tag_order(book / f"a-{mode}.pdf")
    assert "彷彿ほうふつ" in joined and "Sivispacem,parabellum." in joined  # per-character ruby: the bases first
    assert joined == text_in_tag_order(whole_book[mode])


@pytest.mark.parametrize("mode", MODES)
def test_notes_are_note_elements_linked_from_their_calls(book, mode):
    with pikepdf.open(book / f"a-{mode}.pdf") as pdf:
        elements = list(_elements(pdf))
        notes = [e for e in elements if e.S == pikepdf.Name.Note]
        assert len(notes) == 2
        ids = [str(note.ID) for note in notes]
        assert len(set(ids)) == 2
        for note in notes:
            assert [kid.S for kid in note.K if isinstance(kid, pikepdf.Dictionary)][0] == pikepdf.Name.Lbl
        references = [e for e in elements if e.S == pikepdf.Name.Reference]
        assert len(references) == 2
        destinations = dict(zip(*[iter(str(item) if isinstance(item, pikepdf.String) else item
                                       for item in pdf.Root.Names.Dests.Names)] * 2))
        notes_pages = {note.objgen: note.Pg.objgen for note in notes}
        for reference in references:
            (link,) = [kid for kid in reference.K if isinstance(kid, pikepdf.Dictionary)]
            assert link.S == pikepdf.Name.Link
            (annotation,) = [kid.Obj for kid in link.K if isinstance(kid, pikepdf.Dictionary)
                             and kid.get("/Type") == pikepdf.Name.OBJR]
            assert str(annotation.Contents).startswith("注")
            # The link leads to the page of a note, and the note's words name it.
            assert destinations[str(annotation.Dest)][0].objgen in notes_pages.values()


@pytest.mark.parametrize("mode", MODES)
def test_a_passage_in_another_language_has_its_lang(book, mode):
    with pikepdf.open(book / f"a-{mode}.pdf") as pdf:
        assert str(pdf.Root.Lang) == "ja"
        languages = {str(e.Lang) for e in _elements(pdf) if "/Lang" in e}
        assert languages == {"la"}


@pytest.mark.parametrize("mode", MODES)
def test_reader_pdf_has_no_outloud_error(book, mode):
    assert outloud_errors(book / f"a-{mode}.pdf") == []


@pytest.mark.parametrize("mode", MODES)
def test_print_pdf_leaves_the_readers_structure_behind(book, mode):
    """The print edition takes the reader's pages over without their tags: a printer's file
    claims PDF/X-4 alone, and carries no structure tree, nor keys into one on its pages and
    links, while the reader edition's pages it was joined from have them."""
    with pikepdf.open(book / f"a-{mode}.pdf") as reader:
        assert any("/StructParents" in page.obj for page in reader.pages)
    path = book / f"a-{mode}-print.pdf"
    with pikepdf.open(path) as pdf:
        assert "/StructTreeRoot" not in pdf.Root and "/MarkInfo" not in pdf.Root
        assert pdf.open_metadata()["pdfx:GTS_PDFXVersion"] == "PDF/X-4"
        assert [page.index for page in pdf.pages if "/StructParents" in page.obj] == []
        annotations = [a for page in pdf.pages for a in page.obj.get("/Annots", [])]
        assert annotations and [a for a in annotations if "/StructParent" in a] == []
        assert not [obj for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary)
                    and obj.get("/Type") == pikepdf.Name.StructElem]
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Tagged:          no" in info


DIGIT_CHAPTERS = {
    "01.md": "# 第1章　始まり {#one}\n\n本文です[^a]。次は[第12章](#twelve)と[第３章](#three)、"
             "[12月の節](#dec)へ。\n\n## 12月の節 {#dec}\n\n注の多い段落です[^b]。\n\n"
             "[^a]: 一つ目の注。\n\n[^b]: 二つ目の注。\n",
    "02.md": "# 第12章　続き {#twelve}\n\n[第1章](#one)に戻ります。\n",
    "03.md": "# 第３章　終わり {#three}\n\n[第12章](#twelve)と[第1章](#one)を見てください。\n",
}


@pytest.fixture(scope="module")
def digit_book(tmp_path_factory):
    """Headings with one or two digits (第1章, 第12章: tate-chu-yoko in the vertical edition, an
    inline-block box of its own inside the contents' link) and a full-width one (第３章), linked
    to from the text, with note calls."""
    root = write_project(tmp_path_factory.mktemp("a11y-digits") / "book", DIGIT_CHAPTERS,
                         book_toml(title="数字の章", authors=["著者 太郎"], version="1.0", slug="d", formats=["pdf"]))
    result = run_cli("build", str(root), "--jobs", "1")
    assert result.returncode == 0, result.stderr
    return root / "build"


def links_off_their_link_element(path) -> list[str]:
    """Each link annotation whose /StructParent does not resolve to a Link element holding it
    as an OBJR kid."""
    faults = []
    with pikepdf.open(path) as pdf:
        nums = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
        parents = dict(zip((int(key) for key in nums[0::2]), nums[1::2]))
        for number, page in enumerate(pdf.pages, 1):
            for annotation in page.obj.get("/Annots", []):
                if annotation.get("/Subtype") != pikepdf.Name.Link:
                    continue
                element = parents.get(int(annotation.get("/StructParent", -1)))
                kids = [] if element is None else element.get("/K")
                kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
                held = any(isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name.OBJR
                           and kid.Obj.objgen == annotation.objgen for kid in kids)
                if element is None or element.get("/S") != pikepdf.Name.Link or not held:
                    faults.append(f"page {number}: link {str(annotation.get('/Contents', ''))!r} under "
                                  f"{None if element is None else element.get('/S')}")
    return faults


@pytest.mark.parametrize("mode", MODES)
def test_a_link_over_a_digit_heading_is_under_its_link_element(digit_book, mode):
    path = digit_book / f"d-{mode}.pdf"
    with pikepdf.open(path) as pdf:
        links = sum(1 for page in pdf.pages for a in page.obj.get("/Annots", []) if a.get("/Subtype") == pikepdf.Name.Link)
    assert links >= 12  # the contents' three chapters and a section, the text's six links, two note calls
    assert links_off_their_link_element(path) == []
    assert structure_faults(path) == []
    assert validation_failures(path, "ua1") == []
    assert validation_failures(path, "3a") == []


def _page_of(element) -> set:
    """The pages an element's own marked content is on (its /Pg, or its MCRs' /Pg)."""
    kids = element.get("/K")
    kids = list(kids) if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]
    pages = {element.Pg.objgen for kid in kids if isinstance(kid, int) and "/Pg" in element}
    pages |= {kid.get("/Pg", element.get("/Pg")).objgen for kid in kids
              if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name.MCR}
    return pages


@pytest.fixture(scope="module")
def figures_page_book(tmp_path_factory):
    """A chapter whose tall and wide figures wait for the next page while the text fills this
    one, and then fill that page with no line of body text (test_page_flow.py's book). Horizontal
    only: in the vertical PDF the same figures are islands between the text's lines, and no
    page of this book is left without text."""
    from tests.writers.pdf.test_page_flow import build_islands_book, deferral_chapters

    root = tmp_path_factory.mktemp("figures-page")
    build_islands_book(root, deferral_chapters(shapes=(("tall", "wide", "square", "chart"),), first=5),
                       ("horizontal",))
    return root / "build"


def test_a_page_of_deferred_figures_only_is_tagged(figures_page_book):
    """A page that deferred figures fill holds no body text: its figures are still Figure
    elements of the one structure tree, each with its /Alt, and the PDF still validates."""
    from tests.writers.pdf.page_make_up import BODY_PT, read_pages

    path = figures_page_book / "deferral-horizontal.pdf"
    filled = [page.number for page in read_pages(path)
              if not page.has(BODY_PT) and sum(i.kind == "image" for i in page.items) >= 1]
    assert filled, "some page holds figures and no body text"
    assert structure_faults(path) == []
    with pikepdf.open(path) as pdf:
        figures = [e for e in _elements(pdf) if e.S == pikepdf.Name.Figure]
        assert figures and all(str(e.get("/Alt", "")).strip() for e in figures)
        for number in filled:
            page = pdf.pages[number - 1]
            images = sum(1 for operands, operator in pikepdf.parse_content_stream(page) if str(operator) == "Do")
            assert sum(page.obj.objgen in _page_of(e) for e in figures) == images, f"page {number}"
    assert validation_failures(path, "ua1") == []
    assert validation_failures(path, "3a") == []
