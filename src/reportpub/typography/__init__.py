"""Japanese typography shared by the writers.

Among its modules: ``orientation`` answers which characters stand upright in
vertical text (UAX #50), ``vertical_markup`` adds tate-chu-yoko and upright-digit
markup to chapter XHTML for the vertical editions, and ``vertical_font`` derives
the turned font that lets WeasyPrint set vertical text on a horizontally laid-out,
turned page (see docs/vertical-pdf.md).
"""
