"""Start a Jupyter kernel as the child of this small process, with its memory bounded.

Usage (by the grader's kernel manager, with ``python -I -S``)::

    _nanny.py MEMORY_BYTES KERNEL_COMMAND...

The kernel's parent is this process, not the grader's worker: student code that kills
its parent (``os.kill(os.getppid(), 9)``) only ends the nanny, and the worker sees a dead
kernel. On Linux both processes die with their parent (``PR_SET_PDEATHSIG``), so no
kernel outlives the grader. The kernel's data segment is capped with ``RLIMIT_DATA``
(0: no cap), so an oversized allocation raises ``MemoryError`` in the student's code; a
cap on the address space instead would break GPU libraries, which reserve far more
address space than they use. No file it writes may grow past :data:`FILE_BYTES`
(``RLIMIT_FSIZE``). Memory that ``RLIMIT_DATA`` does not count (shared mappings, more
processes) and files in the folders the grader reads are watched by ``_runner``'s
:class:`~dlcourse.grader._runner.Watchdog`. Only the standard library is used, so
start-up is quick.
"""

import ctypes
import os
import resource
import signal
import sys

FILE_BYTES = 1 << 30  # no file the kernel writes grows larger (RLIMIT_FSIZE)
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36


def _prctl(option: int, value: int) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(option, value)
    except (OSError, AttributeError):  # not Linux
        pass


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (a no-op elsewhere)."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def adopt_orphans() -> None:
    """Make orphaned descendants of this process its children, not init's (Linux)."""
    _prctl(PR_SET_CHILD_SUBREAPER, 1)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: _nanny.py MEMORY_BYTES KERNEL_COMMAND...", file=sys.stderr)
        return 2
    memory, command = int(argv[0]), argv[1:]
    die_with_parent()
    nanny = os.getpid()
    pid = os.fork()
    if pid == 0:
        die_with_parent()
        if os.getppid() != nanny:  # the nanny died before the request took effect
            os._exit(1)
        limits = [(resource.RLIMIT_FSIZE, FILE_BYTES)]
        if memory > 0:
            limits.append((resource.RLIMIT_DATA, memory))
        for which, value in limits:
            try:
                resource.setrlimit(which, (value, value))
            except (ValueError, OSError):  # a system that will not lower it: run uncapped
                pass
        os.execvp(command[0], command)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupt is for the kernel
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
