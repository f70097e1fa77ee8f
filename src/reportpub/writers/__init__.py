"""Writers: Book → edition file. One module per format, each with a ``write_*`` entry point.

Every writer receives the resolved Book (never Markdown) and a target path it writes
to directly; the build writes to a temporary name and renames into place.
"""
