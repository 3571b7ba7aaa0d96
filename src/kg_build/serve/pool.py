"""The server's query workers: a fixed number of processes (serve/worker.py), a bounded queue
in front of them, and a deadline on every job that is kept by killing the worker.

Why processes: an evaluation in a thread cannot be stopped (Oxigraph has no cancellation),
so a query past its deadline went on for hours after its 503, and one query that crashed the
engine took the server with it. A worker is killed at the deadline, when its client goes
away, or when it dies; another starts in its place, forked from a fork server that has
imported everything already (a fresh interpreter would import rdflib and pyoxigraph again).

Releases: `kg build` switches dist/current (and so dist/store) to a new release folder, then
removes the old one (publish/layout.py). The pool looks at dist/store before each job and
every second; on a change it pins the new release (a checkpoint in dist/.kg-serve/PID/, hard
links, so that removing the old release cannot pull files from under a worker: RocksDB
opens some table files only when a query first needs them, and reading a removed store
failed queries, once exhausting the memory on the way),
starts workers on the pin and, once one is ready, gives new jobs to those only. Workers of
the old release finish the job they have and stop; then the old pin is removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import multiprocessing
import os
import shutil
import signal
import socket
import tempfile
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from kg_build.errors import InputError
from kg_build.serve import wire, worker
from kg_build.serve.reply import ClientError, Reply
from kg_build.serve.sandbox import REFUSED_SIGNAL
from kg_build.store.embedded import resolve_store

log = logging.getLogger("kg_build.serve")
RETRY_AFTER = 2  # seconds, in the 503s of a full queue: most queued jobs are short
WATCH_EVERY = 1.0  # seconds between looks at dist/store when no request comes
PINS = ".kg-serve"  # under dist/: one folder per server process, one pin per release


@dataclass(frozen=True)
class PoolLimits:
    workers: int = 2
    queue: int = 64  # jobs waiting for a worker; the next one gets 503 with Retry-After
    timeout: float = 30.0  # seconds a job may run, and may wait in the queue
    memory_mb: int = 2048  # heap a worker may use; a query that needs more ends it (400)
    start_timeout: float = 60.0  # seconds a new worker may take to open the store


class WorkerStartError(RuntimeError):
    """A worker could not start (the store does not open, no sandbox on this system)."""


@dataclass(eq=False)
class _Child:
    """A child process of the pool: a query worker, or the child that pins a release."""

    process: BaseProcess
    sock: socket.socket
    release: Path  # the release folder under dist/ (what the link names), not the pin
    pid: int = 0
    streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    exited: asyncio.Future[int] | None = None

    async def call(self, job: dict[str, Any]) -> Reply:
        if self.streams is None:
            self.streams = await asyncio.open_unix_connection(sock=self.sock)
        reader, writer = self.streams
        await wire.write(writer, job)
        header, body = await wire.read(reader)
        return Reply.from_wire(header, body)

    def kill(self) -> None:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            self.process.kill()
        with contextlib.suppress(RuntimeError):  # an event loop that has ended
            if self.streams is not None:
                self.streams[1].close()
        self.sock.close()


def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    # The fork server imports these once; every worker forked from it has them loaded.
    # "__main__" keeps each worker from running the `kg` script's imports again.
    context.set_forkserver_preload(["__main__", "kg_build.serve.worker"])
    return context


def named(release: Path) -> str:
    """A release's name: its folder's (dist/releases/<name>/store), or, for a store folder
    of its own (store-<digest>, as tests and kg-build 0.x lay them out), the store's."""
    return release.parent.name if release.name == "store" else release.name


def _pin_roots(dist: Path) -> list[Path]:
    """Where this process may put its pins, best first: beside the releases (hard links), else
    the temporary folder (on another file system RocksDB copies the files)."""
    return [dist / PINS / str(os.getpid()), Path(tempfile.gettempdir()) / f"kg-serve-{os.getpid()}"]


def _remove_stale_pins(dist: Path) -> None:
    """Pins left by servers that were killed (their process is gone)."""
    folders = [(f, f.name) for f in (dist / PINS).glob("*")]
    folders += [
        (f, f.name.removeprefix("kg-serve-")) for f in _pin_roots(dist)[1].parent.glob("kg-serve-*")
    ]
    for folder, pid in folders:
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass  # alive, someone else's


@dataclass(eq=False)
class Pool:
    """Workers on the release that dist/store points at. Start with start() (blocking, before
    serving: it fails if the store cannot be opened), then run() jobs from the event loop."""

    dist: Path
    settings: dict[str, Any]  # base, forms, max_rows: what every worker needs besides its store
    limits: PoolLimits = field(default_factory=PoolLimits)
    release: Path = field(init=False)
    _pins: dict[Path, Path] = field(default_factory=dict, init=False)  # release -> its pin
    _workers: set[_Child] = field(default_factory=set, init=False)
    _idle: list[_Child] = field(default_factory=list, init=False)
    _waiters: deque[asyncio.Future[_Child]] = field(default_factory=deque, init=False)
    _waiting: int = field(default=0, init=False)
    _switching: Path | None = field(default=None, init=False)  # release being started
    _starting: int = field(default=0, init=False)  # workers being started
    _refused: Path | None = field(default=None, init=False)  # a release that did not open
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set, init=False)
    _closed: bool = field(default=False, init=False)
    _begun: bool = field(default=False, init=False)

    # -- pins -------------------------------------------------------------------------------

    def _launch_pin(self, release: Path) -> tuple[_Child, Path]:
        """Start the child that pins `release` (the server itself never opens a store: RocksDB
        would leave its threads here), and where the pin goes (under the first usable root)."""
        for root in _pin_roots(self.dist):
            try:
                root.mkdir(parents=True, exist_ok=True)
                break
            except OSError as exc:
                log.warning("cannot pin releases under %s (%s)", root, exc)
        pin = root / named(release)
        shutil.rmtree(pin, ignore_errors=True)
        return self._launch(release, worker.pin, source=str(release), store=str(pin)), pin

    def _unpin_unused(self) -> None:
        in_use = {w.release for w in self._workers} | {self.release, self._switching}
        for release in [r for r in self._pins if r not in in_use]:
            shutil.rmtree(self._pins.pop(release), ignore_errors=True)

    # -- starting workers -------------------------------------------------------------------

    def _launch(self, release: Path, target: Any = worker.main, **extra: object) -> _Child:
        """Start a child on `release` (a worker; or, with worker.pin, the child that pins it)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        settings = {
            **self.settings,
            "store": str(self._pins.get(release, "")),
            "memory_mb": self.limits.memory_mb,
            **extra,
        }
        name = "kg-serve-worker" if target is worker.main else "kg-serve-pin"
        process = _context().Process(target=target, args=(theirs, settings), daemon=True, name=name)
        try:
            process.start()
        finally:
            theirs.close()
        return _Child(process, ours, release)

    @staticmethod
    def _ready(header: dict[str, Any], new: _Child) -> None:
        if not header.get("ready"):
            new.kill()
            raise WorkerStartError(str(header.get("error", "the worker did not start")))
        new.pid = int(header.get("pid", 0))

    def start(self) -> None:
        """Pin the current release and start the workers on it; wait until each has opened
        it (this raises WorkerStartError, or InputError for a missing store)."""
        self.release = resolve_store(self.dist)
        _remove_stale_pins(self.dist)
        try:
            pinned, pin = self._launch_pin(self.release)
            self._started(pinned).kill()  # its work is done: reap it, close its sentinel
            pinned.process.join(5)
            pinned.process.close()
            self._pins[self.release] = pin
            for _ in range(self.limits.workers):
                new = self._started(self._launch(self.release))
                self._workers.add(new)
                self._idle.append(new)
        except WorkerStartError:
            self.close_now()
            raise

    def _started(self, new: _Child) -> _Child:
        """Wait (blocking: before serving) until a child says it is ready."""
        new.sock.settimeout(self.limits.start_timeout)
        try:
            message = wire.receive(new.sock)
        except OSError as exc:
            message = {"ready": False, "error": f"no answer from the child ({exc})"}, b""
        if message is None:
            message = {"ready": False, "error": "the child exited as it started"}, b""
        self._ready(message[0], new)
        new.sock.setblocking(False)
        return new

    async def _answered(self, new: _Child) -> _Child:
        """Wait, in the event loop, until a child says it is ready."""
        new.sock.setblocking(False)
        try:
            async with asyncio.timeout(self.limits.start_timeout):
                new.streams = await asyncio.open_unix_connection(sock=new.sock)
                header, _ = await wire.read(new.streams[0])
        except (TimeoutError, OSError, asyncio.IncompleteReadError, wire.WireError) as exc:
            new.kill()
            why = str(exc) or type(exc).__name__
            raise WorkerStartError(f"the child did not start ({why})") from exc
        self._ready(header, new)
        return new

    async def _spawn(self, release: Path) -> _Child:
        new = await self._answered(self._launch(release))
        self._watch_exit(new)
        self._workers.add(new)
        return new

    def _watch_exit(self, each: _Child) -> None:
        """Learn of a worker's end as it happens (also when it dies idle, OOM-killed, say)."""
        loop = asyncio.get_running_loop()
        each.exited = loop.create_future()
        sentinel = each.process.sentinel

        def ended() -> None:
            loop.remove_reader(sentinel)
            code = each.process.exitcode
            each.process.join(0)  # forget it (multiprocessing keeps a list of children)
            each.process.close()  # and its sentinel's file descriptor
            if each.exited is not None and not each.exited.done():
                each.exited.set_result(code if code is not None else -signal.SIGKILL)
            self._workers.discard(each)
            if each in self._idle:  # died with nothing to do: replace it
                self._idle.remove(each)
                log.warning("worker %d exited (%s) while idle; starting another", each.pid, code)
                self._background(self._replace())
            self._unpin_unused()

        loop.add_reader(sentinel, ended)

    def _background(self, coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _replace(self) -> None:
        """Start a worker if the release being served (or switched to) has fewer than it should;
        the new one goes to a waiting job or the idle list."""
        if self._closed:
            return
        self._look_at_release()
        target = self._switching or self.release
        live = sum(1 for w in self._workers if w.release == target) + self._starting
        if live >= self.limits.workers:
            return
        self._starting += 1
        try:
            new = await self._spawn(target)
        except (WorkerStartError, InputError) as exc:
            if target == self._switching:
                self._refuse(target, exc)
            else:
                log.error("could not start a worker on %s: %s", named(target), exc)
                await asyncio.sleep(1.0)  # a store that does not open now may after a build
            self._background(self._replace())
            return
        finally:
            self._starting -= 1
        if new.release == self._switching:
            self._switched(new.release)
        self._give_back(new)

    # -- releases ---------------------------------------------------------------------------

    def begin(self) -> None:
        """Once the event loop runs: watch the workers started before it, and the release."""
        self._begun = True
        for each in list(self._workers):
            if each.exited is None:
                self._watch_exit(each)
        self._background(self._watch_releases())

    async def _watch_releases(self) -> None:
        while not self._closed:
            await asyncio.sleep(WATCH_EVERY)
            self._look_at_release()

    def _look_at_release(self) -> None:
        """If dist/store points at a new, complete release, pin it and start workers on it;
        the first that is ready switches the pool to it (_switched)."""
        if self._closed or self._switching is not None:
            return
        try:
            target = resolve_store(self.dist)
        except InputError:
            return  # mid-build or removed: keep serving what we have
        if target in (self.release, self._refused):
            return
        self._switching = target
        self._background(self._prepare(target))

    async def _prepare(self, target: Path) -> None:
        try:
            pinned, pin = self._launch_pin(target)
            await self._answered(pinned)
            self._watch_exit(pinned)  # its work is done: reaped when it has gone
            pinned.kill()
            self._pins[target] = pin
        except WorkerStartError as exc:
            self._refuse(target, exc)
            return
        for _ in range(self.limits.workers):
            self._background(self._replace())

    def _refuse(self, target: Path, why: Exception) -> None:
        log.error(
            "new release %s cannot be served (%s); still serving %s",
            named(target),
            why,
            named(self.release),
        )
        self._refused, self._switching = target, None
        self._unpin_unused()

    def _switched(self, target: Path) -> None:
        old, self.release, self._switching = self.release, target, None
        for stale in [w for w in self._idle if w.release != target]:
            self._retire(stale)
        log.info("now serving release %s (was %s)", named(target), named(old))

    def _retire(self, each: _Child) -> None:
        if each in self._idle:
            self._idle.remove(each)
        self._workers.discard(each)
        each.kill()

    # -- jobs -------------------------------------------------------------------------------

    def _give_back(self, each: _Child) -> None:
        """A worker is free: to the longest-waiting job, else to the idle list."""
        if self._closed or each.release != self.release:
            self._retire(each)
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(each)
                return
        self._idle.append(each)

    async def _acquire(self) -> _Child:
        self._look_at_release()
        while self._idle:
            each = self._idle.pop()
            if each.release == self.release:
                return each
            self._retire(each)
        if self._waiting >= self.limits.queue:
            raise ClientError(
                503,
                f"all {self.limits.workers} query workers are busy and {self._waiting} requests "
                "are waiting; retry shortly",
                {"Retry-After": str(RETRY_AFTER)},
            )
        waiter: asyncio.Future[_Child] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        self._waiting += 1
        try:
            async with asyncio.timeout(self.limits.timeout):
                each = await waiter
        except BaseException as exc:
            if waiter.done() and not waiter.cancelled():
                self._give_back(waiter.result())  # handed over just as we gave up: pass it on
            waiter.cancel()
            if isinstance(exc, TimeoutError):
                raise ClientError(
                    503,
                    f"no query worker became free within {self.limits.timeout:g} s; retry later",
                    {"Retry-After": str(math.ceil(self.limits.timeout))},
                ) from exc
            raise
        finally:
            self._waiting -= 1
        return each

    async def run(self, job: dict[str, Any]) -> Reply:
        """The worker's answer to `job`; ClientError for a busy server, a job past its
        deadline (503) or one that made its worker die (400). If the caller is cancelled (its
        client went away), the worker is killed: nobody waits for its answer."""
        if not self._begun:
            self.begin()
        each = await self._acquire()
        try:
            async with asyncio.timeout(self.limits.timeout):
                reply = await each.call(job)
        except TimeoutError as exc:
            await self._end(each)
            raise ClientError(
                503,
                f"the query took longer than {self.limits.timeout:g} s and was stopped; "
                "make it more selective or add a LIMIT",
            ) from exc
        except (OSError, asyncio.IncompleteReadError, wire.WireError, ValueError) as exc:
            code = await self._end(each)
            raise _died(code, self.limits.memory_mb) from exc
        except asyncio.CancelledError:
            await self._end(each)
            raise
        if reply.store_error:
            log.error(
                "worker %d could not read %s: %s",
                each.pid,
                named(each.release),
                reply.body.decode(errors="replace").strip(),
            )
            await self._end(each)  # its store handle may be broken: start afresh
        else:
            self._give_back(each)
        return reply

    async def _end(self, each: _Child) -> int:
        """Kill a worker (if still alive), wait until it is gone, start another in its place;
        its exit code (negative: the signal that ended it)."""
        each.kill()
        self._workers.discard(each)
        code = -signal.SIGKILL
        if each.exited is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5.0):
                    code = await asyncio.shield(each.exited)
        self._background(self._replace())
        return code

    # -- the end ----------------------------------------------------------------------------

    def close_now(self) -> None:
        self._closed = True
        for each in list(self._workers):
            self._retire(each)
        for waiter in self._waiters:
            waiter.cancel()
        for task in list(self._tasks):
            task.cancel()
        for root in _pin_roots(self.dist):
            shutil.rmtree(root, ignore_errors=True)
        with contextlib.suppress(OSError):
            (self.dist / PINS).rmdir()  # if no other server has pins there

    @property
    def serving(self) -> list[str]:
        """The release (store folder name) of each worker alive."""
        return sorted(named(w.release) for w in self._workers)


def _died(code: int, memory_mb: int) -> ClientError:
    """What to tell the client whose query ended its worker."""
    if code == -REFUSED_SIGNAL:
        return ClientError(
            400,
            "the query tried to open a network connection (SERVICE?); this endpoint does not "
            "fetch URLs for clients",
        )
    try:
        how = signal.Signals(-code).name if code < 0 else f"exit code {code}"
    except ValueError:
        how = f"signal {-code}"
    why = (
        f"it may need more than the {memory_mb} MB a query may use"
        if code == -signal.SIGABRT  # Rust aborts when an allocation fails
        else "very deep or very long queries can do this"
    )
    return ClientError(
        400, f"the query engine failed on this query ({how}; {why}); simplify it or add a LIMIT"
    )


def default_workers() -> int:
    return max(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2, 1)
