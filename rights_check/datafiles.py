"""The bundled data files (``rights_check/data/``).

Read by path beside this module rather than through ``importlib.resources``: the package is
always installed as files, and ``importlib.resources`` costs every start of the command a few
milliseconds of imports.
"""

from __future__ import annotations

import os

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def data_path(*parts: str) -> str:
    return os.path.join(DATA, *parts)


def read_data(*parts: str) -> bytes:
    with open(data_path(*parts), "rb") as fh:
        return fh.read()


def data_names(*parts: str) -> list[str]:
    """The file names in a data folder, sorted."""
    return sorted(os.listdir(data_path(*parts)))
