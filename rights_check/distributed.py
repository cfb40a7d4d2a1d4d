"""Past one machine: an archive audit on Dask (the optional ``[dask]`` extra).

::

    from dask.distributed import Client
    from rights_check.distributed import audit_bag, bag_of_paths

    client = Client("tcp://scheduler:8786")
    parts = audit_bag(bag_of_paths("/archive", npartitions=2000), "use.yaml", "s3://audits/2026-05")

Each element of the bag is checked exactly as ``rights-check check … --format jsonl`` checks
it (the same :func:`rights_check.batch.process`), and each partition becomes one JSON Lines
file, ``part-00000.jsonl`` …, holding one result per line in the partition's order: reading the
parts in name order gives the lines the CLI prints for the same inputs in the same order. A bad
input is an error line ``{"source", "error"}``; a record's line keeps its ``id``.

The manifest is read and validated once, where ``audit_bag`` is called (a bad manifest fails
before anything runs), and the validated :class:`~rights_check.usage.Usage` (plain frozen data)
travels to the workers with each task. Photo paths are opened by the workers, so they must name
the same file on every worker: shared storage mounted at the same path. Records files and the
output folder may be any fsspec URL (``s3://…`` with ``s3fs`` installed).
"""

from __future__ import annotations

import ctypes
import glob
import json
import os
import stat
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .batch import Item, Job, Skipped, _TimedOut, process, records_from, walk

__all__ = ["audit_bag", "bag_of_paths", "bag_of_records", "read_results"]


def _dask():
    try:
        import dask
        import dask.bag
        import fsspec
    except ImportError as exc:
        raise ImportError("rights_check.distributed needs Dask: pip install 'rights-check[dask]' "
                          f"({exc})") from exc
    return dask, dask.bag, fsspec


def bag_of_paths(folder_or_glob: str, *, include: tuple[str, ...] = (), exclude: tuple[str, ...] = (),
                 npartitions: int | None = None, skipped: list[Skipped] | None = None):
    """A bag of the files in a folder (walked recursively in sorted order, as the CLI does) or
    matching a glob (``**`` allowed; sorted; a matched folder is walked). Paths are listed here,
    on the client. FIFOs, devices, sockets and symlink loops are never opened: they go to
    ``skipped`` when a list is given."""
    _, db, _ = _dask()
    sources = [folder_or_glob] if os.path.isdir(folder_or_glob) else \
        sorted(glob.glob(folder_or_glob, recursive=True))
    paths: list[str] = []
    for source in sources:
        entries: Iterable[Item | Skipped] = walk(source, tuple(include), tuple(exclude)) \
            if os.path.isdir(source) else [_file(source)]
        for entry in entries:
            if isinstance(entry, Skipped):
                if skipped is not None:
                    skipped.append(entry)
            else:
                paths.append(entry.name)
    if not paths:
        raise FileNotFoundError(f"{folder_or_glob}: no files to check")
    return db.from_sequence(paths, npartitions=min(npartitions or 100, len(paths)))


def _file(path: str) -> Item | Skipped:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return Skipped(path, "cannot stat the file")
    return Item(name=path, path=path) if stat.S_ISREG(mode) else Skipped(path, "not a regular file: not read")


def bag_of_records(path_or_glob: str, *, npartitions: int | None = None, storage_options=None):
    """A bag of the records in JSON Lines files (a path, glob or fsspec URL), one partition per
    file unless ``npartitions`` is given. Its elements are :class:`rights_check.batch.Item` s
    read as ``--records`` reads them: a bad line is an error item naming ``file:line``."""
    _, db, _ = _dask()
    lines = db.read_text(path_or_glob, blocksize=None, include_path=True, encoding="utf-8",
                         errors="surrogateescape", storage_options=storage_options)
    single = not any(c in path_or_glob for c in "*?[")
    bag = lines.map_partitions(_records, path_or_glob if single else None)
    return bag.repartition(npartitions) if npartitions else bag


def _records(lines: Iterable[tuple[str, str]], name: str | None) -> list[Item]:
    lines = list(lines)
    raw = [line.encode("utf-8", "surrogateescape") for line, _ in lines]  # bytes, as the CLI reads
    return list(records_from(raw, name or lines[0][1])) if lines else []


def audit_bag(bag, usage, output_dir: str, *, policy: str = "editorial", timeout: float | None = 60,
              overwrite: bool = False, storage_options: Mapping[str, Any] | None = None) -> list[str]:
    """Check every element of ``bag`` (a path, a record dict ``{"id", "caption"|"path",
    "usage"?}`` or a :class:`~rights_check.batch.Item`) against ``usage`` (a manifest path, a
    mapping or a Usage; ``None`` when every record brings its own), and write one JSON Lines
    file per partition to ``output_dir``. Runs on the current Dask scheduler (a ``Client`` if
    one is active) and returns the written paths in partition order. ``timeout`` is the
    per-input limit in seconds, as ``--timeout``. Refuses a folder holding parts already,
    unless ``overwrite`` (then the old parts are deleted first)."""
    dask, _, fsspec = _dask()
    from .usage import load_usage

    job = Job("check", usage=None if usage is None else load_usage(usage), policy=policy, timeout=timeout)
    fs, root = fsspec.core.url_to_fs(output_dir, **(storage_options or {}))
    old = fs.glob(root.rstrip("/") + "/part-*.jsonl")
    if old and not overwrite:
        raise FileExistsError(f"{output_dir} already holds {len(old)} part files (pass overwrite=True)")
    if old:
        fs.rm(old)
    paths = [f"{output_dir.rstrip('/')}/part-{i:05d}.jsonl" for i in range(bag.npartitions)]
    files = fsspec.open_files(paths, mode="wt", encoding="utf-8", **(storage_options or {}))
    parts = bag.to_delayed()
    dask.compute(*[dask.delayed(_write_part)(part, job, f) for part, f in zip(parts, files)])
    return paths


def _write_part(elements: Iterable[Any], job: Job, lazy_file) -> int:
    count = 0
    with lazy_file as out, _Checker(job) as check:
        for element in elements:
            result = check(_item(element))
            if "error" in result:
                result.pop("internal", None)  # as the CLI renders an error line
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
            count += 1
    return count


def _item(element: Any) -> Item:
    if isinstance(element, Item):
        return element
    if isinstance(element, (str, os.PathLike)):
        return Item(name=os.fspath(element), path=os.fspath(element))
    if isinstance(element, Mapping):
        return next(records_from([json.dumps(dict(element), default=str)], "<bag record>"))
    return Item(name=repr(element)[:80], error=f"{type(element).__name__}: not a path or a record")


class _Checker:
    """:func:`process` with its per-input time limit also off the main thread. Dask runs tasks
    in worker threads, where ``SIGALRM`` cannot be used, so one watchdog thread per partition
    raises the same ``_TimedOut`` in the worker thread when an input overruns. Like the alarm,
    it lands between Python bytecodes, not inside a long call into C."""

    def __init__(self, job: Job):
        self.job, self.target = job, threading.get_ident()
        self.watch = bool(job.timeout) and threading.current_thread() is not threading.main_thread()
        self.cond = threading.Condition()
        self.deadline: float | None = None
        self.fired = self.stopped = False

    def __enter__(self):
        if self.watch:
            threading.Thread(target=self._watchdog, name="rights-check-timeout", daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        with self.cond:
            self.stopped = True
            self.cond.notify()

    def _watchdog(self) -> None:
        with self.cond:
            while not self.stopped:
                now = time.monotonic()
                if self.deadline is not None and now >= self.deadline:
                    self.deadline, self.fired = None, True
                    _raise_in(self.target, _TimedOut)
                wait = self.job.timeout if self.deadline is None else self.deadline - now
                self.cond.wait(max(wait, 0.001))  # no wake-up per input: re-reads the deadline

    def __call__(self, item: Item) -> dict[str, Any]:
        if not self.watch:
            return process(self.job, item)  # process() sets its own alarm in the main thread
        try:
            with self.cond:
                self.deadline, self.fired = time.monotonic() + self.job.timeout, False
            try:
                return process(self.job, item)  # catches _TimedOut itself: its usual timeout line
            finally:
                with self.cond:
                    self.deadline = None
                    if self.fired:  # drop it if still pending: no stray exception later
                        _raise_in(self.target, None)
        except _TimedOut:  # landed just as process() returned: still a timeout line
            result = {"source": item.name, "error": f"{item.name}: gave up after {self.job.timeout:g} s "
                                                    f"(the --timeout per input)"}
            return result if item.record_id is None else {"id": item.record_id, **result}


def _raise_in(thread_id: int, exc: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                               ctypes.py_object(exc) if exc is not None else None)


def read_results(paths: Iterable[str], *, storage_options: Mapping[str, Any] | None = None) -> Iterator[dict]:
    """The results in written parts (``audit_bag``'s return value), in order: for small audits
    and tests; a large audit is read where it lies (``dask.bag.read_text(dir + "/part-*.jsonl")``)."""
    _, _, fsspec = _dask()
    for f in fsspec.open_files(list(paths), mode="rt", encoding="utf-8", **(storage_options or {})):
        with f as fh:
            yield from (json.loads(line) for line in fh)
