"""Sphinx extension of the book: each chapter links its exercise notebook.

A chapter page ``chapters/NN_topic`` has an exercise when the book's ``exercises/`` holds a
notebook ``NN_*.ipynb`` (generated from ``solutions/`` by ``make release``). On its page:

* the mention of ``exercises/NN_topic.ipynb`` in the text becomes a download link, and a
  box after it says how to run the exercise: download it (or ``dlcourse exercises``), open
  it in Jupyter, run ``dlcourse check``; the box goes at the end of the page when the text
  does not mention the notebook;
* when ``_config.yml`` configures launch buttons (``launch_buttons.binderhub_url``,
  ``jupyterhub_url``, ``colab_url``, with ``repository.url`` and ``branch``), the box also
  opens the exercise on those services. They are off by default: the book builds offline.

The notebooks are copied into the HTML output as ``exercises/NN_topic.ipynb`` when the
build finishes, so the links work in the built book and nothing is copied by hand. The
chapter sources need no edit for any of it.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.osutil import relative_uri

CHAPTER = re.compile(r"^chapters/(\d\d)_[\w-]+$")
OUT = "exercises"  # folder of the HTML output holding the notebooks


def exercises_dir(app: Sphinx) -> Path:
    return Path(app.srcdir) / app.config.dlcourse_exercises_dir


def exercise_for(folder: Path, docname: str) -> Path | None:
    """The exercise notebook of chapter page ``docname``, if it has exactly one."""
    m = CHAPTER.match(docname)
    if not m or not folder.is_dir():
        return None
    found = sorted(folder.glob(f"{m[1]}_*.ipynb"))
    return found[0] if len(found) == 1 else None


def launch_links(theme_options: dict[str, Any], repo_path: str) -> list[tuple[str, str]]:
    """(service, URL) for each launch service configured, opening ``repo_path`` there."""
    buttons = theme_options.get("launch_buttons") or {}
    repo_url = str(theme_options.get("repository_url") or "").rstrip("/")
    branch = str(theme_options.get("repository_branch") or "main")
    if not repo_url:
        return []
    parts = repo_url.split("/")
    org, repo = parts[-2], parts[-1].removesuffix(".git")
    ui = "lab/tree" if buttons.get("notebook_interface") == "jupyterlab" else "tree"
    links = []
    binder = str(buttons.get("binderhub_url") or "").rstrip("/")
    if binder:
        query = urlencode({"urlpath": f"{ui}/{repo_path}"})
        links.append(("Binder", f"{binder}/v2/gh/{org}/{repo}/{branch}?{query}"))
    hub = str(buttons.get("jupyterhub_url") or "").rstrip("/")
    if hub:
        query = urlencode({"repo": repo_url, "urlpath": f"{ui}/{repo}/{repo_path}",
                           "branch": branch})
        links.append(("JupyterHub", f"{hub}/hub/user-redirect/git-pull?{query}"))
    colab = str(buttons.get("colab_url") or "").rstrip("/")
    if colab:
        links.append(("Colab", f"{colab}/github/{org}/{repo}/blob/{branch}/{quote(repo_path)}"))
    return links


def _code(text: str) -> nodes.literal_block:
    block = nodes.literal_block(text, text)
    block["language"] = "bash"
    return block


def _html(text: str) -> nodes.raw:
    return nodes.raw("", text, format="html")


def exercise_box(name: str, chapter: int, href: str, launches: list[tuple[str, str]],
                 repo_url: str) -> nodes.admonition:
    """The "how to run it" box of one chapter's exercise notebook."""
    box = nodes.admonition(classes=["tip", "dlcourse-exercise"])
    box += nodes.title("", f"Exercise notebook: {name}")
    link = (f'<a class="reference download dlcourse-exercise-download" href="{html.escape(href)}" '
            f'download="{html.escape(name)}"><code class="docutils literal notranslate">'
            f'<span class="pre">{html.escape(name)}</span></code></a>')
    box += _html(f"<p><strong>Download</strong> {link}, the notebook with the functions to "
                 "write and the check cells, or fetch it with the course's package. Then open "
                 "it in Jupyter, fill in each function and run the check cell below it; "
                 "<code class=\"docutils literal notranslate\"><span class=\"pre\">dlcourse "
                 "check</span></code> grades the whole notebook as the instructor's grader "
                 "does.</p>")
    folder = "dlcourse-exercises"
    steps = [
        ("the library, torch, the local check and JupyterLab", 'pip install "dlcourse[student]"'),
        (f"copy {name} into {folder}/", f"dlcourse exercises --chapter {chapter}"),
        ("fill in the functions, run the check cells", f"jupyter lab {folder}/{name}"),
        ("the grader's feedback on the whole notebook", f"dlcourse check {folder}/{name}"),
    ]
    box += _code("\n".join(f"# {why}\n{command}" for why, command in steps))
    para = nodes.paragraph()
    para += nodes.Text("From a clone of the course: ")
    para += nodes.literal("make lab", "make lab")
    para += nodes.Text(" fetches the exercises and opens JupyterLab on them. A notebook "
                       "already in the folder is never overwritten (add ")
    para += nodes.literal("--force", "--force")
    para += nodes.Text(" to start afresh).")
    box += para
    if launches:
        online = nodes.paragraph()
        online += nodes.Text("Run it online: ")
        for i, (service, url) in enumerate(launches):
            if i:
                online += nodes.Text(" · ")
            online += nodes.reference(service, service, refuri=url)
        online += nodes.Text(". Binder installs the course from the repository's "
                             "binder/requirements.txt; on a JupyterHub without it, or on "
                             "Colab, run ")
        pip = f'%pip install "dlcourse[torch,grade] @ git+{repo_url}"'
        online += nodes.literal(pip, pip)
        online += nodes.Text(" in a first cell.")
        box += online
    return box


def _mentions(doctree: nodes.document, name: str) -> list[nodes.literal]:
    target = f"exercises/{name}"
    return [n for n in doctree.findall(nodes.literal) if n.astext() == target]


def _inject(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html":
        return
    notebook = exercise_for(exercises_dir(app), docname)
    if notebook is None:
        return
    name = notebook.name
    href = relative_uri(app.builder.get_target_uri(docname), f"{OUT}/{name}")
    options = dict(getattr(app.config, "html_theme_options", {}) or {})
    base = str(options.get("path_to_docs") or "").strip("/")
    repo_path = f"{base}/{app.config.dlcourse_exercises_dir}/{name}".lstrip("/")
    box = exercise_box(name, int(name[:2]), href, launch_links(options, repo_path),
                       str(options.get("repository_url") or "").rstrip("/"))
    mentions = _mentions(doctree, name)
    for literal in mentions:
        ref = nodes.reference("", "", refuri=href, classes=["dlcourse-exercise-link"])
        literal.replace_self(ref)
        ref += literal
    paragraph = mentions[0].parent.parent if mentions else None
    while paragraph is not None and not isinstance(paragraph, nodes.paragraph):
        paragraph = paragraph.parent
    if paragraph is not None and paragraph.parent is not None:
        paragraph.parent.insert(paragraph.parent.index(paragraph) + 1, box)
        return
    sections = list(doctree.findall(nodes.section))
    (sections[0] if sections else doctree).append(box)


def _copy_exercises(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    folder = exercises_dir(app)
    notebooks = sorted(folder.glob("[0-9][0-9]_*.ipynb")) if folder.is_dir() else []
    target = Path(app.outdir) / OUT
    if target.exists():
        shutil.rmtree(target)
    if notebooks:
        target.mkdir(parents=True)
    for nb in notebooks:
        shutil.copyfile(nb, target / nb.name)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("dlcourse_exercises_dir", "exercises", "html")
    app.connect("doctree-resolved", _inject)
    app.connect("build-finished", _copy_exercises)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
