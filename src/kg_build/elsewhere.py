"""Work run elsewhere while this process goes on: the one way the build runs things in parallel.

Every function here starts its work at once and returns a function that waits for the result
(and raises what the work raised). Where the work runs depends on what holds it up:

- in_child: Python work that needs a core of its own (the GIL would serialise it in a
  thread). A forked child sees this process's memory as it was at the fork, so nothing is
  copied in; only the result comes back, pickled through a pipe.
- in_thread, each_in_thread: work that lets go of the GIL while it waits (the disk,
  hashing, Oxigraph, a JVM), so a thread costs nothing to start and shares the result.
- start_program: a program (HermiT's JVM), started while nothing else forks.

No state is kept between calls: what a piece of work needs, it is given or closes over.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import pickle
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import IO, TypeVar

T = TypeVar("T")
X = TypeVar("X")

_OK, _BYTES, _FAILED = b"\x00", b"\x01", b"\x02"

# Held while this process forks or starts a program. A child forked while another thread
# starts a program holds copies of that program's pipes (subprocess's exec-error pipe among
# them); the starting thread then waits for the forked child to exit, which may be waiting
# for us: a build hung so, HermiT's JVM finished and the JSON-LD child blocked on its pipe.
SPAWN_LOCK = threading.Lock()


def in_child(work: Callable[[], T]) -> Callable[[], T]:
    """Start `work` in a forked child now; the returned function waits for its result.
    Without fork or a second core, the work is done here, once, when its result is asked for."""
    if "fork" not in multiprocessing.get_all_start_methods() or (os.cpu_count() or 1) < 2:
        return _once(work)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    # daemon: a parent that exits early (an error while writing the store) does not wait for
    # a child blocked on a pipe nobody reads
    child = context.Process(target=_run, args=(work, send, os.getpid()), daemon=True)
    with SPAWN_LOCK:
        child.start()
    send.close()

    def result() -> bytes:
        try:
            return receive.recv_bytes()
        except EOFError:
            child.join()
            raise RuntimeError(
                f"work in a child process died (exit code {child.exitcode})"
            ) from None
        finally:
            receive.close()
            child.join()

    received = _once(result)

    def outcome() -> T:
        payload = received()
        if payload.startswith(_FAILED):
            raise pickle.loads(payload[1:])  # noqa: S301 - from our own child process
        if payload.startswith(_BYTES):
            return payload[1:]  # type: ignore[return-value]  # T is bytes: see _run
        return pickle.loads(payload[1:])  # noqa: S301 - as above

    return outcome


def _run(work: Callable[[], object], send: Connection, parent: int) -> None:
    _die_with(parent)
    try:
        result = work()
        # bytes (a whole dump) go as they are: pickling would copy them twice more
        payload = _BYTES + result if isinstance(result, bytes) else _OK + _pickle(result)
    except Exception as exc:  # noqa: BLE001 - sent to the parent, which raises it
        try:
            payload = _FAILED + _pickle(exc)
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled
            payload = _FAILED + _pickle(RuntimeError(f"{type(exc).__name__}: {exc}"))
    send.send_bytes(payload)
    send.close()


def _die_with(parent: int) -> None:
    """Have the kernel kill this child when its parent dies, however it dies (a killed build
    left a child blocked on a pipe with 100 MB nobody would read). Linux only; elsewhere a
    daemon child still goes when its parent exits normally."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def _pickle(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _once(work: Callable[[], T]) -> Callable[[], T]:
    """`work`, done on the first call; later calls give the same result (or failure)."""
    done: list[Callable[[], T]] = []

    def result() -> T:
        if not done:
            try:
                value = work()
            except BaseException as exc:
                failure = exc

                def fail() -> T:
                    raise failure

                done.append(fail)
            else:
                done.append(lambda: value)
        return done[0]()

    return result


def in_thread(work: Callable[[], T]) -> Callable[[], T]:
    """Start `work` in a thread now; the returned function waits for its result. The thread
    is a daemon: a build that fails meanwhile does not wait for it to exit."""
    future: Future[T] = Future()

    def run() -> None:
        try:
            future.set_result(work())
        except BaseException as exc:  # noqa: BLE001 - raised by the waiting function
            future.set_exception(exc)

    threading.Thread(target=run, daemon=True).start()
    return future.result


def each_in_thread(
    work: Callable[[X], T], items: Sequence[X], workers: int
) -> Callable[[], list[T]]:
    """Start `work` on each item, `workers` threads at a time; the returned function waits
    for every result, in the items' order, and raises the first failure, after which the
    items not yet started are not started at all."""
    pool = ThreadPoolExecutor(max(1, min(workers, len(items))))
    futures = [pool.submit(work, item) for item in items]
    pool.shutdown(wait=False)

    def results() -> list[T]:
        try:
            return [future.result() for future in futures]
        finally:
            for future in futures:
                future.cancel()
            for future in futures:
                if not future.cancelled():
                    future.exception()  # waits for work still running

    return results


def start_program(
    command: Sequence[str], stdout: IO[bytes], stderr: IO[bytes]
) -> subprocess.Popen[bytes]:
    """Start a program with its output to files (not pipes: a child forked meanwhile would
    hold the pipes' ends, and reading them to their end would wait for that child). Through
    util-linux's setpriv where there is one, so that the kernel kills the program when the
    thread that started it dies (with the whole build, if that is killed): setting that in
    Python between fork and exec is unsafe in a process with threads."""
    setpriv = shutil.which("setpriv")
    if setpriv is not None:
        command = [setpriv, "--pdeathsig", "KILL", "--", *command]
    with SPAWN_LOCK:
        return subprocess.Popen(command, stdout=stdout, stderr=stderr)  # noqa: S603 - our own commands
