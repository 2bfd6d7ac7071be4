"""The machine's processes as ``/proc`` lists them (Linux): who is whose child.

The watchdog sizes a kernel's process tree with it, and a worker finds the strays that a
submission left behind with it. Elsewhere (no ``/proc``) the table is empty.
"""

from __future__ import annotations

import os

__all__ = ["process_table"]


def process_table() -> dict[int, tuple[int, int]]:
    """``{pid: (parent pid, number of threads)}`` of every process this one can see."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return {}
    table: dict[int, tuple[int, int]] = {}
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()  # the name may hold spaces
            table[int(entry)] = (int(fields[1]), int(fields[17]))
        except (OSError, IndexError, ValueError):
            continue
    return table
