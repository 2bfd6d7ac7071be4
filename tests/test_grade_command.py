"""`dlcourse grade`: a class of adversarial submissions gets exactly the grades it deserves.

One synthetic key (three exercises of chapter 2, plus a one-check second notebook) and one
class, graded once with two jobs (module-scoped fixture); each test then asserts on one
student. Each student is one trick: tampered or deleted check cells, a monkeypatched
checker, calls to the reference, endless loops, a kernel that exits or kills its parent,
huge output, a file that is not a notebook… The statuses and points are exact.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from dlcourse import checks
from dlcourse.__main__ import main as dlcourse_main
from dlcourse.grader import _collect, _plan, _static
from dlcourse.grader._notebook import verdict
from dlcourse.grader.command import grade, merge, parse_shard
from dlcourse.grader._plan import GraderUsageError
from dlcourse.grader._sandbox import choose
from dlcourse.release import release_notebook

from .recorded import as_recorded

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 8  # seconds per cell: generous for these cells, even on a busy machine
NB, EXTRA = "02_calculus.ipynb", "02_extra.ipynb"



def n_cases(check_id: str) -> int:
    """How many cases the check runs (fixed plus random): counted, not assumed."""
    return len(list(checks.get(check_id).cases(np.random.default_rng(0))))


SETUP = "import numpy as np\n\nimport dlcourse\nfrom dlcourse import checks\n\ndlcourse.seed_everything(0)"
SOLUTIONS = {
    "central_difference": (
        "def central_difference(f, x, h):\n    return (f(x + h) - f(x - h)) / (2 * h)"
    ),
    "numerical_jacobian": (
        "def numerical_jacobian(f, x, h=1e-6):\n"
        "    x = np.asarray(x, dtype=float)\n"
        "    cols = []\n"
        "    for j in range(x.size):\n"
        "        e = np.zeros_like(x)\n"
        "        e[j] = h\n"
        "        cols.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h))\n"
        "    return np.stack(cols, axis=1)"
    ),
    "classify": (
        "def classify(H):\n"
        "    eig = np.linalg.eigvalsh(H)\n"
        "    tol = 1e-8 * max(1.0, np.max(np.abs(eig)))\n"
        "    if np.any(eig > tol) and np.any(eig < -tol):\n"
        "        return 'saddle'\n"
        "    if np.any(np.abs(eig) <= tol):\n"
        "        return 'degenerate'\n"
        "    return 'minimum' if np.all(eig > 0) else 'maximum'"
    ),
    "jacobian_example": (
        "def jacobian_example(x):\n"
        "    x1, x2, x3 = x\n"
        "    return np.array([[2 * x1, 2 * x2, 0.0], [0.0, 2 * x2 + x3**2, 2 * x2 * x3]])"
    ),
}
CHECKS = {  # grade_id of the solution cell -> (check id, points)
    "central_difference": ("02.derivative", 1),
    "numerical_jacobian": ("02.jacobian", 2),
    "classify": ("02.critical_point", 2),
    "jacobian_example": ("02.analytic_jacobian", 1),
}


# ------------------------------------------------------------------------------ notebooks
def cell(source: str, cell_type: str = "code", **nbgrader) -> dict:
    c = {"cell_type": cell_type, "metadata": {"nbgrader": nbgrader} if nbgrader else {}, "source": source}
    if cell_type == "code":
        c.update(outputs=[], execution_count=None)
    return c


def notebook(cells: list[dict]) -> dict:
    meta = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    return {"cells": cells, "metadata": meta, "nbformat": 4, "nbformat_minor": 5}


def key_notebook(exercises: list[str], demo: str = "") -> dict:
    cells = [cell("# Exercises", "markdown"), cell(SETUP)]
    for gid in exercises:
        body = SOLUTIONS[gid].replace("\n", "\n    # BEGIN SOLUTION\n", 1) + "\n    # END SOLUTION"
        check_id, points = CHECKS[gid]
        cells += [
            cell(f"## {gid}", "markdown"),
            cell(body, solution=True, grade=False, grade_id=gid, locked=False),
            cell(f'checks.check("{check_id}", {gid})', grade=True, grade_id=f"check_{gid}", points=points,
                 locked=True, solution=False),
        ]
    if demo:
        cells.append(cell(demo))
    return notebook(cells)


KEY_MAIN = key_notebook(["central_difference", "numerical_jacobian", "classify"],
                        demo="print(classify(np.diag([2.0, -2.0])))")
KEY_EXTRA = key_notebook(["jacobian_example"])


def submission(key: dict, solutions: dict[str, str] | None = None, *, extra: list[dict] = (),
               edit=None) -> dict:
    """The released exercise of ``key`` with ``solutions`` (grade_id -> code) filled in."""
    nb = json.loads(json.dumps(release_notebook(key)))  # a deep copy: edits must not reach the key
    for c in nb["cells"]:
        gid = c["metadata"].get("nbgrader", {}).get("grade_id")
        if solutions and gid in solutions:
            c["source"] = solutions[gid]
    nb["cells"] += list(extra)
    if edit:
        edit(nb)
    return nb


def by_id(nb: dict, gid: str) -> dict:
    return next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == gid)


def wrong_answers() -> dict[str, str]:
    return {
        "central_difference": "def central_difference(f, x, h):\n    return (f(x + h) - f(x)) / h",
        "numerical_jacobian": "def numerical_jacobian(f, x, h=1e-6):\n    return np.zeros((1, 1))",
        "classify": "def classify(H):\n    return 'saddle'",
    }


def tamper(nb: dict) -> None:
    """Fake the first check's output, delete the second, re-tag the third, add bonus points."""
    first = by_id(nb, "check_central_difference")
    first["source"] = 'print("✓ [02.derivative] central_difference: all 5 cases pass.")  # NBVAL_SKIP'
    first["metadata"]["tags"] = ["raises-exception", "skip-execution"]
    nb["cells"].remove(by_id(nb, "check_numerical_jacobian"))
    third = by_id(nb, "check_classify")
    third["metadata"] = {"nbgrader": {"grade": True, "grade_id": "bonus", "points": 100},
                         "tags": ["raises-exception"]}
    third["source"] = "# NBVAL_IGNORE_OUTPUT\n" + third["source"]
    nb["cells"].append(cell('print("All tests passed")', grade=True, grade_id="extra_credit", points=50))
    nb["metadata"]["kernelspec"]["name"] = "no-such-kernel"
    nb["metadata"]["nbval"] = {"allow_errors": True}


ALWAYS_EQUAL = (
    "class Anything(str):\n"
    "    def __eq__(self, other):\n        return True\n"
    "    def __ne__(self, other):\n        return False\n"
    "    __hash__ = str.__hash__\n"
    "def classify(H):\n    return Anything('saddle')"
)
NOISY = {
    "central_difference": (
        "import sys, warnings\n"
        "def central_difference(f, x, h):\n"
        "    warnings.warn('a warning that must not cost a point')\n"
        "    print('to stderr', file=sys.stderr)\n"
        "    return (f(x + h) - f(x - h)) / (2 * h)\n"
        "print('x' * 10_000_000)"
    ),
    "numerical_jacobian": (
        "import torch\n"
        "def numerical_jacobian(f, x, h=1e-6):\n"
        "    x = np.asarray(x, dtype=float)\n"
        "    m = len(np.atleast_1d(f(x)))\n"
        "    J = torch.zeros(m, x.size, dtype=torch.float64, device=dlcourse.device())\n"
        "    for j in range(x.size):\n"
        "        e = np.zeros_like(x)\n"
        "        e[j] = h\n"
        "        J[:, j] = torch.as_tensor((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h))\n"
        "    return J"
    ),
    "classify": SOLUTIONS["classify"] + (
        "\nimport sys\nfor step in range(2000):\n    print('progress', step, file=sys.stderr)"
    ),
}
SHORTCUTS = {
    "central_difference": (
        "import dlcourse.calculus\n"
        "def central_difference(f, x, h):\n    return dlcourse.calculus.derivative(f, x, h)"
    ),
    "numerical_jacobian": (
        "from dlcourse.calculus import jacobian as J\n"
        "def numerical_jacobian(f, x, h=1e-6):\n    return J(f, x, h)"
    ),
    "classify": (
        "import importlib\n"
        "def classify(H):\n"
        "    return importlib.import_module('dlcourse.calculus').critical_point_type(H)"
    ),
}
LOOPS = {
    "central_difference": (
        "import time\n"
        "def central_difference(f, x, h):\n"
        "    while True:  # ignores the grader's interrupt\n"
        "        try:\n            time.sleep(0.05)\n"
        "        except KeyboardInterrupt:\n            pass"
    ),
    "numerical_jacobian": SOLUTIONS["numerical_jacobian"],
    "classify": "while True:\n    pass\n" + SOLUTIONS["classify"],
}
CRASH = {
    **SOLUTIONS,
    "numerical_jacobian": "import os\ndef numerical_jacobian(f, x, h=1e-6):\n    os._exit(3)",
}
PARENT_KILLER = {
    **SOLUTIONS,
    "central_difference": SOLUTIONS["central_difference"] + (
        "\nimport os, signal\nos.kill(os.getppid(), signal.SIGKILL)"
    ),
    "numerical_jacobian": SOLUTIONS["numerical_jacobian"].replace(
        "    x = np.asarray",
        "    ballast = np.ones(2**28)  # 2 GiB, over the 1 GiB limit\n    x = np.asarray",
    ),
}
WORKER_KILLER = {
    **SOLUTIONS,
    "classify": SOLUTIONS["classify"] + (
        "\nimport os, signal\n"
        "stat = open(f'/proc/{os.getppid()}/stat').read()\n"
        "os.kill(int(stat.rsplit(')', 1)[1].split()[1]), signal.SIGKILL)"
    ),
}
MONKEYPATCH_CELL = cell(
    "checks.check = lambda *args, **kwargs: print('✓ all checks pass')\n"
    "np.allclose = lambda *args, **kwargs: True\n"
    "np.testing.assert_allclose = lambda *args, **kwargs: None"
)


def write(path: Path, nb: dict | str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(nb, bytes):
        path.write_bytes(nb)
    else:
        path.write_text(nb if isinstance(nb, str) else json.dumps(nb), encoding="utf-8")


WEIRD = 'o\'brien, "jr"'
CLASS = {
    "noisy": {
        NB: submission(KEY_MAIN, NOISY, extra=[cell("# NBVAL_SKIP\nprint(1)")]),
        EXTRA: submission(KEY_EXTRA, SOLUTIONS),
    },
    "tampered": {NB: submission(KEY_MAIN, {
        **wrong_answers(), "numerical_jacobian": SOLUTIONS["numerical_jacobian"], "classify": ALWAYS_EQUAL,
    }, edit=tamper)},
    # (also leaves a process running in a session of its own, which the grader ends)
    "monkeypatch": {NB: submission(KEY_MAIN, wrong_answers(), extra=[MONKEYPATCH_CELL, cell(
        "import subprocess\nsubprocess.Popen(['sleep', '987'], start_new_session=True)")])},
    "shortcuts": {NB: submission(KEY_MAIN, SHORTCUTS)},
    "loops": {NB: submission(KEY_MAIN, LOOPS)},
    "crash": {NB: submission(KEY_MAIN, CRASH)},
    "parent_killer": {NB: submission(KEY_MAIN, PARENT_KILLER)},
    "worker_killer": {NB: submission(KEY_MAIN, WORKER_KILLER)},
    "malformed": {NB: '{"cells": [{"cell_type": "code", "source": "1 +'},
    "not_a_notebook": {NB: b"\x89PNG\r\n\x1a\n" + bytes(range(256))},
    "absent": {},
    WEIRD: {NB: "[1, 2, 3]"},
    "copycat": "key",  # a symbolic link to the key's folder
}


def make_class(root: Path, students: dict) -> tuple[Path, Path]:
    key = root / "key"
    write(key / NB, KEY_MAIN)
    write(key / EXTRA, KEY_EXTRA)
    subs = root / "submissions"
    subs.mkdir()
    for student, files in students.items():
        if files == "key":
            (subs / student).symlink_to(key, target_is_directory=True)
            continue
        (subs / student).mkdir()
        for name, content in files.items():
            write(subs / student / name, content)
    return key, subs


def tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        h.update(str(p.relative_to(folder)).encode())
        if p.is_file() and not p.is_symlink():
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    key, subs = make_class(root, CLASS)
    before = tree_digest(key), tree_digest(subs)
    out = root / "out"
    result = grade(subs, out, key=key, jobs=2, timeout=TIMEOUT, memory_mb=1024, progress=False)
    unchanged = (tree_digest(key), tree_digest(subs)) == before
    return {"rows": result.rows, "out": out, "key": key, "subs": subs, "unchanged": unchanged,
            "isolated": choose("auto").isolated}


def results(graded, student, notebook=NB):
    """[(check, status, points)] of one student's notebook, in the key's order."""
    return [(r.check, r.status, r.points) for r in graded["rows"]
            if r.student == student and r.notebook == notebook]


def message(graded, student, check, notebook=NB):
    return next(r.message for r in graded["rows"]
                if (r.student, r.notebook, r.check) == (student, notebook, check))


CD, NJ, CL = "check_central_difference", "check_numerical_jacobian", "check_classify"


# ------------------------------------------------------------------------------ the class
def test_every_student_gets_one_row_per_check_of_every_notebook(graded):
    rows = graded["rows"]
    assert len(rows) == len(CLASS) * 4
    assert {r.student for r in rows} == set(CLASS)
    assert all(r.max_points == {CD: 1, NJ: 2, CL: 2, "check_jacobian_example": 1}[r.check] for r in rows)


def test_correct_answers_with_warnings_stderr_huge_output_and_tensors_get_full_marks(graded):
    assert results(graded, "noisy") == [(CD, "passed", 1), (NJ, "passed", 2), (CL, "passed", 2)]
    assert results(graded, "noisy", EXTRA) == [("check_jacobian_example", "passed", 1)]
    assert message(graded, "noisy", CD) == (
        f"✓ [02.derivative] central_difference: all {n_cases('02.derivative')} cases pass.")


def test_tampered_deleted_and_retagged_check_cells_are_restored_from_the_key(graded):
    assert results(graded, "tampered") == [(CD, "failed", 0), (NJ, "passed", 2), (CL, "failed", 0)]
    assert "forward difference" in message(graded, "tampered", CD)
    # an always-equal str subclass comes back as its repr: equal text, but not a str
    assert f"classify is wrong on case 1 of {n_cases('02.critical_point')}" in message(graded, "tampered", CL)
    assert "expected 'saddle', got 'saddle'" in message(graded, "tampered", CL)


def test_monkeypatched_checker_and_numpy_are_flagged_for_every_check(graded):
    assert results(graded, "monkeypatch") == [(CD, "flagged", 0), (NJ, "flagged", 0), (CL, "flagged", 0)]
    text = message(graded, "monkeypatch", NJ)
    assert "changes dlcourse.checks.check" in text and "changes numpy.allclose" in text
    assert "The check itself said: ✗ [02.jacobian]" in text


def test_reference_calls_directly_by_alias_and_by_importlib_flag_their_own_check(graded):
    assert results(graded, "shortcuts") == [(CD, "flagged", 0), (NJ, "flagged", 0), (CL, "flagged", 0)]
    assert "uses dlcourse.calculus.derivative" in message(graded, "shortcuts", CD)
    assert "uses dlcourse.calculus.jacobian" in message(graded, "shortcuts", NJ)
    assert "uses dlcourse.calculus.critical_point_type" in message(graded, "shortcuts", CL)
    assert "derivative" not in message(graded, "shortcuts", CL)
    assert "The check itself said: ✓ [02.critical_point]" in message(graded, "shortcuts", CL)


def test_endless_loops_time_out_and_the_checks_that_do_not_need_them_are_graded(graded):
    assert results(graded, "loops") == [(CD, "timeout", 0), (NJ, "passed", 2), (CL, "timeout", 0)]
    assert f"did not finish within {TIMEOUT} s" in message(graded, "loops", CD)
    assert "classify is not defined because cell" in message(graded, "loops", CL)
    # the loop that swallows interrupts restarted the kernel: the later checks say so
    note = ("Note: central_difference (on the grader's cases) did not finish within "
            f"{TIMEOUT} s and did not stop when interrupted, so the grader restarted the kernel. "
            "The cells after it were run again in a fresh kernel")
    assert note in message(graded, "loops", NJ) and note in message(graded, "loops", CL)


def test_a_kernel_that_exits_costs_only_the_check_it_took_down(graded):
    assert results(graded, "crash") == [(CD, "passed", 1), (NJ, "error", 0), (CL, "passed", 2)]
    assert "the kernel exited with status 3 while running numerical_jacobian" in message(graded, "crash", NJ)
    assert ("Note: the kernel died (the kernel exited with status 3) while numerical_jacobian "
            "(on the grader's cases) ran. The cells after it were run again in a fresh kernel"
            ) in message(graded, "crash", CL)
    assert "Note:" not in message(graded, "crash", CD)  # graded before the crash


def _running(cmdline: str) -> bool:
    for entry in Path("/proc").iterdir():
        try:
            if (entry / "cmdline").read_bytes().replace(b"\0", b" ").strip() == cmdline.encode():
                return True
        except OSError:
            continue
    return False


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc")
def test_no_process_a_submission_starts_outlives_its_grading(graded):
    assert not _running("sleep 987")


def test_killing_the_parent_only_kills_the_kernel_and_memory_is_bounded(graded):
    assert results(graded, "parent_killer") == [(CD, "error", 0), (NJ, "failed", 0), (CL, "passed", 2)], \
        message(graded, "parent_killer", NJ)
    assert "central_difference is not defined because cell" in message(graded, "parent_killer", CD)
    assert "raised MemoryError" in message(graded, "parent_killer", NJ)
    assert "Note: the kernel died (the kernel was killed by signal 9 (SIGKILL)) while cell 4 of " \
           "your notebook ran." in message(graded, "parent_killer", CL)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_killed_worker_costs_that_notebook_only(graded):
    if graded["isolated"]:  # in its own PID namespace the kernel cannot reach the worker
        assert results(graded, "worker_killer") == [(CD, "passed", 1), (NJ, "passed", 2),
                                                    (CL, "passed", 2)]
        return
    assert results(graded, "worker_killer") == [(CD, "error", 0), (NJ, "error", 0), (CL, "error", 0)]
    assert "worker process died" in message(graded, "worker_killer", CL)


def test_unreadable_files_are_errors_and_absent_ones_missing(graded):
    assert results(graded, "malformed") == [(CD, "error", 0), (NJ, "error", 0), (CL, "error", 0)]
    assert "not valid JSON" in message(graded, "malformed", CD)
    assert results(graded, "not_a_notebook") == [(CD, "error", 0), (NJ, "error", 0), (CL, "error", 0)]
    assert "not UTF-8" in message(graded, "not_a_notebook", CD)
    assert results(graded, WEIRD) == [(CD, "error", 0), (NJ, "error", 0), (CL, "error", 0)]
    assert results(graded, "absent") == [(CD, "missing", 0), (NJ, "missing", 0), (CL, "missing", 0)]
    assert results(graded, "absent", EXTRA) == [("check_jacobian_example", "missing", 0)]


def test_a_student_folder_that_links_to_the_key_gets_nothing(graded):
    assert results(graded, "copycat") == [(CD, "error", 0), (NJ, "error", 0), (CL, "error", 0)]
    assert results(graded, "copycat", EXTRA) == [("check_jacobian_example", "error", 0)]
    assert "symbolic link" in message(graded, "copycat", CD)


def test_submissions_and_key_are_never_modified(graded):
    assert graded["unchanged"]


def test_grades_csv_round_trips_names_with_commas_and_quotes(graded):
    with (graded["out"] / "grades.csv").open(newline="", encoding="utf-8") as fh:
        lines = list(csv.reader(fh))
    assert lines[0] == ["student", "notebook", "check", "points", "max_points", "status", "message",
                        "sandbox"]
    assert {line[7] for line in lines[1:]} == {"bwrap" if graded["isolated"] else "none"}
    weird = [line for line in lines if line[0] == WEIRD]
    assert [line[2:6] for line in weird if line[1] == NB] == [
        [CD, "0", "1", "error"], [NJ, "0", "2", "error"], [CL, "0", "2", "error"]]
    assert len(lines) == 1 + len(graded["rows"])
    loops = [line for line in lines if line[0] == "loops" and line[2] == NJ]
    passed = f"✓ [02.jacobian] numerical_jacobian: all {n_cases('02.jacobian')} cases pass."
    assert [line[:6] for line in loops] == [["loops", NB, NJ, "2", "2", "passed"]]
    assert loops[0][6].startswith(passed)


def test_summary_has_one_row_per_student_with_points_per_notebook(graded):
    with (graded["out"] / "summary.csv").open(newline="", encoding="utf-8") as fh:
        lines = list(csv.reader(fh))
    assert lines[0] == ["student", "02_calculus", "02_extra", "total", "max"]
    table = {line[0]: line[1:] for line in lines[1:]}
    assert set(table) == set(CLASS)
    assert table["noisy"] == ["5", "1", "6", "6"]
    assert table["loops"] == ["2", "0", "2", "6"]
    assert table[WEIRD] == ["0", "0", "0", "6"]


def test_feedback_shows_the_verdict_and_the_students_message(graded):
    text = (graded["out"] / "feedback" / "tampered.md").read_text(encoding="utf-8")
    assert "## 02_calculus.ipynb: 2 of 5 points" in text
    assert "### check_numerical_jacobian: passed, 2 of 2 points" in text
    assert f"✓ [02.jacobian] numerical_jacobian: all {n_cases('02.jacobian')} cases pass." in text
    assert (graded["out"] / "feedback" / f"{WEIRD}.md").exists()


# ------------------------------------------------------------------------------ re-runs, the key, shards
def test_a_rerun_gives_the_same_grades_and_a_dead_kernel_is_noticed_at_once(graded, tmp_path):
    students = ["tampered", "crash"]
    for student in students:
        shutil.copytree(graded["subs"] / student, tmp_path / "subs" / student)
    out = tmp_path / "again"
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "dlcourse", "grade", str(tmp_path / "subs"), "--out", str(out),
         "--key", str(graded["key"]), "--jobs", "2", "--timeout", "300", "--quiet", "--shard", "1/1"],
        capture_output=True, text=True, cwd=tmp_path, timeout=240,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - started < 200  # the crash is not waited out: the cell limit is 300 s
    with (out / "grades.csv").open(encoding="utf-8", newline="") as fh:
        again = {(r[0], r[1], r[2]): (r[5], r[3]) for r in csv.reader(fh)}
    for student in students:
        for check, status, points in results(graded, student):
            assert again[(student, NB, check)] == (status, f"{points:g}")
    assert proc.stdout.strip().startswith("graded 2 students in")


REAL_KEY = sorted((ROOT / "solutions").glob("*.ipynb"))


@pytest.mark.parametrize("path", REAL_KEY, ids=lambda p: p.stem)
def test_every_real_key_notebook_plans_cleanly_and_its_own_solutions_raise_no_flag(path):
    key = _plan.load_key_notebook(path)
    exercise = ROOT / "exercises" / path.name
    for submitted in (path, exercise):
        plan = _plan.build_plan(key, _plan.read_submission(submitted))
        assert [c.check for c in plan if c.role == "collect"] == key.checks
        solutions = [c for c in plan if c.role == "student"]
        assert len(solutions) == sum(1 for c in key.cells if c.kind == "solution")
        registry = {c.check_id: checks.get(c.check_id) for c in key.checks}
        code = [_static.Code(c.source, c.where if c.role == "student" else None) for c in plan]
        assert _static.analyze(code, registry) == []


def test_the_real_key_gives_its_own_solutions_full_marks(tmp_path):
    """End to end on one real notebook (each of them is checked in-process above)."""
    first = REAL_KEY[0]
    for folder in (tmp_path / "key", tmp_path / "subs" / "model"):
        folder.mkdir(parents=True)
        (folder / first.name).write_bytes(first.read_bytes())
    rows = grade(tmp_path / "subs", tmp_path / "out", key=tmp_path / "key", timeout=120, progress=False).rows
    assert rows and [(r.check, r.status) for r in rows if r.status != "passed"] == []
    assert all(r.points == r.max_points for r in rows)


def test_shards_pick_every_nth_student_and_merge_back_to_the_whole(tmp_path):
    students = {f"s{i:02d}": ({} if i % 2 else {NB: "not json"}) for i in range(7)}
    key, subs = make_class(tmp_path, students)
    whole = grade(subs, tmp_path / "whole", key=key, progress=False).rows
    parts = [grade(subs, tmp_path / f"part{k}", key=key, shard=(k, 3), progress=False).rows
             for k in (1, 2, 3)]
    assert sorted({r.student for r in parts[1]}) == ["s01", "s04"]
    merged = merge([tmp_path / f"part{k}" for k in (1, 2, 3)], tmp_path / "merged")
    assert merged == whole
    summary = (tmp_path / "whole" / "summary.csv").read_text()
    assert (tmp_path / "merged" / "summary.csv").read_text() == summary
    with pytest.raises(GraderUsageError, match="graded in both"):
        merge([tmp_path / "part1", tmp_path / "whole"], tmp_path / "bad")


# ------------------------------------------------------------------------------ misuse
@pytest.mark.parametrize(
    "args, problem",
    [
        (["grade", "{tmp}/nowhere", "--out", "{tmp}/out"], "no submissions folder"),
        (["grade", "{tmp}/subs", "--out", "{tmp}/subs/out"], "lies inside"),
        (["grade", "{tmp}/subs", "--out", "{tmp}/out", "--shard", "4/3"], "K must be between 1 and N"),
        (["grade", "{tmp}/subs", "--out", "{tmp}/out", "--jobs", "0"], "--jobs must be at least 1"),
        (["grade", "{tmp}/subs", "--out", "{tmp}/out", "--timeout", "0"], "--timeout must be positive"),
        (["grade", "{tmp}/subs", "--out", "{tmp}/out", "--key", "{tmp}/subs"],
         "no notebook with graded check cells"),
        (["grade", "merge", "{tmp}/subs", "--out", "{tmp}/out"], "is not the output of `dlcourse grade`"),
    ],
)
def test_misuse_exits_with_status_2_and_says_why(tmp_path, capsys, args, problem):
    (tmp_path / "subs" / "ann").mkdir(parents=True)
    code = dlcourse_main([a.replace("{tmp}", str(tmp_path)) for a in args])
    assert code == 2
    assert problem in capsys.readouterr().err


def test_a_key_check_cell_without_a_registered_check_is_misuse(tmp_path):
    bad = key_notebook(["classify"])
    by_id(bad, "check_classify")["source"] = 'checks.check("99.nope", classify)'
    write(tmp_path / "key" / NB, bad)
    with pytest.raises(GraderUsageError, match="unknown check '99.nope'"):
        _plan.load_key(tmp_path / "key")


def test_shard_syntax():
    assert parse_shard("2/5") == (2, 5)
    with pytest.raises(GraderUsageError, match="K/N"):
        parse_shard("two")


# ------------------------------------------------------------------------------ the pieces, in-process
@pytest.fixture()
def key_nb(tmp_path) -> _plan.KeyNotebook:
    write(tmp_path / NB, KEY_MAIN)
    return _plan.load_key(tmp_path)[0]


def _student_cells(nb: dict) -> list[_plan.StudentCell]:
    return [
        _plan.StudentCell(i, c["source"], c["metadata"].get("nbgrader", {}).get("grade_id"))
        for i, c in enumerate(nb["cells"], start=1) if c["cell_type"] == "code"
    ]


def test_plan_restores_check_cells_and_keeps_the_students_extra_cells_in_place(key_nb):
    nb = submission(KEY_MAIN, wrong_answers(), edit=tamper)
    helper = cell("def helper():\n    return 1")
    nb["cells"].insert(nb["cells"].index(by_id(nb, "numerical_jacobian")) + 1, helper)
    plan = _plan.build_plan(key_nb, _student_cells(nb))
    roles = [(p.role, p.check.grade_id if p.check else p.source.splitlines()[0]) for p in plan]
    assert roles == [
        ("key", "import numpy as np"),
        ("student", "def central_difference(f, x, h):"),
        ("collect", CD),
        ("student", "def numerical_jacobian(f, x, h=1e-6):"),
        ("student", "def helper():"),
        ("collect", NJ),
        ("student", "def classify(H):"),
        ("student", "# NBVAL_IGNORE_OUTPUT"),  # the re-tagged check cell is only the student's code now
        ("student", 'print("All tests passed")'),
        ("collect", CL),
        ("key", "print(classify(np.diag([2.0, -2.0])))"),
    ]


@pytest.mark.parametrize(
    "code, flagged",
    [
        ("def f(x):\n    return np.sin(x)\nchecks.check('02.jacobian', f)\n%timeit f(1)", []),
        ("import torch\ntorch.backends.cudnn.deterministic = True", []),
        ("import torch\ntorch.Tensor.argmax = lambda self, dim=None: self", [None]),
        ("import dlcourse.calculus as c\nd = c.derivative", ["02.derivative"]),
        ("from dlcourse.calculus import *", ["02.critical_point", "02.derivative", "02.jacobian"]),
        ("m = __import__('dlcourse.calculus', fromlist=['x'])\nm.jacobian", ["02.jacobian"]),
        ("from dlcourse import calculus\ng = getattr(calculus, 'critical_point_type')",
         ["02.critical_point"]),
        ("r = checks.get('02.jacobian').reference", [None]),
        ("from dlcourse.checks.calculus import example_jacobian", [None]),
        ("setattr(np, 'isclose', lambda *a: True)", [None]),
        ("g = globals()['checks']", [None]),
        ("import sys\nframe = sys._getframe(0)", [None]),
        ("!sed -i s/a/b/ file.py", [None]),
        ("%timeit np.allclose = 1", [None]),
        ("import importlib\nm = importlib.import_module('esruocld'[::-1])", [None]),
        ("def broken(:\n", []),
    ],
)
def test_static_reading_flags_shortcuts_for_their_check_and_tampering_for_all(code, flagged):
    registry = {c: checks.get(c) for c in ("02.derivative", "02.jacobian", "02.critical_point")}
    findings = _static.analyze([_static.Code(SETUP), _static.Code(code, "cell 5")], registry)
    assert sorted({f.check_id for f in findings}, key=str) == sorted(set(flagged), key=str)
    assert all(f.where.startswith("cell 5, line ") for f in findings)


def _outcome(f):
    try:
        return f()
    except Exception as exc:  # noqa: BLE001 - a hint that chokes must choke in both
        return type(exc).__name__


def _stub(*args, **kwargs):
    raise NotImplementedError


@pytest.mark.parametrize("check_id", sorted(checks.all_checks()))
def test_the_graders_verdict_on_recorded_answers_is_word_for_word_grading_run(check_id):
    chk = checks.get(check_id)
    students = [_stub, lambda *a, **k: 0.0] + ([chk.reference] if chk.reference is not None else [])
    for fn in students:
        ours = _outcome(lambda: verdict(chk, 5, as_recorded(chk, fn, 5)))
        theirs = _outcome(lambda: (lambda v: (v.passed, v.message))(checks.run(check_id, fn, 5)))
        assert ours == theirs


def test_answers_round_trip_as_plain_data():
    values = [1.5, float("nan"), 3, True, None, "saddle", 2 + 1j, np.float32(0.25),
              np.arange(6.0).reshape(2, 3), [1, (2.0, "a")], {"k": np.int64(7)}]
    decoded = [_collect.decode(json.loads(json.dumps(_collect.encode(v)))) for v in values]
    assert decoded[0] == 1.5 and np.isnan(decoded[1]) and decoded[2:7] == [3, True, None, "saddle", 2 + 1j]
    assert decoded[7] == np.float32(0.25) and type(decoded[7]) is np.float32
    assert np.array_equal(decoded[8], np.arange(6.0).reshape(2, 3))
    assert decoded[9] == [1, (2.0, "a")] and decoded[10] == {"k": 7}


def test_objects_with_behaviour_come_back_as_their_repr_only():
    class Sneaky(str):
        def __eq__(self, other):
            return True

    got = _collect.decode(json.loads(json.dumps(_collect.encode(Sneaky("saddle")))))
    assert isinstance(got, _collect.Opaque) and repr(got) == "'saddle'"
    assert checks.compare_equal(got, "minimum").summary == "expected 'minimum', got 'saddle'"


@pytest.mark.parametrize(
    "node, problem",
    [
        ({"t": "ndarray", "dtype": "|O", "shape": [1], "data": "AAAAAAAAAAA="}, "not numeric"),
        ({"t": "ndarray", "dtype": "<f8", "shape": [2], "data": "AAAAAAAAAAA="}, "does not match its shape"),
        ({"t": "pickle", "v": "gASV"}, "unknown value type"),
        ({"t": "raised", "type": "os.system('x')", "message": "", "not_implemented": False},
         "bad exception name"),
    ],
)
def test_malicious_result_data_is_rejected(node, problem):
    with pytest.raises(_collect.ResultError, match=problem):
        _collect.decode(node)
