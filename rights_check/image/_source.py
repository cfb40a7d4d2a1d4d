"""Random access to an image file and the caps shared by the container readers."""

from __future__ import annotations

from typing import BinaryIO

from ..errors import InputError

MAX_META_TOTAL = 64 * 1024 * 1024
"""Cap on the metadata bytes kept from one file (Extended XMP, JUMBF, text chunks)."""
MAX_CHUNK = 32 * 1024 * 1024
"""Cap on one metadata chunk / item that is read into memory."""


class Source:
    """Random access to an open file, reading only what is asked for."""

    def __init__(self, path: str, fh: BinaryIO, size: int):
        self.path = path
        self.fh = fh
        self.size = size

    def read_at(self, off: int, n: int) -> bytes:
        if off < 0 or n <= 0 or off >= self.size:
            return b""
        n = min(n, self.size - off)
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
