"""What the grader runs: the key's cells, with the student's solutions put in.

The key (``solutions/NN_topic.ipynb``) defines the test. The notebook the grader executes
is built from it, cell by cell:

* the key's ordinary code cells (imports, setup, demos) run as the key has them;
* each **solution** cell is replaced by the student's cell with the same ``grade_id``,
  followed by the student's own extra code cells that came after it in their notebook
  (extra cells before their first solution run after the key's setup);
* each **check** cell is replaced by a *collection cell* (see ``_collect.py``): the
  check's verdict is reached in the grader, never by code in the kernel. A student cell
  that carries a check cell's ``grade_id`` is dropped, whatever it now says.

So edited, deleted or re-tagged check cells change nothing; a student cell that repeats a
key cell word for word (the setup, a check cell) is dropped; and the student's metadata —
tags, nbgrader fields, nbval markers, kernelspec — is never read except for ``grade_id``.
"""

from __future__ import annotations

import ast
import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "GraderUsageError", "SubmissionError", "KeyCheck", "KeyCell", "KeyNotebook",
    "StudentCell", "PlanCell", "load_key", "load_key_notebook", "read_submission", "build_plan",
    "bound_names",
]

MAX_NOTEBOOK_BYTES = 32 * 2**20
MAX_CODE_CELLS = 2000  # more is no notebook a student wrote, only time the grader would lose


class GraderUsageError(ValueError):
    """The grader was misused: a bad path, option or key (exit status 2)."""


class SubmissionError(ValueError):
    """A submitted file that is not a usable notebook."""


@dataclass(frozen=True)
class KeyCheck:
    """A graded check cell of the key: its ``grade_id``, the check it calls, its points."""

    grade_id: str
    check_id: str
    function: str
    points: float


@dataclass(frozen=True)
class KeyCell:
    """A code cell of the key: ``"code"`` (kept), ``"solution"`` or ``"check"``."""

    kind: Literal["code", "solution", "check"]
    source: str
    number: int
    grade_id: str | None = None
    check: KeyCheck | None = None


@dataclass(frozen=True)
class KeyNotebook:
    """One notebook of the key, reduced to what grading needs."""

    name: str
    kernel_name: str
    cells: tuple[KeyCell, ...]

    @property
    def checks(self) -> list[KeyCheck]:
        return [c.check for c in self.cells if c.check is not None]

    @property
    def max_points(self) -> float:
        return float(sum(c.points for c in self.checks))

    def outline(self) -> "KeyNotebook":
        """The notebook without any code: its checks only (what outputs may record)."""
        cells = tuple(KeyCell("check", "", c.number, c.grade_id, c.check)
                      for c in self.cells if c.check)
        return KeyNotebook(self.name, self.kernel_name, cells)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "KeyNotebook":
        cells = tuple(KeyCell(**{**c, "check": KeyCheck(**c["check"]) if c["check"] else None})
                      for c in data["cells"])
        return cls(data["name"], data["kernel_name"], cells)


@dataclass(frozen=True)
class StudentCell:
    """A code cell of a submission; ``number`` counts all its cells from 1, as a reader would."""

    number: int
    source: str
    grade_id: str | None


@dataclass(frozen=True)
class PlanCell:
    """A cell to execute: the key's, the student's, or the collection cell of ``check``."""

    role: Literal["key", "student", "collect"]
    source: str
    where: str
    check: KeyCheck | None = None


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    if isinstance(src, list) and all(isinstance(s, str) for s in src):
        return "".join(src)
    if isinstance(src, str):
        return src
    raise SubmissionError("a cell's source is neither text nor a list of lines")


# A line that installs a package (``!pip install tqdm``, ``%pip install -q dlcourse``, common
# at the top of a notebook run on Colab or Binder) is not run when grading: the grading
# environment is the instructor's, and the sandbox has no network. It is kept as a comment
# rather than flagged, so that the student's notebook is graded like any other.
_INSTALL_LINE = re.compile(
    r"^(?P<indent>[ \t]*)[!%]\s*(?:(?:python3?\s+-m\s+)?pip3?|conda|mamba)\s+install\b[^\n]*$",
    re.MULTILINE)


def without_installs(source: str) -> str:
    """``source`` with each package-installing shell or magic line replaced by ``pass``."""
    return _INSTALL_LINE.sub(
        lambda m: f"{m['indent']}pass  # not run when grading: {m[0].strip()}", source)


def _nbgrader(cell: dict[str, Any]) -> dict[str, Any]:
    meta = cell.get("metadata")
    grader = meta.get("nbgrader") if isinstance(meta, dict) else None
    return grader if isinstance(grader, dict) else {}


def _is_check(func: ast.AST) -> bool:
    return (isinstance(func, ast.Attribute) and func.attr == "check") or (
        isinstance(func, ast.Name) and func.id == "check"
    )


def _check_call(source: str, where: str) -> tuple[str, str]:
    """(check id, function name) of the one ``checks.check("ID", name)`` call of a check cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise GraderUsageError(f"{where}: the check cell does not parse ({exc})") from None
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _is_check(n.func)]
    if len(calls) != 1 or len(calls[0].args) < 2:
        raise GraderUsageError(f'{where}: a check cell calls checks.check("ID", function) once')
    first, second = calls[0].args[:2]
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)
            and isinstance(second, ast.Name)):
        raise GraderUsageError(f'{where}: write the call as checks.check("ID", function_name)')
    return first.value, second.id


def load_key_notebook(path: Path) -> KeyNotebook:
    """One key notebook; :class:`GraderUsageError` when it cannot serve as a key."""
    from dlcourse import checks

    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        raw_cells = nb["cells"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise GraderUsageError(f"{path}: not a readable notebook ({exc})") from None
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name") or "python3"
    cells: list[KeyCell] = []
    seen: set[str] = set()
    for number, cell in enumerate(raw_cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        where = f"{path}, cell {number}"
        source, meta = _source(cell), _nbgrader(cell)
        gid = meta.get("grade_id")
        if gid is not None and (not isinstance(gid, str) or gid in seen):
            raise GraderUsageError(f"{where}: grade_id {gid!r} is missing, not text, or used twice")
        if meta.get("grade"):
            points = meta.get("points")
            if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
                raise GraderUsageError(f"{where}: graded cell {gid!r} needs positive points")
            check_id, function = _check_call(source, where)
            try:
                checks.get(check_id)
            except ValueError as exc:
                raise GraderUsageError(f"{where}: {exc}") from None
            check = KeyCheck(str(gid), check_id, function, float(points))
            cells.append(KeyCell("check", source, number, gid, check))
        elif meta.get("solution"):
            cells.append(KeyCell("solution", source, number, gid))
        else:
            cells.append(KeyCell("code", source, number))
        if gid:
            seen.add(gid)
    return KeyNotebook(path.name, str(kernel), tuple(cells))


def load_key(folder: Path) -> list[KeyNotebook]:
    """Every ``*.ipynb`` of the key folder that has graded check cells, by name."""
    if not folder.is_dir():
        raise GraderUsageError(f"no key folder at {folder}")
    notebooks = [load_key_notebook(p) for p in sorted(folder.glob("*.ipynb"))]
    notebooks = [nb for nb in notebooks if nb.checks]
    if not notebooks:
        raise GraderUsageError(f"{folder} holds no notebook with graded check cells")
    return notebooks


# ---------------------------------------------------------------------------- submissions
def read_submission(path: Path) -> list[StudentCell]:
    """The code cells of a submitted notebook; :class:`SubmissionError` if it is not one.

    ``path`` is absolute with its submissions folder resolved: a symbolic link below that
    folder (a student's folder or file pointing at the key, say) is refused.
    """
    absolute = os.path.abspath(path)
    if os.path.realpath(absolute) != absolute:
        raise SubmissionError(f"{path.name} is reached through a symbolic link: not accepted")
    if not path.is_file():
        raise SubmissionError(f"{path.name} is not a regular file")
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        raise SubmissionError(f"{path.name} is larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB")
    try:
        nb = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise SubmissionError(f"{path.name} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise SubmissionError(f"{path.name} is not valid JSON ({exc})") from None
    except RecursionError:
        raise SubmissionError(f"{path.name} is nested too deeply to read") from None
    if isinstance(nb, dict) and "worksheets" in nb and "cells" not in nb:
        nb = _from_v3(nb, path)
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise SubmissionError(f"{path.name} is not a Jupyter notebook (it has no list of cells)")
    cells = []
    for number, cell in enumerate(nb["cells"], start=1):
        if not isinstance(cell, dict):
            raise SubmissionError(f"{path.name}: cell {number} is not a cell")
        if cell.get("cell_type") != "code":
            continue
        gid = _nbgrader(cell).get("grade_id")
        cells.append(StudentCell(number, without_installs(_source(cell)), gid if isinstance(gid, str) else None))
        if len(cells) > MAX_CODE_CELLS:
            raise SubmissionError(f"{path.name} has more than {MAX_CODE_CELLS} code cells")
    return cells


def _from_v3(nb: dict[str, Any], path: Path) -> dict[str, Any]:
    import nbformat

    try:
        return dict(nbformat.convert(nbformat.from_dict(nb), 4))
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds on bad input
        why = f"{path.name}: an old notebook format that cannot be read ({exc})"
        raise SubmissionError(why) from None


# ---------------------------------------------------------------------------- the plan
def _normal(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def build_plan(key: KeyNotebook, student: list[StudentCell]) -> list[PlanCell]:
    """The cells to execute for one submission, in order (collection cells without code yet)."""
    solution_ids = {c.grade_id for c in key.cells if c.kind == "solution"}
    check_ids = {c.grade_id for c in key.cells if c.kind == "check"}
    key_sources = {_normal(c.source) for c in key.cells if c.kind != "solution"}
    solutions: dict[str, StudentCell] = {}
    extras: dict[str | None, list[StudentCell]] = {None: []}
    anchor: str | None = None
    for cell in student:
        if cell.grade_id in solution_ids and cell.grade_id not in solutions:
            solutions[cell.grade_id] = cell
            anchor = cell.grade_id
            extras.setdefault(anchor, [])
        elif cell.grade_id in check_ids:
            continue  # the key's check cell replaces it, whatever it now says
        elif _normal(cell.source) and _normal(cell.source) not in key_sources:
            extras.setdefault(anchor, []).append(cell)

    def mine(cell: StudentCell) -> PlanCell:
        return PlanCell("student", cell.source, f"cell {cell.number} of your notebook")

    plan: list[PlanCell] = []
    head_done = False
    for kc in key.cells:
        if kc.kind == "solution" and not head_done:
            plan += [mine(c) for c in extras[None]]
            head_done = True
        if kc.kind == "code":
            plan.append(PlanCell("key", kc.source, f"cell {kc.number} of the key"))
        elif kc.kind == "check":
            plan.append(PlanCell("collect", "", f"the check {kc.grade_id}", kc.check))
        elif kc.grade_id in solutions:
            plan.append(mine(solutions[kc.grade_id]))
            plan += [mine(c) for c in extras.get(kc.grade_id, [])]
    if not head_done:
        plan[:0] = [mine(c) for c in extras[None]]
    return plan


def bound_names(source: str) -> set[str]:
    """Names a cell binds at its top level (definitions, assignments, imports), if it parses."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    names: set[str] = set()
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"}
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        if not isinstance(node, ast.Lambda):
            todo.extend(ast.iter_child_nodes(node))
    return names
