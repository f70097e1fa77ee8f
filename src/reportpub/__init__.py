"""reportpub: Japanese long-form reports from Markdown to PDF and EPUB 3, vertical and horizontal."""

__version__ = "0.1.0"
