"""Errors the caller can act on. The library raises them; only the CLI prints or exits."""

from __future__ import annotations

import re

# C0 and C1 controls, DEL and the Unicode line and paragraph separators: a message that quotes
# bytes from a file (a box type, a file name) must stay one line and print no raw NULs.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with control characters escaped (``\\x0a``), so it prints as one line."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text)


class RightsCheckError(Exception):
    """Base class: the message names the file or key and the problem, on one line (control
    characters quoted from the input are escaped)."""

    def __init__(self, message: str = "", *args):
        super().__init__(one_line(str(message)), *args)


class InputError(RightsCheckError):
    """An input that could not be read: missing file, invalid UTF-8, unreadable image."""


class ManifestError(RightsCheckError):
    """An invalid usage manifest. ``problems`` lists every problem, each naming its key path."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        super().__init__(f"{source}: invalid usage manifest: " + "; ".join(self.problems))

    def __reduce__(self):  # pickle would call __init__ with the message alone
        return type(self), (self.source, self.problems)


class DataError(RightsCheckError):
    """Invalid bundled phrase or catalogue data (a bug; the tests prevent it)."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("invalid rights_check data: " + "; ".join(self.problems))

    def __reduce__(self):
        return type(self), (self.problems,)
