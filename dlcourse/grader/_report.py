"""What grading writes: the gradebook, the summary for an LMS, feedback, and a manifest.

``OUT/grades.csv``    one row per student × notebook × check (``Row``'s fields; the last,
                      ``sandbox``, says whether the kernel was isolated: bwrap or none)
``OUT/summary.csv``   one row per student: points per notebook, total, max
``OUT/feedback/``     ``<student>.md``: per check, the verdict and the student's message
``OUT/manifest.json`` the key's outline (notebooks, checks, points: no code) and the shard
``OUT/gradescope/``   ``<student>.json``: Gradescope's autograder results (``_export.py``)

Every CSV goes through :mod:`csv` (names with commas, quotes or newlines survive), and a
gradebook can be read back (:func:`read_grades`), which is how shards are merged.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections import Counter, defaultdict
from dataclasses import fields
from pathlib import Path
from typing import Any, Iterable, Sequence

from ._export import write_gradescope
from ._notebook import STATUSES, Row
from ._plan import GraderUsageError, KeyNotebook

__all__ = ["write_all", "read_grades", "read_manifest", "count", "COLUMNS", "MANIFEST_FORMAT"]

COLUMNS = [f.name for f in fields(Row)]
MANIFEST_FORMAT = "dlcourse-grades/1"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _atomic_write(path: Path, text: str) -> None:
    part = path.with_name(path.name + ".part")
    part.write_text(text, encoding="utf-8", newline="")
    os.replace(part, path)


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _grades_text(rows: Sequence[Row]) -> str:
    lines = ([r.student, r.notebook, r.check, _num(r.points), _num(r.max_points), r.status,
              r.message, r.sandbox] for r in rows)
    return _csv_text(COLUMNS, lines)


def _summary_text(rows: Sequence[Row], key: Sequence[KeyNotebook]) -> str:
    got: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in rows:
        got[r.student][r.notebook] += r.points
    total_max = sum(nb.max_points for nb in key)
    header = ["student", *(Path(nb.name).stem for nb in key), "total", "max"]
    lines = []
    for student in sorted(got):
        per = [got[student][nb.name] for nb in key]
        lines.append([student, *map(_num, per), _num(sum(per)), _num(total_max)])
    return _csv_text(header, lines)


def feedback_name(student: str) -> str:
    """A file name for a student's feedback (their id, with path separators replaced)."""
    name = re.sub(r"[/\\\x00]", "_", student)
    return "_" + name if name in ("", ".", "..") or name.startswith(".") else name


def _feedback_text(student: str, rows: Sequence[Row], key: Sequence[KeyNotebook]) -> str:
    lines = [f"# Grading feedback: {student}", ""]
    for nb in key:
        mine = [r for r in rows if r.notebook == nb.name]
        got = sum(r.points for r in mine)
        lines += [f"## {nb.name}: {_num(got)} of {_num(nb.max_points)} points", ""]
        for r in mine:
            lines += [
                f"### {r.check}: {r.status}, {_num(r.points)} of {_num(r.max_points)} points",
                "",
                "```text",
                r.message.replace("```", "'''"),
                "```",
                "",
            ]
    return "\n".join(lines)


def write_all(out: Path, rows: Sequence[Row], key: Sequence[KeyNotebook],
              manifest: dict[str, Any]) -> None:
    """Write the gradebook, the summary, every student's feedback, their Gradescope results
    and the manifest into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    _atomic_write(out / "grades.csv", _grades_text(rows))
    _atomic_write(out / "summary.csv", _summary_text(rows, key))
    feedback = out / "feedback"
    feedback.mkdir(exist_ok=True)
    for old in feedback.glob("*.md"):
        old.unlink()
    by_student: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_student[r.student].append(r)
    for student, mine in by_student.items():
        _atomic_write(feedback / f"{feedback_name(student)}.md", _feedback_text(student, mine, key))
    write_gradescope(out, by_student, key, feedback_name)
    manifest = {
        "format": MANIFEST_FORMAT,
        **manifest,
        "key": [nb.outline().to_json() for nb in key],  # checks and points; never the solutions
        "students": sorted(by_student),
    }
    _atomic_write(out / "manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")


def read_manifest(out: Path) -> dict[str, Any]:
    """The manifest of a grading output folder; :class:`GraderUsageError` if there is none."""
    try:
        data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GraderUsageError(f"{out} is not the output of `dlcourse grade` ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise GraderUsageError(f"{out}/manifest.json is not a dlcourse grading manifest")
    return data


def read_grades(path: Path) -> list[Row]:
    """The rows of a ``grades.csv`` written by :func:`write_all`."""
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header != COLUMNS:
                raise GraderUsageError(f"{path}: expected the columns {','.join(COLUMNS)}")
            rows = []
            for line in reader:
                student, notebook, check, points, max_points, status, message, sandbox = line
                if status not in STATUSES:
                    raise GraderUsageError(f"{path}: unknown status {status!r}")
                rows.append(Row(student, notebook, check, float(points), float(max_points), status,
                                message, sandbox))
    except GraderUsageError:
        raise
    except (OSError, ValueError) as exc:
        raise GraderUsageError(f"{path}: cannot read the gradebook ({exc})") from None
    return rows


def count(rows: Iterable[Row]) -> str:
    """``"12 passed, 3 failed, 0 error, …"``: every status, in a fixed order."""
    c = Counter(r.status for r in rows)
    return ", ".join(f"{c[s]} {s}" for s in STATUSES)
