"""A mode's EPUB is written beside that mode's PDF join: it needs the pages' breaks, which are
known once the parts are placed, not the joined files (writers/pdf/parts.py ModePdfs.write,
build/__init__.py _write_pdf_job_with_pool)."""

from __future__ import annotations

from concurrent.futures import Future

from reportpub.writers.pdf import parts


class RecordingFuture(Future):
    def __init__(self, events: list[str]):
        super().__init__()
        self.events = events
        self.set_result({"font-key"})

    def result(self, timeout=None):
        self.events.append("join awaited")
        return super().result(timeout)


class RecordingPool:
    """Stands for the build's worker pool: records what is handed to it, in order."""

    def __init__(self, events: list[str]):
        self.events = events

    def submit(self, task, *arguments):
        self.events.append(f"submitted {task.__name__}")
        return RecordingFuture(self.events)


def pdfs_with(pool) -> parts.ModePdfs:
    pdfs = object.__new__(parts.ModePdfs)  # only what join() reads: no layout is made
    pdfs.pool, pdfs.mode = pool, "vertical"
    return pdfs


def test_what_waits_for_the_breaks_is_started_after_the_join_is_handed_to_a_worker_and_before_it_is_awaited():
    events: list[str] = []
    pdfs = pdfs_with(RecordingPool(events))
    used = pdfs.join([], meanwhile=lambda: events.append("epub submitted"))
    assert used == {"font-key"}
    assert events == ["submitted _join_shared", "epub submitted", "join awaited"]


def test_without_a_pool_the_breaks_are_given_before_the_join(monkeypatch):
    events: list[str] = []
    monkeypatch.setattr(parts, "join_parts", lambda *arguments: events.append("joined") or set())
    pdfs = pdfs_with(None)
    pdfs.targets = pdfs.book = pdfs.project = None
    pdfs.cache = parts.PartCache.__new__(parts.PartCache)
    pdfs.cache.entries = type("Entries", (), {"directory": parts.Path("/nonexistent")})()
    pdfs.join([], meanwhile=lambda: events.append("breaks given"))
    assert events == ["breaks given", "joined"]
