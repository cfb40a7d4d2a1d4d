"""Batches: find the inputs (folders walked in sorted order, JSON Lines records), check each in a
worker — in parallel processes when asked — and hand the results back in input order.

A result is the JSON form of one input's outcome (a report, a parsed caption, an image reading)
or an error line ``{"source": …, "error": …}``: plain data, so it crosses process boundaries
and every output format renders it the same way. One bad input never stops the batch.
"""

from __future__ import annotations

import fnmatch
import functools
import itertools
import json
import os
import signal
import stat
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .errors import InputError, ManifestError, RightsCheckError
from .loadcache import pickled_by_fields


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Item:
    """One input of a batch."""

    name: str
    """How the input is named in the output (a path, ``-``, ``--caption``, a record's source)."""
    path: str | None = None
    text: str | None = None
    record_id: Any = None
    """The ``id`` of a ``--records`` line (echoed on its result line)."""
    usage: Mapping[str, Any] | None = None
    """A record's own manifest, when it brings one."""
    error: str | None = None
    """Why the input cannot be read at all (a bad records line, a stdin that is not UTF-8)."""
    root: str | None = None
    """The folder the path was found under (the limit of the folder-manifest search)."""


@dataclass(slots=True)
class Skipped:
    """A folder entry passed over: a FIFO, device, socket, symlink loop or broken link."""

    source: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "skipped", "source": self.source, "message": self.message}


# --- finding the inputs --------------------------------------------------------------------

def _matches(rel: str, patterns: Iterable[str]) -> bool:
    base = os.path.basename(rel)
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(base, p) for p in patterns)


def walk(root: str, include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> Iterator[Item | Skipped]:
    """The files below ``root`` in sorted order. Symlinked folders are followed once (a loop is
    skipped with a notice); FIFOs, devices and sockets are skipped, never opened."""
    seen: set[tuple[int, int]] = set()

    def visit(folder: str) -> Iterator[Item | Skipped]:
        try:
            st = os.stat(folder)
        except OSError as exc:
            yield Skipped(folder, f"cannot enter the folder: {exc.strerror or exc}")
            return
        key = (st.st_dev, st.st_ino)
        if key in seen:
            yield Skipped(folder, "symlink loop: this folder was already walked")
            return
        seen.add(key)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            yield Skipped(folder, f"cannot list the folder: {exc.strerror or exc}")
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = entry.path
            try:
                mode = os.stat(path).st_mode  # follows links
            except OSError:
                yield Skipped(path, "broken symlink" if entry.is_symlink() else "cannot stat the file")
                continue
            if stat.S_ISDIR(mode):
                yield from visit(path)
            elif stat.S_ISREG(mode):
                if include or exclude:  # relpath costs more than the rest of the walk
                    rel = os.path.relpath(path, root)
                    if include and not _matches(rel, include):
                        continue
                    if exclude and _matches(rel, exclude):
                        continue
                yield Item(name=path, path=path, root=root)
            else:
                kind = "FIFO" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode) else "device"
                yield Skipped(path, f"a {kind}, not a file: not read")

    yield from visit(root)


def items_from(sources: Iterable[str], captions: Iterable[str] = (), *, include: tuple[str, ...] = (),
               exclude: tuple[str, ...] = (), stdin=None) -> Iterator[Item | Skipped]:
    """The inputs of a command line: caption strings, ``-`` (standard input), files, folders."""
    from .api import decode_text

    captions = list(captions)
    for i, text in enumerate(captions, 1):
        yield Item(name=f"--caption[{i}]" if len(captions) > 1 else "--caption", text=text)
    for source in sources:
        if source == "-":
            data = (stdin or sys.stdin.buffer).read()
            try:
                yield Item(name="-", text=decode_text(data, "<stdin>"))
            except InputError as exc:
                yield Item(name="-", error=str(exc))
        elif os.path.isdir(source):
            found = False
            for entry in walk(source, include, exclude):
                found = found or isinstance(entry, Item)
                yield entry
            if not found:
                yield Item(name=source, error=f"{source}: the folder holds no files to check")
        else:
            yield Item(name=source, path=source)


def records_from(stream, name: str) -> Iterator[Item]:
    """``--records``: one JSON object per line with an ``id`` and either ``caption`` text or a
    ``path``, optionally its own ``usage``. A bad line becomes an error item; reading goes on."""
    for number, raw in enumerate(stream, 1):
        where = f"{name}:{number}"
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield Item(name=where, error=f"{where}: not UTF-8 (invalid byte at offset {exc.start})")
                continue
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError as exc:
            yield Item(name=where, error=f"{where}: not a JSON object: {exc}")
            continue
        if not isinstance(record, dict):
            yield Item(name=where, error=f"{where}: not a JSON object")
            continue
        rid = record.get("id")
        unknown = set(record) - {"id", "caption", "path", "usage"}
        problem = None
        if "id" not in record:
            problem = "has no 'id'"
        elif ("caption" in record) == ("path" in record):
            problem = "needs exactly one of 'caption' and 'path'"
        elif unknown:
            problem = f"unknown keys {sorted(unknown)} (allowed: id, caption, path, usage)"
        elif not isinstance(record.get("caption", record.get("path")), str):
            problem = "'caption' or 'path' must be a string"
        elif "usage" in record and not isinstance(record["usage"], dict):
            problem = "'usage' must be an object (a manifest)"
        label = str(record.get("path") or rid or where)
        if problem:
            yield Item(name=label, record_id=rid, error=f"{where}: record {problem}")
            continue
        yield Item(name=label, path=record.get("path"), text=record.get("caption"), record_id=rid,
                   usage=record.get("usage"))


# --- per-photo manifests -------------------------------------------------------------------

@lru_cache(maxsize=256)
def _manifest(path: str, mtime_ns: int):
    from .usage import load_usage
    return load_usage(path)


def manifest_for(item: Item, default):
    """With ``--folder-manifests``: ``photo.jpg.usage.yaml`` beside the photo, else the nearest
    ``usage.yaml`` in its folder or a folder above it (up to the folder walked), else ``default``."""
    if item.path is None:
        return default
    candidates = [item.path + ".usage.yaml", item.path + ".usage.json"]
    folder = os.path.dirname(os.path.abspath(item.path))
    stop = os.path.abspath(item.root) if item.root else folder
    while True:
        candidates += [os.path.join(folder, "usage.yaml"), os.path.join(folder, "usage.json")]
        if folder == stop or os.path.dirname(folder) == folder or not folder.startswith(stop):
            break
        folder = os.path.dirname(folder)
    for path in candidates:
        try:
            st = os.stat(path)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            return _manifest(path, st.st_mtime_ns)
    return default


# --- the work on one input -----------------------------------------------------------------

@dataclass
class Job:
    """What every worker needs: the command, the default manifest, the options."""

    command: str  # check, parse or read
    usage: Any = None
    policy: str = "editorial"
    folder_manifests: bool = False
    timeout: float | None = None
    extras: tuple[Callable[[Item, dict[str, Any]], None], ...] = field(default_factory=tuple)
    """Extra steps on each result (e.g. a thumbnail for the HTML report), run in the worker."""
    line: Callable[[dict[str, Any]], str] | None = None
    """Renders a result's output in the worker (see ``output``): the result handed back is
    then only that text (``_line``) and what the summary counts (verdict, error, internal)."""


class _TimedOut(Exception):
    pass


def _alarm(signum, frame):  # pragma: no cover - raised inside whatever was running
    raise _TimedOut()


def _work(job: Job, item: Item) -> dict[str, Any]:
    if item.error:
        raise InputError(item.error)
    if job.command == "read":
        from .image import read_image

        if item.path is None:
            raise InputError(f"{item.name}: read takes image files, not text")
        return read_image(item.path).to_report_dict()
    from .api import make_report
    from .usage import load_usage

    caption, digest = _caption(item)
    if job.command == "parse":
        return caption.to_dict()
    usage = job.usage
    if item.usage is not None:
        usage = load_usage(item.usage)
    elif job.folder_manifests:
        usage = manifest_for(item, usage)
    if usage is None:
        raise InputError(f"{item.name}: no usage manifest applies (give --use, or a usage.yaml)")
    result = make_report(caption, usage, job.policy, sha256=digest, source=item.name).to_dict()
    result["manifest"] = {"path": usage.source, "sha256": usage.sha256}
    return result


def _caption(item: Item):
    import pathlib

    from .api import load_caption
    from .caption import parse_caption

    if item.text is not None:
        return parse_caption(item.text, source=item.name), None
    return load_caption(pathlib.Path(item.path))


def process(job: Job, item: Item) -> dict[str, Any]:
    """One input's result line: its report (or reading) or an error; never raises for bad
    input. A per-input time limit (``job.timeout``) stops a pathological file."""
    use_alarm = bool(job.timeout) and threading.current_thread() is threading.main_thread()
    if use_alarm:
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, job.timeout)
    try:
        result = _work(job, item)
        for step in job.extras:
            step(item, result)
    except _TimedOut:
        result = {"source": item.name, "error": f"{item.name}: {_gave_up(job)}"}
    except (InputError, ManifestError) as exc:
        result = {"source": item.name, "error": str(exc)}
    except RightsCheckError as exc:
        result = {"source": item.name, "error": str(exc), "internal": True}
    except Exception as exc:  # a bug: this input's line says so, the batch goes on
        result = {"source": item.name, "error": f"{item.name}: internal error: {type(exc).__name__}: {exc}",
                  "internal": True}
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    return _finish(job, item, result)


def _gave_up(job: Job) -> str:
    return f"gave up after {job.timeout:g} s (the --timeout per input)"


def _finish(job: Job, item: Item, result: dict[str, Any]) -> dict[str, Any]:
    if item.record_id is not None:
        result = {"id": item.record_id, **result}
    if job.line is not None:
        shown = {k: v for k, v in result.items() if not k.startswith("_") and k != "internal"}
        counted = {k: result[k] for k in ("verdict", "error", "internal") if k in result}
        result = {"_line": job.line(shown), **counted}
    return result


def _lost(job: Job, item: Item, why: str, internal: bool) -> dict[str, Any]:
    """The result of an input whose worker process died (or was stopped) checking it."""
    result: dict[str, Any] = {"source": item.name, "error": f"{item.name}: {why}"}
    if internal:
        result["internal"] = True
    return _finish(job, item, result)


# --- running a batch -----------------------------------------------------------------------

SERIAL_BELOW = 16  # fewer inputs than this (all at hand) are checked without worker processes


# Modules a worker runs, imported before the fork so that no worker imports them itself.
READ_MODULES = (".image.c2pa", ".image.containers", ".image.exif", ".image.iptc", ".image.machine",
                ".image.xmp", ".output.jsonl")
CHECK_MODULES = READ_MODULES + (".api", ".caption", ".extract", ".usage")


def prepare_workers(command: str = "check") -> None:
    """Load, before forking, what every worker would otherwise load for itself: the modules a
    check runs, the phrase data and its literal automata, the regex cache, the language
    profiles. Then freeze the heap, so the workers' garbage collector leaves those objects
    alone (and their pages stay shared)."""
    import gc
    import importlib

    from .loadcache import gc_paused

    with gc_paused():
        for name in READ_MODULES if command == "read" else CHECK_MODULES:
            importlib.import_module(name, __package__)
        if command != "read":  # reading needs no phrases
            from .caption import credit_index
            from .phrases import load_phrases
            from .regexcache import stored
            from .detector import LangdetectDetector, default_detector

            data = load_phrases()
            data.all_index.present("")  # builds the literal automata
            credit_index().present("")
            stored()  # the compiled regexes: each worker takes the few it needs from them
            detector = default_detector()
            if isinstance(detector, LangdetectDetector):
                detector.load()
    gc.freeze()


def run(job: Job, items: Iterable[Item], jobs: int = 1, *, chunksize: int = 1) -> Iterator[dict[str, Any]]:
    """Results in input order. With ``jobs`` > 1 inputs are checked in that many processes
    (``workers.ordered_map``); a result is handed back as soon as it and every earlier one are
    done (``chunksize`` > 1 sends inputs to the workers in groups: cheaper, for inputs that are
    all at hand, such as a folder's files; keep 1 when inputs arrive as a stream)."""
    items = iter(items)
    if jobs > 1 and chunksize > 1:
        # inputs at hand: a handful is checked here sooner than worker processes start
        head = list(itertools.islice(items, SERIAL_BELOW))
        if len(head) < SERIAL_BELOW:
            jobs = 1
        items = itertools.chain(head, items)
    if jobs <= 1:
        for item in items:
            yield process(job, item)
        return
    from .workers import ordered_map

    prepare_workers(job.command)
    yield from ordered_map(functools.partial(process, job), items, jobs, chunksize,
                           lost=functools.partial(_lost, job), time_limit=job.timeout)


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)
