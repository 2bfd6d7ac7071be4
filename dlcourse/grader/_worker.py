"""A grading worker: a separate process that grades whole notebooks, one at a time.

The grader starts ``python -m dlcourse.grader._worker`` once per job and talks to it in
JSON lines: first the run's settings and key, then one task per line
(``{"student", "notebook", "cells"}``: the submission's code cells, read by the grader),
each answered by ``{"rows": [...]}``. Whatever a
submission does, the worst it can do is end this process; the grader then reports that
notebook as ``error`` and starts a new worker for the next one.

File descriptor 1 carries the protocol only: stray writes to standard output (a library's
print, a kernel's inherited output) go to standard error instead.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import threading
import time
import traceback
from dataclasses import asdict
from typing import Any, TextIO

from ._notebook import Settings, grade_notebook, rows_for
from ._procs import process_table
from ._plan import KeyNotebook, StudentCell


def _protocol_stream() -> TextIO:
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return out


def _follow_parent() -> None:
    """End this worker (and so its kernel) as soon as the grader that started it is gone."""
    from ._nanny import adopt_orphans, die_with_parent

    die_with_parent()
    adopt_orphans()
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _end_strays() -> None:
    """Kill what the last submission left running: processes it started in sessions of
    their own escape the kernel's process group, but this worker adopts them (Linux)."""
    me = os.getpid()
    for _ in range(20):
        children = [pid for pid, (parent, _) in process_table().items() if parent == me]
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        while True:  # reap them (and any other finished child)
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break
        if not children:
            return


def serve(inp: TextIO, out: TextIO) -> None:
    """Answer tasks from ``inp`` until it closes."""
    config: dict[str, Any] = json.loads(inp.readline())
    settings = Settings(**config["settings"])
    key = {nb["name"]: KeyNotebook.from_json(nb) for nb in config["key"]}
    package_root = config["package_root"]
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    print(json.dumps({"ready": True}), file=out, flush=True)
    for line in inp:
        task = json.loads(line)
        notebook = key[task["notebook"]]
        try:
            cells = [StudentCell(*c) for c in task["cells"]]
            rows = loop.run_until_complete(
                grade_notebook(task["student"], cells, notebook, settings, package_root)
            )
        except Exception as exc:  # noqa: BLE001 - a grader bug must not cost other notebooks
            traceback.print_exc()
            why = f"internal grader error: {type(exc).__name__}: {exc}"
            rows = rows_for(task["student"], notebook, "error", why)
        _end_strays()
        print(json.dumps({"rows": [asdict(r) for r in rows]}), file=out, flush=True)


def main() -> None:
    logging.disable(logging.CRITICAL)
    _follow_parent()
    out = _protocol_stream()
    serve(sys.stdin, out)


if __name__ == "__main__":
    main()
