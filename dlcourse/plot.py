"""Pictures of optimization: trajectories on contour plots, loss curves, animations.

Chapters 6–9 draw every optimizer on the same kind of picture: the contours of a
:class:`~dlcourse.landscapes.Landscape` and the path θ_0, θ_1, …, θ_T of each optimizer
on it. Paths are plain ``(T, 2)`` arrays, so any optimizer's trajectory can be shown.

Animations are rendered with :func:`to_html` into a self-contained JavaScript player
(frames embedded as PNG images): it plays in the static HTML book, without a kernel.

matplotlib (and IPython) are imported inside the functions, never at import time.
"""

from __future__ import annotations

import base64
import io
import re
from typing import TYPE_CHECKING, Any, Mapping, Sequence, Union

import numpy as np

from dlcourse._extras import require
from dlcourse.landscapes import Landscape

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.animation import FuncAnimation
    from matplotlib.axes import Axes

__all__ = ["contour", "path_lines", "loss_curves", "animate_paths", "frame_indices", "to_html"]

Paths = Union[Mapping[str, Any], np.ndarray, None]

MAX_FRAMES = 60
"""The most frames an animation may have, so the HTML embedded in the book stays small."""

DEFAULT_FRAMES = 40


def _as_paths(paths: Paths) -> dict[str, np.ndarray]:
    """Check the trajectories: name → array of shape (T, 2), T ≥ 1, real numbers.

    Non-finite points are allowed (a diverging run overflows); the axes keep the
    landscape's window, so they simply leave the picture.
    """
    if paths is None:
        return {}
    if not isinstance(paths, Mapping):
        paths = {"path": paths}
    checked = {}
    for name, path in paths.items():
        if str(name).startswith("_") or str(name) == "minimum":
            raise ValueError(f"path name {name!r} is reserved (a leading '_' or 'minimum')")
        arr = np.asarray(path)
        if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
            raise TypeError(f"path {name!r} must hold real numbers, got dtype {arr.dtype}")
        if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] == 0:
            raise ValueError(f"path {name!r} must have shape (T, 2) with T >= 1, got {arr.shape}")
        checked[str(name)] = arr.astype(np.float64)
    return checked


def _last_finite(path: np.ndarray) -> np.ndarray:
    ok = np.all(np.isfinite(path), axis=1)
    return path[np.flatnonzero(ok)[-1]] if ok.any() else np.full(2, np.nan)


def _levels(z: np.ndarray, levels: int | Sequence[float], log_levels: bool) -> Any:
    if not isinstance(levels, (int, np.integer)) or isinstance(levels, bool):
        return np.sort(np.asarray(levels, dtype=np.float64))
    if levels < 2:
        raise ValueError(f"levels must be at least 2, got {levels}")
    if not log_levels:
        return int(levels)
    lo, hi = float(np.min(z)), float(np.max(z))
    span = hi - lo if hi > lo else 1.0
    # geometric spacing of f − min f: dense near the minimum, sparse on the walls
    return lo + span * np.concatenate([[0.0], np.geomspace(1e-5, 1.0, int(levels) - 1)])


def contour(
    landscape: Landscape,
    paths: Paths = None,
    ax: "Axes | None" = None,
    levels: int | Sequence[float] = 30,
    log_levels: bool = False,
    *,
    filled: bool = True,
    resolution: int = 200,
    show_minimum: bool = True,
    cmap: str = "viridis",
) -> "Axes":
    """Contours of f over ``landscape.bounds``, with optimizer trajectories θ_0 … θ_T on top.

    ``paths`` maps a name to a ``(T, 2)`` array (one array alone is named "path"). Each
    path is one line labelled with its name, a circle at θ_0 and a cross at its last
    finite point; the known minimiser θ* is a star labelled "minimum". ``log_levels``
    spaces the levels geometrically above min f (for Rosenbrock and Beale, whose walls
    are steep). The axes keep the landscape's window, so a diverging path leaves it.
    Returns the axes (its figure is ``ax.figure``). Used in chapters 6–9.
    """
    if landscape.dim != 2:
        raise ValueError(
            f"contour needs a 2-D landscape, {landscape.name!r} has {landscape.dim} coordinate(s)"
        )
    if not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"resolution must be an int >= 2, got {resolution!r}")
    checked = _as_paths(paths)
    if ax is None:
        plt = require("matplotlib.pyplot", by="dlcourse.plot")

        _, ax = plt.subplots(figsize=(6, 4.5), layout="constrained")

    (x0, x1), (y0, y1) = landscape.bounds
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    z = np.asarray(landscape.f(np.stack([grid_x, grid_y])))
    lv = _levels(z, levels, log_levels)
    if filled:
        ax.contourf(grid_x, grid_y, z, levels=lv, cmap=cmap, alpha=0.85)
        ax.contour(grid_x, grid_y, z, levels=lv, colors="white", linewidths=0.4, alpha=0.6)
    else:
        ax.contour(grid_x, grid_y, z, levels=lv, cmap=cmap, linewidths=0.8)

    for name, path in checked.items():
        (line,) = ax.plot(path[:, 0], path[:, 1], "-", lw=1.6, label=name)
        colour = line.get_color()
        ax.plot(*path[0], "o", color=colour, ms=6, label=f"_start {name}")
        ax.plot(*_last_finite(path), "X", color=colour, ms=8, mec="black", mew=0.5,
                label=f"_end {name}")
    if show_minimum and landscape.minimum is not None:
        ax.plot(*landscape.minimum[:2], "*", color="gold", ms=14, mec="black",
                mew=0.6, label="minimum", zorder=5)

    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")
    ax.set_title(f"${landscape.latex}$", fontsize=10)
    if checked or (show_minimum and landscape.minimum is not None):
        ax.legend(loc="best", fontsize=8, framealpha=0.85)
    return ax


def path_lines(ax: "Axes") -> dict[str, Any]:
    """The path lines :func:`contour` drew on ``ax``: name → ``Line2D``."""
    return {
        line.get_label(): line
        for line in ax.get_lines()
        if not line.get_label().startswith("_") and line.get_label() != "minimum"
    }


def loss_curves(
    losses: Mapping[str, Sequence[float]] | Sequence[float],
    log: bool = True,
    ax: "Axes | None" = None,
    *,
    xlabel: str = "iteration t",
    ylabel: str = "loss",
) -> "Axes":
    """Loss against iteration t = 0, 1, …, one labelled curve per name (chapters 6–10).

    ``log=True`` uses a logarithmic y axis, where linear convergence f(θ_t) − f* ∝ ρ^t
    is a straight line; losses must then be ≥ 0 (zeros are left out of the picture).
    A single sequence is drawn as "loss". Returns the axes.
    """
    if not isinstance(losses, Mapping):
        losses = {"loss": losses}
    curves = {}
    for name, values in losses.items():
        arr = np.asarray(values, dtype=np.float64)
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"losses {name!r} must be a non-empty 1-D sequence, got {arr.shape}")
        if log and np.any(arr[np.isfinite(arr)] < 0):
            raise ValueError(
                f"losses {name!r} has negative values ({arr.min():g}); "
                "a log axis needs f >= 0: pass log=False or subtract min f"
            )
        curves[str(name)] = arr
    if not curves:
        raise ValueError("losses is empty: nothing to plot")
    if ax is None:
        plt = require("matplotlib.pyplot", by="dlcourse.plot")

        _, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
    for name, arr in curves.items():
        ax.plot(np.arange(arr.size), arr, label=name)
    if log:
        ax.set_yscale("log", nonpositive="mask")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    return ax


def frame_indices(n_points: int, frames: int) -> np.ndarray:
    """The last path index shown in each frame: k ↦ round(k (T − 1) / (frames − 1)).

    Frame 0 shows θ_0 only, the last frame the whole path; ``frames`` is capped at T.
    """
    if n_points < 1 or frames < 1:
        raise ValueError(f"need n_points >= 1 and frames >= 1, got {n_points} and {frames}")
    frames = min(frames, n_points)
    if frames == 1:
        return np.array([n_points - 1])
    return np.rint(np.linspace(0, n_points - 1, frames)).astype(int)


def animate_paths(
    landscape: Landscape,
    paths: Paths,
    interval: int = 150,
    frames: int | None = None,
    *,
    figsize: tuple[float, float] = (5.5, 4.2),
    dpi: int = 80,
    **contour_kwargs: Any,
) -> "FuncAnimation":
    """An animation of optimizers walking on the landscape: frame k shows θ_0 … θ_{i_k}.

    The indices i_k are :func:`frame_indices` of the longest path (shorter paths stop at
    their end) and are the animation's frame data, ``list(anim.new_frame_seq())``.
    ``frames`` (at most 60) defaults to min(T, 40); ``interval`` is the delay between
    frames in ms. The figure is not registered with pyplot, so a notebook shows only
    what :func:`to_html` returns. Chapters 6–9; ``contour_kwargs`` go to :func:`contour`.
    """
    FuncAnimation = require("matplotlib.animation", by="dlcourse.plot").FuncAnimation
    Figure = require("matplotlib.figure", by="dlcourse.plot").Figure

    checked = _as_paths(paths)
    if not checked:
        raise ValueError("animate_paths needs at least one path")
    if frames is None:
        frames = DEFAULT_FRAMES
    if not isinstance(frames, int) or isinstance(frames, bool) or not 1 <= frames <= MAX_FRAMES:
        raise ValueError(
            f"frames must be an int from 1 to {MAX_FRAMES} (each frame is an image embedded "
            f"in the book), got {frames!r}"
        )
    if not isinstance(interval, (int, float)) or interval <= 0:
        raise ValueError(f"interval must be a positive number of milliseconds, got {interval!r}")

    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    ax = fig.add_subplot()
    contour(landscape, checked, ax=ax, **contour_kwargs)
    lines = path_lines(ax)
    ends = {ln.get_label()[len("_end "):]: ln for ln in ax.get_lines()
            if ln.get_label().startswith("_end ")}
    longest = max(len(p) for p in checked.values())
    shown = frame_indices(longest, frames)

    def draw(i: int) -> list[Any]:
        for name, path in checked.items():
            upto = path[: min(i, len(path) - 1) + 1]
            lines[name].set_data(upto[:, 0], upto[:, 1])
            end = _last_finite(upto)
            ends[name].set_data([end[0]], [end[1]])
        return [*lines.values(), *ends.values()]

    draw(0)
    # the frames are the path indices, so list(anim.new_frame_seq()) tells what is shown
    return FuncAnimation(fig, draw, frames=[int(i) for i in shown], interval=interval)


def _shrink_png(data: bytes) -> bytes:
    """Re-encode a PNG with a 256-colour palette: a contour frame shrinks about 3×."""
    from PIL import Image  # Pillow is a dependency of matplotlib

    image = Image.open(io.BytesIO(data)).convert("RGB").quantize(colors=256)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


_FRAME = re.compile(r'(frames\[\d+\] = "data:image/png;base64,)([^"]*)(")')


_CDN_STYLESHEET = re.compile(r"<link[^>]+href=[\"']https?://[^\"']+[\"'][^>]*>\s*")


def to_html(anim: "FuncAnimation", *, raw: bool = False, shrink: bool = True) -> Any:
    """The animation as a self-contained HTML/JavaScript player (matplotlib's ``to_jshtml``).

    The frames are embedded as base64 PNG images, so the player works in the static
    HTML book, offline (the stylesheet matplotlib would load from a CDN is left out); ``shrink`` re-encodes them with a 256-colour palette (about a
    third of the size). Returns an ``IPython.display.HTML`` (which a notebook shows)
    when IPython is installed and ``raw`` is false, the HTML string otherwise.
    """
    # matplotlib's player links Font Awesome 4 from a CDN for its button icons; the book
    # must not fetch anything, and its theme ships Font Awesome already.
    html = _CDN_STYLESHEET.sub("", anim.to_jshtml())
    if shrink:

        def shrink_frame(m: re.Match[str]) -> str:
            png = base64.b64decode(m.group(2).replace("\\\n", ""))
            return m.group(1) + base64.b64encode(_shrink_png(png)).decode("ascii") + m.group(3)

        html = _FRAME.sub(shrink_frame, html)
    if raw:
        return html
    try:
        from IPython.display import HTML
    except ImportError:  # pragma: no cover - IPython ships with every notebook
        return html
    return HTML(html)
