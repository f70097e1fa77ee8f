"""Importing the PDF writer (and with it WeasyPrint) runs one ldconfig, not a gcc and an ld for
every library name WeasyPrint tries, and loads the same native libraries as a plain import."""

import json
import subprocess
import sys

import pytest

COUNT = """
import json, subprocess
started = []
real = subprocess.Popen._execute_child
def counting(self, args, *rest, **keywords):
    started.append(list(args) if not isinstance(args, str) else [args])
    return real(self, args, *rest, **keywords)
subprocess.Popen._execute_child = counting
{imports}
libraries = sorted({{line.split()[-1] for line in open("/proc/self/maps") if ".so" in line}})
print(json.dumps([started, libraries]))
"""


def imported(imports: str):
    result = subprocess.run([sys.executable, "-c", COUNT.format(imports=imports)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the lookup is Linux's (ldconfig)")
def test_the_pdf_writer_imports_weasyprint_with_one_library_listing():
    started, libraries = imported("import reportpub.writers.pdf.layout")
    assert [args[0] for args in started] == ["/sbin/ldconfig"]
    _, plain = imported("import weasyprint")  # find_library as it is
    assert set(plain) <= set(libraries)  # the writer loads more (pikepdf …), the same ones as WeasyPrint alone
    assert [name for name in libraries if "pango" in name or "harfbuzz" in name] == \
        [name for name in plain if "pango" in name or "harfbuzz" in name]
