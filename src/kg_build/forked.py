"""Work that produces bytes, run in a forked child while this process goes on with other
work: the child sees this process's memory as it was at the fork, so nothing is copied in;
only the result comes back, through a pipe."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection

_OK, _FAILED = b"\x00", b"\x01"

# Held while this process forks or starts a program. A child forked while another thread
# starts a program holds copies of that program's pipes (subprocess's exec-error pipe among
# them); the starting thread then waits for the forked child to exit, which may be waiting
# for us: a build hung so, HermiT's JVM finished and the JSON-LD child blocked on its pipe.
SPAWN_LOCK = threading.Lock()


def in_child(work: Callable[[], bytes]) -> Callable[[], bytes]:
    """Start `work` now; the returned function waits for its bytes (and re-raises, as a
    RuntimeError, what went wrong in the child). Without fork or a second core, the work is
    done here when its result is asked for."""
    if "fork" not in multiprocessing.get_all_start_methods() or (os.cpu_count() or 1) < 2:
        return work
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    # daemon: a parent that exits early (an error while writing the store) does not wait for
    # a child blocked on a pipe nobody reads
    child = context.Process(target=_run, args=(work, send), daemon=True)
    with SPAWN_LOCK:
        child.start()
    send.close()
    outcome: list[bytes] = []

    def result() -> bytes:
        if not outcome:
            try:
                outcome.append(receive.recv_bytes())
            except EOFError:
                child.join()
                raise RuntimeError(f"background work died (exit code {child.exitcode})") from None
            finally:
                receive.close()
            child.join()
        if outcome[0].startswith(_FAILED):
            raise RuntimeError(outcome[0][1:].decode())
        return outcome[0][1:]

    return result


def _run(work: Callable[[], bytes], send: Connection) -> None:
    try:
        payload = _OK + work()
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        payload = _FAILED + f"{type(exc).__name__}: {exc}".encode()
    send.send_bytes(payload)
    send.close()
