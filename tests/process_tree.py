"""What a process and all its descendants use, read from /proc (Linux): CPU seconds (their
own and those of children they have reaped), threads, resident memory."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found += descendants(int(child))
    return found


@dataclass(frozen=True)
class Usage:
    cpu: float  # seconds, user + system, reaped children included
    threads: int
    rss: int  # bytes
    processes: int


def usage(pid: int) -> Usage:
    cpu, threads, rss, processes = 0.0, 0, 0, 0
    for each in descendants(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended while we looked
        cpu += sum(int(f) for f in fields[11:15]) / _TICK  # utime stime cutime cstime
        threads += int(fields[17])
        rss += int(fields[21]) * _PAGE
        processes += 1
    return Usage(cpu, threads, rss, processes)


def deleted_files_open(pid: int) -> list[str]:
    """Files that the processes hold open although they were deleted."""
    held = []
    for each in descendants(pid):
        for fd in Path(f"/proc/{each}/fd").glob("*"):
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.endswith(" (deleted)"):
                held.append(target)
    return held
