"""The structure tree of a tagged PDF (PDF/UA-1, PDF/A-3a) made of separately written parts.

WeasyPrint tags each part it writes (``pdf_tags``): one Document element, a StructElem
per box, page ``/StructParents`` keys from 0 and link annotations' ``/StructParent``
keys after them. What it leaves to do is done while a part is written (``PartTagger``,
whose finisher runs after WeasyPrint's tagging): content WeasyPrint marks but leaves out
of the tree (the margin boxes: running heads, page numbers, the vertical nombre) and the
contents' leaders become ``/Artifact``, as PDF/UA asks of pagination and decoration; a
ruby box becomes a Ruby element whose base (RB) is read before its reading (RT), though
the page draws the reading first, and the boxes of a per-character ruby ({彷彿|ほう|ふつ})
become one Ruby whose RB holds every base character and whose RT every reading, so that it
reads 彷彿 ほうふつ as group ruby does, not 彷ほう彿ふつ; each link annotation gets a ``/Contents`` in words
(its text, and the address of a web link), never the ``reportpub-anchor:`` placeholder
of a link to another part, and sits under its Link element even when WeasyPrint hangs it
on a box inside the link (the tate-chu-yoko of 第12章); table headers get their ``/Scope``; a note (the footnote
box WeasyPrint moves to the page's note area) becomes a Note element with an ``/ID`` and
its marker (注3) a Lbl, and its call a Reference holding a Link whose annotation leads to
the note (``PartTagger.link_note_calls`` adds those links before the part is written,
WeasyPrint making none for a footnote call); an element in another language than the
book's (an author's ``lang``) gets its ``/Lang``; and every ``/ID`` (a table header's is
the number of a PDF object, which repeats across parts) is prefixed with the part's
name. WeasyPrint keeps no map from boxes to the elements it makes, so
``PartTagger.recording`` notes the elements of the boxes retagged as they are made
(around weasyprint.pdf.tags' tree builder).

When the parts are joined (``StructureJoiner``), every part's elements go under the
front matter's one Document element, in page order, and the keys of the parent tree are
renumbered into one key space: the keys of each part are shifted past the ones before,
on its pages and annotations alike, so that no two pages or annotations share a key.
"""

from __future__ import annotations

import contextlib
import functools
import re

import pikepdf
import pydyf

from reportpub.writers.pdf.book_html import ANCHOR_SCHEME
from reportpub.writers.pdf.chapter_html import RUBY_CHARACTERS_CLASS
from reportpub.writers.pdf.finishers import pdf_pages
from reportpub.writers.pdf.line_units import NOTE_CALL_AGAIN_CLASS


def _number(reference) -> int | None:
    """The object number of a pydyf reference (b"12 0 R"), else None."""
    return _reference_number(reference) if isinstance(reference, bytes) else None


@functools.lru_cache(maxsize=1 << 16)
def _reference_number(reference: bytes) -> int | None:
    # Cached: the finisher reads each element's references again on every pass over the tree.
    if reference.endswith(b" 0 R") and reference[:-4].isdigit():
        return int(reference[:-4])
    return None


class PartTagger:
    """The finisher of a tagged part (see the module docstring); ``recording`` must be
    around the ``write_pdf`` that runs it."""

    def __init__(self, part_name: str, describe_link, language: str):
        self.part_name = part_name
        self.describe_link = describe_link  # (link_type, target, box) → words
        self.language = language  # the book's: an element in another gets a /Lang of its own
        self.made: dict[str, list] = {kind: [] for kind in BOX_KINDS}  # box kind → pydyf elements
        self.call_words: dict[int, str] = {}  # id() of a note call's box → its link's /Contents

    def link_note_calls(self, document) -> None:
        """Give each note call of ``document`` a link to its note (WeasyPrint links a
        footnote call to nothing), so that its Reference leads to the Note. Its words are
        the note's marker (注3). A document written twice (reader and print) keeps one link."""
        from weasyprint.formatting_structure.boxes import TextBox

        for page in document.pages:
            for link_type, target, _, box in page.links:
                if _is_later_call(box):  # a note's later call links to it already: its words are its marker's
                    self.call_words[id(box)] = f"注{box.element.get('data-number')}"
            linked = {id(link[3]) for link in page.links}
            note_area = page._page_box.children[1:2]  # [root, footnote area, note area] (weasyprint.layout.page)
            markers = {id(box.element): "".join(text.text for text in box.descendants() if isinstance(text, TextBox))
                       for area in note_area for box in area.descendants()
                       if (box.element_tag or "").endswith(NOTE_MARKER) and not isinstance(box, TextBox)}
            if not markers:
                continue
            for box in page._page_box.children[0].descendants():
                # (its text box has the pseudo-element's tag too)
                if not (box.element_tag or "").endswith(NOTE_CALL) or isinstance(box, TextBox):
                    continue
                target = box.element.get("id")
                if id(box.element) not in markers or target not in page.anchors:
                    continue  # its note is on another page (it is set with its call: writers/pdf/page_flow.py)
                if id(box) not in linked:
                    x, y, width, height = box.hit_area()
                    page.links.append(("internal", target, (x, y, x + width, y + height), box))
                self.call_words[id(box)] = markers[id(box.element)].strip()

    @contextlib.contextmanager
    def recording(self):
        """While WeasyPrint builds the structure tree: note the element each ruby, reading
        and leader box becomes."""
        from weasyprint.formatting_structure.boxes import TextBox
        from weasyprint.pdf import tags

        original = tags._build_box_tree
        made, language = self.made, self.language
        note_ids: set[str | None] = set()

        def build_box_tree(box, parent, pdf, *arguments):
            elements = list(original(box, parent, pdf, *arguments))
            kind = _box_kind(box)
            if kind == "note" and (len(elements) != 1 or box.element.get("id") in note_ids):
                kind = None  # the rest of a note broken across pages reads on as a Span
            if kind is not None and len(elements) == 1:
                made[kind].append(elements[0])
                if kind == "call":  # the Reference is made here, where objects can be added
                    elements = [_reference(pdf, elements[0], box)]
                elif kind == "note":
                    note_ids.add(box.element.get("id"))
                    elements[0]["ID"] = pydyf.String(box.element.get("id") or f"note-{len(note_ids)}")
            own = box.element.get("lang") if box.element is not None and not isinstance(box, TextBox) else None
            if own and own != language:
                for element in elements:
                    element["Lang"] = pydyf.String(own)
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
        to_parent: dict[bytes, bytes] = {}  # a leader's reference → its parent's
        for leader in self.made["leader"]:
            # Decoration: the leader's element leaves the tree (its text becomes an artifact
            # below), and its link annotation goes to the link it is part of.
            reference, parent = leader.reference, objects[_number(leader["P"])]
            annotations = [kid for kid in leader["K"] if not isinstance(kid, int)]
            parent["K"] = pydyf.Array([kid for kid in parent["K"] if kid != reference] + annotations)
            to_parent[reference] = parent.reference
        if to_parent:  # one pass over the parent tree: a contents page has a leader per entry
            for index in range(1, len(nums), 2):
                if isinstance(nums[index], bytes):
                    nums[index] = to_parent.get(nums[index], nums[index])
        readings = {element.number for element in self.made["rt"]}
        for ruby in self.made["ruby"]:
            _make_ruby(objects, ruby, readings)
        merged: dict[bytes, bytes] = {}  # a merged RB's or RT's reference → the one it joined
        for group in self.made["chars"]:
            _merge_rubies(objects, group, merged)
        if merged:
            for index in range(1, len(nums), 2):
                if isinstance(nums[index], pydyf.Array):
                    nums[index] = pydyf.Array(merged.get(element, element) for element in nums[index])
        for note in self.made["note"]:
            note["S"] = "/Note"  # its ID, the note's id, is prefixed with the others' below
        for marker in self.made["marker"]:
            marker["S"] = "/Lbl"
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
                    words = self.call_words.get(id(box)) or self.describe_link(link_type, target, box)
                    annotation["Contents"] = pydyf.String(words)
        _lift_annotations_to_links(objects, nums)
        _fold_text_spans(objects, reachable, nums, pdf.page_references)


def _lift_annotations_to_links(objects, nums) -> None:
    """PDF/UA-1 asks that a link annotation be an OBJR kid of its Link element. WeasyPrint
    gives a box inside a link an annotation of its own when it is an atomic inline (the
    inherited link of the inline-block a tate-chu-yoko 12 or １ is set in, in 第12章 of the
    contents or a cross reference) and hangs it on that box's element, a Span under the
    Link. Such an annotation goes to the nearest Link above its element, and its parent-tree
    key with it; its words become the Link's, the Span's being only its digits."""
    for index in range(1, len(nums), 2):
        holder = objects[_number(nums[index])] if _number(nums[index]) is not None else None
        if not isinstance(holder, pydyf.Dictionary) or holder.get("S") in ("/Link", None):
            continue  # a page's MCIDs (an array), or an annotation already under its Link
        link = holder
        while link.get("S") != "/Link" and _number(link.get("P")) is not None:
            link = objects[_number(link["P"])]
        if link.get("S") != "/Link":
            continue  # a link set on an element that is no link (none in our HTML): it keeps its element
        moved = [kid for kid in holder["K"] if _is_objr(objects, kid)]
        holder["K"] = pydyf.Array([kid for kid in holder["K"] if kid not in moved])
        words = next((objects[_number(objects[_number(kid)]["Obj"])].get("Contents")
                      for kid in link["K"] if _is_objr(objects, kid)), None)
        for kid in moved:
            if words is not None:
                objects[_number(objects[_number(kid)]["Obj"])]["Contents"] = words
            link["K"].append(kid)
        nums[index] = link.reference


def _is_objr(objects, kid) -> bool:
    """Whether an element's kid is the reference of an OBJR (an annotation's place in the tree)."""
    number = _number(kid)
    return number is not None and isinstance(objects[number], pydyf.Dictionary) \
        and objects[number].get("Type") == "/OBJR"


def _fold_text_spans(objects, reachable: set[int], nums, page_references) -> None:
    """Fewer objects to write, join and save: WeasyPrint gives each run of text a Span
    element of its own holding one marked-content id, which says nothing its parent does
    not. Where every kid of an element is such a Span, their ids go into its /K in their
    place (a Link's text is held so already); an element with other elements among its
    kids keeps them, so that no /K mixes ids and elements (checkers such as outloud read
    an element's own ids before its kids'), but each run of such Spans on one page among
    them becomes one Span holding the run's ids (a paragraph with a ruby or a note call
    has a Span for each line of text). Elements outside the tree (margin boxes, leaders)
    are not written at all."""
    marked = {}  # a page's reference → its MCIDs' elements in the parent tree
    for index in range(0, len(nums), 2):
        if isinstance(nums[index + 1], pydyf.Array):
            marked[page_references[int(nums[index])]] = nums[index + 1]

    def text_span(kid, page):
        """The Span of one text run among the kids of an element on ``page``, else None."""
        number = _number(kid)
        span = objects[number] if number is not None else None
        # Type, S, K, Pg and P, and nothing else (no /Lang, /ID, /A …): a Span of text only.
        if not isinstance(span, pydyf.Dictionary) or span.get("S") != "/Span" or len(span) != 5 \
                or span["Pg"] != page or len(span["K"]) != 1 or not isinstance(span["K"][0], int):
            return None
        return span

    for number in reachable:
        parent = objects[number]
        kids = parent.get("K")
        if not kids or parent.get("S") in FOLD_NOT_INTO or "Pg" not in parent:
            continue
        spans = [None if isinstance(kid, int) else text_span(kid, parent["Pg"]) for kid in kids]
        if not any(spans) or any(span is None and not isinstance(kid, int) for kid, span in zip(kids, spans)):
            continue
        parent["K"] = pydyf.Array([kid if span is None else span["K"][0] for kid, span in zip(kids, spans)])
        for span in filter(None, spans):
            marked[span["Pg"]][span["K"][0]] = parent.reference
            span.free = "f"
    # After the folds, which leave an element's Spans of text whole or none: the Spans that only
    # group elements (the no-break span around a note call or a ruby and the text beside it)
    # give their kids to their parent, then the runs of Spans of text left side by side merge.
    for number in reachable:
        parent = objects[number]
        if parent.free != "f" and isinstance(parent.get("K"), list) and parent.get("S") not in FOLD_NOT_INTO:
            _splice_grouping_spans(objects, parent)
    for number in reachable:
        parent = objects[number]
        if parent.free != "f" and isinstance(parent.get("K"), list) and parent.get("S") not in FOLD_NOT_INTO:
            _merge_span_runs(objects, parent, marked)
    for element in objects:
        if isinstance(element, pydyf.Dictionary) and element.get("Type") == "/StructElem" \
                and element.number not in reachable:
            element.free = "f"


_SPAN_KEYS = frozenset({"Type", "S", "K", "Pg", "P"})  # a Span with nothing else says nothing of its own


def _splice_grouping_spans(objects, parent) -> None:
    """A kid of ``parent`` that is a Span of structure elements only (no content of its own,
    no entry but its kids) is replaced by its kids, at any depth; ``parent`` becomes theirs."""
    def element(kid):
        number = _number(kid)
        found = objects[number] if number is not None else None
        return found if isinstance(found, pydyf.Dictionary) and found.get("Type") == "/StructElem" else None

    def grouping(span) -> bool:
        return span is not None and span.get("S") == "/Span" and span.keys() <= _SPAN_KEYS \
            and isinstance(span.get("K"), list) and bool(span["K"]) \
            and all(element(grandkid) is not None for grandkid in span["K"])

    def spliced(kids, moved: list):
        for kid in kids:
            span = element(kid)
            if not grouping(span):
                yield kid
                continue
            span.free = "f"
            for grandkid in spliced(span["K"], moved):
                moved.append(grandkid)
                yield grandkid

    moved: list = []
    kids = list(spliced(parent["K"], moved))
    if moved:
        for kid in moved:
            objects[_number(kid)]["P"] = parent.reference
        parent["K"] = pydyf.Array(kids)


def _merge_span_runs(objects, parent, marked) -> None:
    """Each run of consecutive kids of ``parent`` that are Spans of marked content only (ids,
    no other entry), all on one page, becomes its first Span holding every id of the run."""
    def ids_span(kid):
        number = _number(kid)
        span = objects[number] if number is not None else None
        if not isinstance(span, pydyf.Dictionary) or span.get("S") != "/Span" or len(span) != 5 \
                or not isinstance(span["K"], list) or not span["K"] \
                or not all(isinstance(mcid, int) for mcid in span["K"]):
            return None
        return span

    kept, run = [], None
    for kid in parent["K"]:
        span = ids_span(kid)
        if span is not None and run is not None and span["Pg"] == run["Pg"]:
            run["K"] = pydyf.Array([*run["K"], *span["K"]])
            for mcid in span["K"]:
                marked[span["Pg"]][mcid] = run.reference
            span.free = "f"
            continue
        run = span
        kept.append(kid)
    if len(kept) < len(parent["K"]):
        parent["K"] = pydyf.Array(kept)


FOLD_NOT_INTO = frozenset({"/Ruby"})  # whose kids must stay RB and RT elements (_make_ruby)


NOTE_CALL, NOTE_MARKER = "::footnote-call", "::footnote-marker"  # WeasyPrint's pseudo-element boxes of a note
BOX_KINDS = ("ruby", "rt", "chars", "leader", "note", "marker", "call")


def _box_kind(box) -> str | None:
    """The kind (BOX_KINDS) of a box PartTagger retags: writers/pdf/chapter_html.py makes a
    ruby box ``<span class="ruby"><span class="rt">reading</span>base</span>``, the boxes of
    a per-character ruby in one ``<span class="nobr ruby-chars">``, and a note
    ``<span class="footnote">``, which WeasyPrint sets as a footnote, its call and marker
    pseudo-elements of the same element; a later call of a note is a link
    ``<a class="note-call">``."""
    if getattr(box, "is_leader", False):
        return "leader"
    element = getattr(box, "element", None)
    tag = getattr(box, "element_tag", None) or ""
    if element is None:
        return None
    if _is_later_call(box):
        return "call"
    if not tag.startswith("span"):
        return None
    if tag.endswith(NOTE_CALL):
        return "call"
    if tag.endswith(NOTE_MARKER):
        return "marker"
    if tag != "span":
        return None
    from weasyprint.formatting_structure.boxes import InlineLevelBox

    classes = (element.get("class") or "").split()
    if "footnote" in classes:
        return "note"
    if "ruby" in classes:  # the inline-block itself, not the anonymous block of its base line
        return "ruby" if isinstance(box, InlineLevelBox) else None
    if RUBY_CHARACTERS_CLASS in classes:
        return "chars" if isinstance(box, InlineLevelBox) else None
    return "rt" if "rt" in classes else None


def _is_later_call(box) -> bool:
    """A later call of a note called more than once (writers/pdf/chapter_html.py): a link to
    the note set at its first call, tagged as a call."""
    return getattr(box, "element_tag", None) == "a" and \
        NOTE_CALL_AGAIN_CLASS in (box.element.get("class") or "").split()


def _reference(pdf, element, box):
    """A note call's element, made a Link when it carries the link to its note, inside a
    new Reference element, which takes its place in the tree."""
    if box.link_annotation is not None:
        element["S"] = "/Link"
    reference = pydyf.Dictionary({"Type": "/StructElem", "S": "/Reference", "K": pydyf.Array([element.reference]),
                                  "Pg": element["Pg"], "P": element["P"]})
    pdf.add_object(reference)
    element["P"] = reference.reference
    return reference


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


def _merge_rubies(objects, group, merged: dict) -> None:
    """The Ruby elements of one per-character ruby (the kids of its group's element) become
    the first of them: its RB takes every base's content, its RT every reading's, in order.
    ``merged`` gets each left-out RB and RT mapped to the one that took its content, for the
    parent tree's entries of their marked content."""
    rubies = [kid for kid in group.get("K", []) if _number(kid) is not None
              and objects[_number(kid)].get("S") == "/Ruby"]
    if len(rubies) < 2:
        return
    first = objects[_number(rubies[0])]
    kept = {objects[_number(kid)]["S"]: objects[_number(kid)] for kid in first["K"] if _number(kid) is not None}
    for reference in rubies[1:]:
        merged[reference] = first.reference
        for kid in objects[_number(reference)]["K"]:
            number = _number(kid)
            if number is None or objects[number]["S"] not in kept:  # content of the Ruby itself
                first["K"].append(kid)
                continue
            into = kept[objects[number]["S"]]
            for content in objects[number]["K"]:
                if _number(content) is not None:
                    objects[_number(content)]["P"] = into.reference
                into["K"].append(content)
            merged[kid] = into.reference
    group["K"] = pydyf.Array(kid for kid in group["K"] if kid not in rubies[1:])


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
    # Only the operators are looked at one by one: a page's stream has thousands of items.
    marks = [index for index, item in enumerate(items) if item == b"BDC"]
    replaced = [index for index in marks if index >= 2 and isinstance(items[index - 1], pydyf.Dictionary)
                and isinstance(items[index - 2], str) and items[index - 2].startswith("/")
                and items[index - 1].get("MCID") in mcids]
    if not replaced:
        return
    result, start = [], 0
    for index in replaced:
        result += items[start:index - 2]
        result += ["/Artifact", b"BMC"]
        start = index + 1
    stream.stream = result + items[start:]


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
