"""The ``dlcourse`` command.

For students: ``dlcourse exercises [DIR] [--chapter N] [--force]`` copies the exercise
notebooks of this installed version into DIR (default ``dlcourse-exercises``), and
``dlcourse check NOTEBOOK`` grades one notebook with the instructor's grader and prints its
feedback (exit status 0 when every check passed, 1 otherwise).

For instructors: ``dlcourse release [--check] [--execute]`` generates ``exercises/`` from
``solutions/``; ``dlcourse grade SUBMISSIONS --out OUT [...]`` grades a class
(``dlcourse grade --help``).

A missing optional dependency is reported as one line naming the extra to install.
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
    from ._extras import require_grade

    require_grade("dlcourse grade")
    from .grader.command import main as grade_main

    return grade_main(args.args)


def _exercises(args: argparse.Namespace) -> int:
    from .kit import KitError, fetch

    try:
        done = fetch(args.dir, chapter=args.chapter, force=args.force)
    except KitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for f in done:
        print(f"{f.action:>9}  {f.path}")
    kept = [f for f in done if f.action == "kept"]
    if kept:
        print(f"{len(kept)} notebook(s) already there and different were kept (your work); "
              "--force replaces them with fresh copies", file=sys.stderr)
    print(f"open them with:  jupyter lab {args.dir}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from ._extras import require_grade

    require_grade("dlcourse check")
    from .grader.command import GraderUsageError
    from .kit import KitError, check

    try:
        result = check(args.notebook, timeout=args.timeout, sandbox=args.sandbox)
    except (KitError, GraderUsageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(result.feedback, end="" if result.feedback.endswith("\n") else "\n")
    verdict = "all checks pass" if result.passed else "not every check passes yet"
    print(f"{args.notebook.name}: {result.points:g} of {result.max_points:g} points, {verdict}",
          file=sys.stderr)
    return 0 if result.passed else 1


def _chapter(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a chapter number, like 7; got {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    from ._extras import MissingExtra

    try:
        return _main(argv)
    except MissingExtra as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["grade"]:  # its own parser, with its `merge` sub-command
        return _grade(argparse.Namespace(args=argv[1:]))
    parser = argparse.ArgumentParser(prog="dlcourse", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    exe = sub.add_parser("exercises", help="copy the exercise notebooks into a folder")
    exe.add_argument("dir", type=Path, nargs="?", default=Path("dlcourse-exercises"),
                     help="where to put them (default: dlcourse-exercises)")
    exe.add_argument("--chapter", type=_chapter, default=None, help="only this chapter's notebook")
    exe.add_argument("--force", action="store_true",
                     help="replace notebooks already there (your work in them is lost)")
    exe.set_defaults(run=_exercises)
    chk = sub.add_parser("check", help="grade one exercise notebook as the instructor's grader would")
    chk.add_argument("notebook", type=Path, help="your notebook, e.g. dlcourse-exercises/07_sgd.ipynb")
    chk.add_argument("--timeout", type=float, default=120.0,
                     help="time limit per cell, seconds (default: 120)")
    chk.add_argument("--sandbox", choices=("auto", "bwrap", "none"), default="auto",
                     help="isolate the kernel with bubblewrap: auto (when it works), bwrap, none")
    chk.set_defaults(run=_check)
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
