"""Answers as the grader sees them: recorded in the kernel as plain data, decoded outside."""

from __future__ import annotations

import json
from typing import Any, Callable

import numpy as np

from dlcourse.checks import Check
from dlcourse.grader import _collect


def as_recorded(chk: Check, fn: Callable[..., Any], seed: int) -> list[Any]:
    """The answers ``fn`` gives on a check's cases, through the plain-data round trip."""
    answers: list[Any] = []
    for case in chk.cases(np.random.default_rng(seed)):
        try:
            got = _collect.encode(chk.apply(fn, case))
        except Exception as exc:  # noqa: BLE001 - recorded like the kernel records it
            stub = isinstance(exc, NotImplementedError)
            answers.append(_collect.Raised(type(exc).__name__, str(exc), stub))
            break
        answers.append(_collect.decode(json.loads(json.dumps(got))))
    return answers
