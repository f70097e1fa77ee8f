"""What an author's input may reach and carry, decided before any writer runs.

Every file a build reads is resolved by :mod:`~reportpub.safety.inputs` (inside the project, or
not read); every URL, whatever file names it, is held to :mod:`~reportpub.safety.url_policy`;
author HTML passes :mod:`~reportpub.safety.sanitizer`; the URLs a stylesheet names are found by
:mod:`~reportpub.safety.css_urls`; image files are checked by :mod:`~reportpub.safety.images`;
and the http(s) resources book.toml allows are fetched once per build by
:mod:`~reportpub.safety.remote`. What fails a check is the author's ``path:line`` error.
"""
