"""Is the library that judges the answers still the one the grading run started with?

In the sandbox the library is read-only; without it (``--sandbox none``) a kernel runs with
the instructor's rights and could rewrite a check, so that every student graded after it
is judged by the rewritten one. The grader therefore takes a :func:`fingerprint` when it
starts and compares it before and after each notebook:

* every file of the ``dlcourse`` package, ``__pycache__`` included, by its SHA-256 (the
  kernels and workers are told not to write bytecode, so an honest run changes nothing);
* the entries of each site-packages folder (a new ``.pth`` file, ``sitecustomize``, a
  module shadowing numpy) and of the user's site-packages and IPython start-up folders.

Files deep inside other packages (numpy's own modules, say) are not hashed: that would
cost seconds per notebook. The instructor guide says so.
"""

from __future__ import annotations

import hashlib
import os
import site
from pathlib import Path

import dlcourse

__all__ = ["fingerprint", "changed"]


def _watched_folders() -> list[Path]:
    folders = [*site.getsitepackages(), site.getusersitepackages(),
               os.path.expanduser("~/.ipython/profile_default/startup")]
    return [Path(f) for f in dict.fromkeys(folders)]


def fingerprint() -> dict[str, str]:
    """``{what: digest}`` for the library's files and the watched folders' entries."""
    prints: dict[str, str] = {}
    package = Path(dlcourse.__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.is_file():
            try:
                prints[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError as exc:
                prints[str(path)] = f"unreadable: {exc}"
    for folder in _watched_folders():
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            names = []
        prints[f"{folder}/"] = hashlib.sha256("\n".join(names).encode()).hexdigest()
    return prints


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The files and folders whose fingerprint differs (added, removed or changed)."""
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
