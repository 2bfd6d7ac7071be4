"""Grading through pytest: `pytest -p dlcourse.grader.pytest_plugin --dlcourse-submissions DIR`
gives one test per student, notebook and check, with the verdicts and messages of
`dlcourse grade`, in pytest's summary and in JUnit XML.

One small class (the smallest exercise; two students whose notebooks run, one without the
notebook, one whose file is not a notebook) is graded twice with the same seed: by pytest
in a subprocess, and by `grade()` directly. Four notebooks are executed in all.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dlcourse.grader._plan import load_key
from dlcourse.grader.command import grade

ROOT = Path(__file__).resolve().parents[1]
NB = "02_calculus.ipynb"
SEED = 12345
PLUGIN = ["-p", "dlcourse.grader.pytest_plugin", "-p", "no:cacheprovider"]
WRONG_JACOBIAN = (  # transposed: one row per input
    "def numerical_jacobian(f, x, h=1e-6):\n"
    "    x = np.asarray(x, dtype=float)\n"
    "    rows = []\n"
    "    for j in range(x.size):\n"
    "        e = np.zeros_like(x)\n"
    "        e[j] = h\n"
    "        rows.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h))\n"
    "    return np.array(rows)"
)
SHORTCUT = ("from dlcourse.calculus import critical_point_type\n\n"
            "def classify(H):\n    return critical_point_type(H)")


def _pytest(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ,
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-m", "pytest", *PLUGIN, *args], check=False, cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=900)


def _bob(path: Path) -> None:
    """The exercise with one answer right, one wrong, one a stub and one calling the reference."""
    nb = json.loads((ROOT / "exercises" / NB).read_text(encoding="utf-8"))
    solution = json.loads((ROOT / "solutions" / NB).read_text(encoding="utf-8"))
    right = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"])
             for c in solution["cells"] if c["metadata"].get("nbgrader", {}).get("solution")}
    answers = {"central_difference": right["central_difference"],
               "numerical_jacobian": WRONG_JACOBIAN, "classify": SHORTCUT}
    for cell in nb["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell["source"] = answers[gid]
    path.write_text(json.dumps(nb), encoding="utf-8")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    key, subs = base / "key", base / "submissions"
    key.mkdir()
    shutil.copyfile(ROOT / "solutions" / NB, key / NB)
    for student in ("alice", "bob", "carol", "dave"):
        (subs / student).mkdir(parents=True)
    shutil.copyfile(ROOT / "solutions" / NB, subs / "alice" / NB)
    _bob(subs / "bob" / NB)
    (subs / "carol" / "notes.txt").write_text("no notebook here")
    (subs / "dave" / NB).write_text("{not json")
    # a conftest.py in a student's folder must never be imported by pytest
    (subs / "bob" / "conftest.py").write_text("raise SystemExit('student code ran in pytest')\n")
    done = _pytest("--dlcourse-submissions", str(subs), "--dlcourse-key", str(key),
                   "--dlcourse-out", str(base / "out"), "--dlcourse-seed", str(SEED),
                   "--dlcourse-timeout", "60", "--junitxml", str(base / "junit.xml"), "-rA",
                   cwd=base)
    direct = grade(subs, base / "direct", key=key, seed=SEED, timeout=60, progress=False)
    n = len(load_key(key)[0].checks)
    return {"base": base, "key": key, "subs": subs, "run": done, "direct": direct, "n": n,
            "junit": ET.parse(base / "junit.xml").getroot()}


def _rows(out: Path) -> list[dict[str, str]]:
    with (out / "grades.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _cases(graded) -> dict[tuple[str, str], ET.Element]:
    return {(c.get("classname"), c.get("name")): c for c in graded["junit"].iter("testcase")}


def test_pytest_exits_1_and_counts_like_the_grader(graded):
    run = graded["run"]
    assert run.returncode == 1, run.stdout + run.stderr
    assert "student code ran" not in run.stdout + run.stderr
    rows = _rows(graded["base"] / "out")
    by_status = {s: sum(r["status"] == s for r in rows) for s in {r["status"] for r in rows}}
    n = graded["n"]  # checks of the notebook: alice passes them all, bob one (and is flagged once)
    assert by_status == {"passed": n + 1, "failed": n - 2, "flagged": 1, "missing": n, "error": n}
    assert f"{n + 1} passed" in run.stdout and f"{n - 1} failed" in run.stdout
    assert f"{2 * n} errors" in run.stdout
    assert "dlcourse: graded 4 students" in run.stdout


def test_same_verdicts_and_messages_as_dlcourse_grade(graded):
    via_pytest = [(r["student"], r["check"], r["status"], r["points"], r["message"])
                  for r in _rows(graded["base"] / "out")]
    direct = [(r.student, r.check, r.status, f"{r.points:g}", r.message)
              for r in graded["direct"].rows]
    assert len(via_pytest) == len(direct)
    assert [a for a, b in zip(via_pytest, direct) if a != b] == [], direct


def test_one_junit_testcase_per_check_with_the_message_and_properties(graded):
    rows, cases = _rows(graded["base"] / "out"), _cases(graded)
    assert len(cases) == len(rows) == 4 * graded["n"]
    for r in rows:
        case = cases[(f"{r['student']}.{NB}", r["check"])]
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        assert props["status"] == r["status"] and props["points"] == r["points"]
        assert props["max_points"] == r["max_points"]
        failure, error = case.find("failure"), case.find("error")
        if r["status"] == "passed":
            assert failure is None and error is None
            continue
        element = failure if r["status"] in ("failed", "flagged") else error
        assert element is not None, (r, ET.tostring(case))
        assert element.text.startswith(f"{r['status']}, 0 of {r['max_points']} points")
        assert r["message"] in element.text


def test_failures_show_the_graders_message_in_the_terminal(graded):
    out = graded["run"].stdout
    jacobian = next(r for r in _rows(graded["base"] / "out") if r["status"] == "failed")
    assert jacobian["student"] == "bob" and jacobian["check"] == "check_numerical_jacobian"
    assert jacobian["message"] in out
    assert "FAILED bob/02_calculus.ipynb::check_numerical_jacobian" in out
    assert "ERROR carol/02_calculus.ipynb::check_classify" in out


def test_collect_only_lists_the_tests_without_grading(graded, tmp_path):
    done = _pytest("--dlcourse-submissions", str(graded["subs"]), "--dlcourse-key",
                   str(graded["key"]), "--collect-only", "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "alice/02_calculus.ipynb::check_central_difference" in done.stdout
    assert f"{4 * graded['n']} tests collected" in done.stdout
    assert "dlcourse: graded" not in done.stdout


def test_a_selection_grades_only_the_selected_students(graded, tmp_path):
    done = _pytest("--dlcourse-submissions", str(graded["subs"]), "--dlcourse-key",
                   str(graded["key"]), "-k", "carol or dave", "-q", cwd=tmp_path)
    assert "dlcourse: graded 2 students" in done.stdout, done.stdout + done.stderr
    n = graded["n"]
    assert f"{2 * n} errors" in done.stdout and f"{2 * n} deselected" in done.stdout


def test_without_the_option_the_plugin_changes_nothing(tmp_path):
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    assert True\n")
    done = _pytest("-q", cwd=tmp_path)
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout + done.stderr


def test_a_bad_key_is_a_usage_error(tmp_path):
    (tmp_path / "subs").mkdir()
    done = _pytest("--dlcourse-submissions", str(tmp_path / "subs"), "--dlcourse-key",
                   str(tmp_path / "nokey"), cwd=tmp_path)
    assert done.returncode == 4 and "no key folder" in done.stderr, done.stdout + done.stderr
