"""The ``dlcourse`` command.

``dlcourse release [--check] [--execute]`` generates ``exercises/`` from ``solutions/``;
``dlcourse grade SUBMISSIONS --out OUT [...]`` grades a class (``dlcourse grade --help``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _release(args: argparse.Namespace) -> int:
    from .release import ReleaseError, release, stale

    try:
        if args.check:
            problems = stale(args.solutions, args.exercises)
            for p in problems:
                print(f"stale: {p}", file=sys.stderr)
            if problems:
                print("run `python -m dlcourse release` to regenerate exercises/", file=sys.stderr)
            return 1 if problems else 0
        if args.execute:
            from .release import execute

            execute(sorted(args.solutions.glob("*.ipynb")))
        for path in release(args.solutions, args.exercises):
            print(f"wrote {path}")
    except ReleaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _grade(args: argparse.Namespace) -> int:
    from .grader.command import main as grade_main

    return grade_main(args.args)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["grade"]:  # its own parser, with its `merge` sub-command
        return _grade(argparse.Namespace(args=argv[1:]))
    parser = argparse.ArgumentParser(prog="dlcourse", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    rel = sub.add_parser("release", help="generate exercises/ from solutions/")
    rel.add_argument("--solutions", type=Path, default=Path("solutions"))
    rel.add_argument("--exercises", type=Path, default=Path("exercises"))
    rel.add_argument("--check", action="store_true", help="only report stale exercise notebooks")
    rel.add_argument("--execute", action="store_true", help="re-run solutions/ and store outputs first")
    rel.set_defaults(run=_release)
    gra = sub.add_parser("grade", add_help=False,
                         help="grade a class against solutions/ (see `dlcourse grade --help`)")
    gra.add_argument("args", nargs=argparse.REMAINDER)
    gra.set_defaults(run=_grade)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
