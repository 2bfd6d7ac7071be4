"""Grading one submitted notebook: plan, read for shortcuts, execute, judge each check.

Runs in a worker process (``_worker.py``). The verdict on each check is reached here, in
the grader's process: the answers the kernel wrote are replayed through
:func:`dlcourse.grading.run` on the same cases regenerated from the same seed, so the
message is exactly the one the student's own check cell would print — but nothing the
student's code did to the kernel's copy of the checker can change it.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import nbformat
import numpy as np

from . import _collect, _runner, _static
from ._plan import KeyCheck, KeyNotebook, PlanCell, SubmissionError, bound_names, build_plan, read_submission

__all__ = ["Row", "Settings", "grade_notebook", "rows_for", "check_seed"]

STATUSES = ("passed", "failed", "error", "timeout", "missing", "flagged")


@dataclass(frozen=True)
class Row:
    """One line of the gradebook: a student's result on one check of one notebook."""

    student: str
    notebook: str
    check: str
    points: float
    max_points: float
    status: str
    message: str


@dataclass(frozen=True)
class Settings:
    """How to run a notebook (shared by every task of a grading run)."""

    timeout: float
    memory_bytes: int
    max_output_bytes: int
    threads: int
    seed: int
    grace: float = 3.0


def check_seed(run_seed: int, student: str, notebook: str, grade_id: str) -> int:
    """The seed of one check's cases: secret with the run's seed, the same for a re-run with it."""
    digest = hashlib.sha256(f"{run_seed}/{student}/{notebook}/{grade_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def rows_for(student: str, key: KeyNotebook, status: str, message: str) -> list[Row]:
    """The same status and message for every check of a notebook (missing, unreadable…)."""
    return [Row(student, key.name, c.grade_id, 0.0, c.points, status, message) for c in key.checks]


def _collect_source(check: KeyCheck, seed: int, path: str) -> str:
    args = ", ".join(repr(a) for a in (check.check_id, check.function, seed, path))
    return f'__import__("dlcourse.grading._collect", fromlist=["collect"]).collect({args})'


@dataclass(frozen=True)
class _Judged:
    status: str
    message: str


def _blocker(name: str, plan: Sequence[PlanCell], outcomes: Sequence[_runner.Outcome], upto: int) -> tuple[int, _runner.Outcome] | None:
    """The last cell before ``upto`` that should have defined ``name`` but hung, crashed or raised."""
    pattern = re.compile(rf"\b(def|class)\s+{re.escape(name)}\b|\b{re.escape(name)}\s*=")
    found = None
    for j in range(upto):
        cell, outcome = plan[j], outcomes[j]
        if cell.role == "collect" or outcome.status in ("ok", "not_run"):
            continue
        if name in bound_names(cell.source) or pattern.search(cell.source):
            if found is None or found[1].status == "error" or outcome.status != "error":
                found = (j, outcome)
    return found


def _undefined(check: KeyCheck, name: str, plan: Sequence[PlanCell], outcomes: Sequence[_runner.Outcome], upto: int) -> _Judged | None:
    hit = _blocker(name, plan, outcomes, upto)
    if hit is None:
        return None
    j, outcome = hit
    where = plan[j].where
    if outcome.status == "timeout":
        return _Judged("timeout", f"{name} is not defined because {where} did not finish within the time limit")
    if outcome.status in ("dead", "budget"):
        status = "error" if outcome.status == "dead" else "timeout"
        return _Judged(status, f"{name} is not defined because {where} never finished: {outcome.detail}")
    return _Judged("failed", f"{name} is not defined: {where} raised {outcome.detail}")


def _replay(check: KeyCheck, seed: int, record: dict[str, Any]) -> _Judged:
    """The verdict of :func:`grading.run` on the recorded answers, computed here."""
    from dlcourse import grading

    answers = iter(record["answers"])
    n_cases = len(list(grading.get(check.check_id).cases(np.random.default_rng(seed))))
    if n_cases != record["n_cases"]:
        return _Judged("failed", "your notebook ran a different set of cases than the grader drew "
                                 "(was dlcourse.grading changed?)")

    def recorded(*args: Any, **kwargs: Any) -> Any:
        answer = next(answers)
        if isinstance(answer, _collect.Raised):
            raise answer.exception()
        return answer

    try:
        verdict = grading.run(check.check_id, recorded, seed)
    except Exception as exc:  # noqa: BLE001 - a comparison or hint choking on an odd answer
        return _Judged("failed", f"{check.function} returned something the check cannot judge "
                                 f"({type(exc).__name__}: {exc})")
    mark = "✓" if verdict.passed else "✗"
    return _Judged("passed" if verdict.passed else "failed", f"{mark} [{check.check_id}] {verdict.message}")


def _judge(check: KeyCheck, seed: int, path: str, index: int, plan: Sequence[PlanCell], outcomes: Sequence[_runner.Outcome], timeout: float) -> _Judged:
    prefix = f"✗ [{check.check_id}] "
    outcome = outcomes[index]
    fn = check.function
    if outcome.status == "timeout":
        return _Judged("timeout", f"{prefix}{fn} did not finish within {timeout:g} s on the grader's cases.")
    if outcome.status == "dead":
        return _Judged("error", f"{prefix}{outcome.detail} while running {fn} on the grader's cases.")
    if outcome.status in ("budget", "not_run"):
        return _Judged("timeout", f"{prefix}the time for grading this notebook ran out before this check.")
    if outcome.status == "error":
        return _Judged("error", f"{prefix}the grader could not run this check: {outcome.detail}")
    try:
        record = _collect.read_results(path, check.check_id, seed)
    except FileNotFoundError:
        return _Judged("error", f"{prefix}the grader received no answers from {fn}.")
    except (_collect.ResultError, OSError, ValueError) as exc:
        return _Judged("error", f"{prefix}the grader could not read the answers of {fn} ({exc}).")
    if record["status"] == "undefined":
        judged = _undefined(check, fn, plan, outcomes, index)
        if judged is not None:
            return _Judged(judged.status, prefix + judged.message + ".")
        return _Judged("failed", f"{prefix}{fn} is not defined: keep the cell that defines it, and make sure it runs.")
    if record["status"] == "not_callable":
        return _Judged("failed", f"{prefix}{check.check_id}: expected your function {fn}, got {record['repr']}")
    if record["status"] == "too_large":
        return _Judged("failed", f"{prefix}the answers of {fn} are too large to grade.")
    judged = _replay(check, seed, record)
    last = record["answers"][-1] if record["answers"] else None
    if isinstance(last, _collect.Raised) and last.type_name == "NameError":
        missing = re.search(r"name '(\w+)' is not defined", last.message)
        blocked = _undefined(check, missing.group(1), plan, outcomes, index) if missing else None
        if blocked is not None and blocked.status != "failed":
            return _Judged(blocked.status, prefix + blocked.message + ".")
    return judged


async def grade_notebook(student: str, path: Path, key: KeyNotebook, settings: Settings, package_root: str) -> list[Row]:
    """Grade one submission of one key notebook; every check of the key gets exactly one row."""
    try:
        cells = read_submission(path)
    except SubmissionError as exc:
        return rows_for(student, key, "error", f"the submission cannot be graded: {exc}")
    plan = build_plan(key, cells)
    checks = {c.check_id: _grading_check(c.check_id) for c in key.checks}
    findings = _static.analyze(
        [_static.Code(c.source, c.where if c.role == "student" else None) for c in plan if c.role != "collect"],
        checks,
    )
    workdir = Path(tempfile.mkdtemp(prefix="dlcourse-grade-"))
    try:
        results, cwd = workdir / "results", workdir / "cwd"
        results.mkdir(mode=0o700)
        cwd.mkdir()
        seeds = {c.grade_id: check_seed(settings.seed, student, key.name, c.grade_id) for c in key.checks}
        paths = {gid: str(results / f"{os.urandom(8).hex()}.json") for gid in seeds}
        nb = nbformat.v4.new_notebook()
        for cell in plan:
            source = cell.source
            if cell.check is not None:
                source = _collect_source(cell.check, seeds[cell.check.grade_id], paths[cell.check.grade_id])
            nb.cells.append(nbformat.v4.new_code_cell(source))
        session = _runner.KernelSession(
            nb, kernel_name=key.kernel_name, timeout=settings.timeout, memory_bytes=settings.memory_bytes,
            max_output_bytes=settings.max_output_bytes, cwd=str(cwd),
            env=_runner.kernel_env(settings.threads, package_root), grace=settings.grace,
        )
        budget = (settings.timeout + settings.grace) * (len(plan) + 2) + 30
        try:
            outcomes = await _runner.execute(session, [c.role for c in plan], budget)
        except Exception as exc:  # noqa: BLE001 - no kernel could be started
            return rows_for(student, key, "error", f"the grader could not start a kernel: {type(exc).__name__}: {exc}")
        rows = []
        for index, cell in enumerate(plan):
            if cell.check is None:
                continue
            chk = cell.check
            judged = _judge(chk, seeds[chk.grade_id], paths[chk.grade_id], index, plan, outcomes, settings.timeout)
            mine = [f for f in findings if f.check_id in (None, chk.check_id)]
            if mine:
                why = "; ".join(str(f) for f in mine[:3]) + (f" (and {len(mine) - 3} more)" if len(mine) > 3 else "")
                judged = _Judged("flagged", f"Flagged for review, 0 points: {why}.\nThe check itself said: {judged.message}")
            points = chk.points if judged.status == "passed" else 0.0
            rows.append(Row(student, key.name, chk.grade_id, points, chk.points, judged.status, judged.message))
        return rows
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _grading_check(check_id: str) -> Any:
    from dlcourse import grading

    return grading.get(check_id)
