"""Keep a query worker off the network, whatever the query says.

SPARQL's SERVICE makes Oxigraph open a connection and POST the query to any URL; a check
of the query's text can be fooled by some spelling. So each worker installs a seccomp
filter (libseccomp, through pyseccomp) before it opens the store: creating any socket but a
Unix one, or an io_uring (which can open sockets itself), kills the process with SIGSYS on
the spot, before a byte leaves. The server then answers that request 400 and starts another
worker (serve/pool.py). The filter is kept across fork and exec and cannot be lifted.
"""

from __future__ import annotations

import ctypes
import signal
import socket

# How the kernel ends a process that broke the filter: the pool tells this death apart
# from a crash of the engine by it.
REFUSED_SIGNAL = signal.SIGSYS
_PR_SET_PDEATHSIG = 1


class SandboxUnavailableError(RuntimeError):
    """This system cannot keep a worker off the network (no seccomp, no libseccomp)."""


def forbid_network() -> None:
    """From now on, this process (and its threads and children) is killed if it tries to
    make a network socket."""
    try:
        import pyseccomp as seccomp

        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        rules.add_rule(seccomp.KILL_PROCESS, "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
        rules.add_rule(seccomp.KILL_PROCESS, "io_uring_setup")
        rules.load()
    except (ImportError, OSError, RuntimeError, ValueError) as exc:
        raise SandboxUnavailableError(
            f"cannot keep query workers off the network ({exc}); kg serve needs Linux "
            "with seccomp and libseccomp (Debian: libseccomp2)"
        ) from exc


def die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent goes, so that no worker outlives a
    server that was killed (Linux only; elsewhere a no-op)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
