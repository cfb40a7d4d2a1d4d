"""Worker processes: results in input order, a worker that dies or hangs costs only the input
it was checking, inputs are read while results go out, and no process is left behind."""

import faulthandler
import os
import signal
import time

import pytest

from rights_check import batch, workers
from tests.test_batch import NEWSPAPER, lines, many_photos, photos  # noqa: F401 (fixtures)
from tests.test_cli import run


@pytest.fixture(autouse=True)
def no_hang():
    """A hang fails the test instead of stopping the suite."""
    def alarm(signum, frame):
        raise TimeoutError("ordered_map hung")
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def no_worker_left():
    """Asserts that the test leaves no child process behind (other tests' children aside)."""
    before = children()
    yield
    assert children() <= before


def square(n):
    return n * n


def lost(item, why, internal):
    return ("lost", item, why, internal)


def children() -> set[int]:
    """This process's live (not yet reaped) children."""
    found = set()
    for task in os.listdir("/proc"):
        if not task.isdigit():
            continue
        try:
            with open(f"/proc/{task}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            found.add(int(task))
    return found


@pytest.mark.parametrize("chunksize", [1, 3, 16])
def test_results_come_back_in_input_order(chunksize, no_worker_left):
    out = list(workers.ordered_map(square, range(100), 2, chunksize, lost=lost))
    assert out == [n * n for n in range(100)]


def test_no_inputs():
    assert list(workers.ordered_map(square, [], 2, 16, lost=lost)) == []


def die_on_13(n):
    if n == 13:
        os.kill(os.getpid(), signal.SIGKILL)
    return n


def test_a_worker_killed_by_one_input_costs_only_that_input(no_worker_left):
    out = list(workers.ordered_map(die_on_13, range(40), 2, 8, lost=lost))
    assert out[13] == ("lost", 13, "the worker process checking it was killed by SIGKILL", True)
    assert out[:13] + out[14:] == [n for n in range(40) if n != 13]


def exit_on_even(n):
    if n % 2 == 0:
        os._exit(7)
    return n


def test_every_input_that_kills_its_worker_is_reported():
    out = list(workers.ordered_map(exit_on_even, range(10), 2, 4, lost=lost))
    assert out == [("lost", n, "the worker process checking it exited with code 7", True) if n % 2 == 0
                   else n for n in range(10)]


def stuck_on_2(n):
    if n == 2:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # as if stuck inside C code
        time.sleep(120)
    return n


@pytest.mark.parametrize("chunksize", [1, 4])
def test_a_worker_stuck_past_the_time_limit_is_stopped(chunksize, no_worker_left):
    started = time.monotonic()
    out = list(workers.ordered_map(stuck_on_2, range(6), 2, chunksize, lost=lost, time_limit=0.1))
    assert out == [0, 1, ("lost", 2, "gave up after 0.1 s (the --timeout per input)", False), 3, 4, 5]
    # stopped once, after 2 × 0.1 s + 2 s: the parent knows which input the worker was on
    assert time.monotonic() - started < 4


def test_results_go_out_while_a_later_input_is_awaited():
    """Records arriving on a pipe: the first result is handed back before the next record."""
    arrived = []

    def records():
        for n in range(3):
            arrived.append(n)
            yield n
            time.sleep(0.5)

    for out in workers.ordered_map(square, records(), 2, 1, lost=lost):
        if out == 0:
            assert arrived == [0]


def test_an_error_reading_the_inputs_is_raised_after_the_results_before_it(no_worker_left):
    def items():
        yield 1
        yield 2
        raise KeyboardInterrupt

    got = []
    with pytest.raises(KeyboardInterrupt):
        for out in workers.ordered_map(square, items(), 2, 1, lost=lost):
            got.append(out)
    assert got == [1, 4]


def test_stopping_early_leaves_no_worker_behind(no_worker_left):
    results = workers.ordered_map(square, range(1000), 2, 4, lost=lost)
    assert next(results) == 0
    results.close()


def test_a_crashed_worker_is_an_internal_error_line_and_the_batch_goes_on(many_photos, capsys, monkeypatch):
    real = batch._work

    def crash_on_mwg(job, item):
        if item.path and item.path.endswith(os.path.join("wire", "MWG.jpg")):
            faulthandler.disable()  # pytest's traceback dump is noise here
            os.kill(os.getpid(), signal.SIGSEGV)
        return real(job, item)
    monkeypatch.setattr(batch, "_work", crash_on_mwg)
    code, out, err = run(capsys, "check", str(many_photos), "--use", NEWSPAPER, "--format", "jsonl", "-j", "2")
    results = lines(out)
    names = [r["source"] for r in results]
    assert names == [i.name for i in batch.walk(str(many_photos)) if isinstance(i, batch.Item)]
    crashed = [r for r in results if "SIGSEGV" in r.get("error", "")]
    assert [r["source"] for r in crashed] == [str(many_photos / "MWG.jpg")]
    assert crashed[0]["error"].endswith("MWG.jpg: the worker process checking it was killed by SIGSEGV")
    assert code == 4  # internal error (contract §4): it outranks the broken file's input error


def echo(text):
    return text + text


@pytest.mark.parametrize("chunksize", [1, 4])
def test_inputs_and_results_larger_than_a_pipe_holds_do_not_deadlock(chunksize, no_worker_left):
    """A chunk is sent ahead only when the pipe holds it: a parent blocked writing a big chunk
    could not read the big results the worker is blocked writing."""
    texts = [str(n) * 100_000 for n in range(12)]
    assert list(workers.ordered_map(echo, texts, 2, chunksize, lost=lost)) == [t + t for t in texts]


def test_the_last_chunks_are_halved_in_order():
    from collections import deque

    todo = deque([[(0, "a"), (1, "b"), (2, "c")], [(3, "d")]])
    workers.halve_first(todo)
    assert list(todo) == [[(0, "a")], [(1, "b"), (2, "c")], [(3, "d")]]
    workers.halve_first(todo)  # one input: left as it is
    assert list(todo) == [[(0, "a")], [(1, "b"), (2, "c")], [(3, "d")]]
    workers.halve_first(deque())  # nothing to do


@pytest.mark.parametrize("count", [1, 2, 3, 17, 33, 100])
def test_every_input_comes_back_once_whatever_the_tail(count, no_worker_left):
    # counts around the chunk size and the tail (fewer chunks left than twice the workers)
    assert list(workers.ordered_map(square, range(count), 2, 8, lost=lost)) == [n * n for n in range(count)]
