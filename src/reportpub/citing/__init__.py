"""Citations: ``[@key, p. 3]`` in the manuscript → note texts and a references list.

``syntax`` reads the citation syntax (no CSL, no bibliography); ``bibliography`` and
``bibtex`` read the author's CSL-JSON, CSL-YAML and BibTeX files into entries;
``formatter`` formats citations and the references list through citeproc-py and the
Japanese layer on top of it, and gives the project's formatter to the build.
"""
