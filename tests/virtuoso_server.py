"""Start a throwaway Virtuoso (Debian's virtuoso-opensource) on loopback for integration tests:
its own database folder, free ports, a fresh dba password and a loader account; stopped after."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

SERVER = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt") or shutil.which("isql")


@dataclass
class Virtuoso:
    http: str
    user: str
    password: str
    folder: Path
    ports: tuple[int, int]  # SQL, HTTP
    process: subprocess.Popen[bytes]

    def crash(self) -> None:
        """Kill the server as a power cut would (SIGKILL: no checkpoint, no clean exit)."""
        self.process.kill()
        self.process.wait()

    def restart(self) -> None:
        """Start it again on its database; it recovers from its transaction log."""
        self.process = _start(self.folder, *self.ports)
        _wait_up(self.http, self.process, self.folder)

    @property
    def sparql(self) -> str:
        return f"{self.http}/sparql"

    @property
    def graph_store(self) -> str:
        return f"{self.http}/sparql-graph-crud-auth"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now (for servers the tests start)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DirsAllowed = ., {d}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerThreads = 10
MaxClientConnections = 10

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 120
"""


def _isql(port: int, password: str, statement: str) -> None:
    assert ISQL is not None
    done = subprocess.run(  # noqa: S603 - fixed local tool
        [ISQL, f"127.0.0.1:{port}", "dba", password, f"exec={statement}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0 or "Error" in done.stdout:
        raise RuntimeError(f"isql failed: {done.stdout}{done.stderr}")


def _start(folder: Path, sql: int, http: int) -> subprocess.Popen[bytes]:
    assert SERVER is not None
    (folder / "virtuoso.ini").write_text(_INI.format(d=folder, sql=sql, http=http))
    return subprocess.Popen(  # noqa: S603
        [SERVER, "-f", "-c", str(folder / "virtuoso.ini")],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_up(base: str, process: subprocess.Popen[bytes], folder: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            log = (folder / "virtuoso.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"virtuoso exited with {process.returncode}:\n{log}")
        try:
            if requests.get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("virtuoso did not come up within 120 s")
        time.sleep(0.5)


@contextmanager
def running_virtuoso(folder: Path) -> Iterator[Virtuoso]:
    if SERVER is None or ISQL is None:
        raise RuntimeError("virtuoso-t / isql-vt not installed (Debian: virtuoso-opensource)")
    folder.mkdir(parents=True, exist_ok=True)
    sql, http = free_port(), free_port()
    process = _start(folder, sql, http)
    base = f"http://127.0.0.1:{http}"
    server = None
    try:
        _wait_up(base, process, folder)
        password = secrets.token_urlsafe(12)
        loader_password = secrets.token_urlsafe(12)
        _isql(sql, "dba", f"USER_SET_PASSWORD('dba', '{password}');")
        _isql(
            sql,
            password,
            f"DB.DBA.USER_CREATE('kgload', '{loader_password}'); "
            'GRANT SPARQL_UPDATE TO "kgload"; '
            "DB.DBA.RDF_DEFAULT_USER_PERMS_SET('kgload', 7);",
        )
        server = Virtuoso(base, "kgload", loader_password, folder, (sql, http), process)
        yield server
    finally:
        running = server.process if server is not None else process
        running.terminate()
        try:
            running.wait(timeout=30)
        except subprocess.TimeoutExpired:
            running.kill()
            running.wait()


def required() -> bool:
    """In CI the Virtuoso tests must run; elsewhere they may be skipped with a reason."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")
