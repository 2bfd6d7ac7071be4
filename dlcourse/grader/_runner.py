"""Executing one notebook's cells in a kernel that may loop, crash or flood its output.

Built on nbclient. Every cell has a time limit; at the limit the kernel is interrupted,
and if it has not answered within a grace period (a loop that swallows
``KeyboardInterrupt``), it is killed. A dead kernel — killed, ``os._exit``, out of memory —
is noticed by nbclient's liveness poll within about a second. After either, a fresh
kernel replays the cells run so far, without the ones that hung or crashed, and the
notebook goes on: later checks that do not need the bad cell are still graded.

Each cell's output is capped as it arrives, so a print loop cannot exhaust the worker's
memory; widget messages are ignored.
"""

from __future__ import annotations

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
from typing import Any, Literal, Sequence

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from traitlets import Integer

from ._sandbox import Sandbox, private_env

__all__ = ["Outcome", "KernelSession", "execute"]

NANNY = str(Path(__file__).with_name("_nanny.py"))
_QUIET = logging.getLogger("dlcourse.grader.kernel")
_QUIET.setLevel(logging.CRITICAL + 1)
_QUIET.propagate = False

Status = Literal["ok", "error", "timeout", "dead", "budget", "not_run"]


@dataclass
class Outcome:
    """How one cell ended: ``ok``, ``error`` (it raised), ``timeout``, ``dead`` (the kernel
    died), ``budget`` (the notebook's time ran out first) or ``not_run``."""

    status: Status
    detail: str = ""
    restarted: bool = False  # the kernel was gone after this cell: the rest ran in a new one


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
    ) -> None:
        self.client = _Client(
            nb, max_output_bytes, timeout=timeout, allow_errors=True, kernel_name=kernel_name,
            log=_QUIET, record_timing=False,
        )
        self.kernel_name, self.timeout, self.grace = kernel_name, timeout, grace
        self.memory_bytes, self.scratch, self.env, self.sandbox = memory_bytes, scratch, env, sandbox
        self.km: _KernelManager | None = None
        self.restarts = 0

    @property
    def alive(self) -> bool:
        return self.km is not None

    async def start(self) -> None:
        if self.restarts:  # nothing of the dead kernel's files reaches the next one
            for sub in ("cwd", "home", "kernel"):
                shutil.rmtree(self.scratch / sub, ignore_errors=True)
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
        try:
            await self.client.async_start_new_kernel_client()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Kill the kernel (and the nanny's whole process group) without waiting politely."""
        km, self.km = self.km, None
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
            if isinstance(exc, DeadKernelError):
                detail = await self._exit_status()
            else:
                detail = f"the kernel failed ({exc})"
            await self.stop()
            return Outcome("dead", detail)
        if self.client.error:
            return Outcome("error", self.client.error)
        return Outcome("ok")


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
