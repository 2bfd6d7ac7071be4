"""The student's kit: ``dlcourse exercises`` fetches the exercise notebooks, ``dlcourse check``
grades one of them locally.

The exercise notebooks (``exercises/NN_topic.ipynb``, generated from the solutions by the
release) ship inside the package as ``dlcourse/_exercises/``; an editable install reads
the repository's ``exercises/`` in place. The solutions never ship.

``check`` runs the instructor's grader (:func:`dlcourse.grader.command.grade`) on the one
notebook, with the packaged exercise of the same name as the key: an exercise has the
solution's cells, ids and check cells, only the solution code is replaced by stubs, and
the grader takes the student's solution cells and the key's check cells. So the feedback
is word for word what the instructor's grading writes.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import dlcourse

__all__ = ["CheckResult", "KitError", "check", "exercise_dir", "exercises", "fetch", "find_key"]

PACKAGE = Path(dlcourse.__file__).resolve().parent
_NAME = re.compile(r"^(\d\d)_[\w-]+\.ipynb$")


class KitError(ValueError):
    """A bad request to the kit: an unknown chapter or notebook, a missing folder."""


def exercise_dir() -> Path:
    """Where this installed ``dlcourse`` keeps its exercise notebooks."""
    packaged = PACKAGE / "_exercises"
    if any(packaged.glob("*.ipynb")):
        return packaged
    source = PACKAGE.parent / "exercises"  # an editable install, or a clone on sys.path
    if (PACKAGE.parent / "pyproject.toml").is_file() and any(source.glob("*.ipynb")):
        return source
    raise KitError(f"this installation of dlcourse {dlcourse.__version__} has no exercise "
                   "notebooks (reinstall it from a wheel, or run `make release` in a clone)")


def exercises(chapter: int | None = None) -> list[Path]:
    """The exercise notebooks, in chapter order; only chapter ``chapter``'s when given."""
    found = sorted(p for p in exercise_dir().glob("*.ipynb") if _NAME.match(p.name))
    if chapter is None:
        return found
    mine = [p for p in found if int(p.name[:2]) == chapter]
    if not mine:
        have = ", ".join(str(int(p.name[:2])) for p in found)
        raise KitError(f"chapter {chapter} has no exercise notebook; chapters with one: {have}")
    return mine


@dataclass(frozen=True)
class Fetched:
    """One notebook of :func:`fetch`: where it went and what happened (a word)."""

    path: Path
    action: str  # "copied", "replaced", "unchanged" or "kept"


def fetch(folder: Path, chapter: int | None = None, force: bool = False) -> list[Fetched]:
    """Copy the exercise notebooks into ``folder``; a notebook already there is kept
    (it may hold the student's work) unless ``force``, or unless it is the same file."""
    sources = exercises(chapter)
    if folder.exists() and not folder.is_dir():
        raise KitError(f"{folder} exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    done = []
    for source in sources:
        target = folder / source.name
        if target.exists() and target.read_bytes() == source.read_bytes():
            done.append(Fetched(target, "unchanged"))
            continue
        if target.exists() and not force:
            done.append(Fetched(target, "kept"))
            continue
        action = "replaced" if target.exists() else "copied"
        shutil.copyfile(source, target)
        done.append(Fetched(target, action))
    return done


def find_key(notebook: Path) -> Path:
    """The packaged exercise that ``notebook`` is a copy of: the same file name, or else the
    one exercise of its chapter number (``07_sgd-Copy1.ipynb`` → ``07_sgd.ipynb``)."""
    known = exercises()
    for p in known:
        if p.name == notebook.name:
            return p
    number = re.match(r"^(\d\d)_", notebook.name)
    same = [p for p in known if number and p.name[:2] == number[1]]
    if len(same) == 1:
        return same[0]
    names = ", ".join(p.name for p in known)
    raise KitError(f"{notebook.name} is not one of the exercise notebooks ({names}); "
                   "keep the name the notebook was fetched with")


def _extras_imported(notebook: Path) -> set[str]:
    """The optional packages (torch, …) that the notebook's own code cells import."""
    import ast
    import json

    from ._extras import EXTRAS

    names: set[str] = set()
    for cell in json.loads(notebook.read_text(encoding="utf-8")).get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        try:
            tree = ast.parse("".join(cell.get("source", "")))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return names & set(EXTRAS)


@dataclass(frozen=True)
class CheckResult:
    """What :func:`check` found: the grader's feedback (Markdown) and whether all passed."""

    feedback: str
    passed: bool
    points: float
    max_points: float


STUDENT = "you"
"""The student's name in the feedback that :func:`check` prints."""


def check(notebook: Path, *, timeout: float = 120.0, sandbox: str = "auto") -> CheckResult:
    """Grade ``notebook`` as the instructor's grader would, with its exercise as the key.

    Needs the ``grade`` extra. Raises :class:`KitError` for a missing or unknown notebook and
    :class:`dlcourse.grader.command.GraderUsageError` when the grader cannot run.
    """
    from ._extras import require, require_grade

    require_grade("dlcourse check")
    from .grader.command import grade

    if not notebook.is_file():
        raise KitError(f"no notebook at {notebook}")
    key_notebook = find_key(notebook)
    for module in sorted(_extras_imported(key_notebook)):
        require(module, by=key_notebook.name)
    with tempfile.TemporaryDirectory(prefix="dlcourse-check-") as tmp:
        root = Path(tmp)
        key = root / "key"
        mine = root / "submissions" / STUDENT
        key.mkdir()
        mine.mkdir(parents=True)
        shutil.copyfile(key_notebook, key / key_notebook.name)
        shutil.copyfile(notebook, mine / key_notebook.name)
        result = grade(root / "submissions", root / "out", key=key, jobs=1, timeout=timeout,
                       progress=False, sandbox=sandbox)
        feedback = (root / "out" / "feedback" / f"{STUDENT}.md").read_text(encoding="utf-8")
    rows = result.rows
    return CheckResult(
        feedback=feedback,
        passed=bool(rows) and all(r.status == "passed" for r in rows),
        points=sum(r.points for r in rows),
        max_points=sum(r.max_points for r in rows),
    )
