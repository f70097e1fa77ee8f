"""The structure tree of a tagged PDF (PDF/UA-1, PDF/A-3a) made of separately written parts.

WeasyPrint tags each part it writes (``pdf_tags``): one Document element, a StructElem
per box, page ``/StructParents`` keys from 0 and link annotations' ``/StructParent``
keys after them. What it leaves to do is done while a part is written (``PartTagger``,
whose finisher runs after WeasyPrint's tagging): content WeasyPrint marks but leaves out
of the tree (the margin boxes: running heads, page numbers, the vertical nombre) and the
contents' leaders become ``/Artifact``, as PDF/UA asks of pagination and decoration; a
ruby box becomes a Ruby element whose base (RB) is read before its reading (RT), though
the page draws the reading first; each link annotation gets a ``/Contents`` in words
(its text, and the address of a web link), never the ``reportpub-anchor:`` placeholder
of a link to another part; table headers get their ``/Scope``; and the ``/ID`` of table
headers (the number of a PDF object, which repeats across parts) is prefixed with the
part's name. WeasyPrint keeps no map from boxes to the elements it makes, so
``PartTagger.recording`` notes the elements of ruby, reading and leader boxes as they
are made (around weasyprint.pdf.tags' tree builder).

When the parts are joined (``StructureJoiner``), every part's elements go under the
front matter's one Document element, in page order, and the keys of the parent tree are
renumbered into one key space: the keys of each part are shifted past the ones before,
on its pages and annotations alike, so that no two pages or annotations share a key.
"""

from __future__ import annotations

import contextlib
import re

import pikepdf
import pydyf

from reportpub.writers.pdf.book_html import ANCHOR_SCHEME
from reportpub.writers.pdf.finishers import pdf_pages


def _number(reference) -> int | None:
    """The object number of a pydyf reference (b"12 0 R"), else None."""
    if isinstance(reference, bytes):
        match = re.fullmatch(rb"(\d+) 0 R", reference)
        if match:
            return int(match.group(1))
    return None


class PartTagger:
    """The finisher of a tagged part (see the module docstring); ``recording`` must be
    around the ``write_pdf`` that runs it."""

    def __init__(self, part_name: str, describe_link):
        self.part_name = part_name
        self.describe_link = describe_link  # (link_type, target, box) → words
        self.made: dict[str, list] = {"ruby": [], "rt": [], "leader": []}  # box kind → pydyf elements

    @contextlib.contextmanager
    def recording(self):
        """While WeasyPrint builds the structure tree: note the element each ruby, reading
        and leader box becomes."""
        from weasyprint.pdf import tags

        original = tags._build_box_tree
        made = self.made

        def build_box_tree(box, *arguments):
            elements = list(original(box, *arguments))
            kind = _box_kind(box)
            if kind is not None and len(elements) == 1:
                made[kind].append(elements[0])
            yield from elements

        tags._build_box_tree = build_box_tree  # the builder calls itself by this module name
        try:
            yield
        finally:
            tags._build_box_tree = original

    def __call__(self, document, pdf) -> None:
        root_reference = pdf.catalog.get("StructTreeRoot")
        if root_reference is None:
            return
        objects = pdf.objects
        root = objects[_number(root_reference)]
        parent_tree = objects[_number(root["ParentTree"])]
        nums = parent_tree["Nums"]
        for leader in self.made["leader"]:
            # Decoration: the leader's element leaves the tree (its text becomes an artifact
            # below), and its link annotation goes to the link it is part of.
            parent = objects[_number(leader["P"])]
            annotations = [kid for kid in leader["K"] if not isinstance(kid, int)]
            parent["K"] = pydyf.Array([kid for kid in parent["K"] if kid != leader.reference] + annotations)
            for index in range(1, len(nums), 2):
                if nums[index] == leader.reference:
                    nums[index] = parent.reference
        readings = {element.number for element in self.made["rt"]}
        for ruby in self.made["ruby"]:
            _make_ruby(objects, ruby, readings)
        reachable = _reachable_elements(objects, root)
        artifacts: dict[int, set[int]] = {}  # page index → MCIDs of content outside the tree
        for index in range(0, len(nums), 2):
            key, value = nums[index], nums[index + 1]
            if isinstance(value, pydyf.Array):  # a page's MCIDs; the keys after the pages' are annotations'
                outside = {mcid for mcid, element in enumerate(value) if _number(element) not in reachable}
                for mcid in outside:
                    value[mcid] = "null"
                if outside:
                    artifacts[key] = outside
        pages = pdf_pages(pdf)
        for index, mcids in artifacts.items():
            contents = pages[index]["Contents"]
            for reference in (contents if isinstance(contents, pydyf.Array) else [contents]):
                number = _number(reference)
                if number is not None:
                    _mark_artifacts(objects[number], mcids)
        prefix = re.sub(r"[^A-Za-z0-9-]", "-", self.part_name)
        for number in reachable:
            element = objects[number]
            if element.get("S") == "/TH":
                _set_scope(objects, element)
            if "ID" in element:
                element["ID"] = pydyf.String(f"{prefix}-{_string(element['ID'])}")
            attributes = element.get("A")
            if isinstance(attributes, pydyf.Dictionary) and "Headers" in attributes:
                attributes["Headers"] = pydyf.Array(
                    pydyf.String(f"{prefix}-{_string(header)}") for header in attributes["Headers"])
        for page in document.pages:
            for link_type, target, _, box in page.links:
                annotation = getattr(box, "link_annotation", None)
                if annotation is not None:
                    annotation["Contents"] = pydyf.String(self.describe_link(link_type, target, box))


def _box_kind(box) -> str | None:
    """"ruby", "rt" or "leader" for the boxes PartTagger retags (writers/pdf/chapter_html.py
    makes a ruby box ``<span class="ruby"><span class="rt">reading</span>base</span>``)."""
    if getattr(box, "is_leader", False):
        return "leader"
    element = getattr(box, "element", None)
    if element is None or getattr(box, "element_tag", None) != "span":
        return None
    from weasyprint.formatting_structure.boxes import InlineLevelBox

    classes = (element.get("class") or "").split()
    if "ruby" in classes:  # the inline-block itself, not the anonymous block of its base line
        return "ruby" if isinstance(box, InlineLevelBox) else None
    return "rt" if "rt" in classes else None


def _make_ruby(objects, ruby, readings: set[int]) -> None:
    """A ruby box's Span → Ruby, its reading RT and its base text RB, the base first."""
    ruby["S"] = "/Ruby"
    bases, texts = [], []
    for kid in ruby["K"]:
        number = _number(kid)
        if number is None:
            continue
        element = objects[number]
        element["S"] = "/RT" if number in readings else "/RB"
        (texts if number in readings else bases).append(kid)
    ruby["K"] = pydyf.Array(bases + texts + [kid for kid in ruby["K"] if _number(kid) is None])


def _set_scope(objects, header) -> None:
    """A table header's /Scope: Row when its row also holds data cells (the colophon's
    label column), else Column (a header row)."""
    row = objects[_number(header["P"])]
    cells = {objects[_number(kid)].get("S") for kid in row.get("K", []) if _number(kid) is not None}
    attributes = header.setdefault("A", pydyf.Dictionary({"O": "/Table"}))
    attributes["Scope"] = "/Row" if "/TD" in cells else "/Column"


def _string(value) -> str:
    """The text of a pydyf.String (or of a plain str)."""
    return value.string if isinstance(value, pydyf.String) else str(value)


def _reachable_elements(objects, root) -> set[int]:
    """Object numbers of the structure elements reachable from the tree's root."""
    seen: set[int] = set()
    stack = [_number(kid) for kid in root.get("K", [])]
    while stack:
        number = stack.pop()
        if number is None or number in seen:
            continue
        element = objects[number]
        if not isinstance(element, dict) or element.get("Type") != "/StructElem":
            continue
        seen.add(number)
        stack.extend(_number(kid) for kid in element.get("K", []))
    return seen


def _mark_artifacts(stream, mcids: set[int]) -> None:
    """In a pydyf content stream, ``/Tag <</MCID n>> BDC`` of the given MCIDs become
    ``/Artifact BMC`` (their EMC stays as it is)."""
    items = stream.stream
    result = []
    index = 0
    while index < len(items):
        item = items[index]
        if (isinstance(item, str) and item.startswith("/") and index + 2 < len(items)
                and isinstance(items[index + 1], pydyf.Dictionary) and items[index + 2] == b"BDC"
                and items[index + 1].get("MCID") in mcids):
            result += ["/Artifact", b"BMC"]
            index += 3
            continue
        result.append(item)
        index += 1
    stream.stream = result


def describe_link(link_type: str, target: str, box) -> str:
    """Where a link goes, in words: its own text, with the address of a web link."""
    text = " ".join("".join(box.element.itertext()).split()) if box.element is not None else ""
    if link_type == "external" and not target.startswith(ANCHOR_SCHEME):
        return target if text in ("", target) else f"{text} ({target})"
    return text or target.removeprefix(ANCHOR_SCHEME)


class StructureJoiner:
    """Gathers the parts' structure trees into the joined document's one tree."""

    def __init__(self, document: pikepdf.Pdf):
        self.document = document
        root = document.Root.get("/StructTreeRoot")
        self.root = root
        if root is None:
            return
        self.top = root.K[0] if isinstance(root.K, pikepdf.Array) else root.K
        self.nums = list(root.ParentTree.get("/Nums", []))
        keys = [int(key) for key in self.nums[0::2]]
        self.next_key = max(keys, default=-1) + 1

    def add(self, part: pikepdf.Pdf, pages) -> None:
        """Take over ``part``'s tree; ``pages`` are its pages already copied into the document."""
        if self.root is None:
            return
        part_root = part.Root.get("/StructTreeRoot")
        if part_root is None:
            return
        offset = self.next_key
        for page in pages:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + offset
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
        # qpdf copies the elements with the part's pages and annotations mapped onto the
        # copies already made (the same foreign-object map as the pages').
        copied = self.document.copy_foreign(part_root)
        part_top = copied.K[0] if isinstance(copied.K, pikepdf.Array) else copied.K
        for kid in list(part_top.K):
            kid.P = self.top
            self.top.K.append(kid)
        nums = list(copied.ParentTree.get("/Nums", []))
        for key, value in zip(nums[0::2], nums[1::2]):
            self.nums += [int(key) + offset, value]
        self.next_key = max((int(key) + offset for key in nums[0::2]), default=offset - 1) + 1

    def finish(self) -> None:
        """Write the merged parent tree."""
        if self.root is None:
            return
        self.root.ParentTree = self.document.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(self.nums)))
        self.root.ParentTreeNextKey = self.next_key
