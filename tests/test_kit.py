"""The student's kit: ``dlcourse exercises``, ``dlcourse check``, the packaged notebooks,
and one clear line for a missing extra.

The slow test builds the wheel, installs it into a fresh virtual environment (no system or
project packages), fetches the exercises there, fills one with its solution and checks
it: it passes, and the untouched stub fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

import pytest

from dlcourse import kit
from dlcourse._extras import EXTRAS, MissingExtra, require

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))


def _max_points(name: str) -> str:
    """The points of an exercise notebook, as the feedback writes them (6, 7.5)."""
    from dlcourse.grader._plan import load_key_notebook

    return f"{load_key_notebook(ROOT / 'exercises' / name).max_points:g}"


def _run(*args: str, cwd: Path | None = None, python: str = sys.executable,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([python, *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=600)


def fill_with_solution(notebook: Path, solution: Path) -> int:
    """Put the solution's code into each solution cell of ``notebook`` (same grade_id)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    sol = json.loads(solution.read_text(encoding="utf-8"))

    def gid(cell: dict) -> str | None:
        return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")

    answers = {gid(c): c["source"] for c in sol["cells"]
               if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    n = 0
    for cell in nb["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            cell["source"] = answers[gid(cell)]
            n += 1
    notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
    return n


# ---------------------------------------------------------------------------- fetching
def test_the_kit_serves_every_exercise_notebook_and_no_solution():
    names = [p.name for p in kit.exercises()]
    assert names == [p.name for p in EXERCISES] and len(names) >= 9
    for p in kit.exercises():
        assert p.read_bytes() == (ROOT / "exercises" / p.name).read_bytes()
        assert "# BEGIN SOLUTION" not in p.read_text(encoding="utf-8")


def test_exercises_copies_then_keeps_a_students_work_unless_forced(tmp_path):
    first = kit.fetch(tmp_path, chapter=7)
    assert [(f.path.name, f.action) for f in first] == [("07_sgd.ipynb", "copied")]
    mine = tmp_path / "07_sgd.ipynb"
    assert [f.action for f in kit.fetch(tmp_path, chapter=7)] == ["unchanged"]
    mine.write_text("my work")
    assert [f.action for f in kit.fetch(tmp_path, chapter=7)] == ["kept"]
    assert mine.read_text() == "my work"
    assert [f.action for f in kit.fetch(tmp_path, chapter=7, force=True)] == ["replaced"]
    assert mine.read_bytes() == (ROOT / "exercises" / "07_sgd.ipynb").read_bytes()


def test_exercises_command_fetches_all_and_refuses_an_unknown_chapter(tmp_path):
    out = _run("-m", "dlcourse", "exercises", str(tmp_path / "ex"))
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in (tmp_path / "ex").iterdir()) == [p.name for p in EXERCISES]
    (tmp_path / "ex" / "02_calculus.ipynb").write_text("mine")
    again = _run("-m", "dlcourse", "exercises", str(tmp_path / "ex"), "--chapter", "2")
    assert again.returncode == 0 and "kept" in again.stdout and "--force" in again.stderr
    assert (tmp_path / "ex" / "02_calculus.ipynb").read_text() == "mine"
    bad = _run("-m", "dlcourse", "exercises", str(tmp_path / "ex"), "--chapter", "42")
    assert bad.returncode == 2 and "chapter 42 has no exercise notebook" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_a_renamed_copy_finds_its_exercise_by_chapter_number(tmp_path):
    assert kit.find_key(tmp_path / "07_sgd-Copy1.ipynb").name == "07_sgd.ipynb"
    with pytest.raises(kit.KitError, match="not one of the exercise notebooks"):
        kit.find_key(tmp_path / "homework.ipynb")


def test_an_exercise_serves_as_the_graders_key_like_its_solution():
    from dlcourse.grader._plan import load_key

    exercise, solution = load_key(ROOT / "exercises"), load_key(ROOT / "solutions")
    assert [nb.name for nb in exercise] == [nb.name for nb in solution]
    for e, s in zip(exercise, solution):
        assert e.checks == s.checks
        assert [(c.kind, c.grade_id) for c in e.cells] == [(c.kind, c.grade_id) for c in s.cells]
        assert [c.source for c in e.cells if c.kind == "code"] == \
               [c.source for c in s.cells if c.kind == "code"]


# ---------------------------------------------------------------------------- extras
def test_every_extra_named_exists_in_pyproject():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert set(EXTRAS.values()) <= set(extras)
    assert {"torch", "plot", "grade"} <= set(extras)


def test_require_names_the_extra_and_passes_other_import_errors_through(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(MissingExtra) as info:
        require("torch", by="dlcourse.training")
    assert str(info.value) == ('dlcourse.training needs torch, which is not installed: '
                               'pip install "dlcourse[torch]"')
    assert isinstance(info.value, ImportError) and info.value.__cause__ is None
    assert info.value._render_traceback_() == [f"MissingExtra: {info.value}"]
    with pytest.raises(ModuleNotFoundError) as other:
        require("no_such_module_for_dlcourse")
    assert not isinstance(other.value, MissingExtra)


_WITHOUT = ("import sys\nfor m in {mods!r}: sys.modules[m] = None\n"
            "from dlcourse.__main__ import main\nsys.exit(main({argv!r}))\n")


@pytest.mark.parametrize("mods, argv, extra", [
    (("nbclient", "nbformat"), ["check", "x.ipynb"], "grade"),
    (("nbclient", "nbformat"), ["grade", "subs", "--out", "o"], "grade"),
])
def test_the_command_reports_a_missing_extra_in_one_line(tmp_path, mods, argv, extra):
    out = _run("-c", _WITHOUT.format(mods=mods, argv=argv), cwd=tmp_path)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and f'pip install "dlcourse[{extra}]"' in lines[0], out.stderr


@pytest.mark.parametrize("code, extra", [
    ("import dlcourse.training", "torch"),
    ("import dlcourse; dlcourse.device()", "torch"),
    ("import dlcourse; dlcourse.describe()", "torch"),
    ("from dlcourse import optim; optim.Adam", "torch"),
    ("from dlcourse import data; data.digits_loaders()", "torch"),
    ("from dlcourse import plot, landscapes; plot.contour(landscapes.SADDLE)", "plot"),
])
def test_library_modules_name_their_extra(code, extra):
    hide = "import sys\nfor m in ('torch', 'matplotlib'): sys.modules[m] = None\n"
    out = _run("-c", hide + code)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines()[-1].startswith("dlcourse._extras.MissingExtra: ")
    assert f'pip install "dlcourse[{extra}]"' in out.stderr


def test_check_names_torch_for_a_notebook_that_imports_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    nb = tmp_path / "10_training.ipynb"
    shutil.copyfile(ROOT / "exercises" / "10_training.ipynb", nb)
    with pytest.raises(MissingExtra, match=r'10_training.ipynb needs torch.*dlcourse\[torch\]'):
        kit.check(nb)


# ---------------------------------------------------------------------------- checking
@pytest.mark.slow
def test_check_prints_the_graders_feedback_and_fails_an_unfilled_stub(tmp_path):
    kit.fetch(tmp_path, chapter=2)
    stub = _run("-m", "dlcourse", "check", str(tmp_path / "02_calculus.ipynb"))
    total = _max_points("02_calculus.ipynb")
    assert stub.returncode == 1, stub.stderr
    assert stub.stdout.startswith(f"# Grading feedback: you\n\n## 02_calculus.ipynb: 0 of {total} points")
    assert "is not implemented yet" in stub.stdout
    assert fill_with_solution(tmp_path / "02_calculus.ipynb", ROOT / "solutions" / "02_calculus.ipynb") >= 4
    done = _run("-m", "dlcourse", "check", str(tmp_path / "02_calculus.ipynb"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"## 02_calculus.ipynb: {total} of {total} points" in done.stdout
    assert "failed" not in done.stdout and f"{total} of {total} points, all checks pass" in done.stderr


# ---------------------------------------------------------------------------- the wheel
def _build_wheel(dist: Path, work: Path) -> Path:
    """The wheel, built from a copy of what the sdist holds (the tree stays clean)."""
    src = work / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE"):
        shutil.copyfile(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    shutil.copytree(ROOT / "dlcourse", src / "dlcourse", ignore=ignore)
    shutil.copytree(ROOT / "exercises", src / "exercises", ignore=ignore)
    out = _run("-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(dist),
               str(src))
    assert out.returncode == 0, out.stderr
    (wheel,) = dist.glob("dlcourse-*.whl")
    return wheel


@pytest.mark.slow
def test_the_wheel_ships_the_exercises_and_data_but_no_solutions(tmp_path):
    wheel = _build_wheel(tmp_path / "dist", tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    assert sorted(n for n in names if n.startswith("dlcourse/_exercises/")) == \
        [f"dlcourse/_exercises/{p.name}" for p in EXERCISES]
    assert "dlcourse/data/digits.csv.gz" in names and "dlcourse/kit.py" in names
    assert not [n for n in names if "solutions" in n or n.startswith("exercises/")]
    with zipfile.ZipFile(wheel) as z:
        for p in EXERCISES:
            assert z.read(f"dlcourse/_exercises/{p.name}") == p.read_bytes()


@pytest.mark.slow
def test_a_fresh_venv_with_only_the_wheel_fetches_solves_and_checks_every_exercise(tmp_path):
    started = time.monotonic()
    wheel = _build_wheel(tmp_path / "dist", tmp_path)
    venv = tmp_path / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    # The project's pip installs into the fresh environment (--python), from the same
    # package indexes and pins as `make`; nothing of the project's .venv is visible there.
    install = _run("-m", "pip", "--python", python, "install", "-q", "--no-compile", "--only-binary", ":all:", "-c",
                   str(ROOT / "requirements" / "constraints.txt"), f"{wheel}[grade]")
    assert install.returncode == 0, install.stderr
    installed = time.monotonic()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    where = _run("-c", "import dlcourse, sys; print(dlcourse.__file__); print(sys.prefix)",
                 python=python, env=env, cwd=tmp_path)
    assert where.stdout.splitlines() == [
        str(venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
            / "site-packages" / "dlcourse" / "__init__.py"), str(venv)], where.stdout
    dlcourse_cmd = str(venv / "bin" / "dlcourse")
    fetched = subprocess.run([dlcourse_cmd, "exercises", "work"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=120)
    assert fetched.returncode == 0, fetched.stderr
    work = tmp_path / "work"
    assert sorted(p.name for p in work.iterdir()) == [p.name for p in EXERCISES]

    def check(name: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([dlcourse_cmd, "check", f"work/{name}"], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=600)

    total = _max_points("02_calculus.ipynb")
    stub = check("02_calculus.ipynb")
    assert stub.returncode == 1 and f"0 of {total} points" in stub.stdout, stub.stdout + stub.stderr
    fill_with_solution(work / "02_calculus.ipynb", ROOT / "solutions" / "02_calculus.ipynb")
    solved = check("02_calculus.ipynb")
    assert solved.returncode == 0, solved.stdout + solved.stderr
    assert f"## 02_calculus.ipynb: {total} of {total} points" in solved.stdout
    # torch is not installed there: one line that names the extra, no traceback
    no_torch = check("10_training.ipynb")
    assert no_torch.returncode == 2 and no_torch.stdout == ""
    assert no_torch.stderr.strip() == ('error: 10_training.ipynb needs torch, which is not '
                                       'installed: pip install "dlcourse[torch]"')
    # With the torch and plot extras added, every exercise, solved, gets full marks there.
    more = _run("-m", "pip", "--python", python, "install", "-q", "--no-compile", "--only-binary",
                ":all:", "-c", str(ROOT / "requirements" / "constraints.txt"),
                f"{wheel}[grade,torch,plot]")
    assert more.returncode == 0, more.stderr
    extras = time.monotonic()
    for exercise in EXERCISES:
        assert fill_with_solution(work / exercise.name, ROOT / "solutions" / exercise.name) >= 1
        done = check(exercise.name)
        total = _max_points(exercise.name)
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"## {exercise.name}: {total} of {total} points" in done.stdout, done.stdout
    print(f"fresh venv: built and installed in {installed - started:.0f} s, torch and plot "
          f"added in {extras - installed:.0f} s, whole test {time.monotonic() - started:.0f} s")
