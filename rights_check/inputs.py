"""Open an input file safely: read-only, regular files only, every OS error as one line.

A FIFO or device is refused before it is opened (reading one could block forever), and the
check is repeated on the open handle so a file swapped in between cannot slip through.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

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
