"""The nbgrader round trip, with nbgrader itself: the released exercises carry nbgrader's
checksums, so that `nbgrader validate` catches a tampered check cell, and
`nbgrader generate_assignment` on the solutions (with dlcourse's preprocessors) keeps the
hints and gives the same check cells as `dlcourse release`.

Two notebooks are executed (by `nbgrader validate`), both of the smallest exercise.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

nbgrader_utils = pytest.importorskip("nbgrader.utils")

from dlcourse.release import RUN_ALL_TAG, move_hints, nbgrader_checksum  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
NB = "02_calculus.ipynb"
NBGRADER = [sys.executable, "-m", "nbgrader"]


def _graded_or_solution(nb):
    u = nbgrader_utils
    return [c for c in nb.cells if u.is_grade(c) or u.is_solution(c) or u.is_locked(c)]


def _nbgrader(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ,
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([*NBGRADER, *args], check=False, cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_every_exercise_cell_carries_nbgraders_own_checksum(path):
    nb = nbformat.read(path, as_version=4)
    cells = _graded_or_solution(nb)
    assert any(nbgrader_utils.is_grade(c) for c in cells)
    for cell in cells:
        meta = cell.metadata.nbgrader
        assert meta["checksum"] == nbgrader_utils.compute_checksum(cell), meta["grade_id"]
        assert meta["cell_type"] == cell.cell_type


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_check_cells_let_run_all_go_on_and_only_they_do(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        tagged = RUN_ALL_TAG in cell.metadata.get("tags", [])
        assert tagged == bool(cell.cell_type == "code" and nbgrader_utils.is_grade(cell))
    solution = nbformat.read(ROOT / "solutions" / path.name, as_version=4)
    assert not any(RUN_ALL_TAG in c.metadata.get("tags", []) for c in solution.cells)


@pytest.mark.parametrize("meta, source", [
    ({"grade": True, "solution": False, "locked": True, "grade_id": "g", "points": 2}, "check(f)"),
    ({"grade": True, "solution": False, "locked": False, "grade_id": "g", "points": 1.5}, "x"),
    ({"grade": False, "solution": True, "locked": False, "grade_id": "s"}, "def f():\n    pass"),
    ({"grade": True, "solution": True, "locked": True, "grade_id": "gs", "points": 3}, "é ∂"),
    ({"grade": False, "solution": False, "locked": True, "grade_id": "ro"}, "readonly = 1"),
])
def test_checksum_is_nbgraders_for_every_kind_of_cell(meta, source):
    for cell_type in ("code", "markdown"):
        new = nbformat.v4.new_code_cell if cell_type == "code" else nbformat.v4.new_markdown_cell
        cell = new(source)
        cell.metadata["nbgrader"] = dict(meta)
        cell.metadata["tags"] = ["raises-exception"]  # tags are not part of it
        assert nbgrader_checksum(cell) == nbgrader_utils.compute_checksum(cell)


def test_checksum_changes_with_source_points_and_id():
    cell = nbformat.v4.new_code_cell('checks.check("02.derivative", f)')
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": "c",
                                 "points": 1}
    first = nbgrader_checksum(cell)
    for key, value in (("points", 2), ("grade_id", "d")):
        other = nbformat.from_dict(json.loads(json.dumps(cell)))
        other.metadata["nbgrader"][key] = value
        assert nbgrader_checksum(other) != first
    other = nbformat.from_dict(json.loads(json.dumps(cell)))
    other.source = "pass"
    assert nbgrader_checksum(other) != first


def test_move_hints_puts_them_above_the_region():
    code = ("def f(x):\n    # BEGIN SOLUTION\n    # HINT: square it\n    return x * x\n"
            "    # END SOLUTION")
    assert move_hints(code) == (
        "def f(x):\n    # HINT: square it\n    # BEGIN SOLUTION\n    return x * x\n"
        "    # END SOLUTION"
    )


def _exercise_copy(tmp_path: Path, name: str, change) -> Path:
    nb = json.loads((ROOT / "exercises" / NB).read_text(encoding="utf-8"))
    solution = json.loads((ROOT / "solutions" / NB).read_text(encoding="utf-8"))
    answers = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"])
               for c in solution["cells"] if c["metadata"].get("nbgrader", {}).get("solution")}
    for cell in nb["cells"]:
        change(cell, cell["metadata"].get("nbgrader", {}), answers)
    path = tmp_path / name
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def _fill(cell, meta, answers):
    if meta.get("solution"):
        cell["source"] = answers[meta["grade_id"]]


def _fill_and_gut_checks(cell, meta, answers):
    _fill(cell, meta, answers)
    if meta.get("grade"):
        cell["source"] = "pass"


def test_nbgrader_validate_passes_a_solved_exercise(tmp_path):
    path = _exercise_copy(tmp_path, NB, _fill)
    done = _nbgrader("validate", path.name, cwd=tmp_path)
    assert "Success! Your notebook passes all the tests." in done.stdout, done.stdout + done.stderr


def test_nbgrader_validate_catches_every_check_replaced_by_pass(tmp_path):
    path = _exercise_copy(tmp_path, NB, _fill_and_gut_checks)
    n_checks = sum(1 for c in json.loads(path.read_text())["cells"]
                   if c["metadata"].get("nbgrader", {}).get("grade"))
    done = _nbgrader("validate", path.name, cwd=tmp_path)
    assert f"THE CONTENTS OF {n_checks} TEST CELL(S) HAVE CHANGED" in done.stdout, done.stdout
    assert "Success!" not in done.stdout


def test_generate_assignment_keeps_hints_and_gives_the_released_check_cells(tmp_path):
    course = tmp_path / "course"
    (course / "source" / "ps1").mkdir(parents=True)
    shutil.copyfile(ROOT / "solutions" / NB, course / "source" / "ps1" / NB)
    (course / "nbgrader_config.py").write_text(
        "from dlcourse.release import nbgrader_preprocessors\n\n"
        "c = get_config()\n"
        "c.GenerateAssignment.preprocessors = nbgrader_preprocessors()\n", encoding="utf-8")
    done = _nbgrader("generate_assignment", "ps1", "--no-db", cwd=course)
    assert done.returncode == 0, done.stderr
    released = nbformat.read(course / "release" / "ps1" / NB, as_version=4)
    ours = nbformat.read(ROOT / "exercises" / NB, as_version=4)
    solution = nbformat.read(ROOT / "solutions" / NB, as_version=4)

    hints = [line.strip() for c in solution.cells for line in c.source.splitlines()
             if line.strip().startswith("# HINT:")]
    text = "\n".join(c.source for c in released.cells)
    assert hints and all(h in text for h in hints)
    assert "BEGIN SOLUTION" not in text and "raise NotImplementedError" in text

    def checks(nb):
        return {c.metadata.nbgrader["grade_id"]: c for c in nb.cells if nbgrader_utils.is_grade(c)}

    theirs, mine = checks(released), checks(ours)
    assert theirs.keys() == mine.keys() and theirs
    for gid, cell in theirs.items():
        assert cell.source == mine[gid].source
        assert cell.metadata.nbgrader["checksum"] == mine[gid].metadata.nbgrader["checksum"]
        assert RUN_ALL_TAG in cell.metadata.tags
