"""solutions/ → exercises/: the release is in sync, strips every solution, and the
released exercises fail their checks with NotImplementedError (not a checker crash)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from dlcourse import checks
from dlcourse.release import ReleaseError, release, release_notebook, stale, strip_solutions

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
# a check on a stub raises checks.NotImplementedYet (a NotImplementedError)
STUB_ERRORS = (["NotImplementedYet"], ["NotImplementedError"])
CHECK_CALL = re.compile(r'checks\.check\(\s*"(?P<id>[^"]+)"')


def _graded_cell(cell):
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("grade"))


def _graded(nb):
    return [c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade")]


def test_there_are_solution_notebooks():
    assert SOLUTIONS, "no solutions/*.ipynb"


def test_exercises_are_in_sync_with_solutions():
    problems = stale(ROOT / "solutions", ROOT / "exercises")
    assert not problems, f"exercises/ is stale ({problems}); run `make release`"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_each_notebook_has_three_graded_checks_that_exist(path):
    nb = json.loads(path.read_text())
    graded = _graded(nb)
    assert len(graded) >= 3
    for cell in graded:
        match = CHECK_CALL.search("".join(cell["source"]))
        assert match, f"check cell {cell['metadata']['nbgrader']['grade_id']} calls no checks.check"
        checks.get(match["id"])  # raises for an unknown id
        assert cell["metadata"]["nbgrader"]["points"] > 0


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_released_exercise_has_stubs_and_no_outputs(path):
    solution = json.loads(path.read_text())
    exercise = json.loads((ROOT / "exercises" / path.name).read_text())
    n_regions = sum("".join(c["source"]).count("# BEGIN SOLUTION") for c in solution["cells"])
    text = "".join("".join(c["source"]) for c in exercise["cells"])
    assert n_regions >= 3
    assert text.count("raise NotImplementedError") == n_regions
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert all(c.get("outputs", []) == [] for c in exercise["cells"] if c["cell_type"] == "code")


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_released_exercise_fails_every_check_with_not_implemented(path, tmp_path):
    nb = nbformat.read(ROOT / "exercises" / path.name, as_version=4)
    NotebookClient(nb, timeout=120, allow_errors=True, resources={"metadata": {"path": str(tmp_path)}}).execute()
    for cell in _graded(nb):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        assert [e.ename for e in errors] in STUB_ERRORS, cell.source
        assert "not implemented yet" in text
    # "Run All" stops at the first untagged cell that raises: none may come before a check
    last = max(i for i, c in enumerate(nb.cells) if _graded_cell(c))
    for cell in nb.cells[:last]:
        if cell.cell_type == "code" and "raises-exception" not in cell.metadata.get("tags", []):
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source


def test_stub_keeps_hints_and_indentation():
    code = "def f(x):\n    # BEGIN SOLUTION\n    # HINT: square it\n    return x * x\n    # END SOLUTION\n"
    assert strip_solutions(code) == (
        "def f(x):\n    # HINT: square it\n    raise NotImplementedError(\"your code here\")"
    )


@pytest.mark.parametrize(
    "code, message",
    [
        ("# BEGIN SOLUTION\nx = 1\n", "never closed"),
        ("x = 1\n# END SOLUTION\n", "without BEGIN"),
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n", "inside another"),
    ],
)
def test_unbalanced_markers_are_refused(code, message):
    with pytest.raises(ReleaseError, match=message):
        strip_solutions(code)


def _nb(*cells):
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _cell(source, **nbgrader):
    return {"cell_type": "code", "source": source, "metadata": {"nbgrader": nbgrader} if nbgrader else {},
            "outputs": [], "execution_count": None}


@pytest.mark.parametrize(
    "nb, message",
    [
        (_nb(_cell("x", grade=True, grade_id="a", points=1), _cell("y", grade=True, grade_id="a", points=1)), "used twice"),
        (_nb(_cell("x", grade=True, grade_id="a", points=0)), "positive points"),
        (_nb(_cell("x = 1", solution=True, grade_id="s")), "no BEGIN/END SOLUTION"),
        (_nb(_cell("x", grade=True)), "without a grade_id"),
        ({"not": "a notebook"}, "not a Jupyter notebook"),
    ],
)
def test_bad_solution_notebooks_are_refused(nb, message):
    with pytest.raises(ReleaseError, match=message):
        release_notebook(nb, "bad.ipynb")


def test_release_writes_and_detects_staleness(tmp_path):
    sol, ex = tmp_path / "solutions", tmp_path / "exercises"
    sol.mkdir()
    nb = _nb(_cell("def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION", solution=True, grade_id="s"))
    (sol / "01_x.ipynb").write_text(json.dumps(nb))
    assert stale(sol, ex) == ["01_x.ipynb: missing"]
    assert release(sol, ex) == [ex / "01_x.ipynb"]
    assert stale(sol, ex) == [] and release(sol, ex) == []
    (ex / "01_x.ipynb").write_text("{}")
    (ex / "02_orphan.ipynb").write_text("{}")
    assert stale(sol, ex) == ["01_x.ipynb: out of date", "02_orphan.ipynb: no solution notebook"]


def test_malformed_solution_json_names_the_file(tmp_path):
    (tmp_path / "03_bad.ipynb").write_text("{not json")
    with pytest.raises(ReleaseError, match="03_bad.ipynb: not valid JSON"):
        stale(tmp_path, tmp_path / "ex")


def test_check_cells_are_tagged_for_run_all_and_carry_checksums():
    nb = _nb(
        _cell("def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION", solution=True, grade_id="s"),
        _cell('checks.check("02.derivative", f)', grade=True, grade_id="c", points=1, locked=True),
        _cell("x = 1"),
    )
    nb["cells"][1]["metadata"]["tags"] = ["keep-me", "raises-exception"]
    out = release_notebook(nb)
    solution, check, plain = out["cells"]
    assert check["metadata"]["tags"] == ["keep-me", "raises-exception"]
    assert "tags" not in solution["metadata"] and plain["metadata"] == {}
    for cell in (solution, check):
        assert cell["metadata"]["nbgrader"]["cell_type"] == "code"
        assert len(cell["metadata"]["nbgrader"]["checksum"]) == 32
    assert nb["cells"][1]["metadata"]["nbgrader"].get("checksum") is None  # input untouched


def test_run_all_goes_past_a_failing_check_and_every_check_runs(tmp_path):
    """The released tag makes nbclient (like Lab's Run All) continue after a failing check."""
    nb = nbformat.read(ROOT / "exercises" / "02_calculus.ipynb", as_version=4)
    last = max(i for i, c in enumerate(nb.cells) if _graded_cell(c))
    nb.cells = nb.cells[: last + 1]  # the "Try it" cells after the checks need the answers
    NotebookClient(nb, timeout=120, allow_errors=False,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    graded = _graded(nb)
    assert graded and all(c.execution_count is not None for c in graded)
    assert all([o.ename for o in c.outputs if o.output_type == "error"] in STUB_ERRORS
               for c in graded)
