"""Build hook: the exercise notebooks ship inside the package as ``dlcourse/_exercises``.

``exercises/`` (generated from ``solutions/`` by ``make release``) stays the only copy in
the repository; building a wheel copies its notebooks into the package, so that
``dlcourse exercises`` and ``dlcourse check`` work from a plain ``pip install``. An
editable install reads ``exercises/`` in place (see ``dlcourse/kit.py``). The solutions
are never packaged. Everything else about the package is in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class build_py_with_exercises(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        notebooks = sorted((HERE / "exercises").glob("[0-9][0-9]_*.ipynb"))
        if not notebooks:
            raise SystemExit("exercises/ holds no notebook: run `make release` before building")
        target = Path(self.build_lib) / "dlcourse" / "_exercises"
        target.mkdir(parents=True, exist_ok=True)
        for nb in notebooks:
            shutil.copyfile(nb, target / nb.name)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        extra = [str(Path(self.build_lib) / "dlcourse" / "_exercises" / nb.name)
                 for nb in sorted((HERE / "exercises").glob("[0-9][0-9]_*.ipynb"))]
        return [*super().get_outputs(include_bytecode), *extra]


setup(cmdclass={"build_py": build_py_with_exercises})
