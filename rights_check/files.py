"""Files: open an input safely, write an output atomically.

An input is opened read-only and only when it is a regular file: a FIFO or device is refused
before it is opened (reading one could block forever), and the check is repeated on the open
handle so a file swapped in between cannot slip through. An output is written to a temporary
file beside it and renamed over it at the end, so a reader never sees half a file.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO, TextIO

from .errors import InputError


def open_input(path: str | os.PathLike[str]) -> BinaryIO:
    """The file opened for binary reading; raises InputError naming the file and the problem."""
    name = os.fspath(path)
    try:
        if not stat.S_ISREG(os.stat(name).st_mode):
            raise InputError(f"{name}: {_kind(name)}")
        fh = open(name, "rb")
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
        fh.close()
        raise InputError(f"{name}: not a regular file")
    return fh


def _kind(name: str) -> str:
    mode = os.stat(name).st_mode
    if stat.S_ISDIR(mode):
        return "is a directory"
    if stat.S_ISFIFO(mode):
        return "not a regular file (a FIFO)"
    return "not a regular file"


@contextmanager
def atomic_output(path: str, what: str = "output") -> Iterator[TextIO]:
    """A text file that appears at ``path`` whole, or not at all (its old content stays)."""
    import tempfile  # only here: it imports shutil, random, bz2 and lzma, which a check never needs

    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".rights-check-", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the {what}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)  # mkstemp makes 0600 files: give the usual 0666 less the umask
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
