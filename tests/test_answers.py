"""Every alternative answer of ``tests/answers`` gets the verdict a fair check must give.

See ``tests/answers/__init__.py`` for the format. The answers run in-process against the
check's reference, exactly as :func:`dlcourse.checks.run` judges them (the grader's verdict
on recorded answers is shown to equal that word for word in ``test_grade_command.py``),
and through the grader's static reading, so that a correct answer is never flagged.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import pkgutil
import textwrap
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from dlcourse import checks
from dlcourse.grader import _plan, _static
from dlcourse.grader._notebook import verdict as graders_verdict

from .answers import SEEDS, Answer
from .recorded import as_recorded

ROOT = Path(__file__).resolve().parent.parent
ANSWER_MODULES = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent / "answers")]))


def _notebook_of(module: str) -> Path:
    """``nb_03_losses`` → ``solutions/03_losses.ipynb``."""
    return ROOT / "solutions" / (module.removeprefix("nb_") + ".ipynb")


@lru_cache(maxsize=None)
def _key(module: str) -> _plan.KeyNotebook:
    return _plan.load_key_notebook(_notebook_of(module))


@lru_cache(maxsize=None)
def _base_namespace(module: str) -> dict[str, Any]:
    """What the key notebook's code cells (setup and solutions, no checks) define."""
    ns: dict[str, Any] = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in _key(module).cells:
            if cell.kind != "check":
                exec(compile(cell.source, f"<{module} cell {cell.number}>", "exec"), ns)  # noqa: S102
    return ns


def _all_answers() -> list[tuple[str, int, Answer]]:
    found = []
    for module in ANSWER_MODULES:
        mod = importlib.import_module(f"tests.answers.{module}")
        found += [(module, i, a) for i, a in enumerate(mod.ANSWERS)]
    return found


ANSWERS = _all_answers()


def _function_name(module: str, check_id: str) -> str:
    names = [c.function for c in _key(module).checks if c.check_id == check_id]
    assert names, f"{check_id} is not checked in {_notebook_of(module).name}"
    return names[0]


def _findings(module: str, code: str) -> list[_static.Finding]:
    key = _key(module)
    registry = {c.check_id: checks.get(c.check_id) for c in key.checks}
    cells = [_static.Code(c.source) for c in key.cells if c.kind == "code"]
    return _static.analyze(cells + [_static.Code(code, "answer")], registry)


@pytest.mark.parametrize(("module", "index", "answer"), ANSWERS,
                         ids=[f"{m}-{i}-{a.check_id}-{a.verdict}" for m, i, a in ANSWERS])
def test_answer_gets_the_fair_verdict(module: str, index: int, answer: Answer) -> None:
    code = textwrap.dedent(answer.code)
    findings = _findings(module, code)
    if answer.verdict == "flagged":
        assert findings, f"not flagged: {answer.why}"
        return
    assert not findings, f"a fair answer's code is flagged: {[f.message for f in findings]}"
    ns = dict(_base_namespace(module))
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, f"<answer {index}>", "exec"), ns)  # noqa: S102
        fn = ns[_function_name(module, answer.check_id)]
        verdicts = [checks.run(answer.check_id, fn, seed=seed) for seed in SEEDS]
        chk = checks.get(answer.check_id)
        recorded = graders_verdict(chk, SEEDS[0], as_recorded(chk, fn, SEEDS[0]))
    assert recorded == (verdicts[0].passed, verdicts[0].message), "the grader judges it otherwise"
    if answer.verdict == "pass":
        failed = [v.message for v in verdicts if not v.passed]
        assert not failed, f"a correct answer ({answer.why}) fails:\n{failed[0]}"
    else:
        assert not all(v.passed for v in verdicts), f"a wrong answer passes: {answer.why}"
        messages = "\n".join(v.message for v in verdicts if not v.passed)
        for text in answer.message:
            assert text in messages, f"the message does not say {text!r}:\n{messages}"


def test_every_exercise_notebook_has_answers() -> None:
    notebooks = {p.stem for p in (ROOT / "solutions").glob("*.ipynb")}
    covered = {m.removeprefix("nb_") for m in ANSWER_MODULES}
    assert notebooks <= covered, f"no answers for {sorted(notebooks - covered)}"


def test_answers_cover_every_check_with_both_verdicts() -> None:
    seen: dict[str, set[str]] = {}
    for _module, _i, a in ANSWERS:
        seen.setdefault(a.check_id, set()).add("pass" if a.verdict == "pass" else "wrong")
    for module in ANSWER_MODULES:
        for c in _key(module).checks:
            assert seen.get(c.check_id) == {"pass", "wrong"}, (
                f"{c.check_id}: needs at least one correct and one wrong answer")


def test_suite_summary(capsys: pytest.CaptureFixture[str]) -> None:
    counts: dict[str, int] = {}
    for _m, _i, a in ANSWERS:
        counts[a.verdict] = counts.get(a.verdict, 0) + 1
    with capsys.disabled():
        print(f"\nanswer suite: {len(ANSWERS)} answers {json.dumps(counts)}")
    assert len(ANSWERS) >= 200
