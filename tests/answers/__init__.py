"""A suite of alternative student answers, each with the verdict a fair check must give.

One module per exercise notebook, ``tests/answers/nb_NN_topic.py``, defines ``ANSWERS``: a
list of :class:`Answer`. Each answer is the source of one solution cell, written the way
a student might: correct ones in other styles (loops, lists, torch, float32 where the task
allows it, in-place updates, prints, helper functions) and subtly wrong ones (a sign, an
off-by-one, a broken requirement that the exercise text states). ``tests/test_answers.py``
runs every answer against its check the way the grader judges it:

* ``"pass"``: :func:`dlcourse.checks.run` passes it for every seed of :data:`SEEDS`, and
  the grader's static reading finds nothing to flag;
* ``"fail"``: the check fails it for at least one seed of :data:`SEEDS` (a wrong answer
  must not pass on the fixed cases of the book alone, so in practice for every seed);
* ``"flagged"``: the grader's static reading flags it (a shortcut, or a rule the exercise
  forbids), whatever the answers.

The answer's code runs in the namespace that the key notebook's own code cells build (the
setup cell, and the solution of every other exercise of the notebook), so an answer may
call the functions of earlier exercises, and must define the function that the check cell
passes to ``checks.check``. A wrong answer for a check that calls another student
function may instead redefine that earlier function wrongly; its ``message`` then names
the earlier function, to test that the verdict points at the likely cause.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SEEDS = (0, 20261203)

Verdict = Literal["pass", "fail", "flagged"]


@dataclass(frozen=True)
class Answer:
    """One alternative answer: the check it is for, what a fair check says, and the code."""

    check_id: str
    verdict: Verdict
    code: str
    why: str
    #: text the check's message must contain (for "fail": the mistake it names)
    message: tuple[str, ...] = field(default_factory=tuple)
