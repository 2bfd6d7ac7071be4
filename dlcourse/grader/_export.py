"""Exports of a grading run for other systems: Gradescope's autograder ``results.json``.

``OUT/gradescope/<student>.json`` is written by every grading run (and by ``merge``), one
file per student, in the format of Gradescope's autograder specification
(https://gradescope-autograders.readthedocs.io/en/latest/specs/): a top-level ``score``
and ``output``, and one entry of ``tests`` per check with ``name``, ``number``, ``score``,
``max_score``, ``status`` (``"passed"`` or ``"failed"``) and ``output``: the verdict and the
message that ``feedback/<student>.md`` gives for that check.

``dlcourse grade gradescope`` is the autograder's side: inside Gradescope's container it
grades ``/autograder/submission`` against a key and writes
``/autograder/results/results.json`` (see the instructor guide for ``run_autograder``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._notebook import Row
from ._plan import GraderUsageError, KeyNotebook

__all__ = ["gradescope_results", "write_gradescope", "gradescope_main", "GRADESCOPE_DIR"]

GRADESCOPE_DIR = "gradescope"
STUDENT = "student"  # the student's id in a Gradescope run: one submission, one student


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def gradescope_results(student: str, rows: Sequence[Row],
                       key: Sequence[KeyNotebook]) -> dict[str, Any]:
    """One student's ``results.json`` (a dict): one test per check, in the key's order."""
    number = {(nb.name, c.grade_id): f"{i}.{j}"
              for i, nb in enumerate(key, start=1) for j, c in enumerate(nb.checks, start=1)}
    tests = []
    for r in rows:
        tests.append({
            "name": f"{r.notebook}: {r.check}",
            "number": number.get((r.notebook, r.check), ""),
            "score": float(r.points),
            "max_score": float(r.max_points),
            "status": "passed" if r.status == "passed" else "failed",
            "output": f"{r.status}, {_num(r.points)} of {_num(r.max_points)} points\n\n{r.message}",
        })
    lines = [f"{student}: {_num(sum(r.points for r in rows))} of "
             f"{_num(sum(nb.max_points for nb in key))} points"]
    for nb in key:
        mine = [r for r in rows if r.notebook == nb.name]
        if mine:
            lines.append(f"  {nb.name}: {_num(sum(r.points for r in mine))} of "
                         f"{_num(nb.max_points)}")
    return {"score": float(sum(r.points for r in rows)), "output": "\n".join(lines) + "\n",
            "tests": tests}


def write_gradescope(out: Path, by_student: dict[str, list[Row]], key: Sequence[KeyNotebook],
                     file_name: Any) -> None:
    """``out/gradescope/<file_name(student)>.json`` for every student (old ones removed)."""
    folder = out / GRADESCOPE_DIR
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.json"):
        old.unlink()
    for student, rows in by_student.items():
        text = json.dumps(gradescope_results(student, rows, key), indent=1, ensure_ascii=False)
        part = folder / f"{file_name(student)}.json.part"
        part.write_text(text + "\n", encoding="utf-8")
        part.replace(folder / f"{file_name(student)}.json")


# ------------------------------------------------------------------------------ the autograder
def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="dlcourse grade gradescope",
        description="Gradescope's run_autograder: grade one submission, write results.json.",
    )
    add = p.add_argument
    add("--submission", type=Path, default=Path("/autograder/submission"),
        help="the student's files (default: /autograder/submission); searched recursively")
    add("--results", type=Path, default=Path("/autograder/results/results.json"),
        help="where results.json goes (default: /autograder/results/results.json)")
    add("--key", type=Path, default=Path("/autograder/source/solutions"),
        help="the solution notebooks (default: /autograder/source/solutions)")
    add("--notebook", action="append", default=None, metavar="NAME",
        help="a key notebook of this assignment, e.g. 02_calculus.ipynb (repeatable; "
        "default: every notebook of the key)")
    add("--timeout", type=float, default=120.0, help="time limit per cell, seconds (default: 120)")
    add("--memory", type=int, default=4096, help="memory limit of the kernel in MiB, 0: none")
    add("--sandbox", choices=("auto", "bwrap", "none"), default="auto",
        help="isolate the kernel with bubblewrap: auto (when it works), bwrap, none")
    add("--out", type=Path, default=None,
        help="also keep the grader's full output (grades.csv, feedback, ...) here")
    return p


def _find(submission: Path, names: Sequence[str]) -> tuple[dict[str, Path], list[str]]:
    """Each key notebook's file in the submission (by name, anywhere in it), and notes.

    A lone notebook under another name (``02_calculus (1).ipynb``, as browsers rename
    downloads) stands for a lone key notebook.
    """
    found: dict[str, Path] = {}
    everything = sorted(p for p in submission.rglob("*.ipynb")
                        if ".ipynb_checkpoints" not in p.parts and "__MACOSX" not in p.parts)
    for name in names:
        matches = [p for p in everything if p.name == name]
        if matches:
            found[name] = min(matches, key=lambda p: (len(p.parts), str(p)))
    notes = []
    unused = [p for p in everything if p.name not in names]
    if len(names) == 1 and not found and len(unused) == 1:
        found[names[0]] = unused[0]
        notes.append(f"graded {unused[0].relative_to(submission)} as {names[0]}")
    return found, notes


def _take(submission: Path, path: Path, to: Path) -> None:
    """Copy one submitted notebook to ``to`` for grading, unless it is not the student's own
    regular file: a symbolic link, a file reached through a linked folder (a submitted
    repository's ``work -> /autograder/source`` would otherwise hand in the key), a FIFO.
    Those stay links, which the grader refuses (the check is ``error``)."""
    inside = os.path.join(os.path.realpath(submission), os.path.relpath(path, submission))
    if path.is_symlink() or os.path.realpath(path) != inside or not path.is_file():
        os.symlink(os.path.abspath(path), to)
    else:
        shutil.copyfile(path, to)


def gradescope_main(argv: Sequence[str]) -> int:
    """``dlcourse grade gradescope``: 0 when results.json was written, 2 when misused."""
    from .command import grade  # here: command imports this module's package siblings

    args = _parser().parse_args(list(argv))
    try:
        if not args.submission.is_dir():
            raise GraderUsageError(f"no submission folder at {args.submission}")
        if not args.key.is_dir():
            raise GraderUsageError(f"no key folder at {args.key}")
        names = args.notebook or sorted(p.name for p in args.key.glob("*.ipynb"))
        for name in names:
            if not (args.key / name).is_file():
                raise GraderUsageError(f"--notebook {name}: not in the key {args.key}")
        with tempfile.TemporaryDirectory(prefix="dlcourse-gradescope-") as tmp:
            work = Path(tmp)
            key, mine, out = work / "key", work / "submissions" / STUDENT, work / "out"
            key.mkdir()
            mine.mkdir(parents=True)
            for name in names:
                shutil.copyfile(args.key / name, key / name)
            found, notes = _find(args.submission, names)
            for name, path in found.items():
                _take(args.submission, path, mine / name)
            result = grade(work / "submissions", out, key=key, timeout=args.timeout,
                           memory_mb=args.memory, progress=False, sandbox=args.sandbox)
            mine_json = out / GRADESCOPE_DIR / f"{STUDENT}.json"
            data = json.loads(mine_json.read_text(encoding="utf-8"))
            if notes:
                data["output"] = "\n".join(notes) + "\n" + data["output"]
            args.results.parent.mkdir(parents=True, exist_ok=True)
            args.results.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n",
                                    encoding="utf-8")
            if args.out is not None:
                shutil.copytree(out, args.out, dirs_exist_ok=True)
    except GraderUsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(result.summary_line())
    print(data["output"], end="")
    return 0
