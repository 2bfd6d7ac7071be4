"""Tests for dlcourse.plot: what is drawn is the data that was given."""

from __future__ import annotations

import base64
import re
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dlcourse import landscapes as L  # noqa: E402
from dlcourse import plot  # noqa: E402

# animations that a test inspects without playing warn when garbage-collected
pytestmark = pytest.mark.filterwarnings("ignore:Animation was deleted without rendering")

FAST = {"resolution": 30, "levels": 8}
FRAME = re.compile(r'frames\[(\d+)\] = "data:image/png;base64,([^"]*)"')


def gd_path(land: L.Landscape, x0, lr: float, steps: int) -> np.ndarray:
    path = [np.asarray(x0, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] - lr * land.grad(path[-1]))
    return np.array(path)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def paths():
    return {
        "η = 0.01": gd_path(L.ILL_CONDITIONED, [-2.5, 2.5], 0.01, 30),
        "η = 0.09": gd_path(L.ILL_CONDITIONED, [-2.5, 2.5], 0.09, 30),
    }


def markers(ax, prefix: str) -> dict[str, np.ndarray]:
    return {
        ln.get_label()[len(prefix):]: np.asarray(ln.get_xydata())
        for ln in ax.get_lines() if ln.get_label().startswith(prefix)
    }


def test_contour_draws_every_path_exactly_with_start_and_end_markers(paths):
    ax = plot.contour(L.ILL_CONDITIONED, paths, **FAST)
    lines = plot.path_lines(ax)
    assert list(lines) == list(paths)
    for name, path in paths.items():
        np.testing.assert_array_equal(lines[name].get_xydata(), path)
        np.testing.assert_array_equal(markers(ax, "_start ")[name], path[:1])
        np.testing.assert_array_equal(markers(ax, "_end ")[name], path[-1:])
        assert markers(ax, "_end ")[name].shape == (1, 2)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [*paths, "minimum"]
    minimum = [ln for ln in ax.get_lines() if ln.get_label() == "minimum"][0]
    np.testing.assert_array_equal(minimum.get_xydata(), [L.ILL_CONDITIONED.minimum])
    assert ax.get_xlim() == L.ILL_CONDITIONED.bounds[0]
    assert ax.get_ylim() == L.ILL_CONDITIONED.bounds[1]


def test_contour_draws_on_a_given_axes_and_the_contours_are_of_f():
    fig, ax = plt.subplots()
    assert plot.contour(L.SADDLE, ax=ax, filled=False, levels=[-1.0, 0.0, 1.0], resolution=41) is ax
    (contours,) = ax.collections
    np.testing.assert_array_equal(contours.levels, [-1.0, 0.0, 1.0])
    # the level-0 set of θ1² − θ2² is the two diagonals θ2 = ±θ1
    zero = np.concatenate([p.vertices for p in contours.get_paths()[1:2]])
    np.testing.assert_allclose(np.abs(zero[:, 0]), np.abs(zero[:, 1]), atol=1e-12)
    assert ax.get_legend() is None  # no paths and no minimum: nothing to label


def test_log_levels_are_geometric_above_the_minimum():
    ax = plot.contour(L.ROSENBROCK, levels=12, log_levels=True, resolution=50)
    levels = ax.collections[0].levels
    (x0, x1), (y0, y1) = L.ROSENBROCK.bounds
    grid = np.stack(np.meshgrid(np.linspace(x0, x1, 50), np.linspace(y0, y1, 50)))
    z = L.ROSENBROCK.f(grid)
    assert levels[0] == pytest.approx(z.min(), abs=1e-12)
    assert levels[-1] == pytest.approx(z.max(), rel=1e-12)
    ratios = np.diff(np.log(levels[1:] - z.min()))
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)


def test_a_diverging_path_ends_its_marker_at_the_last_finite_point():
    path = np.array([[0.5, 0.5], [1.0, -1.0], [1e200, 1e200], [np.inf, np.nan]])
    ax = plot.contour(L.SADDLE, {"diverges": path}, **FAST)
    np.testing.assert_array_equal(markers(ax, "_end ")["diverges"], [[1e200, 1e200]])
    assert ax.get_xlim() == L.SADDLE.bounds[0]


def test_a_single_array_is_drawn_as_path():
    path = gd_path(L.ROSENBROCK, [-1.5, 2.0], 1e-3, 10)
    ax = plot.contour(L.ROSENBROCK, path, **FAST)
    np.testing.assert_array_equal(plot.path_lines(ax)["path"].get_xydata(), path)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: plot.contour(L.GD_EXAMPLE), ValueError, "2-D landscape"),
        (lambda: plot.contour(L.SADDLE, {"p": np.zeros((4, 3))}), ValueError, "(T, 2)"),
        (lambda: plot.contour(L.SADDLE, {"p": np.zeros((0, 2))}), ValueError, "(T, 2)"),
        (lambda: plot.contour(L.SADDLE, {"p": [["a", "b"]]}), TypeError, "real numbers"),
        (lambda: plot.contour(L.SADDLE, {"_p": np.zeros((2, 2))}), ValueError, "reserved"),
        (lambda: plot.contour(L.SADDLE, levels=1), ValueError, "levels"),
        (lambda: plot.loss_curves({"hill": [0.1, -0.2]}), ValueError, "negative"),
        (lambda: plot.loss_curves({"a": [[1.0, 2.0]]}), ValueError, "1-D"),
        (lambda: plot.loss_curves({}), ValueError, "empty"),
        (lambda: plot.animate_paths(L.SADDLE, {}), ValueError, "at least one path"),
        (lambda: plot.animate_paths(L.SADDLE, np.zeros((5, 2)), frames=61), ValueError, "60"),
        (lambda: plot.animate_paths(L.SADDLE, np.zeros((5, 2)), frames=0), ValueError, "frames"),
    ],
)
def test_bad_input_raises_an_error_that_names_the_problem(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


def test_loss_curves_plot_each_loss_against_its_iteration_on_a_log_axis():
    losses = {"GD": 0.5 ** np.arange(20), "SGD": [3.0, 1.0, 0.0, 0.2]}
    ax = plot.loss_curves(losses)
    assert ax.get_yscale() == "log"
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert list(lines) == ["GD", "SGD"]
    for name, values in losses.items():
        np.testing.assert_array_equal(lines[name].get_xdata(), np.arange(len(values)))
        np.testing.assert_array_equal(lines[name].get_ydata(), values)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["GD", "SGD"]
    linear = plot.loss_curves([-1.0, 2.0], log=False)
    assert linear.get_yscale() == "linear"
    np.testing.assert_array_equal(linear.get_lines()[0].get_ydata(), [-1.0, 2.0])


def test_frame_indices_run_from_the_start_to_the_end_of_the_path():
    np.testing.assert_array_equal(plot.frame_indices(101, 5), [0, 25, 50, 75, 100])
    np.testing.assert_array_equal(plot.frame_indices(3, 10), [0, 1, 2])  # capped at T
    np.testing.assert_array_equal(plot.frame_indices(7, 1), [6])


def test_animation_frames_show_growing_prefixes_of_every_path(paths):
    short = {"short": paths["η = 0.01"][:5], **paths}
    anim = plot.animate_paths(L.ILL_CONDITIONED, short, frames=4, **FAST)
    shown = list(anim.new_frame_seq())
    assert shown == [0, 10, 20, 30]
    lines = plot.path_lines(anim._fig.axes[0])
    for i in shown:
        anim._func(i)  # draw frame i as the player would
        for name, path in short.items():
            upto = path[: min(i, len(path) - 1) + 1]
            np.testing.assert_array_equal(lines[name].get_xydata(), upto)
            np.testing.assert_array_equal(markers(anim._fig.axes[0], "_end ")[name], upto[-1:])


def test_animation_defaults_to_40_frames_and_fewer_for_short_paths(paths):
    assert len(list(plot.animate_paths(L.ILL_CONDITIONED, paths, **FAST).new_frame_seq())) == 31
    long = {"long": gd_path(L.ILL_CONDITIONED, [-2.5, 2.5], 0.01, 200)}
    seq = list(plot.animate_paths(L.ILL_CONDITIONED, long, **FAST).new_frame_seq())
    assert len(seq) == plot.DEFAULT_FRAMES == 40 and seq[-1] == 200


def test_to_html_embeds_one_png_per_frame_and_plays_without_a_kernel(paths):
    anim = plot.animate_paths(L.ILL_CONDITIONED, paths, frames=3, figsize=(3, 2.4), dpi=50, **FAST)
    html = plot.to_html(anim, raw=True)
    assert isinstance(html, str) and "<script" in html
    frames = FRAME.findall(html)
    assert [int(k) for k, _ in frames] == [0, 1, 2]
    for _, data in frames:
        png = base64.b64decode(data)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert (width, height) == (150, 120)
    # after playing, the figure shows the whole paths
    lines = plot.path_lines(anim._fig.axes[0])
    np.testing.assert_array_equal(lines["η = 0.09"].get_xydata(), paths["η = 0.09"])

    displayed = plot.to_html(anim)
    from IPython.display import HTML

    assert isinstance(displayed, HTML) and len(FRAME.findall(displayed.data)) == 3


def test_shrinking_frames_makes_the_html_smaller_with_the_same_frames(paths):
    anim = plot.animate_paths(L.ILL_CONDITIONED, paths, frames=2, figsize=(3, 2.4), dpi=60, **FAST)
    small = plot.to_html(anim, raw=True)
    big = plot.to_html(anim, raw=True, shrink=False)
    assert len(FRAME.findall(small)) == len(FRAME.findall(big)) == 2
    assert len(small) < 0.7 * len(big)


def test_importing_plot_loads_neither_matplotlib_nor_torch():
    code = (
        "import sys, dlcourse.plot;"
        "print(sorted(m for m in ('torch', 'matplotlib', 'IPython') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_animation_html_loads_nothing_from_the_network():
    import matplotlib

    matplotlib.use("Agg")
    from dlcourse import landscapes, plot

    path = np.array([[1.0, 1.0], [0.5, 0.2], [0.1, 0.05]])
    anim = plot.animate_paths(landscapes.SADDLE, {"gd": path}, frames=3)
    html = plot.to_html(anim, raw=True)
    assert "<script" in html and "fa-play" in html
    assert "http://" not in html and "https://" not in html
