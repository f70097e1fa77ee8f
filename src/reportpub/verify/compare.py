"""Say where two builds of one edition differ: for PDF, EPUB and any other file.

verify hands the released file and the file it rebuilt here. Bytes decide; when they differ, the
report names what a reader of the file would call its parts — a page (and the chapter it is in),
a font and the version each build embeds, an attached source, the metadata, a file in an EPUB —
and, for a change the structure does not show, the first differing byte and the PDF object that
holds it.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

import pikepdf

PDF_OBJECT = re.compile(rb"(?:^|[\r\n])(\d+) (\d+) obj\b")


def differences(name: str, released: bytes, rebuilt: bytes) -> list[str]:
    """What differs between the released file ``name`` and its rebuild (empty when identical)."""
    if released == rebuilt:
        return []
    if name.endswith(".pdf"):
        found = _pdf_differences(released, rebuilt)
    elif name.endswith(".epub"):
        found = _epub_differences(released, rebuilt)
    elif name.endswith(".json"):
        found = _json_differences(released, rebuilt)
    else:
        found = []
    return found or [_first_byte(released, rebuilt)]


def _first_byte(released: bytes, rebuilt: bytes, where: str = "") -> str:
    offset = next((i for i, (a, b) in enumerate(zip(released, rebuilt)) if a != b), min(len(released), len(rebuilt)))
    sizes = "" if len(released) == len(rebuilt) else f" (the file has {len(released)} bytes, the rebuild {len(rebuilt)})"
    return f"byte {offset} differs{where}{sizes}"


def _json_differences(released: bytes, rebuilt: bytes) -> list[str]:
    try:
        theirs, ours = json.loads(released), json.loads(rebuilt)
    except ValueError:
        return [f"{_first_byte(released, rebuilt)}, and the file is no longer readable JSON"]
    if not isinstance(theirs, dict) or not isinstance(ours, dict):
        return []
    keys = sorted(k for k in set(theirs) | set(ours) if theirs.get(k) != ours.get(k))
    return [f"its {', '.join(keys)} differ" if keys else "the same entries, written differently"]


# --- PDF ---------------------------------------------------------------------------------------


def _pdf_differences(released: bytes, rebuilt: bytes) -> list[str]:
    try:
        ours = pikepdf.open(io.BytesIO(rebuilt))
    except pikepdf.PdfError:  # our own output: never expected
        return []
    with ours:
        where = _byte_in_object(released, rebuilt, ours)
        try:
            theirs = pikepdf.open(io.BytesIO(released))
        except pikepdf.PdfError:
            return [where, "the file is no longer a readable PDF"]
        with theirs:
            found = [where]
            if theirs.get_warnings():
                found.append("the file is damaged: a PDF reader has to repair it to read it")
            found += _font_differences(theirs, ours)
            found += _page_differences(theirs, ours)
            found += _attachment_differences(theirs, ours)
            if _metadata(theirs) != _metadata(ours):
                found.append("the document metadata (title, authors, dates, XMP) differs")
    return found


def embedded_fonts(pdf) -> dict[str, tuple[str, bytes]]:
    """{font name without its subset tag: (version string from its name table, font program bytes)}."""
    from fontTools.ttLib import TTFont

    fonts: dict[str, tuple[str, bytes]] = {}
    for descriptor in _font_descriptors(pdf):
        name = _font_name(descriptor)
        for key in FONT_PROGRAMS:
            if key in descriptor:
                try:
                    data = descriptor[key].read_bytes()
                except pikepdf.PdfError:  # a damaged stream: its raw bytes stand for it
                    data = descriptor[key].read_raw_bytes()
                version = "unknown version"
                try:
                    version = TTFont(io.BytesIO(data), lazy=True)["name"].getDebugName(5) or version
                except Exception:  # a bare CFF program, or a damaged one, has no name table to read
                    pass
                fonts[name] = (version, data)
    return fonts


FONT_PROGRAMS = ("/FontFile2", "/FontFile3", "/FontFile")


def _font_descriptors(pdf) -> list:
    return [obj for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor"]


def _font_name(descriptor) -> str:
    """The font's name without the subset tag (ABCDEF+) that changes with the glyphs it holds."""
    name = str(descriptor.get("/FontName", "/unknown"))[1:]
    return name.split("+", 1)[1] if re.match(r"^[A-Z]{6}\+", name) else name


def _font_differences(theirs, ours) -> list[str]:
    released, rebuilt = embedded_fonts(theirs), embedded_fonts(ours)
    found = []
    for name in sorted(set(released) | set(rebuilt)):
        if name not in rebuilt:
            found.append(f"font {name}: embedded in the file, not used by a build on this machine")
        elif name not in released:
            found.append(f"font {name}: used by a build on this machine, not embedded in the file")
        elif released[name][1] != rebuilt[name][1]:
            (then, _), (now, _) = released[name], rebuilt[name]
            if then != now:
                found.append(f"font {name}: the file embeds {then}, this machine has {now}")
            else:
                found.append(f"font {name}: the embedded font program differs ({then} in both)")
    return found


def _chapter_of_pages(pdf) -> list[str]:
    """The title of the outline entry each page falls under ('' before the first)."""
    starts: list[tuple[int, str]] = []
    try:
        with pdf.open_outline() as outline:
            for item in outline.root:
                try:
                    destination = item.destination if item.destination is not None else item.action.D
                    starts.append((pikepdf.Page(destination[0]).index, item.title))
                except (AttributeError, TypeError, IndexError, ValueError, pikepdf.PdfError):
                    continue  # a named or broken destination: no page to place it on
    except pikepdf.PdfError:
        pass
    titles, current = [], ""
    starts.sort()
    for index in range(len(pdf.pages)):
        while starts and starts[0][0] <= index:
            current = starts.pop(0)[1]
        titles.append(current)
    return titles


def _content_streams(page) -> list:
    contents = page.obj.get("/Contents")
    if contents is None:
        return []
    return list(contents) if isinstance(contents, pikepdf.Array) else [contents]


def _page_differences(theirs, ours) -> list[str]:
    if len(theirs.pages) != len(ours.pages):
        return [f"the file has {len(theirs.pages)} pages, the rebuild {len(ours.pages)}"]

    def content(page) -> bytes:
        return b"".join(stream.read_raw_bytes() for stream in _content_streams(page))

    chapters = _chapter_of_pages(ours)
    changed = [i for i, (a, b) in enumerate(zip(theirs.pages, ours.pages)) if content(a) != content(b)]
    found = [f"page {i + 1}" + (f" ({chapters[i]})" if chapters[i] else "") + ": its content differs" for i in changed[:10]]
    if len(changed) > 10:
        found.append(f"… and {len(changed) - 10} more pages")
    return found


def _attachment_differences(theirs, ours) -> list[str]:
    def files(pdf) -> dict[str, bytes]:
        try:
            return {name: spec.get_file().read_bytes() for name, spec in pdf.attachments.items()}
        except pikepdf.PdfError:
            return {"(unreadable)": b""}

    released, rebuilt = files(theirs), files(ours)
    return [f"attached file {name} differs" for name in sorted(set(released) | set(rebuilt))
            if released.get(name) != rebuilt.get(name)]


def _metadata(pdf) -> tuple:
    xmp = pdf.Root.get("/Metadata")
    return repr(sorted((str(k), str(v)) for k, v in pdf.docinfo.items())), xmp.read_raw_bytes() if xmp is not None else b""


def _byte_in_object(released: bytes, rebuilt: bytes, ours) -> str:
    """The first differing byte and the object it lies in, as the rebuild's structure names it."""
    offset = next((i for i, (a, b) in enumerate(zip(released, rebuilt)) if a != b), min(len(released), len(rebuilt)))
    starts = [(m.start(1), int(m.group(1))) for m in PDF_OBJECT.finditer(rebuilt)]
    number = next((n for start, n in reversed(starts) if start <= offset), None)
    if number is None:
        where = ", in the file header"
    elif rebuilt.find(b"endobj", rebuilt.rfind(b" obj", 0, offset), offset) >= 0:
        where = ", after the last object (the end of the file)"
    else:
        where = f", in object {number}: {object_roles(ours).get(number, 'an object no part of the book names')}"
    return _first_byte(released, rebuilt, where)


def object_roles(pdf) -> dict[int, str]:
    """What each object of a PDF is, as a reader of the book would say it."""
    roles: dict[int, str] = {}

    def name(obj, role: str) -> None:
        if obj is not None and obj.is_indirect and obj.objgen[0] not in roles:
            roles[obj.objgen[0]] = role

    name(pdf.Root, "the document catalog")
    name(pdf.trailer.get("/Info"), "the document information (title, authors, dates)")
    name(pdf.Root.get("/Metadata"), "the XMP metadata")
    for intent in pdf.Root.get("/OutputIntents", []):
        name(intent, "the output intent")
        name(intent.get("/DestOutputProfile"), "the output intent's colour profile")
    for index, page in enumerate(pdf.pages):
        name(page.obj, f"the dictionary of page {index + 1}")
        for stream in _content_streams(page):
            name(stream, f"the content of page {index + 1}")
        for annotation in page.obj.get("/Annots", []):
            name(annotation, f"a link on page {index + 1}")
    for descriptor in _font_descriptors(pdf):
        font = _font_name(descriptor)
        name(descriptor, f"the descriptor of font {font}")
        for key in FONT_PROGRAMS:
            name(descriptor.get(key), f"the font program of {font}")
    for attached, spec in pdf.attachments.items():
        name(spec.obj, f"the attached file {attached}")
        name(spec.get_file().obj, f"the attached file {attached}")
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and obj.get("/Type") == "/XRef":
            name(obj, "the cross-reference stream (the file's index of its objects)")
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and obj.get("/Type") == "/ObjStm":
            header = obj.read_bytes()[:int(obj.First)].split()
            held = [int(n) for n in header[0::2]]
            described = list(dict.fromkeys(roles[n] for n in held if n in roles))
            name(obj, f"the compressed object stream holding objects {held[0]}–{held[-1]}"
                 + (f" ({'; '.join(described[:4])}{'; …' if len(described) > 4 else ''})" if described else ""))
    return roles


# --- EPUB --------------------------------------------------------------------------------------


def _epub_differences(released: bytes, rebuilt: bytes) -> list[str]:
    try:
        theirs = zipfile.ZipFile(io.BytesIO(released))
        members = {info.filename: theirs.read(info) for info in theirs.infolist()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        return [f"{_first_byte(released, rebuilt)}, and the file is no longer a readable EPUB ({exc})"]
    ours = zipfile.ZipFile(io.BytesIO(rebuilt))
    expected = {info.filename: ours.read(info) for info in ours.infolist()}
    found = [f"{name} differs" if name in members and name in expected else
             f"{name} is in the {'file' if name in members else 'rebuild'} only"
             for name in sorted(set(members) | set(expected)) if members.get(name) != expected.get(name)]
    if not found and list(members) != list(expected):
        found.append("the files of the EPUB are in another order")
    return found
