"""The build: decide what is out of date, read the book once, write editions, record state.

Read everything, then write anything: the manuscript is parsed and resolved once and
shared by all writers (chapters unchanged since the last build are not parsed again);
each mode's PDF is laid out once, chapter by chapter with unchanged chapters reused
(writers/pdf/parts.py), and both the reader and the print edition are written from
that layout. Independent jobs (one per writing mode's PDFs, one per EPUB, the web
edition) run in parallel processes; with more than one, the PDFs' parts and joins of both modes
are laid out side by side in the same workers (writers/pdf/part_pool.py). Every output is
written to a temporary file beside its final name, and all are renamed into place
only when every requested output succeeded, so a failed or interrupted build never
replaces a good edition. The state of the build is recorded last.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import multiprocessing
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from reportpub.build.state import Fingerprinter, explain_change, load_state, save_state
from reportpub.atomic import temporary_beside
from reportpub.cache import DERIVED_FONT_PREFIXES, DERIVED_FONTS_DIR, cache_root
from reportpub.build.progress import Progress, Step, quiet, relay, send_from_worker
from reportpub.build.workers import default_workers, usable_cores, worker_pool
from reportpub.diagnostics import DiagnosticCollector, ReportpubError, machine_faults_reported
from reportpub.editions import MODES, Edition, planned_editions
from reportpub.model import Book
from reportpub.project import Project

Report = Callable[[str], None]


@dataclass
class BuildResult:
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)


def planned_outputs(project: Project, only: str | None = None, mode: str | None = None) -> list[Edition]:
    """The editions a build of this project makes (see :func:`reportpub.editions.planned_editions`)."""
    return planned_editions(project.config, only, mode)


def read_book(project: Project, warn: Report = lambda message: None, reuse: bool = True, strict: bool = False) -> Book:
    """Read, parse and resolve the whole manuscript; every problem reported at once. Chapters
    unchanged since the last build come from the cache, unless ``reuse`` is false; with
    ``strict``, warnings found while reading are errors."""
    from reportpub.build.author_files import check_author_files
    from reportpub.build.chapter_cache import ChapterCache
    from reportpub.manuscript.resolve import resolve_book

    problems = DiagnosticCollector()
    try:
        files = project.chapter_files()
    except ReportpubError as error:
        problems.extend(error)
        files = []
    cache = ChapterCache(project)
    read = {path: cache.get(path) if reuse else None for path in files}
    unread = [path for path in files if read[path] is None]
    if len(unread) >= PARALLEL_READING_MIN_CHAPTERS and usable_cores() > 1:
        # Python-Markdown is most of the reading time: long books read their chapters in parallel.
        with worker_pool(usable_cores()) as pool:
            fresh = list(pool.map(_read_chapter_job, [(project, path) for path in unread], chunksize=4))
    else:
        fresh = [_read_chapter_job((project, path)) for path in unread]
    for path, result in zip(unread, fresh):
        read[path] = result
        cache.put(path, result)
    cache.prune()
    results = [read[path] for path in files]
    drafts = []
    for draft, diagnostics in results:
        problems.diagnostics.extend(diagnostics)
        if draft is not None:
            drafts.append(draft)
    if not files and not problems.errors:
        problems.error(project.config.path, "the manuscript has no chapters (no *.md in manuscript/)")
    remote_resources = check_author_files(project, problems)
    formatter = None
    if project.config.bibliography:
        from reportpub.citing.formatter import load_formatter

        from reportpub.citing.memo import MEMO_DIR, CitationMemo

        try:
            formatter = load_formatter(project)
            formatter.memo = CitationMemo(cache_root(project.build_dir) / MEMO_DIR, formatter.style_key(), reuse)
        except ReportpubError as error:
            problems.extend(error)
    if strict:
        problems.diagnostics = [replace(d, severity="error") for d in problems.diagnostics]
    try:
        book = resolve_book(project, drafts, formatter, problems)
        if formatter is not None:
            formatter.memo.save()
        return replace(book, remote_resources=remote_resources) if remote_resources else book
    finally:
        for diagnostic in problems.warnings:
            warn(str(diagnostic))


PARALLEL_READING_MIN_CHAPTERS = 12
_markdown_of_process = None


def _read_chapter_job(job: tuple[Project, Path]):
    """Read one chapter with this process's Markdown converter: (draft or None, diagnostics)."""
    from reportpub.manuscript import make_markdown
    from reportpub.manuscript.reader import read_chapter

    global _markdown_of_process
    if _markdown_of_process is None:
        _markdown_of_process = make_markdown()
    project, path = job
    problems = DiagnosticCollector()
    draft = read_chapter(project, path, _markdown_of_process, problems)
    return draft, problems.diagnostics


def _read_book_while_importing(project: Project, modules: list[str], warn: Report, reuse: bool,
                               strict: bool) -> Book:
    """:func:`read_book` in a process of its own while this one imports the ``modules`` the build's
    writers need: importing WeasyPrint, pikepdf and EbookLib takes about as long as reading a book
    whose chapters come from the cache (most of a second each), and neither needs the other. The
    book comes back pickled (about 1 MB for 40 chapters, a few hundredths of a second), with the
    warnings and errors read_book gives, reported here as it reports them."""
    with worker_pool(1) as reader:
        reading = reader.submit(_read_book_job, project, reuse, strict)
        for name in modules:
            importlib.import_module(name)
        book, warnings, error = reading.result()
    for warning in warnings:
        warn(warning)
    if error is not None:
        raise error
    return book


def _read_book_job(project: Project, reuse: bool, strict: bool) -> tuple[Book | None, list[str], ReportpubError | None]:
    """In the reading process: (the book or None, the warnings, the error read_book raised or None)."""
    warnings: list[str] = []
    try:
        return read_book(project, warnings.append, reuse, strict), warnings, None
    except ReportpubError as error:
        return None, warnings, error


def _writer_modules(work: list[tuple[str, list[Edition]]]) -> list[str]:
    """The modules that write the editions of ``work``: imported before the workers are forked,
    they are imported once, not in each worker."""
    formats = {"pdf" if output.pdf_variant else output.format for _, outputs in work for output in outputs}
    return (["reportpub.templates"] + ["reportpub.writers.pdf.parts"] * ("pdf" in formats)
            + ["reportpub.writers.epub"] * ("epub" in formats) + ["reportpub.writers.web"] * ("html" in formats))


def _job_name(job: tuple[str, list[Edition]]) -> str:
    """What a job is called on its progress line."""
    kind, outputs = job
    return {"pdf": f"{outputs[0].mode} PDF", "epub": f"{outputs[0].mode} EPUB"}.get(kind, "web edition")


def _write_job(job: tuple[str, list[Edition]], book: Book, project: Project, token: int,
               force: bool = False, progress: Progress = send_from_worker,
               breaks: dict[str, list | None] | None = None,
               layout_ready: Callable[[], None] = lambda: None) -> list[tuple[str, str]]:
    """Write the outputs of one job to temporary files; returns (temporary, final name) pairs.
    A job is one mode's PDF layout (reader and print from it, then that mode's EPUB when it is
    stale too: its page-list is the PDF's pages), one EPUB, or the web edition.
    ``progress`` gets its steps (in a worker, they go back to the build through the queue);
    ``breaks`` holds the page breaks of a mode whose PDF another job placed; ``layout_ready()``
    is called once a PDF job's layout is made, before its parts are laid out."""
    kind, outputs = job
    templates = _templates(project)
    written = []
    breaks = dict(breaks or {})  # mode → its reader PDF's page breaks, when this build placed its pages
    if any(o.pdf_variant for o in outputs):
        pdfs, written = _mode_pdfs(job, book, project, token, force, progress)
        layout_ready()
        breaks[pdfs.mode] = pdfs.write()
    for output in outputs:
        if output.pdf_variant:
            continue
        temporary = temporary_beside(project.build_dir / output.name, token)
        step = _job_name((output.format, [output]))  # an EPUB written in its mode's PDF job has its own line
        progress(Step(step, 0, 1, f"writing {output.name}"))
        if output.format == "epub":
            from reportpub.writers.epub import write_epub

            write_epub(book, project, output.mode, templates, temporary,
                       _page_list(book, project, output.mode, templates, breaks))
        else:
            from reportpub.writers.web import write_web

            write_web(book, project, templates, temporary)
        progress(Step(step, 1, 1, f"wrote {output.name}"))
        written.append((str(temporary), output.name))
    return written


def _mode_pdfs(job: tuple[str, list[Edition]], book: Book, project: Project, token: int, force: bool,
               progress: Progress):
    """The ModePdfs (writers/pdf/parts.py) that writes a PDF job's editions, and the (temporary,
    final name) pairs it writes."""
    from reportpub.writers.pdf.parts import ModePdfs

    _, outputs = job
    name = _job_name(job)
    pdfs = [o for o in outputs if o.pdf_variant]
    targets = {o.pdf_variant.name: temporary_beside(project.build_dir / o.name, token) for o in pdfs}
    mode_pdfs = ModePdfs(book, project, pdfs[0].mode, _templates(project), targets, _pdf_inputs_digest(project, book),
                         not force, lambda what, done, total: progress(Step(name, done, total, what)))
    return mode_pdfs, [(str(targets[o.pdf_variant.name]), o.name) for o in pdfs]


def _write_pdf_job_with_pool(job: tuple[str, list[Edition]], mode_pdfs, written: list[tuple[str, str]], pool,
                             book: Book, project: Project, token: int, force: bool) -> list[tuple[str, str]]:
    """A PDF job whose parts and joins the workers of ``pool`` do (ModePdfs.share), run in a
    thread of the build; its mode's EPUB, which needs the PDF's page breaks, not its file, is
    handed to a worker as soon as the parts are placed, beside the join."""
    kind, outputs = job
    epubs = [o for o in outputs if not o.pdf_variant]
    writing_epubs = []

    def placed(breaks) -> None:
        if epubs:
            writing_epubs.append(pool.submit(_write_job, (kind, epubs), book, project, token, force,
                                             breaks={mode_pdfs.mode: breaks}))

    mode_pdfs.write(placed)  # should it fail, the pool waits for the EPUB and its temporary is removed
    for writing in writing_epubs:
        written = written + writing.result()
    return written


def _pdf_inputs_digest(project: Project, book: Book) -> str:
    """What the PDF parts depend on but their chapters (state.py), hashed once a process and build."""
    if "pdf inputs" not in _OF_THIS_BUILD:
        _OF_THIS_BUILD["pdf inputs"] = Fingerprinter(project).pdf_inputs_digest({c.source for c in book.chapters})
    return _OF_THIS_BUILD["pdf inputs"]


def _templates(project: Project):
    """The project's templates, one environment a process and build: each template is compiled
    once (a mode's PDF and the EPUB share the title page, contents, references and colophon),
    and the workers forked after the layouts are made take the parent's compiled ones."""
    from reportpub.templates import Templates

    if "templates" not in _OF_THIS_BUILD:
        _OF_THIS_BUILD["templates"] = Templates(project)
    return _OF_THIS_BUILD["templates"]


# What a build works out once and every stage of it shares, in the build's process and in the
# workers it forks; emptied when the build ends (a watch or preview builds again with new inputs).
_OF_THIS_BUILD: dict[str, object] = {}


def _page_list(book: Book, project: Project, mode: str, templates, breaks: dict[str, list | None]):
    """The page-list of the EPUB of ``mode``: the pages of the reader PDF of that mode, when the
    book has that edition (whether or not this build writes it), else None. ``breaks`` holds
    them when this job placed that mode's pages; else they are placed here, from the part
    cache where an earlier build left the parts (``--only epub`` with none lays the PDF out)."""
    from reportpub.writers.page_list import PageList

    reader = next((e for e in planned_outputs(project) if e.format == "pdf" and e.mode == mode), None)
    if reader is None:
        return None
    if mode not in breaks:
        from reportpub.writers.pdf.parts import mode_page_breaks

        breaks[mode] = mode_page_breaks(book, project, mode, templates, _pdf_inputs_digest(project, book))
    found = breaks[mode]
    return PageList(reader.name, book.config.identifier, tuple(found)) if found else None


def _jobs(outputs: list[Edition]) -> list[tuple[str, list[Edition]]]:
    """Group outputs into independent jobs, the slowest (PDF layouts) first. The EPUB of a
    mode whose PDF is laid out goes into that layout's job, after it: its page-list is the
    reader PDF's pages (writers/page_list.py)."""
    jobs: list[tuple[str, list[Edition]]] = []
    placed: set[str] = set()
    for mode in MODES:
        pdfs = [o for o in outputs if o.pdf_variant and o.mode == mode]
        if pdfs:
            epubs = [o for o in outputs if o.format == "epub" and o.mode == mode]
            jobs.append(("pdf", pdfs + epubs))
            placed |= {o.name for o in epubs}
    jobs += [(o.format, [o]) for o in outputs if not o.pdf_variant and o.name not in placed]
    return jobs


def build(project: Project, only: str | None = None, mode: str | None = None, force: bool = False,
          jobs: int | None = None, report: Report = print, explain: bool = False,
          progress: Progress = quiet, strict: bool = False) -> BuildResult:
    """Bring the requested editions in build/ up to date. ``report`` gets what the author
    must see (warnings, explanations); ``progress`` what a terminal may show while working.
    One build of a project runs at a time (build/lock.py); a full disk or a read-only build/
    is reported with its folder; ``force`` rebuilds every output and first empties the
    caches (:func:`empty_caches`); ``strict`` makes the warnings of reading the book errors."""
    from reportpub.build.lock import exclusive_build

    with machine_faults_reported(project.root):
        build_dir = project.output_dir("build")
        with exclusive_build(build_dir):
            if force:
                empty_caches(cache_root(build_dir))
            try:
                return _build(project, only, mode, force, jobs, report, explain, progress, strict)
            finally:
                _OF_THIS_BUILD.clear()


def empty_caches(cache: Path) -> None:
    """Remove every entry of ``cache`` (build/.cache) but the derived fonts (the vertical
    faces and the horizontal punctuation fonts), as ``--force`` does before it builds. Those
    are named by the digest of everything they are made from and sealed (atomic.py): each is
    checked before it is used and derived again when damaged, so keeping them trusts nothing
    unchecked; deriving them again would make every forced PDF build a cold one (the vertical
    faces take seconds of CPU each, the four punctuation fonts 1.4 s together)."""
    if not cache.is_dir():
        return
    derived = tuple(f"{prefix}-" for prefix in DERIVED_FONT_PREFIXES)
    for entry in cache.iterdir():
        if entry.is_dir() and not entry.is_symlink() and entry.name == DERIVED_FONTS_DIR:
            for font_entry in entry.iterdir():
                if not (font_entry.is_file() and font_entry.name.startswith(derived)):
                    _remove(font_entry)
        else:
            _remove(entry)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _build(project: Project, only: str | None, mode: str | None, force: bool, jobs: int | None,
           report: Report, explain: bool, progress: Progress, strict: bool = False) -> BuildResult:
    outputs = planned_outputs(project, only, mode)
    build_dir = project.build_dir
    state = load_state(build_dir)
    fingerprints, reasons = _decide(project, outputs, state, force)
    result = BuildResult()
    stale: list[Edition] = []
    for output in outputs:
        reason = reasons[output.name]
        if reason is None:
            result.skipped.append(output.name)
            if explain:
                report(f"build/{output.name}: up to date")
        else:
            stale.append(output)
            result.reasons[output.name] = reason
            if explain:
                report(f"build/{output.name}: rebuilt because {reason}")
    catalogue = _catalogue_staleness(project) if not stale else {}
    if not stale and not catalogue:
        report("nothing to do: every edition is up to date")
        return result
    if explain:
        for name, reason in catalogue.items():
            report(f"build/{name}: rewritten because {reason}")

    work = _jobs(stale)
    pdf_jobs = [job for job in work if job[0] == "pdf"]
    workers = jobs or default_workers(len(pdf_jobs), len(work) - len(pdf_jobs), sum(
        _one_chapter_edit(project, job, state, fingerprints, force) for job in pdf_jobs))
    temporaries: list[tuple[str, str]] = []
    token = os.getpid()
    with contextlib.ExitStack() as stack:
        # Removing what is left runs last, after the pool has waited for every job it started.
        stack.callback(_remove_temporaries, build_dir, temporaries, token)
        progress(Step("manuscript", 0, 1, "reading the chapters"))
        if workers > 1:
            book = _read_book_while_importing(project, _writer_modules(work), report, not force, strict)
        else:
            book = read_book(project, warn=report, reuse=not force, strict=strict)
        progress(Step("manuscript", 1, 1, f"{len(book.chapters)} chapter(s) read"))
        if workers <= 1:
            # The book and each mode's layout (its parsed stylesheets, HTML, fonts) live until the
            # build ends: the collector keeps out of them, as out of what the workers share below
            # (its full passes walked them again and again, a twelfth of a serial PDF build's CPU).
            stack.callback(gc.unfreeze)
            for job in work:
                temporaries += _write_job(job, book, project, token, force, progress, layout_ready=gc.freeze)
        else:
            queue = multiprocessing.get_context("fork").SimpleQueue()  # the workers' steps, see progress.py
            pool = stack.enter_context(worker_pool(workers, queue))
            # Each mode's layout is made here, before the workers are forked: they take it over.
            prepared = {id(job): _mode_pdfs(job, book, project, token, force, progress) for job in pdf_jobs}
            for mode_pdfs, _ in prepared.values():
                mode_pdfs.share(pool)
            from reportpub.writers.pdf.parts import forget_shared

            stack.callback(forget_shared)
            stack.enter_context(relay(queue, progress))
            # The workers share the build's objects until they write to them: the collector keeps
            # out of what is there now (else its passes copy every page of it into each worker).
            gc.freeze()
            stack.callback(gc.unfreeze)
            for _ in range(workers):  # forks the workers from this thread, whose end their parent-death signal follows
                pool.submit(_import_weasyprint)
            threads = stack.enter_context(ThreadPoolExecutor(max(len(pdf_jobs), 1)))
            futures = [threads.submit(_write_pdf_job_with_pool, job, *prepared[id(job)], pool, book, project, token, force)
                       if id(job) in prepared else pool.submit(_write_job, job, book, project, token, force)
                       for job in work]
            for future in futures:
                temporaries += future.result()
        temporaries += _write_catalogue(project, book, outputs, dict(temporaries))
        _refuse_inputs_changed_meanwhile(project, [(o, fingerprints[o.name][1]) for o in stale])
        for temporary, name in temporaries:
            os.replace(temporary, build_dir / name)
            if name in fingerprints:
                result.written.append(name)
        for name in result.written:
            stat = (build_dir / name).stat()
            fingerprint, parts = fingerprints[name]
            state[name] = {"fingerprint": fingerprint, "parts": parts, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
        save_state(build_dir, state)
        return result


def _one_chapter_edit(project: Project, job: tuple[str, list[Edition]], state: dict,
                      fingerprints: dict[str, tuple[str, dict]], force: bool) -> bool:
    """Whether a PDF job's outputs differ from their last build in one chapter file alone."""
    if force:
        return False
    chapters = {project.relative(path) for path in project.chapter_files()}
    changed: set[str] = set()
    for output in job[1]:
        old = (state.get(output.name) or {}).get("parts")
        if not old:
            return False
        new = fingerprints[output.name][1]
        changed |= {key for key in set(old) | set(new) if old.get(key) != new.get(key)}
    return len(changed) == 1 and changed <= chapters


def _refuse_inputs_changed_meanwhile(project: Project, built: list[tuple[Edition, dict[str, str]]]) -> None:
    """Stop before anything is replaced if a source changed or vanished while the build ran:
    the editions would hold a mix of old and new text, and the record would call them current."""
    now = Fingerprinter(project)
    changed: set[str] = set()
    for output, parts in built:
        _, current = now.fingerprint(output.format, output.mode)
        changed |= {key for key in set(parts) | set(current) if parts.get(key) != current.get(key)}
    if changed:
        problems = DiagnosticCollector()
        for key in sorted(changed):
            shown = "templates/" + key.removeprefix("template:") if key.startswith("template:") else key
            problems.error(shown, "changed or removed while the build was running; nothing in build/ "
                           "was replaced: build again")
        problems.raise_if_errors()


def _decide(project: Project, outputs: list[Edition], state: dict, force: bool = False
            ) -> tuple[dict[str, tuple[str, dict]], dict[str, str | None]]:
    """Each output's fingerprint (with the parts it is made of) and why it must be rebuilt
    (None when build/ holds what a build of the current sources would make)."""
    fingerprinter = Fingerprinter(project)
    fingerprints: dict[str, tuple[str, dict]] = {}
    reasons: dict[str, str | None] = {}
    for output in outputs:
        fingerprint, parts = fingerprinter.fingerprint(output.format, output.mode)
        fingerprints[output.name] = (fingerprint, parts)
        target = project.build_dir / output.name
        reason = "--force" if force else explain_change(state.get(output.name), parts, target.is_file())
        if reason is None and _changed_on_disk(target, state.get(output.name)):
            reason = "the file in build/ was changed or replaced"
        reasons[output.name] = reason
    return fingerprints, reasons


def out_of_date(project: Project) -> dict[str, str]:
    """Every file of build/ that is not what a build of the current sources would make, and
    why: each edition book.toml configures (the reasons ``--explain`` gives), then the
    manifest and the download page over them. Empty when build/ is one whole, current build."""
    _, reasons = _decide(project, planned_outputs(project), load_state(project.build_dir))
    stale = {name: reason for name, reason in reasons.items() if reason is not None}
    stale.update(_catalogue_staleness(project))
    return stale


def _catalogue_staleness(project: Project) -> dict[str, str]:
    """Why manifest.json or index.html do not describe the editions book.toml configures."""
    from reportpub.build.manifest import DOWNLOAD_PAGE, MANIFEST_NAME, read_manifest

    path = project.build_dir / MANIFEST_NAME
    if not path.is_file():
        return {MANIFEST_NAME: "not built yet"}
    try:
        manifest = read_manifest(path, f"build/{MANIFEST_NAME}")
    except ReportpubError:
        return {MANIFEST_NAME: "it is not readable"}
    listed = {record["file"] for record in manifest["outputs"]}
    # An edition not built yet is out of date on its own account; the catalogue lists those there are.
    present = {output.name for output in planned_outputs(project) if (project.build_dir / output.name).is_file()}
    if listed != present:
        extra, missing = sorted(listed - present), sorted(present - listed)
        return {MANIFEST_NAME: "it lists other editions than build/ holds of those book.toml configures"
                + (f" ({', '.join(extra)} not among them)" if extra else "")
                + (f" ({', '.join(missing)} not listed)" if missing else "")}
    if manifest.get("edition", {}).get("version") != project.config.version:
        return {MANIFEST_NAME: f"it is of version {manifest.get('edition', {}).get('version')}, "
                f"book.toml says {project.config.version}"}
    page = manifest.get("download_page")
    if page is None or not (project.build_dir / DOWNLOAD_PAGE).is_file():
        return {DOWNLOAD_PAGE: "not built yet" if page is not None else "manifest.json does not record it"}
    if (project.build_dir / DOWNLOAD_PAGE).stat().st_size != page["size"]:
        return {DOWNLOAD_PAGE: "the file in build/ was changed or replaced"}
    return {}


def _import_weasyprint() -> None:
    import weasyprint  # noqa: F401


def _remove_temporaries(build_dir: Path, temporaries: list[tuple[str, str]], token: int) -> None:
    """Whatever this build left beside its outputs: every temporary is renamed or removed."""
    for temporary, _ in temporaries:
        Path(temporary).unlink(missing_ok=True)
    for leftover in build_dir.glob(f".*.tmp-{token}"):
        leftover.unlink(missing_ok=True)


def _changed_on_disk(target: Path, record: dict | None) -> bool:
    if not record or not target.is_file():
        return False
    stat = target.stat()
    return stat.st_size != record.get("size") or stat.st_mtime_ns != record.get("mtime_ns")


def _write_catalogue(project: Project, book: Book, outputs: list[Edition], fresh: dict[str, str]) -> list[tuple[str, str]]:
    """manifest.json and index.html over every edition now in build/ (fresh temporaries
    take the place of the files they will replace)."""
    from reportpub.build.catalogue import write_download_page
    from reportpub.build.manifest import (
        DOWNLOAD_PAGE,
        MANIFEST_NAME,
        OutputRecord,
        fonts_used,
        make_manifest,
        sha256_of,
    )
    by_name = {name: Path(temporary) for temporary, name in fresh.items()}
    all_outputs = planned_outputs(project)
    records = []
    for output in all_outputs + [o for o in outputs if o not in all_outputs]:
        path = by_name.get(output.name, project.build_dir / output.name)
        if path.is_file():
            records.append(OutputRecord(output, path.stat().st_size, sha256_of(path)))
    sources = project.source_files([c.source for c in book.chapters], [a.path for a in book.assets])
    inputs = {project.relative(p): sha256_of(p) for p in sources}
    index = temporary_beside(project.build_dir / DOWNLOAD_PAGE, os.getpid())
    write_download_page(book, _templates(project), records, _cover(book, project), index)
    download_page = {"file": DOWNLOAD_PAGE, "size": index.stat().st_size, "sha256": sha256_of(index)}
    manifest = temporary_beside(project.build_dir / MANIFEST_NAME, os.getpid())
    manifest.write_text(make_manifest(book.config, records, download_page, inputs, fonts_used(cache_root(project.build_dir))),
                        encoding="utf-8")
    return [(str(index), DOWNLOAD_PAGE), (str(manifest), MANIFEST_NAME)]


def _cover(book: Book, project: Project) -> tuple[str, bytes]:
    """(media type, bytes) of the cover shown on the download page: smaller than the EPUB's."""
    from reportpub.writers.cover import cover_image

    mode = "vertical" if "vertical" in book.config.editions.modes else "horizontal"
    href, content, _ = cover_image(book.config, project, mode, width=420, height=600)
    return ("image/jpeg" if href.endswith((".jpg", ".jpeg")) else "image/png"), content
