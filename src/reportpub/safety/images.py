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
