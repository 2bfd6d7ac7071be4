"""Sphinx extension of the book: fresh outputs, plain-text docstrings, notebook downloads.

Re-execute the chapters when the ``dlcourse`` library changes:

Jupyter Book 1 caches executed notebooks by the text of their code cells, so a change to
``dlcourse`` alone would leave every chapter showing outputs of the old library. Here the
sources of the library are hashed at every build; when the hash differs from the one the
last successful build recorded (in ``_build/.dlcourse-library.sha256``), the execution cache
is emptied and every document is
marked outdated, so each chapter runs again against the new code. An edit to a chapter's
prose re-executes nothing; an edit to its code cells re-executes that chapter only.

It also renders the library's plain-text docstrings safely in the API page, drops
sphinx-thebe's scripts (live code is not offered), and puts each executed chapter in the
page's download menu as an ``.ipynb`` that a reader can open in Jupyter, Colab or Binder.
Each chapter's exercise notebook is linked from its page by ``dlcourse_exercises``.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

logger = logging.getLogger(__name__)
LIBRARY = Path(__file__).resolve().parents[1] / "dlcourse"


def library_hash(root: Path = LIBRARY) -> str:
    """SHA-256 over the paths and bytes of every file of the library (caches excluded)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _cache_dir(app: Sphinx) -> Path:
    return Path(app.config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")


def _stamp(app: Sphinx) -> Path:
    """The library hash the cached outputs were computed with, kept beside the cache."""
    return _cache_dir(app).parent / ".dlcourse-library.sha256"


def _builder_inited(app: Sphinx) -> None:
    env = app.env
    current = library_hash()
    stamp = _stamp(app)
    changed = not stamp.exists() or stamp.read_text().strip() != current
    env.dlcourse_pending_hash = current  # type: ignore[attr-defined]
    env.dlcourse_changed = changed  # type: ignore[attr-defined]
    cache = _cache_dir(app)
    if changed and cache.exists():
        logger.info(f"[dlcourse] library changed: clearing the execution cache {cache}")
        shutil.rmtree(cache)


def _env_get_outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                      removed: set[str]) -> list[str]:
    if getattr(env, "dlcourse_changed", False):
        return sorted(env.found_docs - added - changed - removed)
    return []


def _env_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    stamp = _stamp(app)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(env.dlcourse_pending_hash)  # type: ignore[attr-defined]
    env.dlcourse_changed = False  # type: ignore[attr-defined]
    return []


_LITERAL = re.compile(r"(``.+?``|(?<![\w*])\*\*?[^*\s][^*]*?(?<!\s)\*\*?(?![\w*]))")


def _plain_docstring(app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """Docstrings here are plain text with formulas (|x|, a*b, x**2), not reStructuredText:
    escape the characters RST would read as substitutions or emphasis (outside ``code``),
    and turn an indented block after a text line into a literal block."""
    out: list[str] = []
    literal_indent: int | None = None  # inside a literal block: lines indented deeper than this
    for n, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        if literal_indent is not None and line.strip() and indent <= literal_indent:
            literal_indent = None
        if literal_indent is None:
            bullet = re.match(r"^(\s*)([*-] )", line)
            head = bullet.group(0) if bullet else ""
            parts = _LITERAL.split(line[len(head):])
            line = head + "".join(
                p if i % 2 else p.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*")
                for i, p in enumerate(parts))
        if literal_indent is None and line.strip() and out and out[-1].strip() == "" and n >= 2:
            prev = next((l for l in reversed(out) if l.strip()), "")
            prev_indent = len(prev) - len(prev.lstrip())
            if indent > prev_indent and not prev.lstrip().startswith((">>>", "- ", "* ")):
                j = max(k for k, l in enumerate(out) if l.strip())
                if not out[j].rstrip().endswith("::"):
                    out[j] = out[j].rstrip() + (":" if out[j].rstrip().endswith(":") else " ::")
                literal_indent = prev_indent
        elif literal_indent is None and line.rstrip().endswith("::"):
            literal_indent = indent
        out.append(line)
    lines[:] = out


def _drop_thebe(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Jupyter Book 1 always loads sphinx-thebe, and declares its configuration twice (a
    script error on every page) with a CDN address in it. Live code is not offered here,
    so its scripts are left out of the pages."""
    scripts = context.get("script_files")
    if scripts:
        context["script_files"] = [
            s for s in scripts
            if "thebe" not in str(s) and "THEBE" not in str(getattr(s, "attributes", {}).get("body", ""))
        ]


def _executed(app: Sphinx, docname: str) -> Path:
    return Path(app.outdir).parent / "jupyter_execute" / f"{docname}.ipynb"


def _notebook_download(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Offer each executed chapter as an .ipynb in the page's download menu (the theme shows
    the button when ``ipynb_source`` is set); the file is copied in :func:`_copy_notebooks`."""
    if _executed(app, pagename).exists():
        context["ipynb_source"] = f"{pagename}.ipynb"


def _copy_notebooks(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for docname in sorted(app.env.found_docs):
        source = _executed(app, docname)
        if source.exists():
            target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("dlcourse_exercises")
    app.connect("html-page-context", _notebook_download, priority=400)
    app.connect("build-finished", _copy_notebooks)
    app.connect("html-page-context", _drop_thebe)
    app.connect("autodoc-process-docstring", _plain_docstring)
    app.connect("builder-inited", _builder_inited)
    app.connect("env-get-outdated", _env_get_outdated)
    app.connect("env-updated", _env_updated)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
