"""Grading a class with pytest: one test per student, notebook and check.

::

    pytest -p dlcourse.grader.pytest_plugin --dlcourse-submissions submissions/ \\
        --dlcourse-key solutions/ --junitxml grades.xml

(``-p`` may be left out where dlcourse is pip-installed: the package registers this module as
a ``pytest11`` plugin, which does nothing unless ``--dlcourse-submissions`` is given.)

The tests are ``<student>/<notebook>::<check grade_id>``, for every student folder and every
check of the key, and their verdicts are those of ``dlcourse grade``: the plugin calls
:func:`dlcourse.grader.command.grade` once for the selected students, before the first test
runs, and each test reports its row. ``passed`` passes; ``failed`` and ``flagged`` fail with
the grader's message; ``error``, ``timeout`` and ``missing`` are reported as errors (the
check could not be judged), again with the message. The status and the points head every
message and are recorded as JUnit properties (``status``, ``points``, ``max_points``).

Why a plugin on top of the grader, and not nbval: nbval runs the notebook's own cells in
the student's kernel and compares their outputs with the stored ones, so a student who
edits a check cell, monkeypatches the checker or prints the expected output would pass; and
a submission has no stored outputs worth comparing. The grader restores the key's check
cells, judges the answers in its own process on freshly drawn cases, flags shortcuts, and
bounds every cell: this plugin only presents its verdicts as tests.

Nothing of a submission runs in pytest's process, and pytest never collects the submissions
folder (a ``conftest.py`` there is never imported). Run it without ``-n`` (pytest-xdist):
``--dlcourse-jobs N`` grades N notebooks at a time.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

__all__ = ["CheckItem"]

ERRORS = ("error", "timeout", "missing")  # reported as pytest errors; failed, flagged: failures


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dlcourse", "grading a class (dlcourse grade)")
    add = group.addoption
    add("--dlcourse-submissions", metavar="DIR", default=None,
        help="grade SUBMISSIONS/<student>/<notebook>.ipynb: one test per student, notebook "
        "and check (the other tests are not collected)")
    add("--dlcourse-key", metavar="DIR", default="solutions",
        help="the solution notebooks that define the tests (default: solutions)")
    add("--dlcourse-out", metavar="DIR", default=None,
        help="keep the grader's output (grades.csv, summary.csv, feedback/, gradescope/) here "
        "(default: a temporary folder)")
    add("--dlcourse-jobs", metavar="N", type=int, default=1,
        help="notebooks graded at the same time (default: 1)")
    add("--dlcourse-timeout", metavar="S", type=float, default=120.0,
        help="time limit per cell, seconds (default: 120)")
    add("--dlcourse-memory", metavar="MB", type=int, default=4096,
        help="memory limit per kernel in MiB, 0: none (default: 4096)")
    add("--dlcourse-seed", metavar="N", type=int, default=None,
        help="fix the random cases (default: fresh and secret)")
    add("--dlcourse-sandbox", choices=("auto", "bwrap", "none"), default="auto",
        help="isolate each kernel with bubblewrap: auto, bwrap (required) or none")


@dataclass
class _State:
    """One grading session: the key, the students, and (after grading) their rows."""

    submissions: Path
    key_dir: Path
    out: Path | None
    options: dict[str, Any]
    key: list[Any]
    students: list[str]
    rows: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    failure: str | None = None
    temporary: list[Path] = field(default_factory=list)

    def grade(self, students: set[str], report: Any) -> None:
        from .command import grade

        root = self.submissions
        if set(self.students) != students:  # a selection (-k, --lf): grade only those
            root = Path(tempfile.mkdtemp(prefix="dlcourse-selected-"))
            self.temporary.append(root)
            for student in sorted(students):
                src, dst = self.submissions / student, root / student
                if src.is_symlink():  # stays a link, which the grader refuses to follow
                    os.symlink(os.readlink(src), dst)
                else:
                    shutil.copytree(src, dst, symlinks=True)
        out = self.out
        if out is None:
            out = Path(tempfile.mkdtemp(prefix="dlcourse-grades-"))
            self.temporary.append(out)
        result = grade(root, out, key=self.key_dir, progress=False, **self.options)
        self.rows = {(r.student, r.notebook, r.check): r for r in result.rows}
        if report is not None:
            report.write_line(f"dlcourse: {result.summary_line()}"
                              + (f" (output in {self.out})" if self.out else ""))


_STATE = pytest.StashKey[_State]()


def _students(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def pytest_configure(config: pytest.Config) -> None:
    folder = config.getoption("dlcourse_submissions", None)
    if folder is None:
        return
    if config.getoption("numprocesses", None):
        raise pytest.UsageError("grading with dlcourse runs in one pytest process: leave out -n "
                                "and use --dlcourse-jobs N to grade N notebooks at a time")
    from ._plan import GraderUsageError, load_key

    submissions = Path(folder).resolve()
    key_dir = Path(config.getoption("dlcourse_key"))
    out = config.getoption("dlcourse_out")
    try:
        if not submissions.is_dir():
            raise GraderUsageError(f"no submissions folder at {folder}")
        key = load_key(key_dir)
    except GraderUsageError as exc:
        raise pytest.UsageError(f"dlcourse: {exc}") from None
    options = {
        "jobs": config.getoption("dlcourse_jobs"), "timeout": config.getoption("dlcourse_timeout"),
        "memory_mb": config.getoption("dlcourse_memory"), "seed": config.getoption("dlcourse_seed"),
        "sandbox": config.getoption("dlcourse_sandbox"),
    }
    config.stash[_STATE] = _State(submissions, key_dir, Path(out) if out else None, options, key,
                                  _students(submissions))
    config.args = []  # collect the class, not the paths on the command line or testpaths


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    for path in state.temporary if state else ():
        shutil.rmtree(path, ignore_errors=True)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    state = config.stash.get(_STATE, None)
    if state is None:
        return
    items.clear()
    for student in state.students:
        items.extend(session.genitems(_Student.from_parent(session, name=student, nodeid=student)))


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> None:
    """Grade the selected students once, before the first test reports its row."""
    state = session.config.stash.get(_STATE, None)
    if state is None or session.config.option.collectonly or session.testsfailed:
        return
    students = {item.student for item in session.items if isinstance(item, CheckItem)}
    if not students:
        return
    from ._plan import GraderUsageError

    report = session.config.pluginmanager.get_plugin("terminalreporter")
    try:
        state.grade(students, report)
    except GraderUsageError as exc:
        raise pytest.UsageError(f"dlcourse: {exc}") from None


class _Student(pytest.Collector):
    """A student's folder: one collector per key notebook."""

    def collect(self) -> Iterator[pytest.Collector]:
        state = self.config.stash[_STATE]
        for nb in state.key:
            yield _Notebook.from_parent(self, name=nb.name, nodeid=f"{self.name}/{nb.name}",
                                        path=state.submissions / self.name / nb.name, notebook=nb)


class _Notebook(pytest.Collector):
    """One key notebook of one student: one test per check."""

    def __init__(self, *, notebook: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.notebook = notebook

    def collect(self) -> Iterator[pytest.Item]:
        assert self.parent is not None
        for check in self.notebook.checks:
            yield CheckItem.from_parent(self, name=check.grade_id,
                                        nodeid=f"{self.nodeid}::{check.grade_id}",
                                        student=self.parent.name, check=check)


class CheckItem(pytest.Item):
    """One check of one student's notebook; its verdict is the grader's row."""

    def __init__(self, *, student: str, check: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.student, self.check = student, check
        assert self.parent is not None
        self.notebook = self.parent.name

    def _row(self) -> Any:
        rows = self.config.stash[_STATE].rows
        row = rows.get((self.student, self.notebook, self.check.grade_id))
        if row is None:
            pytest.fail(f"error: the grader gave no verdict on {self.check.grade_id}",
                        pytrace=False)
        return row

    def _text(self, row: Any) -> str:
        return (f"{row.status}, {_num(row.points)} of {_num(row.max_points)} points "
                f"({self.check.check_id})\n{row.message}")

    def setup(self) -> None:
        row = self._row()
        self.user_properties += [("status", row.status), ("points", _num(row.points)),
                                 ("max_points", _num(row.max_points)),
                                 ("check", self.check.check_id)]
        if row.status in ERRORS:  # could not be judged: a pytest error, not a failure
            pytest.fail(self._text(row), pytrace=False)

    def runtest(self) -> None:
        row = self._row()
        if row.status != "passed":
            pytest.fail(self._text(row), pytrace=False)

    def reportinfo(self) -> tuple[Path, None, str]:
        return self.path, None, f"{self.student} {self.notebook} {self.check.grade_id}"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"
