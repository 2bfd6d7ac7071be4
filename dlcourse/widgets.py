"""Interactive explorers for live notebooks: learning-rate slider and optimizer race.

A widget here is an ``ipywidgets.VBox`` whose last child is an ``ipywidgets.Image``
holding the rendered picture; the matplotlib figure behind it is exposed as ``.fig``
and ``.ax``. Moving a slider recomputes the trajectories, updates the lines on
``.ax`` and re-renders the image, so the widgets work with any matplotlib backend.

Widgets need a running kernel. The static HTML book has none, so the chapters call
:func:`explorer_or_animation` and :func:`race_or_animation`, which return the widget in
a live notebook and an animation (:func:`dlcourse.plot.animate_paths`, played by
JavaScript) in the book. :func:`is_static` decides: the environment variable
``DLCOURSE_STATIC`` (set to 1 by the book build) wins; without it, the widget is used
exactly when the code runs inside an IPython kernel.

ipywidgets and matplotlib are imported inside the functions.
"""

from __future__ import annotations

import io
import math
import os
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from dlcourse import plot
from dlcourse._extras import require
from dlcourse.landscapes import Landscape

if TYPE_CHECKING:  # pragma: no cover
    import ipywidgets

__all__ = [
    "lr_explorer",
    "optimizer_race",
    "is_static",
    "explorer_or_animation",
    "race_or_animation",
]

StepFn = Callable[[np.ndarray, np.ndarray, float], np.ndarray]
PathsFn = Callable[[str, int], np.ndarray]

STATIC_ENV = "DLCOURSE_STATIC"


def _gd_step(theta: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
    return theta - lr * g


def _check_x0(landscape: Landscape, x0: Sequence[float]) -> np.ndarray:
    if landscape.dim != 2:
        raise ValueError(
            f"the explorers draw 2-D landscapes, "
            f"{landscape.name!r} has {landscape.dim} coordinate(s)"
        )
    arr = np.asarray(x0, dtype=np.float64)
    if arr.shape != (2,) or not np.all(np.isfinite(arr)):
        raise ValueError(f"x0 must be a finite point of shape (2,), got {x0!r}")
    return arr


def _descend(
    landscape: Landscape, x0: np.ndarray, lr: float, steps: int, step_fn: StepFn
) -> np.ndarray:
    """θ_0 = x0, θ_{t+1} = step_fn(θ_t, ∇f(θ_t), η): rows θ_0 … θ_steps.

    A diverging run stops at its last finite point, so the path may be shorter.
    """
    path = [x0]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            theta = np.asarray(step_fn(path[-1], landscape.grad(path[-1]), lr), dtype=np.float64)
            if theta.shape != (2,):
                raise ValueError(f"step_fn must return shape (2,), got {theta.shape}")
            if not np.all(np.isfinite(theta)):
                break
            path.append(theta)
    return np.array(path)


def _check_steps(steps: int, max_steps: int) -> None:
    for name, value in (("steps", steps), ("max_steps", max_steps)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if steps > max_steps:
        raise ValueError(f"steps={steps} exceeds max_steps={max_steps}")


def _figure(landscape: Landscape, paths: dict[str, np.ndarray], **contour_kwargs: Any) -> Any:
    Figure = require("matplotlib.figure", by="dlcourse.widgets").Figure

    fig = Figure(figsize=(6, 4.5), dpi=80, layout="constrained")
    ax = fig.add_subplot()
    plot.contour(landscape, paths, ax=ax, **contour_kwargs)
    return fig, ax


def _markers(ax: Any, prefix: str) -> dict[str, Any]:
    lines = ax.get_lines()
    return {ln.get_label()[len(prefix):]: ln for ln in lines if ln.get_label().startswith(prefix)}


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def lr_explorer(
    landscape: Landscape,
    x0: Sequence[float],
    step_fn: StepFn | None = None,
    *,
    lr: float = 0.01,
    lr_range: tuple[float, float] = (1e-4, 1.0),
    steps: int = 50,
    max_steps: int = 200,
    **contour_kwargs: Any,
) -> "ipywidgets.VBox":
    """Gradient descent θ_{t+1} = θ_t − η∇f(θ_t) from x0, with sliders for η and the steps.

    Chapter 6: too small an η crawls, too large an η oscillates or diverges. The η
    slider is logarithmic over ``lr_range``. ``step_fn(θ, g, η)`` replaces the update
    (default θ − ηg) to explore other rules. Returns a VBox ``[η slider, steps slider,
    image]`` with ``.fig``, ``.ax``, ``.line`` (the path) and ``.path`` (its (T, 2)
    array; a diverging run stops at its last finite point).
    """
    widgets = require("ipywidgets", by="dlcourse.widgets")

    theta0 = _check_x0(landscape, x0)
    _check_steps(steps, max_steps)
    lo, hi = (float(v) for v in lr_range)
    if not (0 < lo < hi and math.isfinite(hi)):
        raise ValueError(f"lr_range must be (low, high) with 0 < low < high, got {lr_range!r}")
    if not lo <= lr <= hi:
        raise ValueError(f"lr={lr!r} lies outside lr_range {lr_range!r}")
    update = _gd_step if step_fn is None else step_fn
    label = "gradient descent"

    lr_slider = widgets.FloatLogSlider(
        value=lr, base=10, min=math.log10(lo), max=math.log10(hi), step=0.01,
        description="η", readout_format=".3g", continuous_update=False,
    )
    steps_slider = widgets.IntSlider(
        value=steps, min=1, max=max_steps, description="steps", continuous_update=False
    )
    path = _descend(landscape, theta0, lr, steps, update)
    fig, ax = _figure(landscape, {label: path}, **contour_kwargs)
    image = widgets.Image(format="png")
    box = widgets.VBox([lr_slider, steps_slider, image])
    box.fig, box.ax = fig, ax
    box.line = plot.path_lines(ax)[label]
    end = _markers(ax, "_end ")[label]

    def redraw(_: object = None) -> None:
        eta, n = float(lr_slider.value), int(steps_slider.value)
        box.path = _descend(landscape, theta0, eta, n, update)
        box.line.set_data(box.path[:, 0], box.path[:, 1])
        end.set_data(box.path[-1:, 0], box.path[-1:, 1])
        t = len(box.path) - 1
        note = f" (diverged after {t} steps)" if t < n else ""
        with np.errstate(over="ignore"):
            value = landscape.f(box.path[-1])
        ax.set_title(rf"$\eta$ = {eta:.3g}: $f(\theta_{{{t}}})$ = {value:.4g}{note}", fontsize=10)
        image.value = _png(fig)

    lr_slider.observe(redraw, names="value")
    steps_slider.observe(redraw, names="value")
    box.redraw = redraw
    redraw()
    return box


def optimizer_race(
    landscape: Landscape,
    paths_fn: PathsFn,
    names: Sequence[str],
    *,
    steps: int = 50,
    max_steps: int = 200,
    **contour_kwargs: Any,
) -> "ipywidgets.VBox":
    """Trajectories of several optimizers on one landscape, chosen from a list (chapter 9).

    ``paths_fn(name, steps)`` returns optimizer ``name``'s path θ_0 … θ_steps as a
    (steps + 1, 2) array (e.g. built with ``dlcourse.optim``); results are cached.
    Returns a VBox ``[optimizer selection, steps slider, image]`` with ``.fig``,
    ``.ax``, ``.lines`` (name → path line) and ``.paths`` (name → the path shown).
    """
    widgets = require("ipywidgets", by="dlcourse.widgets")

    if landscape.dim != 2:
        raise ValueError(f"optimizer_race draws 2-D landscapes, {landscape.name!r} is not")
    names = [str(n) for n in names]
    if not names or len(set(names)) != len(names):
        raise ValueError(f"names must be non-empty and distinct, got {names!r}")
    if not callable(paths_fn):
        raise TypeError(f"paths_fn must be callable (name, steps) -> path, got {paths_fn!r}")
    _check_steps(steps, max_steps)
    cache: dict[tuple[str, int], np.ndarray] = {}

    def path_of(name: str, n: int) -> np.ndarray:
        if (name, n) not in cache:
            arr = np.asarray(paths_fn(name, n), dtype=np.float64)
            if arr.shape != (n + 1, 2):
                raise ValueError(
                    f"paths_fn({name!r}, {n}) must return shape ({n + 1}, 2), got {arr.shape}"
                )
            cache[name, n] = arr
        return cache[name, n]

    selector = widgets.SelectMultiple(
        options=names, value=tuple(names), description="optimizers", rows=min(len(names), 8)
    )
    steps_slider = widgets.IntSlider(
        value=steps, min=1, max=max_steps, description="steps", continuous_update=False
    )
    fig, ax = _figure(landscape, {n: path_of(n, steps) for n in names}, **contour_kwargs)
    image = widgets.Image(format="png")
    box = widgets.VBox([selector, steps_slider, image])
    box.fig, box.ax = fig, ax
    box.lines = plot.path_lines(ax)
    starts, ends = _markers(ax, "_start "), _markers(ax, "_end ")
    star = [ln for ln in ax.get_lines() if ln.get_label() == "minimum"]

    def redraw(_: object = None) -> None:
        chosen, n = set(selector.value), int(steps_slider.value)
        box.paths = {}
        for name in names:
            shown = name in chosen
            for artist in (box.lines[name], starts[name], ends[name]):
                artist.set_visible(shown)
            if shown:
                p = box.paths[name] = path_of(name, n)
                box.lines[name].set_data(p[:, 0], p[:, 1])
                last = plot._last_finite(p)
                ends[name].set_data([last[0]], [last[1]])
        handles = [box.lines[n] for n in names if n in chosen] + star
        ax.legend(handles=handles, loc="best", fontsize=8, framealpha=0.85)
        image.value = _png(fig)

    selector.observe(redraw, names="value")
    steps_slider.observe(redraw, names="value")
    box.redraw = redraw
    redraw()
    return box


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with every notebook
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def is_static() -> bool:
    """Whether to show animations instead of widgets.

    ``DLCOURSE_STATIC`` = 1/true/yes → static, 0/false/no → live; unset → live exactly
    when running inside an IPython kernel (a plain Python process cannot show widgets).
    The book build sets ``DLCOURSE_STATIC=1``: it executes notebooks in a kernel, but
    the HTML it writes has none to answer a slider.
    """
    flag = os.environ.get(STATIC_ENV, "").strip().lower()
    if flag in {"1", "true", "yes", "on"}:
        return True
    if flag in {"0", "false", "no", "off"}:
        return False
    if flag:
        raise ValueError(f"{STATIC_ENV} must be 1 or 0 (true/false), got {flag!r}")
    return not _in_kernel()


def explorer_or_animation(
    landscape: Landscape,
    x0: Sequence[float],
    lrs: Sequence[float],
    steps: int = 50,
    step_fn: StepFn | None = None,
    *,
    frames: int | None = None,
    **contour_kwargs: Any,
) -> Any:
    """:func:`lr_explorer` in a live notebook; in the static book, an animation instead.

    The animation races gradient descent θ ← θ − ηg for each η in ``lrs`` (the widget
    starts at ``lrs[0]`` with a slider spanning them, widened ×10 each way). Returns the
    VBox or the HTML of :func:`dlcourse.plot.to_html`; see :func:`is_static`. Chapter 6.
    """
    rates = [float(v) for v in lrs]
    if not rates or min(rates) <= 0 or not all(math.isfinite(v) for v in rates):
        raise ValueError(f"lrs must be positive learning rates, got {lrs!r}")
    _check_steps(steps, steps)
    if is_static():
        theta0 = _check_x0(landscape, x0)
        update = _gd_step if step_fn is None else step_fn
        paths = {f"η = {eta:g}": _descend(landscape, theta0, eta, steps, update) for eta in rates}
        anim = plot.animate_paths(landscape, paths, frames=frames, **contour_kwargs)
        return plot.to_html(anim)
    lr_range = (min(rates) / 10, max(rates) * 10)
    return lr_explorer(
        landscape, x0, step_fn, lr=rates[0], lr_range=lr_range, steps=steps,
        max_steps=max(200, steps), **contour_kwargs,
    )


def race_or_animation(
    landscape: Landscape,
    paths_fn: PathsFn,
    names: Sequence[str],
    steps: int = 50,
    *,
    frames: int | None = None,
    **contour_kwargs: Any,
) -> Any:
    """:func:`optimizer_race` in a live notebook; in the static book, its animation.

    Returns the VBox or the HTML of :func:`dlcourse.plot.to_html` animating every
    optimizer's path ``paths_fn(name, steps)``; see :func:`is_static`. Chapter 9.
    """
    if is_static():
        paths = {str(n): paths_fn(str(n), steps) for n in names}
        anim = plot.animate_paths(landscape, paths, frames=frames, **contour_kwargs)
        return plot.to_html(anim)
    return optimizer_race(
        landscape, paths_fn, names, steps=steps, max_steps=max(200, steps), **contour_kwargs
    )
