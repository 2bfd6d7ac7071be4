"""Grading a synthetic class: ``dlcourse grade`` against nbclient alone, and ``--jobs 2``.

The class: every exercise notebook of ``exercises/`` for each of ``--students`` students
(default 100), each solution cell filled in with the key's solution (four times in five)
or left as the stub, drawn from a seeded generator. Three timings:

* **nbclient alone**: each submitted notebook executed as it is, one kernel per notebook,
  one notebook at a time (``allow_errors``, so a failing check does not stop it) — what a
  naive grader does, with no protection and no gradebook. It runs first and last, and
  the mean is the reference, so that a machine whose load drifts favours neither side;
* ``grade(..., jobs=1)``: the whole grader, same work one notebook at a time; its
  overhead over nbclient alone (goal: at most 20 %);
* ``grade(..., jobs=2)``: its speed-up over ``jobs=1`` (goal: at least 1.7× on a machine
  with two free cores);
* ``grade(..., jobs=2, sandbox="none")``: the same without bubblewrap, so that the cost of
  the sandbox shows (goal: sandboxed at most 10 % slower). The default runs are sandboxed
  wherever bubblewrap works.

It also times the start of one kernel with and without the sandbox (``--starts`` of each,
interleaved), the sandbox's fixed cost per notebook and per restart.

Run: ``python bench/bench_grading.py [--students 100] [--timeout 300]``. Timings depend on
the machine; the ratios are what to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import nbformat
import numpy as np
from nbclient import NotebookClient

from dlcourse.grader._report import count
from dlcourse.grader._sandbox import choose
from dlcourse.grader.command import grade

ROOT = Path(__file__).resolve().parents[1]
CORRECT = 0.8


def make_class(key: Path, folder: Path, students: int, seed: int = 0) -> list[Path]:
    """Write ``folder/<student>/<notebook>.ipynb`` for the notebooks of ``key``; return them."""
    rng = np.random.default_rng(seed)
    keys = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(key.glob("*.ipynb"))}
    written = []
    for s in range(students):
        for name, key in keys.items():
            answers = {
                c["metadata"]["nbgrader"]["grade_id"]: c["source"]
                for c in key["cells"] if c["metadata"].get("nbgrader", {}).get("solution")
            }
            nb = json.loads((ROOT / "exercises" / name).read_text(encoding="utf-8"))
            for c in nb["cells"]:
                gid = c["metadata"].get("nbgrader", {}).get("grade_id")
                if gid in answers and rng.random() < CORRECT:
                    c["source"] = answers[gid]
            path = folder / f"student{s:03d}" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(nb), encoding="utf-8")
            written.append(path)
    return written


def nbclient_alone(paths: list[Path], timeout: int) -> float:
    """Seconds to execute every notebook with nbclient, one kernel each, in turn."""
    started = time.perf_counter()
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": str(path.parent)}},
                                shutdown_kernel="immediate")  # as the grader stops its kernels
        client.execute(stderr=subprocess.DEVNULL)  # the kernel's own log, as the grader does
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--timeout", type=int, default=300)
    parser.add_argument("--starts", type=int, default=10, help="kernel starts timed per mode")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        key, subs = Path(tmp) / "key", Path(tmp) / "submissions"
        shutil.copytree(ROOT / "solutions", key)  # a snapshot: the class and its key must agree
        paths = make_class(key, subs, args.students)
        n = len(paths)
        print(f"synthetic class: {args.students} students × {n // args.students} notebooks "
              f"= {n} notebooks; {os.cpu_count()} CPUs")
        first = nbclient_alone(paths, args.timeout)
        print(f"nbclient alone          {first:8.1f} s  {60 * n / first:6.1f} notebooks/min")
        times = {}
        box = choose("auto").kind
        for jobs, sandbox in ((1, box), (2, box), (2, "none")):
            result = grade(subs, Path(tmp) / f"out{jobs}{sandbox}", key=key, jobs=jobs,
                           timeout=args.timeout, progress=False, sandbox=sandbox)
            times[jobs, sandbox] = result.seconds
            print(f"dlcourse grade --jobs {jobs} --sandbox {sandbox:5} {result.seconds:8.1f} s  "
                  f"{60 * n / result.seconds:6.1f} notebooks/min  ({count(result.rows)})")
        again = nbclient_alone(paths, args.timeout)  # again, to average out a drifting load
        print(f"nbclient alone, again   {again:8.1f} s  {60 * n / again:6.1f} notebooks/min")
        base = (first + again) / 2
        print(f"overhead of the grader ({box}) over nbclient alone: "
              f"{times[1, box] / base - 1:+.1%} (goal ≤ +20%)")
        print(f"speed-up of --jobs 2 over --jobs 1: {times[1, box] / times[2, box]:.2f}× "
              "(goal ≥ 1.7×)")
        print(f"cost of the sandbox at --jobs 2: {times[2, box] / times[2, 'none'] - 1:+.1%} "
              "(goal ≤ +10%)")
    if choose("auto").isolated:
        starts = kernel_starts(args.starts)
        for kind, seconds in starts.items():
            print(f"one kernel start, sandbox {kind:5}: median {1000 * np.median(seconds):6.0f} ms")


def kernel_starts(n: int) -> dict[str, list[float]]:
    """Seconds to start a kernel and run one cell, with and without the sandbox, interleaved."""
    import asyncio

    from dlcourse.grader import _runner
    from dlcourse.grader._sandbox import Sandbox

    times: dict[str, list[float]] = {"bwrap": [], "none": []}
    box = choose("bwrap")
    for _ in range(n):
        for kind, sandbox in (("bwrap", box), ("none", Sandbox("none"))):
            with tempfile.TemporaryDirectory() as tmp:
                nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
                home = sandbox.home(Path(tmp))
                session = _runner.KernelSession(
                    nb, kernel_name="python3", timeout=60, memory_bytes=0,
                    max_output_bytes=1 << 20, scratch=Path(tmp), sandbox=sandbox,
                    env=_runner.kernel_env(1, "", home))
                started = time.perf_counter()
                outcomes = asyncio.run(_runner.execute(session, ["key"], 120))
                assert outcomes[0].status == "ok", outcomes
                times[kind].append(time.perf_counter() - started)
    return times


if __name__ == "__main__":
    main()
