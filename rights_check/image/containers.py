"""Find the raw metadata blocks in an image file without decoding pixels.

``read_blocks(path)`` sniffs the content (never the file name) and walks the container with
``seek``/``read``: pixel data is skipped, every length field is checked against the file size
and against fixed caps, so memory and time do not grow with the image size.

A file that ends inside a metadata segment or before any image data raises ``InputError``
(contract §4: the missing bytes may have held a restriction). Damage inside complete segments
(a bad segment length that still fits, a broken Photoshop resource, a bad PNG CRC) becomes a
``Notice("damaged", …)`` in ``Blocks.notices`` and reading goes on.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct

from ..errors import InputError
from ..files import open_input
from ._source import MAX_CHUNK, MAX_META_TOTAL, Source
from .blocks import Blocks
from .bmff import read_bmff
from .irb import IRB_SIGS, walk_irb
from .jpeg import PS_SIG, RESYNC_LIMIT, XMP_EXT_SIG, XMP_SIG, read_jpeg
from .png import MAX_INFLATE, read_png
from .tiff import read_tiff
from .webp import read_webp

# The readers live in one module per container; the names below stay importable from here.
__all__ = [
    "read_blocks", "sniff", "walk_irb",
    "MAX_META_TOTAL", "MAX_CHUNK", "MAX_INFLATE", "MAX_XMP_FILE", "RESYNC_LIMIT",
    "XMP_SIG", "XMP_EXT_SIG", "PS_SIG", "IRB_SIGS",
]

MAX_XMP_FILE = 32 * 1024 * 1024


class NotAnImage(InputError):
    """The file's content is not an image or XMP format rights_check knows (it may be text)."""


class UnsupportedFormat(InputError):
    """An image or document format rights_check recognises but does not read (never text)."""


READ_FORMATS = "JPEG, TIFF, PNG, WebP, HEIF/AVIF and XMP"

# Formats recognised only to be named in the error: a GIF or a PostScript file can be valid
# UTF-8, and must not be checked as if it were caption text.
_OTHER_FORMATS = (
    (rb"GIF8[79]a", "a GIF image"),
    (rb"BM.{4}\0\0\0\0", "a BMP image"),
    (rb"8BPS\0[\1\2]", "a Photoshop document (PSD)"),
    (rb"%PDF-", "a PDF document"),
    (rb"%!PS|\xc5\xd0\xd3\xc6", "a PostScript or EPS file"),
    (rb"\0\0\0\x0cjP  \r\n\x87\n|\xff\x4f\xff\x51", "a JPEG 2000 image"),
    (rb"\0\0\0\x0cJXL \r\n\x87\n|\xff\x0a", "a JPEG XL image"),
    (rb"\0\0[\1\2]\0", "an icon or cursor file"),
    (rb"P[1-6]\s+(?:#[^\n]*\n\s*)*\d+\s+\d+\s|P7 332|P7\s+WIDTH", "a Netpbm image"),
)


def other_format(head: bytes) -> str | None:
    """The name of a recognised format rights_check does not read, or None."""
    for signature, name in _OTHER_FORMATS:  # compiled on first use: most files never get here
        if re.match(signature, head, re.S):
            return name
    return None


def read_blocks(path: str | os.PathLike) -> Blocks:
    """Read every caption/rights metadata block of an image or XMP file."""
    p = os.fspath(path)
    fh = open_input(p)
    try:
        with fh:
            try:
                src = Source(p, fh, os.fstat(fh.fileno()).st_size)
                if src.size == 0:
                    raise InputError(f"{p}: empty file (zero bytes)")
                head = src.read_at(0, 64)
                kind = sniff(head)
                if kind is None:
                    other = other_format(head)
                    if other is not None:
                        raise UnsupportedFormat(f"{p}: {other}, a format rights-check does not read "
                                                f"(it reads {READ_FORMATS})")
                    raise NotAnImage(f"{p}: not an image (unrecognised content)")
                blocks = _READERS[kind](src, head)
                if src.whole is not None:
                    blocks.sha256 = hashlib.sha256(src.whole).hexdigest()
                return blocks
            except OSError as exc:
                raise InputError(f"{p}: cannot read: {exc.strerror or exc}") from None
    except (struct.error, IndexError, ValueError) as exc:  # belt and braces: never a traceback
        raise InputError(f"{p}: unreadable metadata structure ({type(exc).__name__})") from None


def sniff(head: bytes) -> str | None:
    if head[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if head[:4] in (b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"):
        return "tiff"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        return "bmff"
    if _looks_like_xmp(head):
        return "xmp"
    return None


def _looks_like_xmp(head: bytes) -> bool:
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                     (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            text = head[len(bom):].decode(enc, errors="ignore")
            break
    else:
        if len(head) > 1 and head[0] == 0 and head[1] == ord("<"):
            text = head.decode("utf-16-be", errors="ignore")
        elif len(head) > 1 and head[0] == ord("<") and head[1] == 0:
            text = head.decode("utf-16-le", errors="ignore")
        else:
            text = head.decode("latin-1")
    text = text.lstrip(" \t\r\n")
    return text.startswith(("<?xpacket", "<x:xmpmeta", "<x:xapmeta", "<rdf:RDF", "<?xml"))


def _read_xmp(src: Source, head: bytes) -> Blocks:
    if src.size > MAX_XMP_FILE:
        raise src.error(f"XMP file too large ({src.size} bytes)")
    data = src.exact(0, src.size, "the XMP file")
    b = Blocks(format="xmp")
    b.xmp.append(("xmp-file", data))
    return b


_READERS = {
    "jpeg": read_jpeg,
    "tiff": read_tiff,
    "png": read_png,
    "webp": read_webp,
    "bmff": read_bmff,
    "xmp": _read_xmp,
}
