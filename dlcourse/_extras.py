"""Optional dependencies: one clear line naming the extra to install, never a traceback.

``import dlcourse`` needs numpy only. What needs more imports it through :func:`require`,
which names the ``pip install "dlcourse[EXTRA]"`` that brings the missing package:

    plt = require("matplotlib.pyplot")          # inside a function that draws
    require("torch", by="dlcourse.training")    # at the top of a module that needs torch

The error, :class:`MissingExtra`, is an ``ImportError`` (so ``except ImportError`` and
``pytest.importorskip`` treat it as one); the ``dlcourse`` command prints it as one line,
and IPython shows it in a notebook as one line too.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["EXTRAS", "MissingExtra", "install_line", "require", "require_grade"]

EXTRAS: dict[str, str] = {
    "torch": "torch",
    "tqdm": "torch",
    "matplotlib": "plot",
    "ipywidgets": "plot",
    "IPython": "plot",
    "nbformat": "grade",
    "nbclient": "grade",
    "ipykernel": "grade",
    "jupyter_client": "grade",
}
"""Top-level module → the extra of ``pyproject.toml`` that installs it."""


def install_line(extra: str) -> str:
    return f'pip install "dlcourse[{extra}]"'


class MissingExtra(ImportError):
    """An optional dependency is not installed; the message says which extra brings it."""

    def __init__(self, module: str, extra: str, by: str | None = None) -> None:
        self.module, self.extra, self.by = module, extra, by
        who = by or "this part of dlcourse"
        super().__init__(f"{who} needs {module}, which is not installed: {install_line(extra)}",
                         name=module)

    def _render_traceback_(self) -> list[str]:  # IPython: the message alone, no traceback
        return [f"{type(self).__name__}: {self}"]


def require(module: str, *, by: str | None = None, extra: str | None = None) -> ModuleType:
    """Import ``module`` (dotted names too) and return it, or raise :class:`MissingExtra`.

    ``extra`` defaults to the one :data:`EXTRAS` gives for the top-level package; ``by``
    names what needs it in the message (``"dlcourse check"``, ``"dlcourse.training"``).
    Only the absence of the package itself becomes :class:`MissingExtra`: an error raised
    while an installed package imports propagates as it is.
    """
    top = module.split(".")[0]
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.split(".")[0] != top or (extra or EXTRAS.get(top)) is None:
            raise
        raise MissingExtra(top, extra or EXTRAS[top], by) from None


GRADE_MODULES = ("nbformat", "nbclient", "jupyter_client", "ipykernel")


def require_grade(by: str) -> None:
    """What running notebooks in kernels needs (``dlcourse grade``, ``dlcourse check``)."""
    for module in GRADE_MODULES:
        require(module, by=by)
