"""Work done in a forked child while the parent goes on (JSON-LD during a build)."""

from __future__ import annotations

import os
import time

import pytest

from kg_build.elsewhere import each_in_thread, in_child, in_thread


def test_the_child_sees_the_parents_memory_and_sends_its_bytes_back() -> None:
    data = [str(i) for i in range(100_000)]  # in memory before the fork, never pickled
    result = in_child(lambda: f"{os.getpid()} {len(data)} {data[-1]}".encode())
    pid, count, last = result().split()
    assert int(pid) != os.getpid() or (os.cpu_count() or 1) < 2
    assert (count, last) == (b"100000", b"99999")
    assert result() == result()  # collected once, kept (or, without fork, made again)


def test_a_failure_in_the_child_is_raised_in_the_parent() -> None:
    def broken() -> bytes:
        raise ValueError("no such node")

    result = in_child(broken)
    with pytest.raises((RuntimeError, ValueError), match="no such node"):
        result()


def test_the_childs_exception_is_raised_as_itself() -> None:
    def broken() -> bytes:
        raise KeyError("record r1")

    with pytest.raises(KeyError, match="record r1"):
        in_child(broken)()


def test_a_result_other_than_bytes_comes_back_as_it_was() -> None:
    assert in_child(lambda: {"counts": (1, 2.5), "name": "r1"})() == {
        "counts": (1, 2.5),
        "name": "r1",
    }


def test_each_in_thread_keeps_the_items_order_and_stops_after_a_failure() -> None:
    started: list[int] = []

    def work(item: int) -> int:
        started.append(item)
        if item == 0:
            raise ValueError("first item broken")
        time.sleep(0.01)  # the rest take long enough for the failure to be seen first
        return item * 2

    assert each_in_thread(lambda i: i * 2, list(range(10)), 3)() == [i * 2 for i in range(10)]
    with pytest.raises(ValueError, match="first item broken"):
        each_in_thread(work, list(range(200)), 1)()
    assert len(started) < 200  # the items not started when the failure was seen never were


def test_in_thread_gives_the_result_or_the_failure() -> None:
    assert in_thread(lambda: 42)() == 42

    def broken() -> int:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        in_thread(broken)()
