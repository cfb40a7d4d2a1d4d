"""Data as loaded, pickled beside the package's other data: the phrase set with its anchor
indexes (``data/phrases.pickle``) and the Latin-script detector's tables
(``data/langdetect.pickle``). Unpickling them takes about half the time building them does
(parsing the phrase index's megabyte of JSON, building the anchor indexes, taking the
logarithms of the language profiles), and every start of the command pays it.

Each file is a small header, then the data. The header is the key the data was built for: a
digest of what it was built from, a digest of the source of the modules whose classes or
recipes it holds, and the Python version. A file whose key differs is not read further and the
caller builds the data as before, so an edit to the phrase files or to the code never meets
stale data. The files are written with the phrase index (``python -m rights_check.phrases``)
and are this package's own data, trusted as its code is.
"""

from __future__ import annotations

import copyreg
import dataclasses
import gc
import hashlib
import operator
import os
import pickle
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any

from .datafiles import data_path


def _mapping(items: dict) -> MappingProxyType:
    return MappingProxyType(items)


# frozen values (model.freeze) are read-only mappings, which pickle cannot take by itself
copyreg.pickle(MappingProxyType, lambda proxy: (_mapping, (dict(proxy),)))


def pickled_by_fields(cls: type) -> type:
    """Class decorator (above ``@dataclass``): pickle instances as a call of the class with
    their field values. A frozen slotted dataclass otherwise unpickles through dataclasses'
    ``__setstate__``, a Python loop over ``fields()`` per object, which makes up a fifth of
    loading the phrase set and is paid again for every input sent to a worker process."""
    fields = dataclasses.fields(cls)
    if any(not f.init for f in fields):
        raise TypeError(f"{cls.__name__}: every field must be an __init__ argument")
    values = operator.attrgetter(*(f.name for f in fields))
    if len(fields) == 1:  # attrgetter of one name gives the value, not a tuple
        one = values
        values = lambda obj: (one(obj),)  # noqa: E731

    def __reduce__(self):
        return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls


def code_digest(*modules: str) -> str:
    """SHA-256 of the source of this package's ``modules`` (names like ``"phrases"``)."""
    digest = hashlib.sha256()
    folder = os.path.dirname(os.path.abspath(__file__))
    for name in modules:
        with open(os.path.join(folder, name + ".py"), "rb") as fh:
            digest.update(name.encode() + b"\0" + fh.read())
    return digest.hexdigest()


def key(source: str, modules: tuple[str, ...]) -> dict[str, Any]:
    """The key of data built from ``source`` (a digest) by the code of ``modules``."""
    return {"source": source, "code": code_digest(*modules), "python": list(sys.version_info[:2])}


def read(name: str, wanted: dict[str, Any]) -> Any | None:
    """The data of ``data/<name>`` when its key is ``wanted``; None otherwise (or unreadable)."""
    with gc_paused():
        try:
            with open(data_path(name), "rb") as fh:
                if pickle.load(fh) != wanted:
                    return None
                return pickle.load(fh)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, IndexError,
                TypeError, ValueError):
            return None


@contextmanager
def gc_paused() -> Iterator[None]:
    """No garbage collection inside: loading data makes tens of thousands of objects that
    live as long as the process, and no garbage, yet each few hundred of them would start a
    collection that walks them all again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def write(name: str, wanted: dict[str, Any], value: Any) -> str:
    path = data_path(name)
    with open(path, "wb") as fh:
        pickle.dump(wanted, fh, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return path
