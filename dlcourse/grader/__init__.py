"""Grading a class: ``dlcourse grade SUBMISSIONS --out OUT`` and ``dlcourse grade merge``.

This package is the instructor's machinery; the checks that exercises call live in
:mod:`dlcourse.checks`. The pieces: ``command`` (the command line and the class loop),
``_plan`` (key + submission → cells to run), ``_static`` (shortcuts and tampering),
``_runner`` (a kernel with time limits, crash recovery, capped output), ``_nanny`` (the
kernel's memory cap and parent), ``_collect`` (answers as plain data, inside the kernel),
``_notebook`` (one notebook's rows), ``_worker`` (the worker process) and ``_report``
(CSV, summary, feedback, manifest).
"""

from __future__ import annotations

from typing import Any

__all__ = ["grade", "merge", "main", "GradeResult", "GraderUsageError"]


def __getattr__(name: str) -> Any:
    """The public names of :mod:`.command`, imported when first used: a kernel that imports
    ``_collect`` must not pay for the class-grading machinery."""
    if name in __all__:
        from . import command

        return getattr(command, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
