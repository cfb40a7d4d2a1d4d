"""Worker processes for a batch: ``ordered_map`` forks them once the parent has loaded what
every check needs (so they share it), feeds them chunks of inputs over pipes, and hands the
results back in input order, each as soon as it and every earlier one are done.

Not ``multiprocessing.Pool``: a Pool worker that dies (the kernel's OOM killer, a crash in a C
library) takes its task with it, and ``Pool.imap`` then waits forever. Here the inputs a dead
worker held are checked again one at a time in a new worker, and an input that kills a worker
by itself becomes an error result; the batch goes on. A worker stuck past the time limit (in C
code, where the in-process alarm cannot reach) is killed the same way. The parent is one thread
reading results plus one reading inputs, where Pool's three threads cost about 0.1 ms an input,
which on a two-core machine comes out of the workers' time.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import pickle
import queue
import select
import signal
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

Chunk = list[tuple[int, Any]]  # (input number, input)

BACKLOG = 64
"""Chunks read ahead of the workers, and finished chunks held for an earlier slow one: bounds
the parent's memory on a huge folder or a stalled input."""
MAX_RESPAWNS = 1000
"""Replacement workers at most (each death retries or settles inputs, so this is a guard
against something killing every worker, not a limit a real batch meets)."""


# --- messages: a length, then a pickle, over a plain pipe (multiprocessing's Connection costs
# the start of every batch 10 ms of imports for the same thing) --------------------------------

_LENGTH = struct.Struct("<Q")


def _write(fd: int, data: bytes) -> None:
    """One whole message; raises OSError (EPIPE) when the reader has gone."""
    view = memoryview(_LENGTH.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _read_exact(fd: int, n: int) -> bytes:
    parts = []
    while n:
        part = os.read(fd, min(n, 1 << 20))
        if not part:
            raise EOFError
        parts.append(part)
        n -= len(part)
    return b"".join(parts)


def _read(fd: int) -> bytes:
    """One whole message; EOFError when the writer has gone."""
    (size,) = _LENGTH.unpack(_read_exact(fd, _LENGTH.size))
    return _read_exact(fd, size)


_CLOCK = struct.Struct("dq")


class _Clocks:
    """Which input each worker is checking and since when (0.0 when idle), in memory the workers
    share with the parent: the parent can stop a worker stuck on one input, and knows which
    input a worker died on, without a message per input."""

    def __init__(self, slots: int):
        self.memory = mmap.mmap(-1, _CLOCK.size * slots)  # anonymous and shared: forks see one copy

    def set(self, slot: int, since: float, number: int = -1) -> None:
        _CLOCK.pack_into(self.memory, _CLOCK.size * slot, since, number)

    def get(self, slot: int) -> tuple[float, int]:
        return _CLOCK.unpack_from(self.memory, _CLOCK.size * slot)


class _Worker:
    """One forked process: reads a chunk, checks its inputs, sends back (number, result) pairs."""

    def __init__(self, func: Callable[[Any], Any], parent_fds: list[int], clocks: _Clocks, slot: int):
        tasks_r, tasks_w = os.pipe()
        results_r, results_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: it must never return into the parent's code
            code = 0
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
                for fd in parent_fds + [tasks_w, results_r]:
                    os.close(fd)  # the parent's ends: if the parent dies, EOF here, not a hang
                _serve(func, tasks_r, results_w, clocks, slot)
            except BaseException:  # pragma: no cover - runs in the worker
                code = 1
            os._exit(code)
        os.close(tasks_r)
        os.close(results_w)
        self.pid, self.tasks, self.results, self.slot = pid, tasks_w, results_r, slot
        clocks.set(slot, 0.0)
        try:  # what the task pipe holds without blocking the sender
            self.capacity = fcntl.fcntl(tasks_w, fcntl.F_GETPIPE_SZ)
        except (AttributeError, OSError):  # pragma: no cover - not Linux
            self.capacity = 4096
        self.sent: deque[tuple[Chunk, int]] = deque()  # chunks sent, not yet answered, and their size

    def can_take(self, size: int) -> bool:
        """Whether a chunk of ``size`` bytes can be sent now: always when the worker is idle;
        one ahead (so it never waits for the parent) only if the pipe holds it without
        blocking, since a blocked parent cannot read the results the worker is sending."""
        if not self.sent:
            return True
        return len(self.sent) < 2 and self.sent[0][1] + size + 8 <= self.capacity

    def send(self, chunk: Chunk, data: bytes) -> None:
        self.sent.append((chunk, len(data)))
        try:
            _write(self.tasks, data)
        except OSError:  # it has died: its results pipe tells how
            pass

    def answered(self) -> None:
        self.sent.popleft()

    def close(self, kill: bool) -> None:
        if kill:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:  # pragma: no cover - already gone
                pass
        else:
            try:
                _write(self.tasks, _STOP)
            except OSError:  # pragma: no cover - it died meanwhile
                pass
        self.release()
        self.status()

    def release(self) -> None:
        """Close the parent's ends of its pipes."""
        os.close(self.tasks)
        os.close(self.results)

    def status(self) -> str:
        """Wait for the process to end; how it ended, in words."""
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:  # pragma: no cover - reaped already
            return "ended"
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            try:
                name = signal.Signals(sig).name
            except ValueError:  # pragma: no cover - a signal Python has no name for
                name = f"signal {sig}"
            return f"was killed by {name}"
        return f"exited with code {os.WEXITSTATUS(status)}"


_STOP = pickle.dumps(None)


def _serve(func: Callable[[Any], Any], tasks: int, results: int, clocks: _Clocks, slot: int) -> None:
    while True:
        try:
            chunk = pickle.loads(_read(tasks))
        except EOFError:
            return
        if chunk is None:
            return
        answers = []
        for number, item in chunk:
            clocks.set(slot, time.monotonic(), number)
            answers.append((number, func(item)))
        clocks.set(slot, 0.0)
        _write(results, pickle.dumps(answers, pickle.HIGHEST_PROTOCOL))


class _Feeder(threading.Thread):
    """Reads the inputs (a folder walk, or records arriving on a pipe) into chunks, so that the
    results of earlier inputs go out while a later one is still awaited."""

    def __init__(self, items: Iterable[Any], chunksize: int, wake: int):
        super().__init__(daemon=True, name="rights-check inputs")
        self.items, self.chunksize, self.wake = items, chunksize, wake
        self.chunks: queue.Queue = queue.Queue(BACKLOG)
        self.stop = threading.Event()

    def put(self, entry: Any) -> bool:
        while not self.stop.is_set():
            try:
                self.chunks.put(entry, timeout=0.1)
            except queue.Full:
                continue
            try:
                os.write(self.wake, b"\0")
            except OSError:  # the parent has finished
                return False
            return True
        return False

    def run(self) -> None:
        chunk: Chunk = []
        number = 0
        try:
            for item in self.items:
                chunk.append((number, item))
                number += 1
                if len(chunk) >= self.chunksize:
                    if not self.put(("chunk", chunk)):
                        return
                    chunk = []
            if chunk and not self.put(("chunk", chunk)):
                return
            self.put(("end", number))
        except BaseException as exc:  # the parent raises it (KeyboardInterrupt included)
            if chunk:
                self.put(("chunk", chunk))
            self.put(("raise", exc))


def halve_first(todo: deque[Chunk]) -> None:
    """Split the first chunk in two (in order), unless it holds one input."""
    if todo and len(todo[0]) > 1:
        chunk = todo.popleft()
        todo.appendleft(chunk[len(chunk) // 2:])
        todo.appendleft(chunk[:len(chunk) // 2])


def ordered_map(func: Callable[[Any], Any], items: Iterable[Any], jobs: int, chunksize: int, *,
                lost: Callable[[Any, str, bool], Any], time_limit: float | None = None) -> Iterator[Any]:
    """``func(item)`` for every item, computed in ``jobs`` forked processes, in input order.

    ``lost(item, why, internal)`` gives the result of an input whose worker died checking it by
    itself (``why`` says how, e.g. "the worker process checking it was killed by SIGKILL";
    ``internal`` is False for the time limit, a fault of the input rather than the tool); with
    ``time_limit`` (seconds an input, which the worker enforces itself where it can), a worker
    still on one input after twice that plus two seconds is killed and its inputs treated the
    same way."""
    wake_r, wake_w = os.pipe()
    workers: list[_Worker] = []
    feeder = _Feeder(items, chunksize, wake_w)
    todo: deque[Chunk] = deque()
    done: dict[int, Any] = {}
    next_out = 0
    total: int | None = None
    raised: BaseException | None = None
    respawns = 0
    limit = None if not time_limit else time_limit * 2 + 2.0
    clocks = _Clocks(jobs)
    free_slots = list(range(jobs))

    def spawn() -> None:
        inherited = [fd for w in workers for fd in (w.tasks, w.results)]
        workers.append(_Worker(func, inherited + [wake_r, wake_w], clocks, free_slots.pop()))

    def died(worker: _Worker, why: str, internal: bool = True) -> None:
        nonlocal respawns
        workers.remove(worker)
        free_slots.append(worker.slot)
        since, on = clocks.get(worker.slot)
        checking = worker.sent[0][0] if worker.sent else None
        for chunk, _ in reversed(worker.sent):
            numbers = [number for number, _ in chunk]
            if chunk is not checking:  # sent ahead, never started: check it again
                todo.appendleft(chunk)
            elif since and on in numbers:  # the input it was on: the others are checked again
                number, item = chunk[numbers.index(on)]
                done[number] = lost(item, why, internal)
                rest = [pair for pair in chunk if pair[0] != on]
                if rest:
                    todo.appendleft(rest)
            elif len(chunk) > 1:  # which input killed it is unknown: check each one alone
                todo.extendleft([pair] for pair in reversed(chunk))
            else:
                number, item = chunk[0]
                done[number] = lost(item, why, internal)
        if respawns < MAX_RESPAWNS:
            respawns += 1
            spawn()

    try:
        for _ in range(jobs):
            spawn()  # before the input thread starts: forks copy only the forking thread
        feeder.start()
        while True:
            while len(todo) < BACKLOG:
                try:
                    kind, value = feeder.chunks.get_nowait()
                except queue.Empty:
                    break
                if kind == "chunk":
                    todo.append(value)
                elif kind == "end":
                    total = value
                else:
                    raised = value
            while next_out in done:
                result = done.pop(next_out)
                next_out += 1
                yield result
            if total is not None and next_out >= total:
                return
            if raised is not None and not todo and all(not w.sent for w in workers):
                raise raised
            if not workers:
                # every respawn used up: what is left is reported, not checked
                for chunk in todo:
                    for number, item in chunk:
                        done[number] = lost(item, "no worker process is left to check it", True)
                todo.clear()
                continue
            if len(done) < BACKLOG * chunksize:  # else wait for the earlier input holding them up
                # the last inputs go out in halved chunks and none ahead, so that no worker is
                # left with a queue while another has nothing to do
                tail = total is not None and len(todo) < 2 * len(workers)
                for ahead in (0,) if tail else (0, 1):  # a chunk for every idle worker, then one ahead each
                    for worker in workers:
                        if todo and len(worker.sent) == ahead:
                            if tail:
                                halve_first(todo)
                            data = pickle.dumps(todo[0], pickle.HIGHEST_PROTOCOL)
                            if worker.can_take(len(data)):
                                worker.send(todo.popleft(), data)
            by_fd = {w.results: w for w in workers}
            poller = select.poll()
            for fd in [*by_fd, wake_r]:
                poller.register(fd, select.POLLIN)
            for fd, _ in poller.poll(1000 if limit else None):
                if fd == wake_r:
                    os.read(wake_r, 4096)
                    continue
                worker = by_fd[fd]
                try:
                    answers = pickle.loads(_read(fd))
                except (EOFError, OSError):
                    worker.release()
                    died(worker, f"the worker process checking it {worker.status()}")
                    continue
                worker.answered()
                done.update(answers)
            if limit:
                now = time.monotonic()
                for worker in list(workers):
                    started, _ = clocks.get(worker.slot)
                    if worker.sent and started and now - started > limit:
                        worker.close(kill=True)
                        died(worker, f"gave up after {time_limit:g} s (the --timeout per input)", False)
    finally:
        feeder.stop.set()
        unfinished = total is None or next_out < total
        for worker in workers:
            worker.close(kill=unfinished)
        os.close(wake_r)
        os.close(wake_w)
        clocks.memory.close()
