"""Grading one submitted notebook: plan, read for shortcuts, execute, judge each check.

Runs in a worker process (``_worker.py``). The verdict on each check is reached here, in
the grader's process: the answers the kernel wrote are judged on the same cases,
regenerated from the same seed, the way :func:`dlcourse.checks.run` judges them (same
reference, comparison, hints and wording), so the message is exactly the one the
student's own check cell would print — but nothing the student's code did to the
kernel's copy of the checker can change it.
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

from dlcourse.checks import Check
from dlcourse.checks import get as get_check

from . import _collect, _runner, _sandbox, _static
from ._plan import KeyCheck, KeyNotebook, PlanCell, StudentCell, SubmissionError, bound_names
from ._plan import build_plan, read_submission

__all__ = [
    "Row", "Settings", "grade_notebook", "read_cells", "rows_for", "check_seed", "verdict",
    "notebook_budget",
]

Outcomes = Sequence[_runner.Outcome]

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
    sandbox: str = "bwrap"  # how the kernel was isolated: "bwrap", or "none" (not isolated)


@dataclass(frozen=True)
class Settings:
    """How to run a notebook (shared by every task of a grading run)."""

    timeout: float
    memory_bytes: int
    max_output_bytes: int
    threads: int
    seed: int
    grace: float = 2.0
    sandbox: str = "none"  # "bwrap" or "none": how kernels are isolated (see ``_sandbox``)
    bwrap: str = ""

    def make_sandbox(self) -> _sandbox.Sandbox:
        return _sandbox.Sandbox("bwrap", self.bwrap) if self.sandbox == "bwrap" else \
            _sandbox.Sandbox("none")


def check_seed(run_seed: int, student: str, notebook: str, grade_id: str) -> int:
    """The seed of one check's cases: secret like the run's seed, and the same again with it."""
    digest = hashlib.sha256(f"{run_seed}/{student}/{notebook}/{grade_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def notebook_budget(settings: Settings, key: KeyNotebook) -> float:
    """Seconds a notebook may take in all: twice the key's cells at the time limit, and some.

    Extra cells a student adds spend from the same budget; checks that it does not reach
    in time are ``timeout``.
    """
    return (settings.timeout + settings.grace) * (2 * len(key.cells) + 4)


def rows_for(student: str, key: KeyNotebook, status: str, message: str) -> list[Row]:
    """The same status and message for every check of a notebook (missing, unreadable…)."""
    return [Row(student, key.name, c.grade_id, 0.0, c.points, status, message)
            for c in key.checks]


def _collect_source(check: KeyCheck, seed: int, path: str) -> str:
    args = ", ".join(repr(a) for a in (check.check_id, check.function, seed, path))
    return f'__import__("dlcourse.grader._collect", fromlist=["collect"]).collect({args})'


@dataclass(frozen=True)
class _Judged:
    status: str
    message: str


def _blocker(name: str, plan: Sequence[PlanCell], outcomes: Outcomes, upto: int) -> int | None:
    """The cell before ``upto`` that should have defined ``name`` but hung, crashed or raised.

    A cell that hung or crashed wins over one that raised; among equals, the last one.
    """
    pattern = re.compile(rf"\b(def|class)\s+{re.escape(name)}\b|\b{re.escape(name)}\s*=")
    found = None
    for j in range(upto):
        if plan[j].role == "collect" or outcomes[j].status in ("ok", "not_run"):
            continue
        if name in bound_names(plan[j].source) or pattern.search(plan[j].source):
            if found is None or outcomes[found].status == "error" or outcomes[j].status != "error":
                found = j
    return found


def _undefined(name: str, plan: Sequence[PlanCell], outcomes: Outcomes,
               upto: int) -> _Judged | None:
    """Why ``name`` is not defined, when a cell that defines it did not run to its end."""
    j = _blocker(name, plan, outcomes, upto)
    if j is None:
        return None
    outcome, where = outcomes[j], plan[j].where
    if outcome.status == "timeout":
        return _Judged("timeout", f"{name} is not defined because {where} did not finish "
                                  "within the time limit")
    if outcome.status in ("dead", "budget"):
        return _Judged("error" if outcome.status == "dead" else "timeout",
                       f"{name} is not defined because {where} never finished: {outcome.detail}")
    return _Judged("failed", f"{name} is not defined: {where} raised {outcome.detail}")


def verdict(chk: Check, seed: int, answers: Sequence[Any]) -> tuple[bool, str]:
    """(passed, message): what :func:`dlcourse.checks.run` says of a function giving ``answers``.

    The same cases, reference, comparison and hints, applied in the grader's process to
    answers recorded in the kernel (values, :class:`~._collect.Opaque` or
    :class:`~._collect.Raised`). A test keeps this in step with ``run``.
    """
    cases = list(chk.cases(np.random.default_rng(seed)))
    n = len(cases)
    for number, (case, got) in enumerate(zip(cases, answers), start=1):
        if isinstance(got, _collect.Raised):
            if got.not_implemented:
                return False, (f"{chk.function} is not implemented yet: replace the "
                               "`raise NotImplementedError` line with your code.")
            return False, (f"{chk.function} raised {got.type_name}: {got.message}\n"
                           f"  on case {number} of {n}: {case.label}")
        expected = None if chk.reference is None else chk.apply(chk.reference, case)
        failure = chk.compare(got, expected)
        if failure is None:
            continue
        hints = [h for d in chk.diagnoses if (h := d(got, expected, case))]
        hint = failure.hint or (hints[0] if hints else chk.hint)
        message = (f"{chk.function} is wrong on case {number} of {n}: {case.label}\n"
                   f"  {failure.summary}")
        return False, message + (f"\n  Hint: {hint}" if hint else "")
    return True, f"{chk.function}: {'the case passes' if n == 1 else f'all {n} cases pass'}."


def _replay(check: KeyCheck, seed: int, record: dict[str, Any]) -> _Judged:
    """The verdict on the recorded answers, reached here."""
    chk = get_check(check.check_id)
    mark = f"[{check.check_id}]"
    if len(list(chk.cases(np.random.default_rng(seed)))) != record["n_cases"]:
        return _Judged("failed", f"✗ {mark} your notebook ran other cases than the grader drew "
                                 "(was dlcourse.checks changed?)")
    try:
        passed, text = verdict(chk, seed, record["answers"])
    except Exception as exc:  # noqa: BLE001 - a comparison or hint choking on an odd answer
        return _Judged("failed", f"✗ {mark} {check.function} returned something the check "
                                 f"cannot judge ({type(exc).__name__}: {exc})")
    return _Judged("passed" if passed else "failed", f"{'✓' if passed else '✗'} {mark} {text}")


def _judge(check: KeyCheck, seed: int, path: str, index: int, plan: Sequence[PlanCell],
           outcomes: Outcomes, timeout: float) -> _Judged:
    """The status and message of one check, from its collection cell's outcome and answers."""
    prefix, fn, outcome = f"✗ [{check.check_id}] ", check.function, outcomes[index]
    if outcome.status == "timeout":
        return _Judged("timeout", f"{prefix}{fn} did not finish within {timeout:g} s "
                                  "on the grader's cases.")
    if outcome.status == "dead":
        return _Judged("error", f"{prefix}{outcome.detail} while running {fn} "
                                "on the grader's cases.")
    if outcome.status in ("budget", "not_run"):
        return _Judged("timeout", f"{prefix}the time for grading this notebook ran out before "
                                  "this check.")
    if outcome.status == "error":
        return _Judged("error", f"{prefix}the grader could not run this check: {outcome.detail}")
    try:
        record = _collect.read_results(path, check.check_id, seed)
    except FileNotFoundError:
        return _Judged("error", f"{prefix}the grader received no answers from {fn}.")
    except (_collect.ResultError, OSError, ValueError) as exc:
        return _Judged("error", f"{prefix}the grader could not read the answers of {fn} ({exc}).")
    if record["status"] == "undefined":
        judged = _undefined(fn, plan, outcomes, index)
        if judged is not None:
            return _Judged(judged.status, prefix + judged.message + ".")
        return _Judged("failed", f"{prefix}{fn} is not defined: keep the cell that defines it, "
                                 "and make sure it runs.")
    if record["status"] == "not_callable":
        return _Judged("failed", f"{prefix}{check.check_id}: expected your function {fn}, "
                                 f"got {record['repr']}")
    if record["status"] == "too_large":
        return _Judged("failed", f"{prefix}the answers of {fn} are too large to grade.")
    last = record["answers"][-1] if record["answers"] else None
    if isinstance(last, _collect.Raised) and last.type_name == "NameError":
        missing = re.search(r"name '(\w+)' is not defined", last.message)
        blocked = _undefined(missing.group(1), plan, outcomes, index) if missing else None
        if blocked is not None and blocked.status != "failed":
            return _Judged(blocked.status, prefix + blocked.message + ".")
    judged = _replay(check, seed, record)
    if record.get("reference_used"):
        used = ", ".join(record["reference_used"])
        return _Judged("flagged", f"Flagged for review, 0 points: while the grader ran {fn}, "
                                  f"student code called {used}, dlcourse's reference "
                                  f"implementation of this exercise.\n"
                                  f"The check itself said: {judged.message}")
    return judged


def _faults(plan: Sequence[PlanCell], outcomes: Outcomes, index: int, timeout: float) -> str:
    """What happened to the kernel before the check at ``index``, in a student's words."""
    notes = []
    for j in range(index):
        outcome = outcomes[j]
        if not outcome.restarted:
            continue
        check = plan[j].check
        what = plan[j].where if check is None else f"{check.function} (on the grader's cases)"
        if outcome.status == "timeout":
            event = (f"{what} did not finish within {timeout:g} s and did not stop when "
                     "interrupted, so the grader restarted the kernel")
        else:
            event = f"the kernel died ({outcome.detail}) while {what} ran"
        notes.append(f"  Note: {event}. The cells after it were run again "
                     "in a fresh kernel, without that one: whatever it would have defined is "
                     "missing there.")
    return "\n".join(notes)


def _flag(judged: _Judged, findings: Sequence[_static.Finding]) -> _Judged:
    why = "; ".join(str(f) for f in findings[:3])
    if len(findings) > 3:
        why += f" (and {len(findings) - 3} more)"
    return _Judged("flagged", f"Flagged for review, 0 points: {why}.\n"
                              f"The check itself said: {judged.message}")


def read_cells(path: Path) -> list[StudentCell] | str:
    """The code cells of a submission, read by the grader before any kernel runs (so that no
    kernel can change what a classmate handed in), or why it cannot be graded."""
    try:
        return read_submission(path)
    except SubmissionError as exc:
        return f"the submission cannot be graded: {exc}"


async def grade_notebook(student: str, cells: list[StudentCell], key: KeyNotebook,
                         settings: Settings, package_root: str) -> list[Row]:
    """Grade one submission of one key notebook; every check of the key gets exactly one row.

    The kernel sees the submission's cells only, never its file; its first cell, the
    grader's, silences ``dlcourse.checks`` there and takes the working folder off
    ``sys.path`` (:func:`._collect.prelude`).
    """
    plan = [PlanCell("key", _collect.PRELUDE_SOURCE, "the grader's set-up"), *build_plan(key, cells)]
    findings = _static.analyze(
        [_static.Code(c.source, c.where if c.role == "student" else None)
         for c in plan if c.role != "collect"],
        {c.check_id: get_check(c.check_id) for c in key.checks},
    )
    seeds = {c.grade_id: check_seed(settings.seed, student, key.name, c.grade_id)
             for c in key.checks}
    workdir = Path(tempfile.mkdtemp(prefix="dlcourse-grade-"))
    try:
        (workdir / "results").mkdir(mode=0o700)
        sandbox = settings.make_sandbox()
        paths = {gid: str(workdir / "results" / f"{os.urandom(8).hex()}.json") for gid in seeds}
        nb = nbformat.v4.new_notebook()
        for cell in plan:
            gid = cell.check.grade_id if cell.check else ""
            source = cell.source
            if cell.check is not None:
                source = _collect_source(cell.check, seeds[gid], paths[gid])
            nb.cells.append(nbformat.v4.new_code_cell(source))
        session = _runner.KernelSession(
            nb, kernel_name=key.kernel_name, timeout=settings.timeout,
            memory_bytes=settings.memory_bytes, max_output_bytes=settings.max_output_bytes,
            scratch=workdir, sandbox=sandbox, grace=settings.grace,
            results=[os.path.basename(p) for p in paths.values()],
            env=_runner.kernel_env(settings.threads, package_root, sandbox.home(workdir)),
        )
        try:
            budget = notebook_budget(settings, key)
            outcomes = await _runner.execute(session, [c.role for c in plan], budget)
        except Exception as exc:  # noqa: BLE001 - no kernel could be started at all
            return rows_for(student, key, "error",
                            f"the grader could not start a kernel: {type(exc).__name__}: {exc}")
        rows = []
        for index, cell in enumerate(plan):
            if cell.check is None:
                continue
            chk = cell.check
            judged = _judge(chk, seeds[chk.grade_id], paths[chk.grade_id], index, plan, outcomes,
                            settings.timeout)
            if note := _faults(plan, outcomes, index, settings.timeout):
                judged = _Judged(judged.status, f"{judged.message}\n{note}")
            mine = [f for f in findings if f.check_id in (None, chk.check_id)]
            if mine:
                judged = _flag(judged, mine)
            points = chk.points if judged.status == "passed" else 0.0
            rows.append(Row(student, key.name, chk.grade_id, points, chk.points, judged.status,
                            judged.message))
        return rows
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
