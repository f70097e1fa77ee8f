"""The one check of an author's image file (figures and the cover): Pillow can read it, its data
is of the kind its name says, and it is not absurdly large.

The name decides the media type an EPUB declares, so JPEG data named ``.png`` would give an
EPUB that fails EPUBCheck (and readers that trust the type). A tiny file can hold a huge
picture (a 155 KB PNG of 1 × 80,000,000 pixels costs 2 GB to decode), and Pillow only warns
below twice its own limit: figures are held to ``MAX_IMAGE_PIXELS``, more than a 600 dpi A3
scan.
"""

from __future__ import annotations

import mimetypes
import warnings
from pathlib import Path

MAX_IMAGE_PIXELS = 40_000_000
MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
EXTENSIONS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp"}


class ImageProblem(ValueError):
    """What is wrong with an image file, as the end of a sentence that names it."""


def check_image_file(path: Path, allowed: tuple[str, ...] = tuple(MEDIA_TYPES)) -> tuple[str, tuple[int, int]]:
    """(media type, (width, height)) of an image file whose data is one of the ``allowed``
    Pillow formats and matches its name; raises ImageProblem otherwise."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the limit below says more
            with Image.open(path) as image:
                kind, size = image.format, image.size
                if size[0] * size[1] > MAX_IMAGE_PIXELS:
                    raise ImageProblem(f"has {size[0]:,} × {size[1]:,} pixels, more than the {MAX_IMAGE_PIXELS:,} "
                                       "an image may have; scale it down")
                image.verify()
    except Image.DecompressionBombError:
        raise ImageProblem(f"has more pixels than the {MAX_IMAGE_PIXELS:,} an image may have; scale it down") from None
    except ImageProblem:
        raise
    except Exception:  # Pillow raises many types for a file that is not an image
        raise ImageProblem("is not a readable image") from None
    if kind not in allowed:
        raise ImageProblem(f"is a {kind} image; use {' or '.join(allowed)}")
    named = mimetypes.guess_type(path.name)[0]
    if named != MEDIA_TYPES[kind]:
        raise ImageProblem(f"holds {kind} data but its name says {named or 'another type'}; "
                           f"rename it to {path.stem}{EXTENSIONS[kind]}")
    return MEDIA_TYPES[kind], size


class CheckedImages:
    """The media types of image files that passed :func:`check_image_file`, kept in
    ``cache_dir``/images between builds, each named by a digest of the file's bytes, its name (the
    type its name says) and reportpub's code (the check's rules): an edit does not decode every
    figure of the book again. A file that fails is never kept, so every build reports it."""

    def __init__(self, cache_dir: Path):
        from reportpub.cache import Cache

        self.kept = Cache(cache_dir / "images")

    def media_type(self, path: Path) -> str:
        """:func:`check_image_file`'s media type for ``path``; raises ImageProblem as it does."""
        import hashlib

        from reportpub.digests import file_digest, package_digest

        key = hashlib.sha256(f"{package_digest()}\n{path.name}\n{file_digest(path)}".encode()).hexdigest()[:32]
        stored = self.kept.get(key, "type")
        if stored is not None and stored.decode() in MEDIA_TYPES.values():
            return stored.decode()
        media_type, _ = check_image_file(path)
        self.kept.put(key, media_type, "type")
        return media_type

    def prune(self) -> None:
        if self.kept.directory.is_dir():  # a book with images
            self.kept.prune()
