"""Random access to an image file and the caps shared by the container readers."""

from __future__ import annotations

from typing import BinaryIO

from ..errors import InputError

MAX_META_TOTAL = 64 * 1024 * 1024
"""Cap on the metadata bytes kept from one file (Extended XMP, JUMBF, text chunks)."""
MAX_CHUNK = 32 * 1024 * 1024
"""Cap on one metadata chunk / item that is read into memory."""


WHOLE_FILE = 1024 * 1024
"""Files up to this size are read in one call (metadata and the SHA-256 come from it); larger
ones are read piece by piece, only what the readers ask for."""


class Source:
    """Random access to an open file, reading only what is asked for (a small file whole)."""

    def __init__(self, path: str, fh: BinaryIO, size: int):
        self.path = path
        self.fh = fh
        self.size = size
        self.whole: bytes | None = fh.read(size + 1) if size <= WHOLE_FILE else None
        if self.whole is not None and len(self.whole) != size:
            self.whole = None  # the file changed size while being read: read piece by piece

    def read_at(self, off: int, n: int) -> bytes:
        if off < 0 or n <= 0 or off >= self.size:
            return b""
        n = min(n, self.size - off)
        if self.whole is not None:
            return self.whole[off:off + n]
        self.fh.seek(off)
        return self.fh.read(n)

    def exact(self, off: int, n: int, what: str) -> bytes:
        if n > MAX_CHUNK:
            raise InputError(f"{self.path}: {what} at offset {off} is implausibly large ({n} bytes)")
        data = self.read_at(off, n)
        if len(data) != n:
            raise InputError(f"{self.path}: file ends inside {what} at offset {off}")
        return data

    def error(self, problem: str) -> InputError:
        return InputError(f"{self.path}: {problem}")
