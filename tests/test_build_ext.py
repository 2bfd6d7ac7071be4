"""The book's Sphinx extension: stale-output protection and plain-text docstrings."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
import dlcourse_build as ext  # noqa: E402


def test_library_hash_changes_with_any_file_and_ignores_caches(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "d.csv").write_text("1,2\n")
    first = ext.library_hash(tmp_path)
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "a.pyc").write_bytes(b"junk")
    assert ext.library_hash(tmp_path) == first
    (tmp_path / "data" / "d.csv").write_text("1,3\n")
    assert ext.library_hash(tmp_path) != first


def test_changed_library_marks_every_unchanged_document_outdated(tmp_path):
    cache = tmp_path / ".jupyter_cache"
    cache.mkdir()
    (tmp_path / ".dlcourse-library.sha256").write_text("an older library")
    env = SimpleNamespace(found_docs={"intro", "chapters/02_calculus", "appendix/api"})
    app = SimpleNamespace(env=env, config=SimpleNamespace(nb_execution_cache_path=str(cache)), outdir=str(tmp_path / "html"))
    ext._builder_inited(app)
    assert not cache.exists()
    assert ext._env_get_outdated(app, env, {"appendix/api"}, set(), set()) == ["chapters/02_calculus", "intro"]
    ext._env_updated(app, env)
    assert (tmp_path / ".dlcourse-library.sha256").read_text() == ext.library_hash()
    cache.mkdir()
    fresh_env = SimpleNamespace(found_docs=env.found_docs)  # e.g. a config change reset Sphinx's env
    app.env = fresh_env
    ext._builder_inited(app)  # the library did not change: the cache survives, nothing extra is re-read
    assert cache.exists() and ext._env_get_outdated(app, fresh_env, set(), set(), set()) == []


def test_plain_docstrings_escape_formulas_but_keep_code_and_emphasis():
    lines = ["Uses **central differences** and *checks*: |a − b|, a*b, x**2, ``a|b``.",
             "", "The formula:", "", "    θ ← θ − η g"]
    ext._plain_docstring(None, "function", "f", None, None, lines)
    assert lines[0] == "Uses **central differences** and *checks*: \\|a − b\\|, a\\*b, x\\*\\*2, ``a|b``."
    assert lines[2] == "The formula::"
