"""Grading a class: ``dlcourse grade SUBMISSIONS --out OUT`` and ``dlcourse grade merge``.

``SUBMISSIONS/<student>/<notebook>.ipynb`` are graded against the key (``solutions/``):
the key's check cells define the tests; each notebook runs in its own kernel, in a worker
process of its own, so nothing a submission does reaches another student's grade; and
the verdict on every check is reached in the grader's process (see ``_notebook.py``).

The pieces: ``_plan`` (key + submission → cells to run), ``_static`` (shortcuts and
tampering), ``_runner`` (a kernel with time limits, crash recovery, capped output),
``_nanny`` (the kernel's memory cap and parent), ``_collect`` (answers as plain data),
``_notebook`` (one notebook's rows), ``_worker`` (the worker process) and ``_report``
(CSV, summary, feedback, manifest). This module runs a class through them.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import secrets
import selectors
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Callable, Sequence

import dlcourse

from ._integrity import changed, fingerprint
from ._notebook import Row, Settings, notebook_budget, read_cells, rows_for
from ._plan import GraderUsageError, KeyNotebook, StudentCell, load_key
from ._report import count, read_grades, read_manifest, write_all
from ._sandbox import Sandbox, SandboxUnavailable, choose

__all__ = ["grade", "merge", "main", "GradeResult", "GraderUsageError"]

PACKAGE_ROOT = str(Path(dlcourse.__file__).resolve().parent.parent)


def _with_package(path: str) -> str:
    """A PYTHONPATH on which this dlcourse comes first (for workers and kernels)."""
    return os.pathsep.join(p for p in (PACKAGE_ROOT, path) if p)


@dataclass(frozen=True)
class GradeResult:
    """What a grading run produced: its rows (also written to ``out``) and how long it took."""

    rows: list[Row]
    seconds: float
    stopped: str = ""  # why grading stopped early (the library changed), or ""

    def summary_line(self) -> str:
        students = len({r.student for r in self.rows})
        return f"graded {students} students in {self.seconds:.0f} s: {count(self.rows)}"


# ------------------------------------------------------------------------------ workers
class _Worker:
    """A ``_worker`` process, restarted whenever it dies; grades one notebook per call."""

    def __init__(self, config: str, log: Path) -> None:
        self.config, self.log = config, log
        self.proc: subprocess.Popen[bytes] | None = None
        self.buffer = b""

    def _start(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = _with_package(env.get("PYTHONPATH", ""))
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # the library's files stay as fingerprinted
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "dlcourse.grader._worker"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env,
                start_new_session=True,  # a signal to its process group never reaches ours
            )
        self.buffer = b""
        self._send(self.config)
        if not isinstance(self._read(120.0), dict):
            raise RuntimeError("a grading worker did not start (see grader.log in the output)")

    def _send(self, text: str) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(text.encode() + b"\n")
        self.proc.stdin.flush()

    def _read(self, seconds: float) -> dict[str, Any] | str:
        """The next protocol line, or ``"eof"`` (the worker died), or ``"late"``."""
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + seconds
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in self.buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    return "late"
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    return "eof"
                self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return dict(json.loads(line))

    def grade(self, task: dict[str, Any], seconds: float) -> list[dict[str, Any]] | str:
        """The rows for one notebook, or why there are none (the worker died or hung)."""
        try:
            if self.proc is None or self.proc.poll() is not None:
                self._start()
            self._send(json.dumps(task))
            answer = self._read(seconds)
        except (OSError, ValueError, RuntimeError) as exc:
            self.close()
            return f"the grader's worker failed ({exc})"
        if isinstance(answer, dict):
            return list(answer["rows"])
        assert self.proc is not None
        try:
            code = self.proc.wait(timeout=5) if answer == "eof" else None
        except subprocess.TimeoutExpired:
            code = None
        self.close()
        if code is None:
            return f"grading this notebook took longer than {seconds:.0f} s, so it was stopped"
        how = f"by signal {-code}" if code < 0 else f"with status {code}"
        return f"the grader's worker process died while grading this notebook (ended {how})"

    def kill(self) -> None:
        """Stop the worker at once (its kernel follows it); safe from any thread."""
        proc = self.proc
        if proc is not None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def close(self) -> None:
        if self.proc is None:
            return
        self.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()
        self.proc = None


# ------------------------------------------------------------------------------ grading
def _students(submissions: Path, shard: tuple[int, int]) -> list[str]:
    names = []
    for p in sorted(submissions.iterdir()):
        if p.is_dir() and not p.name.startswith("."):
            names.append(p.name)
        elif not p.name.startswith("."):
            print(f"note: ignoring {p}: each student's notebooks go in a folder of their own",
                  file=sys.stderr)
    k, n = shard
    return names[k - 1 :: n]


def _missing(student: str, folder: Path, nb: KeyNotebook) -> str:
    others = sorted(p.name for p in folder.glob("*.ipynb")) if folder.is_dir() else []
    found = f" (it has: {', '.join(others)})" if others else ""
    return f"no submission: {nb.name} is not in {student}/{found}"


def _check_paths(submissions: Path, out: Path, key_dir: Path) -> None:
    if not submissions.is_dir():
        raise GraderUsageError(f"no submissions folder at {submissions}")
    out_r = out.resolve()
    for protected in (submissions.resolve(), key_dir.resolve()):
        if out_r == protected or protected in out_r.parents:
            raise GraderUsageError(f"--out {out} lies inside {protected}, where grading never "
                                   "writes")


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` → (K, N) with 1 ≤ K ≤ N."""
    try:
        k, n = (int(p) for p in text.split("/"))
    except ValueError:
        raise GraderUsageError(f"--shard takes K/N, like 2/5; got {text!r}") from None
    if not 1 <= k <= n:
        raise GraderUsageError(f"--shard {text}: K must be between 1 and N")
    return k, n


def grade(
    submissions: Path,
    out: Path,
    *,
    key: Path = Path("solutions"),
    jobs: int = 1,
    timeout: float = 120.0,
    shard: tuple[int, int] = (1, 1),
    memory_mb: int = 4096,
    seed: int | None = None,
    max_output_bytes: int = 1 << 20,
    progress: bool = True,
    on_row: Callable[[Row], None] | None = None,
    sandbox: str = "auto",
) -> GradeResult:
    """Grade every ``submissions/<student>/<notebook>.ipynb`` against ``key``; write ``out``.

    Raises :class:`GraderUsageError` for a bad path or option; otherwise every student and
    key notebook gets its rows, whatever the submissions do. ``seed`` fixes the random
    cases (default: drawn now, kept secret); ``on_row`` sees each row as it is decided.
    """
    started = time.monotonic()
    _check_options(jobs, timeout, memory_mb)
    _check_paths(submissions, out, key)
    notebooks = load_key(key)
    _check_kernels(notebooks)
    box = _choose_sandbox(sandbox)
    root = submissions.resolve()
    students = _students(root, shard)
    out.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        timeout=float(timeout), memory_bytes=memory_mb * 2**20, max_output_bytes=max_output_bytes,
        threads=max(1, (os.cpu_count() or 1) // jobs),
        seed=secrets.randbits(62) if seed is None else seed, sandbox=box.kind, bwrap=box.bwrap,
    )
    rows: list[Row] = []
    tasks: list[tuple[str, KeyNotebook, list[StudentCell]]] = []
    for student in students:  # every submission is read before any kernel runs
        for nb in notebooks:
            path = root / student / nb.name
            if not (path.exists() or path.is_symlink()):
                rows += rows_for(student, nb, "missing", _missing(student, root / student, nb))
            elif isinstance(cells := read_cells(path), str):
                rows += rows_for(student, nb, "error", cells)
            else:
                tasks.append((student, nb, cells))
    bar = _progress(len(students) * len(notebooks), progress)
    bar.update(len(students) * len(notebooks) - len(tasks))
    guard = _LibraryGuard()
    try:
        _run_tasks(tasks, settings, notebooks, out / "grader.log", jobs, rows, bar, on_row, guard)
    finally:
        bar.close()
    rows = [replace(r, sandbox=box.kind) for r in _in_order(rows, notebooks)]
    write_all(out, rows, notebooks, {"shard": f"{shard[0]}/{shard[1]}",
                                     "timeout": settings.timeout, "dlcourse": dlcourse.__version__,
                                     "sandbox": box.kind, "not_isolated_because": box.why_not})
    return GradeResult(rows, time.monotonic() - started, guard.stopped)


class _LibraryGuard:
    """Stops the run when the library changes on disk (see ``_integrity``)."""

    def __init__(self) -> None:
        self.start = fingerprint()
        self.stopped = ""
        self.lock = threading.Lock()

    def intact(self) -> list[str]:
        """What changed since the start ([] if nothing)."""
        return changed(self.start, fingerprint())

    def stop(self, why: str) -> None:
        with self.lock:
            self.stopped = self.stopped or why


def _choose_sandbox(mode: str) -> Sandbox:
    """The run's sandbox; falling back to none (``auto``) is said on standard error."""
    try:
        box = choose(mode)
    except ValueError as exc:
        raise GraderUsageError(str(exc)) from None
    except SandboxUnavailable as exc:
        raise GraderUsageError(f"--sandbox bwrap: {exc}") from None
    if mode == "auto" and not box.isolated:
        print(f"warning: kernels are NOT isolated: {box.why_not}. Every row of grades.csv says "
              "so (sandbox = none).", file=sys.stderr)
    return box


def _check_options(jobs: int, timeout: float, memory_mb: int) -> None:
    if os.name != "posix":
        raise GraderUsageError("dlcourse grade runs on Linux and macOS (it needs process groups)")
    if jobs < 1:
        raise GraderUsageError(f"--jobs must be at least 1, got {jobs}")
    if not 0 < timeout < float("inf"):
        raise GraderUsageError(f"--timeout must be positive, got {timeout}")
    if memory_mb < 0:
        raise GraderUsageError(f"--memory must be 0 (no limit) or positive, got {memory_mb}")


def _run_tasks(
    tasks: Sequence[tuple[str, KeyNotebook, list[StudentCell]]],
    settings: Settings,
    notebooks: Sequence[KeyNotebook],
    log: Path,
    jobs: int,
    rows: list[Row],
    bar: Any,
    on_row: Callable[[Row], None] | None,
    guard: _LibraryGuard,
) -> None:
    """Grade the notebooks of ``tasks`` on ``jobs`` workers, adding their rows to ``rows``.

    The library is compared with its fingerprint before and after each notebook: a notebook
    after which it changed is ``error`` and flagged, and nothing more is graded.
    """
    config = json.dumps({"settings": asdict(settings), "key": [nb.to_json() for nb in notebooks],
                         "package_root": PACKAGE_ROOT})
    everyone = [_Worker(config, log) for _ in range(min(jobs, max(1, len(tasks))))]
    idle: queue.Queue[_Worker] = queue.Queue()
    for w in everyone:
        idle.put(w)
    lock = threading.Lock()

    def run(task: tuple[str, KeyNotebook, list[StudentCell]]) -> None:
        student, nb, cells = task
        worker = idle.get()
        try:
            if guard.stopped or (before := guard.intact()):
                if not guard.stopped:
                    guard.stop(f"dlcourse's files changed before {student}/{nb.name} ran: "
                               f"{', '.join(before[:3])}")
                answer: list[dict[str, Any]] | str = (
                    f"not graded: {guard.stopped}. Grading stopped; restore the library "
                    "(reinstall dlcourse) and grade again")
            else:
                limit = notebook_budget(settings, nb) + 300  # and time to (re)start kernels
                job = {"student": student, "notebook": nb.name,
                       "cells": [[c.number, c.source, c.grade_id] for c in cells]}
                answer = worker.grade(job, limit)
                if after := guard.intact():
                    guard.stop(f"{student}/{nb.name} changed dlcourse's files "
                               f"({', '.join(after[:3])})")
                    answer = (f"Flagged for review, 0 points: while this notebook ran, the "
                              f"grader's library changed on disk ({', '.join(after[:3])}). "
                              "Grading stopped.")
        finally:
            idle.put(worker)
        if isinstance(answer, str):
            got = rows_for(student, nb, "error", answer)
        else:
            got = [Row(**r) for r in answer]
        with lock:
            rows.extend(got)
            bar.update(1)
            for r in got if on_row is not None else ():
                on_row(r)

    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            try:
                list(pool.map(run, tasks))
            except BaseException:  # Ctrl-C: stop the workers so that the pool ends now
                for w in everyone:
                    w.kill()
                raise
    finally:
        for w in everyone:
            w.close()


def _check_kernels(notebooks: Sequence[KeyNotebook]) -> None:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    for name in sorted({nb.kernel_name for nb in notebooks}):
        try:
            KernelSpecManager().get_kernel_spec(name)
        except NoSuchKernel:
            why = f"the key asks for the Jupyter kernel {name!r}, which is not installed"
            raise GraderUsageError(why) from None


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, show: bool) -> Any:
    if not show:
        return _NoBar()
    try:
        from tqdm import tqdm
    except ImportError:
        return _NoBar()
    return tqdm(total=total, unit="notebook", file=sys.stderr, dynamic_ncols=True)


# ------------------------------------------------------------------------------ merging
def merge(outs: Sequence[Path], out: Path) -> list[Row]:
    """Combine the outputs of several shards (same key, no student twice) into ``out``."""
    if not outs:
        raise GraderUsageError("merge needs at least one grading output folder")
    manifests = [read_manifest(o) for o in outs]
    key_json = manifests[0]["key"]
    for o, m in zip(outs[1:], manifests[1:]):
        if m["key"] != key_json:
            raise GraderUsageError(f"{o} was graded with a different key than {outs[0]}")
    rows: list[Row] = []
    owner: dict[str, Path] = {}
    for o in outs:
        for r in read_grades(o / "grades.csv"):
            if owner.setdefault(r.student, o) != o:
                raise GraderUsageError(f"student {r.student!r} was graded in both "
                                       f"{owner[r.student]} and {o}")
            rows.append(r)
    shards = {m.get("shard", "1/1") for m in manifests}
    sizes = {s.split("/")[1] for s in shards}
    if len(sizes) == 1 and len(shards) != int(next(iter(sizes))):
        print(f"warning: merged {len(shards)} of {next(iter(sizes))} shards", file=sys.stderr)
    key = [KeyNotebook.from_json(nb) for nb in key_json]
    rows = _in_order(rows, key)
    out.mkdir(parents=True, exist_ok=True)
    write_all(out, rows, key, {"shard": "1/1", "merged_from": sorted(shards),
                               "timeout": manifests[0].get("timeout"),
                               "dlcourse": dlcourse.__version__})
    return rows


def _in_order(rows: list[Row], key: Sequence[KeyNotebook]) -> list[Row]:
    """``rows`` by student, then in the key's order of notebooks and checks."""
    order = {(nb.name, c.grade_id): (i, j)
             for i, nb in enumerate(key) for j, c in enumerate(nb.checks)}
    unknown = [r for r in rows if (r.notebook, r.check) not in order]
    if unknown:
        raise GraderUsageError(f"a gradebook row names a check the key does not have: "
                               f"{unknown[0].notebook}, {unknown[0].check}")
    return sorted(rows, key=lambda r: (r.student, order[(r.notebook, r.check)]))


# ------------------------------------------------------------------------------ the command
def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="dlcourse grade",
        description="Grade SUBMISSIONS/<student>/<notebook>.ipynb against the key; "
        "`dlcourse grade merge OUT1 OUT2 ... --out OUT` combines shards; "
        "`dlcourse grade gradescope` is Gradescope's autograder (see its --help).",
    )
    add = p.add_argument
    add("submissions", type=Path, help="folder with one sub-folder per student")
    add("--out", type=Path, required=True, help="where grades.csv, summary.csv and feedback/ go")
    add("--key", type=Path, default=Path("solutions"), help="the key (default: solutions)")
    add("--jobs", type=int, default=1, help="notebooks graded at the same time (default: 1)")
    add("--timeout", type=float, default=120.0, help="time limit per cell, seconds (default: 120)")
    add("--shard", default="1/1", help="grade every N-th student, starting at the K-th (K/N)")
    add("--memory", type=int, default=4096, help="memory limit per kernel in MiB, 0: none (4096)")
    add("--seed", type=int, default=None, help="fix the random cases (default: fresh and secret)")
    add("--sandbox", choices=("auto", "bwrap", "none"), default="auto",
        help="isolate each kernel with bubblewrap: auto (when it works), bwrap (required), none")
    add("--quiet", action="store_true", help="no progress bar")
    return p


def _merge_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dlcourse grade merge",
                                description="Combine the outputs of grading shards.")
    p.add_argument("outs", type=Path, nargs="+", help="outputs of `dlcourse grade --shard K/N`")
    p.add_argument("--out", type=Path, required=True, help="where the combined output goes")
    return p


def main(argv: Sequence[str]) -> int:
    """``dlcourse grade …``: 0 when grading completed, 2 when the grader was misused."""
    argv = list(argv)
    if argv[:1] == ["gradescope"]:  # Gradescope's run_autograder: see _export.py
        from ._export import gradescope_main

        return gradescope_main(argv[1:])
    try:
        if argv[:1] == ["merge"]:
            margs = _merge_parser().parse_args(argv[1:])
            rows = merge(margs.outs, margs.out)
            print(f"merged {len(margs.outs)} outputs into {margs.out}: {count(rows)}")
            return 0
        args = _parser().parse_args(argv)
        result = grade(
            args.submissions, args.out, key=args.key, jobs=args.jobs, timeout=args.timeout,
            shard=parse_shard(args.shard), memory_mb=args.memory, seed=args.seed,
            progress=not args.quiet, sandbox=args.sandbox,
        )
    except GraderUsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: nothing was written", file=sys.stderr)
        return 130
    print(result.summary_line())
    if result.stopped:
        print(f"error: grading stopped early: {result.stopped}", file=sys.stderr)
        return 3
    return 0
