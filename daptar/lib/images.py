"""The photo pipeline: recognise an upload by its content, hold it to the limits, make renditions.

Model-free. An upload is checked in the request (`inspect`: type by content, size,
pixel count, so a decompression bomb is refused before anything decodes it); the
renditions are made later by the task worker (`render`). A rendition is re-encoded
from pixels alone, after the camera's orientation has been applied and the colours
moved to sRGB: no EXIF, no GPS, no XMP, no ICC profile, no comment leaves the server.
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _
from PIL import Image, ImageCms, UnidentifiedImageError

from daptar.lib import filetypes

# Content type → (Pillow's format name, the name people know it by).
FORMATS = {
    filetypes.JPEG: ("JPEG", "JPEG"),
    filetypes.PNG: ("PNG", "PNG"),
    filetypes.WEBP: ("WEBP", "WebP"),
    filetypes.HEIF: ("HEIF", "HEIC"),
}
ALLOWED_NAMES = ", ".join(name for _fmt, name in FORMATS.values())
ORIENTATION = 0x0112
SWAPPED = {5, 6, 7, 8}  # EXIF orientations that turn the picture a quarter
# EXIF orientation → how to turn the stored pixels upright (as ImageOps.exif_transpose does).
TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
JPEG_QUALITY = 82
WEBP_QUALITY = 80
_HEAD = 64
_SRGB = ImageCms.createProfile("sRGB")
_heif_ready = False


class Refused(ValueError):
    """The upload is not a photo we take; the message says why, for the person who sent it."""


@dataclass(frozen=True)
class Inspected:
    """What the request learns of an upload without decoding its pixels."""

    content_type: str
    width: int
    height: int
    size: int
    sha256: str


@dataclass(frozen=True)
class Rendition:
    """One web size of a photo, in WebP and in JPEG (the fallback), metadata-free."""

    width: int
    height: int
    webp: bytes
    jpeg: bytes


def _register_heif() -> None:
    """Teach Pillow HEIC/HEIF (phones' default), once per process."""
    global _heif_ready
    if not _heif_ready:
        from pillow_heif import register_heif_opener

        # Embedded thumbnails are never used and could carry their own metadata.
        register_heif_opener(thumbnails=False)
        _heif_ready = True


def _open(fileobj: IO[bytes], content_type: str, max_pixels: int) -> Image.Image:
    """Open with the decoder of the sniffed type only; refuse more pixels than allowed."""
    _register_heif()
    fileobj.seek(0)
    fmt = FORMATS[content_type][0]
    try:
        with warnings.catch_warnings():
            # Our own limit below is the one that counts; Pillow's warning is noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(fileobj, formats=[fmt])
    except Image.DecompressionBombError:
        raise Refused(_("has too many pixels (a decompression bomb?)")) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise Refused(_("is damaged or not really a %(type)s file") % {"type": fmt}) from None
    width, height = image.size
    if width < 1 or height < 1 or width * height > max_pixels:
        image.close()
        raise Refused(
            _("has %(mp)s megapixels; the limit is %(limit)s")
            % {"mp": round(width * height / 1e6, 1), "limit": round(max_pixels / 1e6, 1)}
        )
    return image


def sniff(fileobj: IO[bytes]) -> str:
    """The photo's content type by its first bytes, or Refused naming the types we take."""
    fileobj.seek(0)
    kind = filetypes.sniff(fileobj.read(_HEAD))
    fileobj.seek(0)
    if kind not in FORMATS:
        raise Refused(_("is not a photo we accept (%(types)s)") % {"types": ALLOWED_NAMES})
    return kind


def inspect(fileobj: IO[bytes], *, max_bytes: int, max_pixels: int) -> Inspected:
    """Check an upload in the request: type by content, bytes, pixels; read its shape and hash.

    Only the header is parsed, so a bomb is refused before any pixel is decoded.
    """
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    if size > max_bytes:
        raise Refused(
            _("is %(mb)s MB; the limit is %(limit)s MB")
            % {"mb": round(size / 2**20, 1), "limit": round(max_bytes / 2**20, 1)}
        )
    if size == 0:
        raise Refused(_("is empty"))
    kind = sniff(fileobj)
    digest = hashlib.sha256()
    while chunk := fileobj.read(1 << 20):
        digest.update(chunk)
    with _open(fileobj, kind, max_pixels) as image:
        width, height = image.size
        try:
            orientation = image.getexif().get(ORIENTATION)
        except (OSError, ValueError, SyntaxError):
            orientation = None  # unreadable EXIF: the renditions simply keep the pixels as stored
    fileobj.seek(0)
    if orientation in SWAPPED:
        width, height = height, width
    return Inspected(kind, width, height, size, digest.hexdigest())


def _resizable(image: Image.Image) -> Image.Image:
    """A mode that resizes smoothly: palettes and transparency become RGBA, the rest RGB
    (CMYK and grey stay, for their colour profile to act on)."""
    if image.mode in ("RGB", "RGBA", "CMYK", "L"):
        return image if "transparency" not in image.info else image.convert("RGBA")
    if image.mode in ("P", "PA", "LA", "La", "RGBa") or "transparency" in image.info:
        return image.convert("RGBA")
    return image.convert("RGB")


def _to_srgb_rgb(image: Image.Image, profile: bytes | None) -> Image.Image:
    """RGB in sRGB: a camera's wide-gamut profile converted, transparency laid on white."""
    if profile and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            converted = ImageCms.profileToProfile(
                image, source, _SRGB, outputMode="RGBA" if image.mode == "RGBA" else "RGB"
            )
            if converted is not None:  # None only when converting in place
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a broken profile: keep the pixels as they are
    if image.mode == "RGBA":
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        return flat
    return image if image.mode == "RGB" else image.convert("RGB")


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "WEBP":
        # method 2 of 0-6: a few per cent larger than the default 4, in under half the time.
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=2)
    else:
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(ORIENTATION) or 1)
    except (OSError, ValueError, SyntaxError, TypeError):
        return 1  # unreadable EXIF: the pixels are kept as stored


def render(fileobj: IO[bytes], widths: Iterable[int], *, max_pixels: int) -> list[Rendition]:
    """Renditions of a stored original at *widths* (never wider than the photo), widest first.

    The work is done on as few pixels as possible: a JPEG is decoded at a reduced scale
    when the widest rendition allows, and the picture is turned, colour-converted and
    flattened only after it has been made small.
    """
    kind = sniff(fileobj)
    wanted = sorted({int(w) for w in widths if int(w) > 0}, reverse=True)
    with _open(fileobj, kind, max_pixels) as source:
        orientation = _orientation(source)
        turn = TRANSPOSE.get(orientation)
        swapped = orientation in SWAPPED
        if kind == filetypes.JPEG and wanted:
            # Decode at 1/2, 1/4 or 1/8 scale when the widest rendition still fits.
            stored_w, stored_h = source.size
            shown_w = stored_h if swapped else stored_w
            scale = min(wanted[0], shown_w) / shown_w
            source.draft("RGB", (math.ceil(stored_w * scale), math.ceil(stored_h * scale)))
        source.load()
        profile = source.info.get("icc_profile")
        image = _resizable(source)
        if image is source:
            image = source.copy()
    image.info.clear()  # nothing of the original's metadata may ride along
    shown_w, shown_h = (image.height, image.width) if swapped else image.size
    renditions: list[Rendition] = []
    base: Image.Image | None = None
    # Each size is made from the one before (1600 → 800 → 320): faster than starting
    # from the full picture every time, and as sharp.
    for width in wanted:
        width = min(width, shown_w)
        if renditions and renditions[-1].width == width:
            continue
        height = max(1, round(shown_h * width / shown_w))
        stored = (height, width) if swapped else (width, height)
        if base is None:
            base = (
                image
                if stored == image.size
                else image.resize(stored, Image.Resampling.LANCZOS, reducing_gap=3.0)
            )
            base = _to_srgb_rgb(base, profile)
        elif stored != base.size:
            base = base.resize(stored, Image.Resampling.LANCZOS, reducing_gap=3.0)
        shown = base.transpose(turn) if turn is not None else base
        shown.info.clear()
        renditions.append(Rendition(width, height, _encode(shown, "WEBP"), _encode(shown, "JPEG")))
    return renditions


def without_metadata(fileobj: IO[bytes], content_type: str, *, max_pixels: int) -> bytes:
    """The picture again in its own format, turned upright, with no EXIF, GPS or comments.

    For images attached to directives and letters: they are kept at full size (an
    attachment may be a scanned page), but nothing the camera wrote travels with them.
    """
    with _open(fileobj, content_type, max_pixels) as source:
        turn = TRANSPOSE.get(_orientation(source))
        source.load()
        image = source.transpose(turn) if turn is not None else source.copy()
    image.info.clear()
    fmt = FORMATS[content_type][0]
    out = io.BytesIO()
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=90, optimize=True)
    elif fmt == "WEBP":
        image.save(out, "WEBP", quality=90, method=2)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()
