"""The public entry points of contract §6: ``load_caption`` (text or file), ``check``."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from typing import Any

from .caption import parse_caption
from .errors import InputError
from .files import open_input
from .evaluate import evaluate, overall
from .model import Caption, Report
from .detector import LatinDetector
from .usage import Usage, load_usage
from .vocab import POLICIES

MAX_TEXT_BYTES = 16 * 1024 * 1024


def decode_text(data: bytes, name: str) -> str:
    """Strict UTF-8 (a BOM is allowed); anything else is an InputError naming the byte offset.
    A NUL byte is valid UTF-8 but never caption text: it marks binary content (an image format
    rights-check does not read) or UTF-16."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) and _utf16_text(data):
        raise InputError(f"{name}: not UTF-8 text: UTF-16 (byte-order mark at offset 0); "
                         "save the caption as UTF-8")
    skip = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = exc.start + skip
        raise InputError(f"{name}: not UTF-8 text: invalid byte 0x{data[at:at + 1].hex()} at offset {at}") from None
    nul = data.find(b"\0")
    if nul != -1:
        raise InputError(f"{name}: not caption text: a NUL byte at offset {nul} (binary content)")
    return text


def _utf16_text(data: bytes) -> bool:
    """Whether bytes after a UTF-16 byte-order mark read as text (not binary that starts so)."""
    head = data[:4096]
    try:
        text = head[:len(head) - len(head) % 2].decode("utf-16")
    except UnicodeDecodeError:
        return False
    return all(c.isprintable() or c in "\t\n\r" for c in text)


def file_sha256(name: str) -> str:
    """SHA-256 of a file's bytes, read in blocks (memory stays flat for large images)."""
    digest = hashlib.sha256()
    with open_input(name) as fh:
        try:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        except OSError as exc:
            raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
    return digest.hexdigest()


def read_text_file(path: str | os.PathLike[str]) -> tuple[str, str]:
    """The caption text of a file and the SHA-256 of its bytes."""
    name = os.fspath(path)
    with open_input(name) as fh:
        try:
            data = fh.read(MAX_TEXT_BYTES + 1)
        except OSError as exc:
            raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_TEXT_BYTES:
        raise InputError(f"{name}: larger than 16 MB, the limit for a caption text file")
    return decode_text(data, name), hashlib.sha256(data).hexdigest()


def read_image(path: str | os.PathLike[str]):
    """The caption and rights metadata of an image file (an ``ImageRecord``)."""
    from .image import read_image as _read

    return _read(path)


def load_caption(source: Any, *, detector: LatinDetector | None = None) -> tuple[Caption, str | None]:
    """A parsed caption from text, a path (image or caption text file, told apart by content),
    an ImageRecord or a Caption; and the file's SHA-256."""
    from .image import ImageRecord, caption_of, read_image_digest
    from .image.containers import NotAnImage

    if isinstance(source, Caption):
        return source, None
    if isinstance(source, str):
        return parse_caption(source, detector=detector), None
    if isinstance(source, ImageRecord):
        return caption_of(source, detector=detector), None
    if isinstance(source, os.PathLike):
        name = os.fspath(source)
        try:
            record, digest = read_image_digest(name)  # one read for a small image
        except NotAnImage:
            pass
        else:
            return caption_of(record, detector=detector), digest or file_sha256(name)
        text, digest = read_text_file(source)
        return parse_caption(text, source=name, detector=detector), digest
    raise TypeError(f"check() takes caption text, a path, an ImageRecord or a Caption, "
                    f"not {type(source).__name__}")


def check(source: Any, usage: Usage | Mapping[str, Any] | str | os.PathLike[str], policy: str = "editorial",
          *, detector: LatinDetector | None = None) -> Report:
    """Check a caption (text, text file path or Caption) against a planned use.

    ``source`` is caption text (``str``), a path (``os.PathLike``: an image or a caption text
    file), an ImageRecord or a Caption; ``usage`` is a Usage, a mapping or a manifest path. A
    ``str`` source is always caption text, never a path: pass ``pathlib.Path`` for files.
    """
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}, not {policy!r}")
    caption, digest = load_caption(source, detector=detector)
    return make_report(caption, load_usage(usage), policy, sha256=digest)


def make_report(caption: Caption, usage: Usage, policy: str = "editorial", *,
                sha256: str | None = None, source: str | None = None) -> Report:
    """The report on one parsed caption: a finding per restriction and the overall verdict."""
    findings = evaluate(caption, usage, policy)
    return Report(source=caption.source or source, verdict=overall(findings, caption.notices),
                  caption=caption, findings=findings, notices=caption.notices, policy=policy,
                  sha256=sha256)
