"""The ``dlcourse`` command: ``dlcourse release [--check] [--execute]``."""

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dlcourse", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    rel = sub.add_parser("release", help="generate exercises/ from solutions/")
    rel.add_argument("--solutions", type=Path, default=Path("solutions"))
    rel.add_argument("--exercises", type=Path, default=Path("exercises"))
    rel.add_argument("--check", action="store_true", help="only report stale exercise notebooks")
    rel.add_argument("--execute", action="store_true", help="re-run solutions/ and store outputs first")
    rel.set_defaults(run=_release)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
