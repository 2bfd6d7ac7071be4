"""Gradescope: every grading run writes OUT/gradescope/<student>.json in the format of
Gradescope's autograder specification, and `dlcourse grade gradescope` is a run_autograder
that grades /autograder/submission into /autograder/results/results.json.

One notebook is executed (the smallest exercise, solved, in the end-to-end test).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dlcourse.grader._export import gradescope_results
from dlcourse.grader._notebook import Row, rows_for
from dlcourse.grader._plan import load_key
from dlcourse.grader._report import write_all
from dlcourse.grader.command import main as grade_main

ROOT = Path(__file__).resolve().parents[1]
NB = "02_calculus.ipynb"
TEST_KEYS = {"name", "number", "score", "max_score", "status", "output"}


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    folder = tmp_path_factory.mktemp("key")
    shutil.copyfile(ROOT / "solutions" / NB, folder / NB)
    return folder


def _valid(results: dict, max_total: float) -> None:
    """What Gradescope's specification asks of results.json, as this module writes it."""
    assert set(results) == {"score", "output", "tests"}
    assert isinstance(results["score"], float) and isinstance(results["output"], str)
    for test in results["tests"]:
        assert set(test) == TEST_KEYS
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert isinstance(test["score"], float) and isinstance(test["max_score"], float)
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed")
        assert (test["status"] == "passed") == (test["score"] == test["max_score"])
    assert results["score"] == sum(t["score"] for t in results["tests"])
    assert sum(t["max_score"] for t in results["tests"]) == max_total


def test_one_test_per_check_with_the_graders_message(key):
    nb = load_key(key)[0]
    rows = rows_for("ada", nb, "failed", "✗ [02.x] wrong, see case 2")
    full = rows[0].max_points
    rows[0] = Row("ada", nb.name, rows[0].check, full, full, "passed", "✓ fine")
    rows[1] = Row("ada", nb.name, rows[1].check, 0.0, rows[1].max_points, "flagged",
                  "line 3 calls the reference")
    results = gradescope_results("ada", rows, [nb])
    _valid(results, nb.max_points)
    tests = results["tests"]
    assert [t["name"] for t in tests] == [f"{NB}: {c.grade_id}" for c in nb.checks]
    assert [t["number"] for t in tests] == [f"1.{j}" for j in range(1, len(nb.checks) + 1)]
    assert tests[0]["status"] == "passed" and tests[0]["score"] == nb.checks[0].points
    assert tests[1]["status"] == "failed" and tests[1]["output"].startswith("flagged, 0 of")
    assert tests[1]["output"].endswith("line 3 calls the reference")
    assert tests[2]["output"].endswith("✗ [02.x] wrong, see case 2")
    assert results["score"] == nb.checks[0].points
    assert results["output"].startswith(f"ada: {nb.checks[0].points:g} of {nb.max_points:g} points")


def test_every_grading_output_has_a_results_file_per_student(key, tmp_path):
    nb = load_key(key)[0]
    rows = rows_for("ada", nb, "missing", "no submission") + rows_for("../bob", nb, "error", "bad")
    out = tmp_path / "out"
    (out / "gradescope").mkdir(parents=True)
    (out / "gradescope" / "old.json").write_text("{}")  # a former run's student: removed
    write_all(out, rows, [nb], {"shard": "1/1"})
    files = sorted(p.name for p in (out / "gradescope").iterdir())
    feedback = sorted(p.name for p in (out / "feedback").iterdir())
    assert files == [f.replace(".md", ".json") for f in feedback] == ["_.._bob.json", "ada.json"]
    ada = json.loads((out / "gradescope" / "ada.json").read_text(encoding="utf-8"))
    _valid(ada, nb.max_points)
    assert ada["score"] == 0.0 and all(t["output"].endswith("no submission") for t in ada["tests"])


def test_run_autograder_grades_the_submission_into_results_json(key, tmp_path, capsys):
    submission = tmp_path / "autograder" / "submission"
    (submission / "hw" / ".ipynb_checkpoints").mkdir(parents=True)
    # a browser renamed the download; a checkpoint copy lies next to it
    shutil.copyfile(ROOT / "solutions" / NB, submission / "hw" / "02_calculus (1).ipynb")
    shutil.copyfile(ROOT / "exercises" / NB, submission / "hw" / ".ipynb_checkpoints" / NB)
    results = tmp_path / "autograder" / "results" / "results.json"
    code = grade_main(["gradescope", "--submission", str(submission), "--results", str(results),
                       "--key", str(key), "--notebook", NB, "--timeout", "60",
                       "--out", str(tmp_path / "kept")])
    printed = capsys.readouterr().out
    assert code == 0, printed
    data = json.loads(results.read_text(encoding="utf-8"))
    nb = load_key(key)[0]
    _valid(data, nb.max_points)
    assert data["score"] == nb.max_points, data
    assert all(t["status"] == "passed" for t in data["tests"])
    assert data["output"].startswith(f"graded hw/02_calculus (1).ipynb as {NB}\n")
    assert (tmp_path / "kept" / "grades.csv").is_file()
    assert f"student: {nb.max_points:g} of {nb.max_points:g} points" in printed


def test_run_autograder_refuses_an_unknown_notebook(key, tmp_path, capsys):
    (tmp_path / "submission").mkdir()
    code = grade_main(["gradescope", "--submission", str(tmp_path / "submission"),
                       "--results", str(tmp_path / "results.json"), "--key", str(key),
                       "--notebook", "99_nothing.ipynb"])
    assert code == 2 and "99_nothing.ipynb: not in the key" in capsys.readouterr().err
    assert not (tmp_path / "results.json").exists()


def test_run_autograder_does_not_follow_a_symlinked_notebook(key, tmp_path, capsys):
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / NB).symlink_to(key / NB)  # "my" notebook is the key's solution
    results = tmp_path / "results.json"
    code = grade_main(["gradescope", "--submission", str(submission), "--results", str(results),
                       "--key", str(key)])
    assert code == 0, capsys.readouterr()
    data = json.loads(results.read_text(encoding="utf-8"))
    assert data["score"] == 0.0 and data["tests"]
    assert all(t["output"].startswith("error, 0 of") for t in data["tests"])
