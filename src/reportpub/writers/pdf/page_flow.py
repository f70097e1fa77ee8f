"""Page make-up rules WeasyPrint 70 does not follow by itself, given to its block layout.

Notes stay on the page of their call (JLREQ; CSS GCPM: a note body never comes before its
call). The theme's ``footnote-policy: line`` moves the line that calls a note that does not
fit to the next page, with its note. But when a later line of a paragraph overflows the page
and breaking before it would leave too few lines (orphans, widows), WeasyPrint moves the
page's last notes to the next page instead, away from calls that stay behind. That rescue
is turned off here: the paragraph breaks as orphans and widows allow, and its notes go with
their lines.

It works inside WeasyPrint's block layout, so it is tied to WeasyPrint 70's internals
(pyproject.toml bounds the version); ``install`` fails loudly if the code it changes is not
there.
"""

from __future__ import annotations

import inspect
import textwrap

from weasyprint.layout import block as block_layout

# In WeasyPrint 70's _linebox_layout: whether to move the page's notes away to make room
# for an overflowing line.
_NOTE_RESCUE = "report = not context.in_column and can_break_now and not could_break_before"

_installed = False


def _linebox_layout_keeping_notes():
    """WeasyPrint's _linebox_layout, recompiled with the note rescue turned off."""
    source = textwrap.dedent(inspect.getsource(block_layout._linebox_layout))
    if source.count(_NOTE_RESCUE) != 1:
        raise RuntimeError("WeasyPrint's line layout is not the one reportpub's page make-up was written for")
    source = source.replace(_NOTE_RESCUE, "report = False  # reportpub: notes stay with their calls")
    namespace: dict = {}
    exec(compile(source, block_layout.__file__, "exec"), block_layout.__dict__, namespace)
    return namespace["_linebox_layout"]


def install() -> None:
    """Give WeasyPrint's layout these rules (once per process)."""
    global _installed
    if _installed:
        return
    block_layout._linebox_layout = _linebox_layout_keeping_notes()
    _installed = True
