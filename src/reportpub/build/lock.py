"""One build of a project at a time, and the leftovers of builds that died.

A build holds an exclusive ``flock`` on ``build/.reportpub.lock`` (which holds its process id)
from before it reads the manuscript until its state is recorded; a second build of the same
project stops at once with the first one's pid instead of racing it for the same files. The
kernel drops the lock when its holder dies, even by ``kill -9``, so a lock is never stale.

While it holds the lock a build clears what killed builds left behind: temporaries named
``.NAME.tmp-PID`` (``atomic.temporary_beside`` and the outputs' own) whose process is gone,
the vertical-font writer's ``.vertical-*.tmp``, and any symbolic link inside ``build/.cache``
(the caches never make one, and reading a cache entry through one would read outside the
project).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
from pathlib import Path
from typing import Iterator

from reportpub.cache import CACHE_DIR
from reportpub.diagnostics import ReportpubError

LOCK_NAME = ".reportpub.lock"
TEMPORARY = re.compile(r"^\..+\.tmp-(\d+)$")
UNOWNED_TEMPORARY = re.compile(r"^\.vertical-.+\.tmp$")  # mkstemp's name carries no pid


@contextlib.contextmanager
def exclusive_build(build_dir: Path) -> Iterator[None]:
    """Hold this project's build lock (``build_dir`` exists and is the project's own folder)."""
    try:
        descriptor = os.open(build_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        raise ReportpubError.at(f"build/{LOCK_NAME}", "is a symbolic link; reportpub writes only its own "
                                "files in build/ (remove it and build again)") from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise ReportpubError.at("build/", f"another build of this project is running (pid {holder}); "
                                    "wait for it to finish") from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode("ascii"), 0)
        remove_leftovers(build_dir)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def remove_leftovers(build_dir: Path) -> int:
    """Remove the temporaries of builds that are no longer running, and links in the cache;
    returns how many were removed. Call only while holding the lock."""
    removed = 0
    for folder, directories, files in os.walk(build_dir):
        here = Path(folder)
        in_cache = here != build_dir
        for name in files + [d for d in directories if (here / d).is_symlink()]:
            path = here / name
            match = TEMPORARY.match(name)
            stale = (match is not None and not _running(int(match.group(1)))) or UNOWNED_TEMPORARY.match(name)
            if stale or (in_cache and path.is_symlink()):
                path.unlink(missing_ok=True)
                removed += 1
        if here == build_dir:
            directories[:] = [d for d in directories if d == CACHE_DIR and not (here / d).is_symlink()]
        else:
            directories[:] = [d for d in directories if not (here / d).is_symlink()]
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
