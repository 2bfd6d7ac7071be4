"""Tests for dlcourse.widgets: moving a slider redraws exactly the trajectories it should."""

from __future__ import annotations

import gc
import re
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dlcourse import landscapes as L  # noqa: E402
from dlcourse import plot, widgets  # noqa: E402

FAST = {"resolution": 30, "levels": 8}
PNG = b"\x89PNG\r\n\x1a\n"
X0 = [-2.5, 2.5]


def bowl_gd(lr: float, steps: int, x0=X0) -> np.ndarray:
    """Gradient descent on 10θ1² + 0.5θ2², with the gradient (20θ1, θ2) written out."""
    theta, path = np.array(x0, dtype=float), [np.array(x0, dtype=float)]
    for _ in range(steps):
        theta = theta - lr * np.array([20 * theta[0], theta[1]])
        path.append(theta)
    return np.array(path)


def race_paths(name: str, steps: int) -> np.ndarray:
    lr = {"slow": 0.01, "fast": 0.09, "medium": 0.05}[name]
    return bowl_gd(lr, steps)


@pytest.fixture
def explorer():
    return widgets.lr_explorer(L.ILL_CONDITIONED, X0, lr=0.01, steps=20, **FAST)


def test_lr_explorer_starts_with_the_gd_path_for_its_initial_learning_rate(explorer):
    lr_slider, steps_slider, image = explorer.children
    assert type(lr_slider).__name__ == "FloatLogSlider" and lr_slider.value == 0.01
    assert steps_slider.value == 20
    np.testing.assert_allclose(explorer.line.get_xydata(), bowl_gd(0.01, 20), rtol=1e-15)
    assert image.value[:8] == PNG
    assert explorer.line.axes is explorer.ax and explorer.ax.figure is explorer.fig


def test_moving_the_learning_rate_slider_redraws_gd_for_that_eta(explorer):
    before = explorer.children[2].value
    explorer.children[0].value = 0.05
    np.testing.assert_allclose(explorer.line.get_xydata(), bowl_gd(0.05, 20), rtol=1e-15)
    np.testing.assert_allclose(explorer.path, bowl_gd(0.05, 20), rtol=1e-15)
    assert explorer.children[2].value != before and explorer.children[2].value[:8] == PNG
    end = [ln for ln in explorer.ax.get_lines() if ln.get_label().startswith("_end ")][0]
    np.testing.assert_allclose(end.get_xydata(), bowl_gd(0.05, 20)[-1:], rtol=1e-15)
    f_end = L.ILL_CONDITIONED.f(bowl_gd(0.05, 20)[-1])
    assert f"{f_end:.4g}" in explorer.ax.get_title()


def test_moving_the_steps_slider_lengthens_the_path(explorer):
    explorer.children[1].value = 35
    assert explorer.line.get_xydata().shape == (36, 2)
    np.testing.assert_allclose(explorer.line.get_xydata(), bowl_gd(0.01, 35), rtol=1e-15)


def test_too_large_a_learning_rate_oscillates_across_the_ravine(explorer):
    explorer.children[0].value = 0.09  # 1 − 20η = −0.8: θ1 flips sign every step
    theta1 = explorer.path[:, 0]
    assert np.all(np.sign(theta1[1:]) == -np.sign(theta1[:-1]))
    explorer.children[0].value = 0.11  # |1 − 20η| = 1.2 > 1: diverges
    assert abs(explorer.path[-1, 0]) > abs(explorer.path[0, 0])


def test_a_diverging_run_stops_at_its_last_finite_point_and_says_so():
    w = widgets.lr_explorer(L.ROSENBROCK, [-1.5, 2.0], lr=0.5, steps=50, **FAST)
    assert len(w.path) < 51 and np.all(np.isfinite(w.path))
    assert "diverged" in w.ax.get_title()


def test_lr_explorer_accepts_another_update_rule():
    def half_step(theta, g, lr):
        return theta - 0.5 * lr * g

    w = widgets.lr_explorer(L.ILL_CONDITIONED, X0, half_step, lr=0.02, steps=10, **FAST)
    np.testing.assert_allclose(w.path, bowl_gd(0.01, 10), rtol=1e-15)


def test_optimizer_race_shows_the_selected_optimizers_only():
    names = ["slow", "fast", "medium"]
    race = widgets.optimizer_race(L.ILL_CONDITIONED, race_paths, names, steps=15, **FAST)
    selector, steps_slider, image = race.children
    assert selector.value == tuple(names)
    for name in names:
        np.testing.assert_allclose(race.lines[name].get_xydata(), race_paths(name, 15), rtol=0)
    before = image.value
    selector.value = ("fast",)
    assert [n for n in names if race.lines[n].get_visible()] == ["fast"]
    assert list(race.paths) == ["fast"]
    assert [t.get_text() for t in race.ax.get_legend().get_texts()] == ["fast", "minimum"]
    assert image.value != before
    steps_slider.value = 40
    np.testing.assert_allclose(race.lines["fast"].get_xydata(), race_paths("fast", 40), rtol=0)
    selector.value = ("slow", "medium")
    assert [n for n in names if race.lines[n].get_visible()] == ["slow", "medium"]
    np.testing.assert_allclose(race.lines["medium"].get_xydata(), race_paths("medium", 40), rtol=0)


def test_optimizer_race_asks_for_each_path_once_per_step_count():
    calls = []

    def counted(name, steps):
        calls.append((name, steps))
        return race_paths(name, steps)

    race = widgets.optimizer_race(L.ILL_CONDITIONED, counted, ["slow", "fast"], steps=5, **FAST)
    race.children[0].value = ("slow",)
    race.children[0].value = ("slow", "fast")
    assert calls == [("slow", 5), ("fast", 5)]


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: widgets.lr_explorer(L.GD_EXAMPLE, [1.0]), ValueError, "2-D landscapes"),
        (lambda: widgets.lr_explorer(L.SADDLE, [1.0, 2.0, 3.0]), ValueError, "x0"),
        (lambda: widgets.lr_explorer(L.SADDLE, [np.nan, 1.0]), ValueError, "x0"),
        (lambda: widgets.lr_explorer(L.SADDLE, [1.0, 1.0], lr=5.0), ValueError, "lr_range"),
        (lambda: widgets.lr_explorer(L.SADDLE, [1.0, 1.0], lr_range=(0, 1)), ValueError, "0 < low"),
        (lambda: widgets.lr_explorer(L.SADDLE, [1.0, 1.0], steps=0), ValueError, "steps"),
        (lambda: widgets.lr_explorer(L.SADDLE, [1, 1], steps=300), ValueError, "max_steps"),
        (lambda: widgets.optimizer_race(L.SADDLE, race_paths, []), ValueError, "names"),
        (lambda: widgets.optimizer_race(L.SADDLE, race_paths, ["a", "a"]), ValueError, "distinct"),
        (lambda: widgets.optimizer_race(L.SADDLE, None, ["slow"]), TypeError, "callable"),
        (
            lambda: widgets.optimizer_race(L.SADDLE, lambda n, s: np.zeros((s, 2)), ["x"]),
            ValueError,
            "must return shape (51, 2)",
        ),
        (lambda: widgets.explorer_or_animation(L.SADDLE, [1, 1], [0.1, -1]), ValueError, "lrs"),
    ],
)
def test_bad_input_raises_an_error_that_names_the_problem(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


# ---------------------------------------------------------- static book vs live kernel


class FakeKernelShell:
    kernel = object()


@pytest.mark.parametrize(
    ("env", "in_kernel", "static"),
    [
        ("1", True, True),
        ("true", False, True),
        ("0", False, False),
        ("no", True, False),
        (None, True, False),
        (None, False, True),
    ],
)
def test_is_static_follows_the_environment_variable_then_the_kernel(
    monkeypatch, env, in_kernel, static
):
    import IPython

    if env is None:
        monkeypatch.delenv(widgets.STATIC_ENV, raising=False)
    else:
        monkeypatch.setenv(widgets.STATIC_ENV, env)
    monkeypatch.setattr(IPython, "get_ipython", lambda: FakeKernelShell() if in_kernel else None)
    assert widgets.is_static() is static


def test_an_unknown_static_flag_is_an_error(monkeypatch):
    monkeypatch.setenv(widgets.STATIC_ENV, "maybe")
    with pytest.raises(ValueError, match="DLCOURSE_STATIC"):
        widgets.is_static()


def test_explorer_or_animation_gives_a_widget_live_and_an_animation_in_the_book(monkeypatch):
    monkeypatch.setenv(widgets.STATIC_ENV, "0")
    live = widgets.explorer_or_animation(L.ILL_CONDITIONED, X0, [0.02, 0.09], steps=12, **FAST)
    assert live.children[0].value == 0.02
    assert live.children[0].min == pytest.approx(np.log10(0.002))
    np.testing.assert_allclose(live.path, bowl_gd(0.02, 12), rtol=1e-15)

    monkeypatch.setenv(widgets.STATIC_ENV, "1")
    static = widgets.explorer_or_animation(
        L.ILL_CONDITIONED, X0, [0.02, 0.09], steps=12, frames=3, figsize=(3, 2.4), dpi=40, **FAST
    )
    html = getattr(static, "data", static)
    assert len(re.findall(r'frames\[\d+\] = "data:image/png', html)) == 3
    assert "η = 0.02" not in html  # labels are drawn into the images, not written as text


def test_race_or_animation_gives_a_widget_live_and_an_animation_in_the_book(monkeypatch):
    monkeypatch.setenv(widgets.STATIC_ENV, "0")
    live = widgets.race_or_animation(L.ILL_CONDITIONED, race_paths, ["slow", "fast"], 8, **FAST)
    np.testing.assert_allclose(live.lines["fast"].get_xydata(), race_paths("fast", 8), rtol=0)
    monkeypatch.setenv(widgets.STATIC_ENV, "1")
    static = widgets.race_or_animation(
        L.ILL_CONDITIONED, race_paths, ["slow", "fast"], 8, frames=2, figsize=(3, 2.4), dpi=40,
        **FAST,
    )
    assert len(re.findall(r'frames\[\d+\] = "data:image/png', getattr(static, "data", static))) == 2


def test_static_animation_races_gd_for_each_learning_rate(monkeypatch):
    monkeypatch.setattr(plot, "to_html", lambda anim: anim)  # keep the animation to inspect it
    monkeypatch.setenv(widgets.STATIC_ENV, "1")
    anim = widgets.explorer_or_animation(L.ILL_CONDITIONED, X0, [0.02, 0.09], steps=12, **FAST)
    lines = plot.path_lines(anim._fig.axes[0])
    assert list(lines) == ["η = 0.02", "η = 0.09"]
    anim._func(12)
    np.testing.assert_allclose(lines["η = 0.09"].get_xydata(), bowl_gd(0.09, 12), rtol=1e-15)
    with pytest.warns(UserWarning, match="deleted without rendering"):
        del anim  # never played: matplotlib says so
        gc.collect()


def test_importing_widgets_loads_neither_ipywidgets_nor_matplotlib():
    code = (
        "import sys, dlcourse.widgets;"
        "print(sorted(m for m in ('torch', 'matplotlib', 'ipywidgets') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
