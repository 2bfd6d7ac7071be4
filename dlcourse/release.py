"""Generate the student notebooks in ``exercises/`` from the solutions in ``solutions/``.

The solution notebook is the single source. In every code cell, each region

    # BEGIN SOLUTION
    # HINT: one or more hint lines, kept for the student
    ...the solution...
    # END SOLUTION

becomes the hint lines followed by ``raise NotImplementedError(...)``, at the region's
indentation. Outputs and execution counts are cleared; the nbgrader metadata of solution
and check cells is kept, so the exercises also work with nbgrader, and it gains what
``nbgrader generate_assignment`` would add: the ``checksum`` of every graded, solution or
locked cell (:func:`nbgrader_checksum`, nbgrader's own algorithm) and its ``cell_type``, so
that ``nbgrader validate`` reports a check cell that a student changed.

Every check cell is tagged ``raises-exception``: JupyterLab and Notebook then go on past a
failing check in "Run All", so that every check runs and each failure shows its message
(nbval, too, accepts an exception from a cell with that tag, and still compares outputs).

For instructors who run ``nbgrader generate_assignment`` on ``solutions/`` themselves,
:func:`nbgrader_preprocessors` adds :class:`KeepHints` before nbgrader's ``ClearSolutions``,
so that the ``# HINT:`` lines survive there too (see the instructor guide).

``python -m dlcourse release`` writes ``exercises/``; ``--check`` only reports which
exercise notebooks are stale (exit status 1), which is what the test suite runs.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

__all__ = [
    "release_notebook", "release", "stale", "ReleaseError", "nbgrader_checksum", "move_hints",
    "nbgrader_preprocessors", "RUN_ALL_TAG",
]

BEGIN = re.compile(r"^(?P<indent>\s*)# BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
HINT = re.compile(r"^\s*# HINT:")
STUB = 'raise NotImplementedError("your code here")'
RUN_ALL_TAG = "raises-exception"  # Lab/Notebook's "Run All" goes on past a failure here


class ReleaseError(ValueError):
    """A solution notebook that cannot be released (unbalanced markers, bad metadata)."""


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def strip_solutions(code: str, where: str = "cell") -> str:
    """Replace every BEGIN/END SOLUTION region of ``code`` by its hints and a stub."""
    out: list[str] = []
    region: list[str] | None = None
    indent = ""
    for number, line in enumerate(code.splitlines(), start=1):
        begin = BEGIN.match(line)
        if begin:
            if region is not None:
                raise ReleaseError(f"{where}, line {number}: BEGIN SOLUTION inside another region")
            region, indent = [], begin["indent"]
        elif END.match(line):
            if region is None:
                raise ReleaseError(f"{where}, line {number}: END SOLUTION without BEGIN SOLUTION")
            out.extend(indent + h.strip() for h in region if HINT.match(h))
            out.append(indent + STUB)
            region = None
        elif region is not None:
            region.append(line)
        else:
            out.append(line)
    if region is not None:
        raise ReleaseError(f"{where}: BEGIN SOLUTION is never closed by END SOLUTION")
    return "\n".join(out)


def move_hints(code: str, where: str = "cell") -> str:
    """``code`` with the ``# HINT:`` lines of each solution region moved just above it.

    What :class:`KeepHints` does for ``nbgrader generate_assignment``: nbgrader replaces a
    whole region by its own stub, so hints inside the region would be lost.
    """
    out: list[str] = []
    region: list[str] | None = None
    begin_line, indent = "", ""
    for number, line in enumerate(code.splitlines(), start=1):
        begin = BEGIN.match(line)
        if begin:
            if region is not None:
                raise ReleaseError(f"{where}, line {number}: BEGIN SOLUTION inside another region")
            region, begin_line, indent = [], line, begin["indent"]
        elif END.match(line):
            if region is None:
                raise ReleaseError(f"{where}, line {number}: END SOLUTION without BEGIN SOLUTION")
            out.extend(indent + h.strip() for h in region if HINT.match(h))
            out += [begin_line, *(r for r in region if not HINT.match(r)), line]
            region = None
        elif region is not None:
            region.append(line)
        else:
            out.append(line)
    if region is not None:
        raise ReleaseError(f"{where}: BEGIN SOLUTION is never closed by END SOLUTION")
    return "\n".join(out)


def _nbgrader_classes() -> dict[str, type]:
    """The two nbgrader preprocessors (built on first use: they need nbgrader)."""
    if _CLASSES:
        return _CLASSES
    from nbgrader.preprocessors import NbGraderPreprocessor as Preprocessor  # enabled by default

    class KeepHints(Preprocessor):  # type: ignore[misc]
        """Move each solution region's ``# HINT:`` lines above it, so that nbgrader's
        ``ClearSolutions`` (which replaces the whole region by its stub) keeps them."""

        def preprocess_cell(self, cell: Any, resources: Any, index: int) -> tuple[Any, Any]:
            if cell.cell_type == "code":
                cell.source = move_hints(cell.source, f"cell {index}")
            return cell, resources

    class TagChecks(Preprocessor):  # type: ignore[misc]
        """Tag every graded code cell ``raises-exception``, as ``dlcourse release`` does."""

        def preprocess_cell(self, cell: Any, resources: Any, index: int) -> tuple[Any, Any]:
            if cell.cell_type == "code" and _is_grade(cell.metadata.get("nbgrader", {})):
                _add_tag(cell.metadata, RUN_ALL_TAG)
            return cell, resources

    for cls in (KeepHints, TagChecks):
        cls.__qualname__ = cls.__name__
        _CLASSES[cls.__name__] = cls
    return _CLASSES


_CLASSES: dict[str, type] = {}


def __getattr__(name: str) -> Any:
    if name in ("KeepHints", "TagChecks"):
        return _nbgrader_classes()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def nbgrader_preprocessors() -> list[Any]:
    """nbgrader's ``GenerateAssignment.preprocessors`` with :class:`KeepHints` and
    :class:`TagChecks` first. In ``nbgrader_config.py``::

        from dlcourse.release import nbgrader_preprocessors
        c.GenerateAssignment.preprocessors = nbgrader_preprocessors()
    """
    from nbgrader.converters import GenerateAssignment

    classes = _nbgrader_classes()
    return [classes["KeepHints"], classes["TagChecks"],
            *GenerateAssignment.class_traits()["preprocessors"].default()]


def _is_grade(meta: dict[str, Any]) -> bool:
    return bool(meta.get("grade", False))


def _is_solution(meta: dict[str, Any]) -> bool:
    return bool(meta.get("solution", False))


def _is_locked(meta: dict[str, Any]) -> bool:
    """nbgrader's ``is_locked``: solution cells never are, grade cells always are."""
    if _is_solution(meta):
        return False
    return _is_grade(meta) or bool(meta.get("locked", False))


def nbgrader_checksum(cell: dict[str, Any]) -> str:
    """The checksum that nbgrader (``nbgrader.utils.compute_checksum``) stores for ``cell``.

    An MD5 of, in this order and UTF-8 encoded: the source, the cell type, ``str`` of
    whether it is a grade cell, a solution cell and a locked cell (``True``/``False``), the
    ``grade_id`` and, for a grade cell, ``str(float(points))``. Tags, outputs and any other
    metadata are not part of it.
    """
    meta = cell.get("metadata", {}).get("nbgrader", {})
    m = hashlib.md5()
    for part in (
        _source(cell), str(cell["cell_type"]),
        str(_is_grade(meta)), str(_is_solution(meta)), str(_is_locked(meta)), str(meta["grade_id"]),
    ):
        m.update(part.encode("utf-8"))
    if _is_grade(meta):
        m.update(str(float(meta["points"])).encode("utf-8"))
    return m.hexdigest()


def _add_tag(meta: dict[str, Any], tag: str) -> None:
    tags = [t for t in meta.get("tags", []) if t != tag]
    meta["tags"] = [*tags, tag]


def release_notebook(nb: dict[str, Any], name: str = "notebook") -> dict[str, Any]:
    """The exercise version of a solution notebook (a new dict; ``nb`` is not modified)."""
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ReleaseError(f"{name}: not a Jupyter notebook (no list of cells)")
    cells = []
    grade_ids: set[str] = set()
    for index, cell in enumerate(nb["cells"]):
        new = json.loads(json.dumps(cell))
        meta = new.get("metadata", {})
        new_meta = {k: v for k, v in meta.items() if k not in {"execution", "collapsed", "scrolled"}}
        new["metadata"] = new_meta
        grader = meta.get("nbgrader", {})
        where = f"{name}, cell {index}"
        if grader:
            gid = grader.get("grade_id")
            if not gid:
                raise ReleaseError(f"{where}: nbgrader metadata without a grade_id")
            if gid in grade_ids:
                raise ReleaseError(f"{where}: grade_id {gid!r} is used twice")
            grade_ids.add(gid)
            if grader.get("grade") and not (isinstance(grader.get("points"), (int, float)) and grader["points"] > 0):
                raise ReleaseError(f"{where}: graded cell {gid!r} needs positive points")
        if new.get("cell_type") == "code":
            code = _source(cell)
            stripped = strip_solutions(code, where)
            if grader.get("solution") and stripped == code:
                raise ReleaseError(f"{where}: solution cell {grader['grade_id']!r} has no BEGIN/END SOLUTION region")
            new["source"] = stripped
            new["outputs"] = []
            new["execution_count"] = None
        elif "# BEGIN SOLUTION" in _source(cell):
            raise ReleaseError(f"{where}: solution markers outside a code cell")
        if new.get("cell_type") == "code" and _is_grade(grader):
            _add_tag(new_meta, RUN_ALL_TAG)
        if _is_grade(grader) or _is_solution(grader) or _is_locked(grader):
            new_meta["nbgrader"] = {**new_meta["nbgrader"], "cell_type": new["cell_type"]}
            new_meta["nbgrader"]["checksum"] = nbgrader_checksum(new)
        cells.append(new)
    out = dict(nb)
    out["cells"] = cells
    return out


def _dumps(nb: dict[str, Any]) -> str:
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _load(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ReleaseError(f"{path}: not valid JSON ({exc})") from None


def _pairs(solutions: Path, exercises: Path) -> list[tuple[Path, Path]]:
    if not solutions.is_dir():
        raise ReleaseError(f"no solutions folder at {solutions}")
    return [(s, exercises / s.name) for s in sorted(solutions.glob("*.ipynb"))]


def release(solutions: Path = Path("solutions"), exercises: Path = Path("exercises")) -> list[Path]:
    """Write ``exercises/NAME.ipynb`` for every ``solutions/NAME.ipynb``; return those written."""
    exercises.mkdir(parents=True, exist_ok=True)
    written = []
    for src, dst in _pairs(solutions, exercises):
        text = _dumps(release_notebook(_load(src), src.name))
        if not dst.exists() or dst.read_text(encoding="utf-8") != text:
            dst.write_text(text, encoding="utf-8")
            written.append(dst)
    return written


def stale(solutions: Path = Path("solutions"), exercises: Path = Path("exercises")) -> list[str]:
    """Names of exercise notebooks that are missing, out of date, or have no solution."""
    problems = []
    for src, dst in _pairs(solutions, exercises):
        text = _dumps(release_notebook(_load(src), src.name))
        if not dst.exists():
            problems.append(f"{dst.name}: missing")
        elif dst.read_text(encoding="utf-8") != text:
            problems.append(f"{dst.name}: out of date")
    known = {s.name for s in solutions.glob("*.ipynb")}
    problems += [f"{e.name}: no solution notebook" for e in sorted(exercises.glob("*.ipynb")) if e.name not in known]
    return problems


def execute(paths: list[Path], timeout: int = 300) -> None:
    """Run solution notebooks top to bottom and store their outputs (nbclient, in place).

    Each notebook runs in its own folder, like nbval runs it. Timing metadata is not
    recorded, so re-executing an unchanged notebook leaves an unchanged file.
    """
    import nbclient
    import nbformat

    for path in paths:
        nb = nbformat.read(path, as_version=4)
        nbclient.NotebookClient(
            nb, timeout=timeout, kernel_name="python3", record_timing=False,
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
        nbformat.write(nb, path)
