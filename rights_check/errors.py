"""Errors the caller can act on. The library raises them; only the CLI prints or exits."""

from __future__ import annotations


class RightsCheckError(Exception):
    """Base class: the message names the file or key and the problem, on one line."""


class InputError(RightsCheckError):
    """An input that could not be read: missing file, invalid UTF-8, unreadable image."""


class ManifestError(RightsCheckError):
    """An invalid usage manifest. ``problems`` lists every problem, each naming its key path."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        super().__init__(f"{source}: invalid usage manifest: " + "; ".join(self.problems))


class DataError(RightsCheckError):
    """Invalid bundled phrase or catalogue data (a bug; the tests prevent it)."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("invalid rights_check data: " + "; ".join(self.problems))
