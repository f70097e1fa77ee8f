"""WeasyPrint imported without probing for its native libraries process by process.

WeasyPrint tries several names for each library it loads (``libgobject-2.0-0``, ``gobject-2.0``,
``libgobject-2.0.so.0`` …), and cffi asks ``ctypes.util.find_library`` about each name that does
not load as it is: on Linux that runs ``ldconfig -p``, then gcc, then ld, about sixty processes
for one import, a quarter of a second or more of every build that writes a PDF.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import os
import re
import subprocess
import sys


def import_weasyprint() -> None:
    """Import WeasyPrint with find_library answering from one listing of the linker's cache (Linux);
    if a library is not found so, the import is left to the code that uses WeasyPrint, where it is
    tried again with find_library as it is (and WeasyPrint's own advice printed if it fails)."""
    if not sys.platform.startswith("linux") or "weasyprint" in sys.modules:
        return
    with contextlib.redirect_stdout(None), _libraries_looked_up_in_one_listing(), contextlib.suppress(OSError):
        import weasyprint  # noqa: F401


@contextlib.contextmanager
def _libraries_looked_up_in_one_listing():
    """Meanwhile ``ctypes.util.find_library`` answers from one listing of ``ldconfig -p``: its own
    first step is the same lookup in the same listing; a name not found there is left to
    WeasyPrint's next name, where find_library as it is would also ask gcc and ld."""
    listing: list[bytes] = []

    def find_library(name: str) -> str | None:
        if not listing:
            try:
                listing.append(subprocess.run(["/sbin/ldconfig", "-p"], stdin=subprocess.DEVNULL,
                                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                              env={"LC_ALL": "C", "LANG": "C"}, check=False).stdout)
            except OSError:
                listing.append(b"")
        # ctypes.util's own pattern: the name's soname for this machine's ABI.
        abi = {"x86_64": "libc6,x86-64", "ppc64": "libc6,64bit", "sparc64": "libc6,64bit", "s390x": "libc6,64bit",
               "ia64": "libc6,IA-64"}.get(os.uname().machine, "libc6") if sys.maxsize > 2 ** 32 else "libc6"
        found = re.search(os.fsencode(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({abi}"), listing[0])
        return os.fsdecode(found.group(1)) if found else None

    real = ctypes.util.find_library
    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = real
