"""The book's exercise links (``_ext/dlcourse_exercises.py``): which chapter gets which
notebook, the "how to run it" box, and the launch links (off unless configured)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
import dlcourse_exercises as ext

OPTIONS = {
    "launch_buttons": {"binderhub_url": "https://binder.example.org/", "notebook_interface": "jupyterlab",
                       "jupyterhub_url": "https://hub.example.edu", "colab_url": "https://colab.example.com"},
    "repository_url": "https://github.com/example/dlcourse", "repository_branch": "main",
}


def test_a_chapter_gets_the_exercise_of_its_number_and_other_pages_none():
    folder = ROOT / "exercises"
    assert ext.exercise_for(folder, "chapters/07_sgd").name == "07_sgd.ipynb"
    assert ext.exercise_for(folder, "chapters/10_training").name == "10_training.ipynb"
    assert ext.exercise_for(folder, "appendix/notation") is None
    assert ext.exercise_for(folder, "intro") is None
    assert ext.exercise_for(ROOT / "no-such-folder", "chapters/07_sgd") is None


def test_every_exercise_notebook_has_a_chapter_page_in_the_book():
    toc = (ROOT / "_toc.yml").read_text()
    pages = set(re.findall(r"file:\s*(chapters/\S+)", toc))
    for nb in sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb")):
        assert [p for p in pages if ext.exercise_for(ROOT / "exercises", p) == nb], nb.name


def test_launch_links_are_off_in_the_books_configuration():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    options = {"launch_buttons": config.get("launch_buttons", {}),
               "repository_url": (config.get("repository") or {}).get("url", "")}
    assert ext.launch_links(options, "exercises/07_sgd.ipynb") == []
    assert all(not config["launch_buttons"].get(k) for k in ("binderhub_url", "jupyterhub_url", "colab_url"))


def test_launch_links_open_the_exercise_on_each_configured_service():
    links = dict(ext.launch_links(OPTIONS, "exercises/07_sgd.ipynb"))
    assert links == {
        "Binder": "https://binder.example.org/v2/gh/example/dlcourse/main?urlpath=lab%2Ftree%2Fexercises%2F07_sgd.ipynb",
        "JupyterHub": "https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com"
                      "%2Fexample%2Fdlcourse&urlpath=lab%2Ftree%2Fdlcourse%2Fexercises%2F07_sgd.ipynb&branch=main",
        "Colab": "https://colab.example.com/github/example/dlcourse/blob/main/exercises/07_sgd.ipynb",
    }
    no_repo = {**OPTIONS, "repository_url": ""}
    assert ext.launch_links(no_repo, "exercises/07_sgd.ipynb") == []


def test_the_box_says_how_to_install_fetch_open_and_check():
    box = ext.exercise_box("07_sgd.ipynb", 7, "../exercises/07_sgd.ipynb", [], "")
    text = box.astext()
    for step in ('pip install "dlcourse[student]"', "dlcourse exercises --chapter 7",
                 "jupyter lab dlcourse-exercises/07_sgd.ipynb",
                 "dlcourse check dlcourse-exercises/07_sgd.ipynb", "make lab"):
        assert step in text, step
    assert 'href="../exercises/07_sgd.ipynb" download="07_sgd.ipynb"' in text
    assert "Run it online" not in text
    online = ext.exercise_box("07_sgd.ipynb", 7, "x", ext.launch_links(OPTIONS, "exercises/07_sgd.ipynb"),
                              OPTIONS["repository_url"])
    assert "Run it online: Binder · JupyterHub · Colab." in online.astext()
    assert '%pip install "dlcourse[torch,grade] @ git+https://github.com/example/dlcourse"' in online.astext()


def test_binder_installs_the_course_with_what_students_need():
    lines = [l for l in (ROOT / "binder" / "requirements.txt").read_text().splitlines()
             if l.strip() and not l.startswith("#")]
    assert lines == [".[student]"]


def test_make_lab_fetches_the_exercises_and_opens_jupyterlab():
    # run as a top-level make even when the suite itself runs under make (CI's `make test`)
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    out = subprocess.run(["make", "--no-print-directory", "-n", "-W", "pyproject.toml", "lab"], cwd=ROOT,
                         capture_output=True, text=True, check=True, env=env).stdout.splitlines()
    assert out[-2:] == [".venv/bin/dlcourse exercises dlcourse-exercises",
                        ".venv/bin/jupyter lab dlcourse-exercises"]
