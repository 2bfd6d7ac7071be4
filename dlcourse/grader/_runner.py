"""Executing one notebook's cells in a kernel that may loop, crash or flood its output.

Built on nbclient. Every cell has a time limit; at the limit the kernel is interrupted,
and if it has not answered within a grace period (a loop that swallows
``KeyboardInterrupt``), it is killed. A dead kernel — killed, ``os._exit``, out of memory —
is noticed by nbclient's liveness poll within about a second. After either, a fresh
kernel replays the cells run so far, without the ones that hung or crashed, and the
notebook goes on: later checks that do not need the bad cell are still graded.

Each cell's output is capped as it arrives, so a print loop cannot exhaust the worker's
memory, and no single message from the kernel may exceed :data:`MAX_MESSAGE_BYTES` (ZeroMQ
drops a larger one unread, and at most :data:`QUEUED_MESSAGES` wait to be read); widget
messages are ignored.

A :class:`Watchdog` watches each kernel while it runs: what ``RLIMIT_DATA`` cannot bound
(shared memory mappings, memory spread over many processes, a fork bomb) and what the
kernel writes into the two folders that the grader reads back (``kernel/``, ``results/``:
outside the sandbox's size-capped tmpfs). Past its limits the kernel is killed and the
cell ends ``dead`` with the reason: one submission cannot take the machine from the
others.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from queue import Empty
from typing import Any, Collection, Literal, Sequence

import nbformat
import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.connect import channel_socket_types
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from traitlets import Integer

from ._procs import process_table
from ._sandbox import Sandbox, private_env

__all__ = ["Outcome", "KernelSession", "execute"]

NANNY = str(Path(__file__).with_name("_nanny.py"))
_QUIET = logging.getLogger("dlcourse.grader.kernel")
_QUIET.setLevel(logging.CRITICAL + 1)
_QUIET.propagate = False

Status = Literal["ok", "error", "timeout", "dead", "budget", "not_run"]

MAX_MESSAGE_BYTES = 32 * 2**20  # the largest message read from a kernel
QUEUED_MESSAGES = 32  # how many messages of a kernel may wait to be read
WATCH_INTERVAL = 0.25  # seconds between two looks of the watchdog
MAX_PROCESSES = 256  # processes of one kernel, the kernel included
MAX_THREADS = 4096  # threads of all of them together
MAX_FOLDER_BYTES = 256 * 2**20  # what kernel/ and results/ may hold together
MAX_FOLDER_ENTRIES = 10_000


@dataclass
class Outcome:
    """How one cell ended: ``ok``, ``error`` (it raised), ``timeout``, ``dead`` (the kernel
    died), ``budget`` (the notebook's time ran out first) or ``not_run``."""

    status: Status
    detail: str = ""
    restarted: bool = False  # the kernel was gone after this cell: the rest ran in a new one


class _CappedKernelClient(AsyncKernelClient):
    """A kernel client whose sockets refuse oversized messages and queue only a few."""

    def _create_connected_socket(self, channel: str, identity: bytes | None = None) -> Any:
        """As jupyter_client makes it, with the limits set before it connects."""
        sock = self.context.socket(channel_socket_types[channel])
        sock.linger = 1000
        sock.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
        sock.rcvhwm = QUEUED_MESSAGES
        if identity:
            sock.identity = identity
        if getattr(self, "curve_publickey", None) is not None:
            sock.curve_secretkey = self.curve_secretkey
            sock.curve_publickey = self.curve_publickey
            sock.curve_serverkey = self.curve_publickey
        sock.connect(self._make_url(channel))
        return sock


class Watchdog:
    """Limits on one kernel that no rlimit sets: its processes' memory and number, and the
    bytes and entries it writes into ``folders`` (which lie outside the sandbox's tmpfs).

    Memory is the proportional set size (PSS) of the kernel's process tree, so shared
    mappings and forked children count, at most ``memory_limit`` bytes (0: no limit).
    :meth:`excess` says what is over; :meth:`kill` ends the whole tree.
    """

    def __init__(self, pid: int, folders: Sequence[Path], memory_limit: int) -> None:
        self.pid, self.folders, self.memory_limit = pid, list(folders), memory_limit

    def _tree(self) -> dict[int, int]:
        """``{pid: threads}`` of the kernel's process and all its descendants (Linux)."""
        parents: dict[int, list[tuple[int, int]]] = {}
        for pid, (parent, threads) in process_table().items():
            parents.setdefault(parent, []).append((pid, threads))
        tree, todo = {self.pid: 1}, [self.pid]
        while todo and len(tree) <= MAX_PROCESSES:
            for child, threads in parents.get(todo.pop(), []):
                if child not in tree:
                    tree[child] = threads
                    todo.append(child)
        return tree

    @staticmethod
    def _pss(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
                for line in fh:
                    if line.startswith(b"Pss:"):
                        return int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            pass
        return 0

    def _folder_usage(self) -> tuple[int, int]:
        used, entries = 0, 0
        todo = list(self.folders)
        while todo and entries <= MAX_FOLDER_ENTRIES and used <= MAX_FOLDER_BYTES:
            try:
                with os.scandir(todo.pop()) as it:
                    for entry in it:
                        entries += 1
                        info = entry.stat(follow_symlinks=False)
                        used += info.st_blocks * 512
                        if entry.is_dir(follow_symlinks=False):
                            todo.append(entry.path)
            except OSError:
                continue
        return used, entries

    def excess(self) -> str:
        """Why the kernel must be stopped now, or ""."""
        used, entries = self._folder_usage()
        if used > MAX_FOLDER_BYTES or entries > MAX_FOLDER_ENTRIES:
            return (f"the kernel was stopped: it wrote more than {MAX_FOLDER_BYTES // 2**20} MiB "
                    f"or {MAX_FOLDER_ENTRIES} files into the grader's folders")
        tree = self._tree()
        if len(tree) > MAX_PROCESSES or sum(tree.values()) > MAX_THREADS:
            return (f"the kernel was stopped: it started more than {MAX_PROCESSES} processes "
                    f"or {MAX_THREADS} threads")
        if self.memory_limit > 0:
            memory = sum(self._pss(pid) for pid in tree)
            if memory > self.memory_limit:
                return (f"the kernel was stopped: its processes used more than "
                        f"{self.memory_limit // 2**20} MiB of memory together")
        return ""

    def kill(self) -> None:
        for pid in [*self._tree()][::-1]:  # the sandbox's first process last
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


class _KernelManager(AsyncKernelManager):
    """A kernel manager that starts each kernel under ``_nanny.py`` with a memory cap, inside
    the run's sandbox, talking over Unix sockets in the notebook's scratch folder."""

    memory_bytes = Integer(0)

    def __init__(self, *, sandbox: Sandbox, scratch: Path, kernel_env: dict[str, str],
                 **kw: Any) -> None:
        kernel_dir = scratch / "kernel"
        super().__init__(transport="ipc", ip=str(kernel_dir / "zmq"),
                         connection_file=str(kernel_dir / "connection.json"), **kw)
        self.sandbox, self.scratch, self.sandbox_env = sandbox, scratch, kernel_env
        # a SIGINT to the sandbox's process group would end bwrap itself: interrupt by message
        self.kernel_spec.interrupt_mode = "message"
        self.client_factory = _CappedKernelClient

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        cmd = super().format_kernel_cmd(extra_arguments)
        nannied = [sys.executable, "-I", "-S", NANNY, str(self.memory_bytes), *cmd]
        return self.sandbox.wrap(nannied, self.scratch, self.sandbox_env)


class _Client(NotebookClient):
    """nbclient's client with each cell's stored output capped at ``max_output_bytes``."""

    def __init__(self, nb: Any, max_output_bytes: int, **kw: Any) -> None:
        super().__init__(nb, **kw)
        self.max_output_bytes = max_output_bytes
        self.output_bytes: dict[int, int] = {}
        self.error: str = ""
        self.on_cell_error = self._record_error

    def _record_error(self, cell: Any, cell_index: int, execute_reply: dict[str, Any]) -> None:
        content = execute_reply.get("content", {})
        self.error = f"{content.get('ename', 'Error')}: {content.get('evalue', '')}"[:2000]

    def output(self, outs: list[Any], msg: dict[str, Any], display_id: str | None,
               cell_index: int) -> Any:
        content = msg.get("content", {})
        size = len(str(content.get("text", "")))
        size += sum(len(str(v)) for v in content.get("data", {}).values())
        used = self.output_bytes.get(cell_index, 0)
        self.output_bytes[cell_index] = used + size
        if used + size <= self.max_output_bytes:
            return super().output(outs, msg, display_id, cell_index)
        if used <= self.max_output_bytes:
            note = "[output truncated by the grader]\n"
            outs.append(nbformat.v4.new_output("stream", name="stderr", text=note))
        return None

    def handle_comm_msg(self, outs: list[Any], msg: dict[str, Any], cell_index: int) -> None:
        return None  # widgets are not graded


class KernelSession:
    """One kernel (restartable) executing the cells of ``nb`` by index."""

    def __init__(
        self,
        nb: Any,
        *,
        kernel_name: str,
        timeout: float,
        memory_bytes: int,
        max_output_bytes: int,
        scratch: Path,
        env: dict[str, str],
        sandbox: Sandbox,
        grace: float = 2.0,
        results: Collection[str] = (),
    ) -> None:
        self.client = _Client(
            nb, max_output_bytes, timeout=timeout, allow_errors=True, kernel_name=kernel_name,
            log=_QUIET, record_timing=False,
        )
        self.kernel_name, self.timeout, self.grace = kernel_name, timeout, grace
        self.memory_bytes, self.scratch, self.env, self.sandbox = memory_bytes, scratch, env, sandbox
        self.km: _KernelManager | None = None
        self.restarts = 0
        self.results = set(results)  # the names in results/ that the grader will read
        self.watch: asyncio.Task[None] | None = None
        self.stopped_because = ""  # what the watchdog saw when it killed the kernel

    @property
    def alive(self) -> bool:
        return self.km is not None

    async def start(self) -> None:
        if self.restarts:  # nothing of the dead kernel's files reaches the next one
            for sub in ("cwd", "home", "kernel"):
                shutil.rmtree(self.scratch / sub, ignore_errors=True)
            _tidy(self.scratch / "results", self.results)
        for sub in ("cwd", "home", "kernel", "results"):
            (self.scratch / sub).mkdir(mode=0o700, exist_ok=True)
        self.restarts += 1
        km = _KernelManager(kernel_name=self.kernel_name, memory_bytes=self.memory_bytes,
                            log=_QUIET, sandbox=self.sandbox, scratch=self.scratch,
                            kernel_env=self.env)
        quiet = subprocess.DEVNULL  # the kernel's own log; its cells' output comes by messages
        # as nbclient does: no IPython history file, which students' code would fill and
        # concurrent kernels would fight over
        extra = ["--HistoryManager.hist_file=:memory:"] if km.ipykernel else []
        await km.start_kernel(extra_arguments=extra, cwd=str(self.scratch / "cwd"), env=self.env,
                              stdout=quiet, stderr=quiet)
        self.km = self.client.km = km
        self.stopped_because = ""
        pid = getattr(km.provisioner, "pid", None)
        if isinstance(pid, int):
            memory = 2 * self.memory_bytes + 2**29 if self.memory_bytes > 0 else 0
            dog = Watchdog(pid, [self.scratch / "kernel", self.scratch / "results"], memory)
            self.watch = asyncio.ensure_future(self._guard(dog))
        try:
            await self.client.async_start_new_kernel_client()
        except BaseException:
            await self.stop()
            raise

    async def _guard(self, dog: Watchdog) -> None:
        """Kill the kernel as soon as the watchdog finds it over a limit."""
        while True:
            await asyncio.sleep(WATCH_INTERVAL)
            why = dog.excess()
            if why:
                self.stopped_because = why
                dog.kill()
                return

    async def stop(self) -> None:
        """Kill the kernel (and the nanny's whole process group) without waiting politely."""
        km, self.km = self.km, None
        if self.watch is not None:
            self.watch.cancel()
            self.watch = None
        if self.client.kc is not None:
            self.client.kc.stop_channels()
            self.client.kc = None
        if km is not None:
            try:
                await km.shutdown_kernel(now=True)
            except Exception:  # noqa: BLE001 - it may be gone already
                pass

    async def _exit_status(self) -> str:
        code = None
        if self.km is not None and self.km.provisioner is not None:
            try:
                code = await self.km.provisioner.poll()
            except Exception:  # noqa: BLE001
                code = None
        if code is None:
            return "the kernel died"
        if code < 0 or code > 128:
            sig = -code if code < 0 else code - 128
            try:
                name = signal.Signals(sig).name
            except ValueError:
                name = "an unknown signal"
            return f"the kernel was killed by signal {sig} ({name})"
        return f"the kernel exited with status {code}"

    async def _interrupt(self) -> bool:
        """Interrupt the running cell; True if the kernel answers again within the grace period."""
        assert self.km is not None and self.client.kc is not None
        kc = self.client.kc
        try:
            await self.km.interrupt_kernel()
            msg_id = kc.execute("", silent=True, store_history=False)
            deadline = time.monotonic() + self.grace
            while (left := deadline - time.monotonic()) > 0:
                try:
                    msg = await kc.shell_channel.get_msg(timeout=left)
                except Empty:
                    break
                if msg.get("parent_header", {}).get("msg_id") == msg_id:
                    return True
        except Exception:  # noqa: BLE001 - any trouble here means: kill it
            return False
        return False

    async def run(self, index: int) -> Outcome:
        """Execute cell ``index``; never raises for what the cell does."""
        cell = self.client.nb.cells[index]
        self.client.error = ""
        self.client.output_bytes[index] = 0
        try:
            await self.client.async_execute_cell(cell, index, store_history=False)
        except CellTimeoutError:
            if not await self._interrupt():
                await self.stop()
            return Outcome("timeout", f"it did not finish within {self.timeout:g} s")
        except (DeadKernelError, RuntimeError, OSError) as exc:
            if self.stopped_because:
                detail = self.stopped_because
            elif isinstance(exc, DeadKernelError):
                detail = await self._exit_status()
            else:
                detail = f"the kernel failed ({exc})"
            await self.stop()
            return Outcome("dead", detail)
        if self.client.error:
            return Outcome("error", self.client.error)
        return Outcome("ok")


def _tidy(folder: Path, keep: Collection[str]) -> None:
    """Remove from ``folder`` all but the regular files named in ``keep`` (the answers so far),
    so that what a dead kernel left there does not count against the next one."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.name in keep and entry.is_file(follow_symlinks=False):
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        except OSError:
            pass


async def execute(session: KernelSession, roles: Sequence[str], budget: float) -> list[Outcome]:
    """Run every cell in order; after a hang or crash, restart and replay without the bad cells.

    ``roles`` gives each cell's role ("collect" cells are not replayed: they only read).
    Cells that would start after ``budget`` seconds get the outcome ``budget``.
    """
    deadline = time.monotonic() + budget
    outcomes = [Outcome("not_run") for _ in roles]
    bad: set[int] = set()
    index = 0
    while index < len(roles):
        if time.monotonic() > deadline:
            for j in range(index, len(roles)):
                outcomes[j] = Outcome("budget", "the notebook's grading time ran out")
            break
        if not session.alive:
            try:
                await session.start()
            except Exception as exc:  # noqa: BLE001 - without a kernel, the rest cannot run
                if index == 0:
                    raise
                for j in range(index, len(roles)):
                    outcomes[j] = Outcome("dead", f"no new kernel could be started ({exc})")
                break
            replayed = await _replay(session, roles, index, bad, outcomes)
            if not replayed:
                continue
        outcome = await session.run(index)
        outcomes[index] = outcome
        if not session.alive:
            bad.add(index)
            outcome.restarted = index + 1 < len(roles)
        index += 1
    await session.stop()
    return outcomes


async def _replay(session: KernelSession, roles: Sequence[str], upto: int, bad: set[int],
                  outcomes: list[Outcome]) -> bool:
    """Re-run the cells before ``upto`` in a fresh kernel; False (that cell now bad) if one
    breaks it."""
    for j in range(upto):
        if j in bad or roles[j] == "collect":
            continue
        outcome = await session.run(j)
        if not session.alive:
            bad.add(j)
            outcome.restarted = True
            outcomes[j] = outcome
            return False
    return True


def kernel_env(threads: int, extra_path: str, home: str) -> dict[str, str]:
    """The kernel's environment: ours without secrets (:func:`._sandbox.private_env`), with
    a private ``home``, ``threads`` math threads and dlcourse importable."""
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, str(threads))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (extra_path, env.get("PYTHONPATH", "")) if p)
    env.setdefault("MPLBACKEND", "Agg")
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # the library's files stay as fingerprinted
    return private_env(env, home)
