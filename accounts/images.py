"""Image uploads (avatars, headers, post media): decoded with Pillow behind a pixel limit,
turned upright, re-encoded without metadata (EXIF, GPS), resized, and summarised by a
blurhash so clients can paint a placeholder."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.errors import ApplicationError

if TYPE_CHECKING:
    from PIL import Image

# Pillow and blurhash are imported by the functions that use them: most web requests never
# touch an image, and each web worker would otherwise carry them (issue 6, memory).

# Refuse anything whose header claims more pixels than this, before decoding it: a
# 60000×60000 "decompression bomb" is a few KB on disk and gigabytes in memory.
MAX_SOURCE_PIXELS = 40_000_000
MAX_UPLOAD_BYTES = 16 * 1024 * 1024
ACCEPTED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


class ImageInvalidError(ApplicationError):
    default_message = gettext_lazy("This file is not an image we can use (JPEG, PNG, GIF or WebP).")


@dataclass(frozen=True)
class ProcessedImage:
    data: bytes
    extension: str
    mime_type: str
    width: int
    height: int
    blurhash: str


def _open(upload) -> Image.Image:
    from PIL import Image, UnidentifiedImageError

    if getattr(upload, "size", 0) and upload.size > MAX_UPLOAD_BYTES:
        raise ImageInvalidError(_("This image is larger than 16 MB."))
    try:
        upload.seek(0)
        image = Image.open(upload)
        if image.format not in ACCEPTED_FORMATS:
            raise ImageInvalidError()
        width, height = image.size
        if width * height > MAX_SOURCE_PIXELS:
            raise ImageInvalidError(_("This image has too many pixels (40 megapixels at most)."))
        image.load()
    except Image.DecompressionBombError:
        raise ImageInvalidError(_("This image has too many pixels (40 megapixels at most).")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageInvalidError() from None
    return image


def _encode(image: Image.Image) -> tuple[bytes, str, str]:
    out = io.BytesIO()
    has_alpha = image.mode in ("RGBA", "LA") or "transparency" in image.info
    if has_alpha:
        image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
        return out.getvalue(), "png", "image/png"
    image = image.convert("RGB")
    image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue(), "jpg", "image/jpeg"


def _blurhash(image: Image.Image) -> str:
    import blurhash

    small = image.convert("RGB")
    small.thumbnail((32, 32))
    pixels = [[small.getpixel((x, y)) for x in range(small.width)] for y in range(small.height)]
    return blurhash.encode(pixels, components_x=4, components_y=3)


def process_image(upload, *, max_size: tuple[int, int], crop: bool = False) -> ProcessedImage:
    """Re-encode `upload` to fit `max_size` (cropped to it exactly when `crop`)."""
    from PIL import ImageOps

    image = _open(upload)
    # Only the first frame of an animation: we store still images.
    image = ImageOps.exif_transpose(image)
    if crop:
        image = ImageOps.fit(image.convert("RGBA") if image.mode == "P" else image, max_size)
    else:
        image.thumbnail(max_size)
    data, extension, mime_type = _encode(image)
    return ProcessedImage(data, extension, mime_type, image.width, image.height, _blurhash(image))
