"""A grading worker: a separate process that grades whole notebooks, one at a time.

The grader starts ``python -m dlcourse.grading._worker`` once per job and talks to it in
JSON lines: first the run's settings and key, then one task per line
(``{"student", "path", "notebook"}``), each answered by ``{"rows": [...]}``. Whatever a
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
import sys
import traceback
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from ._notebook import Settings, grade_notebook, rows_for
from ._plan import KeyNotebook


def _protocol_stream() -> TextIO:
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return out


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
            rows = loop.run_until_complete(
                grade_notebook(task["student"], Path(task["path"]), notebook, settings, package_root)
            )
        except Exception as exc:  # noqa: BLE001 - a grader bug must not cost other notebooks
            traceback.print_exc()
            rows = rows_for(task["student"], notebook, "error", f"internal grader error: {type(exc).__name__}: {exc}")
        print(json.dumps({"rows": [asdict(r) for r in rows]}), file=out, flush=True)


def main() -> None:
    logging.disable(logging.CRITICAL)
    out = _protocol_stream()
    serve(sys.stdin, out)


if __name__ == "__main__":
    main()
