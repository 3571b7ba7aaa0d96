"""Work done in a forked child while the parent goes on (JSON-LD during a build)."""

from __future__ import annotations

import os

import pytest

from kg_build.forked import in_child


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
