"""The public entry points of contract §6: ``load_caption`` (text or file), ``check``."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from typing import Any

from .caption import parse_caption
from .errors import InputError
from .evaluate import evaluate, overall
from .model import Caption, Report
from .segment import LatinDetector
from .usage import Usage, load_usage
from .vocab import POLICIES

MAX_TEXT_BYTES = 16 * 1024 * 1024
# Leading bytes of the image formats; image metadata is read by the image reader (issue #3).
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*", b"GIF8")


def _looks_like_image(head: bytes) -> bool:
    if head.startswith(_IMAGE_MAGIC):
        return True
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return True
    return head[4:8] == b"ftyp"


def decode_text(data: bytes, name: str) -> str:
    """Strict UTF-8 (a BOM is allowed); anything else is an InputError naming the byte offset."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start:exc.start + 1].hex()
        raise InputError(f"{name}: not UTF-8 text: invalid byte 0x{bad} at offset {exc.start}") from None


def read_text_file(path: str | os.PathLike[str]) -> tuple[str, str]:
    """The caption text of a file and the SHA-256 of its bytes."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as fh:
            data = fh.read(MAX_TEXT_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_TEXT_BYTES:
        raise InputError(f"{name}: larger than 16 MB, the limit for a caption text file")
    if _looks_like_image(data[:16]):
        raise InputError(f"{name}: an image file; this version reads caption text files only "
                         f"(image metadata reading is planned, see the README)")
    return decode_text(data, name), hashlib.sha256(data).hexdigest()


def load_caption(source: Any, *, detector: LatinDetector | None = None) -> tuple[Caption, str | None]:
    """A parsed caption from text, a text file path, or a Caption; and the file's SHA-256."""
    if isinstance(source, Caption):
        return source, None
    if isinstance(source, str):
        return parse_caption(source, detector=detector), None
    if isinstance(source, os.PathLike):
        text, digest = read_text_file(source)
        return parse_caption(text, source=os.fspath(source), detector=detector), digest
    raise TypeError(f"check() takes caption text, a path or a Caption, not {type(source).__name__}")


def check(source: Any, usage: Usage | Mapping[str, Any] | str | os.PathLike[str], policy: str = "editorial",
          *, detector: LatinDetector | None = None) -> Report:
    """Check a caption (text, text file path or Caption) against a planned use.

    ``usage`` is a Usage, a mapping or a manifest path. A ``str`` source is always caption
    text, never a path: pass ``pathlib.Path`` for files.
    """
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}, not {policy!r}")
    caption, digest = load_caption(source, detector=detector)
    use = load_usage(usage)
    findings = evaluate(caption, use, policy)
    notices = caption.notices
    return Report(source=caption.source, verdict=overall(findings, notices), caption=caption,
                  findings=findings, notices=notices, policy=policy, sha256=digest)
