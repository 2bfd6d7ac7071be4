"""Chapter 9's claims, each computed with the library: AdaGrad, RMSProp, Adadelta, Adam and kin."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse import landscapes, optim

BOWL = landscapes.ILL_CONDITIONED
BANANA = landscapes.ROSENBROCK
X0 = np.array([-2.5, 2.5])


def step_lengths(rule, grads, **hyper):
    theta, state, lengths = np.zeros(1), {}, []
    for g in grads:
        before = theta.copy()
        rule(theta, np.array([g]), state, **hyper)
        lengths.append(abs(before - theta)[0])
    return np.array(lengths)


# ------------------------------------------------------------------ AdaGrad
def test_adagrad_table_of_accumulated_squares_on_the_bowl():
    theta, state, rows = X0.copy(), {}, []
    for _ in range(5):
        g = BOWL.grad(theta)
        optim.adagrad(theta, g, state, lr=0.5)
        rows.append([*g, *state["sum"], *theta])
    rows = np.array(rows)
    np.testing.assert_allclose(rows[0], [-50, 2.5, 2500, 6.25, -2.0, 2.0], rtol=1e-9)
    np.testing.assert_allclose(rows[1], [-40, 2.0, 4100, 10.25, -1.6877, 1.6877], atol=1e-4)
    np.testing.assert_allclose(rows[4, 2:4], [6728.67, 16.8217], atol=1e-2)
    # the steep coordinate has 400× the squares, hence a 20× smaller rate
    np.testing.assert_allclose(rows[:, 2] / rows[:, 3], 400, rtol=1e-9)


def test_adagrad_walks_the_bowls_diagonal_straight_to_the_minimum():
    run = optim.minimize(BOWL, X0, "adagrad", steps=60, lr=0.5)
    np.testing.assert_allclose(run.path[:, 0], -run.path[:, 1], rtol=1e-9)
    assert run.losses[-1] < 1e-3


def test_adagrad_learns_a_rare_features_weight_as_fast_as_a_common_one():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=500), (rng.random(500) < 0.02).astype(float)])
    w_true = np.array([1.0, 3.0])
    rare = landscapes.least_squares(X, X @ w_true)
    assert int(X[:, 1].sum()) == 14
    eig = np.linalg.eigvalsh(2 * X.T @ X / 500)
    assert eig[1] / eig[0] == pytest.approx(36.8, abs=0.1)
    gd = optim.minimize(rare, [0.0, 0.0], "sgd", steps=200, lr=0.9)
    ada = optim.minimize(rare, [0.0, 0.0], "adagrad", steps=200, lr=1.5)
    assert gd.path[50, 1] == pytest.approx(2.7737, abs=1e-4)
    assert np.abs(ada.path[50] - w_true).max() < 1e-10
    assert np.abs(gd.path[200] - w_true).max() > 1e-5


def test_adagrads_steps_stay_a_thousand_times_shorter_after_a_steep_start_and_rmsprop_recovers():
    stream = [10.0] * 100 + [0.1] * 300
    ada = step_lengths(optim.adagrad, stream, lr=0.1)
    rms = step_lengths(optim.rmsprop, stream, lr=0.01, alpha=0.9)
    assert ada[0] == pytest.approx(0.1) and ada[99] == pytest.approx(1e-2, rel=1e-6)
    assert ada[-1] == pytest.approx(1e-4, rel=1e-3) and ada[0] / ada[-1] == pytest.approx(1000, rel=1e-3)
    assert rms[100] == pytest.approx(1.05e-4, rel=0.01) and rms[-1] == pytest.approx(0.01, rel=1e-6)
    assert 0.9**87 == pytest.approx(1e-4, rel=0.05)


def test_adadelta_first_step_is_sqrt_eps_over_one_minus_rho_and_steps_grow():
    lengths = step_lengths(optim.adadelta, [1.0] * 2000)
    assert lengths[0] == pytest.approx(np.sqrt(1e-6 / 0.1), rel=1e-4)
    assert lengths[0] == pytest.approx(3.162e-3, rel=1e-3)
    np.testing.assert_allclose(lengths[[9, 99, 999, 1999]], [3.511e-3, 4.659e-3, 1.057e-2, 1.455e-2], rtol=1e-3)
    assert np.all(np.diff(lengths) > 0)


# ------------------------------------------------------------------ Adam and its bias correction
def adam_lengths(c1, c2, steps=10_000):
    """Step lengths of Adam under the constant gradient 1, η = 1, ε = 0, with corrections c1(t), c2(t)."""
    t = np.arange(1, steps + 1)
    m, v = 1 - 0.9**t, 1 - 0.999**t                 # m_t and v_t under g = 1
    return m / c1(t) / np.sqrt(v / c2(t))


def test_corrected_adam_steps_exactly_eta_under_a_constant_gradient():
    lengths = step_lengths(optim.adam, [1.0] * 1000, lr=1.0, eps=0.0)
    np.testing.assert_allclose(lengths, 1.0, rtol=1e-12)
    np.testing.assert_allclose(adam_lengths(lambda t: 1 - 0.9**t, lambda t: 1 - 0.999**t), 1.0, rtol=1e-12)


def test_uncorrected_adams_first_step_is_316_times_too_long_and_peaks_at_65():
    lengths = adam_lengths(lambda t: 1.0, lambda t: 1.0)
    assert lengths[0] == pytest.approx(np.sqrt(10), abs=1e-4) and lengths[0] == pytest.approx(3.1623, abs=1e-4)
    assert lengths[9] == pytest.approx(6.5279, abs=1e-4)
    assert lengths[999] == pytest.approx(1.2576, abs=1e-4)      # still 26 % too long at t = 1000
    assert lengths[-1] == pytest.approx(1.0, abs=1e-4)
    assert 0.1 / np.sqrt(0.001) == pytest.approx(3.1623, abs=1e-4)


@pytest.mark.parametrize("t", [1, 2, 10, 100])
def test_without_correction_the_step_is_1_minus_b1_t_over_sqrt_1_minus_b2_t_times_torchs(t):
    """The glossary's claim: zero initialisation makes uncorrected steps too long, 3.16× at t = 1."""
    torch = pytest.importorskip("torch")
    b1, b2, lr, g = 0.9, 0.999, 1e-3, 0.7
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=lr, betas=(b1, b2), eps=0.0)
    m = v = 0.0
    for _ in range(t):
        before = p.detach().clone()
        p.grad = torch.full_like(p, g)
        opt.step()
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
    corrected = (before - p.detach()).item()
    uncorrected = lr * m / np.sqrt(v)
    ratio = (1 - b1**t) / np.sqrt(1 - b2**t)
    assert uncorrected / corrected == pytest.approx(ratio, rel=1e-12)
    assert ratio > 1  # too long, not too short
    if t == 1:
        assert ratio == pytest.approx(3.1623, abs=1e-4)


def test_missing_power_t_gives_a_right_first_step_then_twice_too_long_then_0316():
    lengths = adam_lengths(lambda t: 0.1, lambda t: 0.001)
    assert lengths[0] == pytest.approx(1.0, rel=1e-12)
    assert lengths[9] == pytest.approx(2.0643, abs=1e-4)
    assert lengths[999] == pytest.approx(0.3977, abs=1e-4)      # already 60 % too short at t = 1000
    assert lengths.max() < 2.1
    assert lengths[-1] == pytest.approx(np.sqrt(0.001) / 0.1, rel=1e-3)
    assert np.sqrt(0.001) / 0.1 == pytest.approx(0.316, abs=1e-3)


def test_the_chapters_eight_line_adam_equals_the_library_and_the_typos_cost_on_rosenbrock():
    def adam_step(theta, g, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, correction="power t"):
        beta1, beta2 = betas
        if not state:
            state.update(t=0, m=np.zeros_like(theta), v=np.zeros_like(theta))
        state["t"] += 1
        t = state["t"]
        state["m"] = beta1 * state["m"] + (1 - beta1) * g
        state["v"] = beta2 * state["v"] + (1 - beta2) * g * g
        c1, c2 = {"power t": (1 - beta1**t, 1 - beta2**t), "none": (1, 1),
                  "no power": (1 - beta1, 1 - beta2)}[correction]
        theta -= lr * (state["m"] / c1) / (np.sqrt(state["v"] / c2) + eps)

    ours = optim.minimize(BANANA, [-1.5, 2.0], adam_step, steps=1000, lr=0.1)
    library = optim.minimize(BANANA, [-1.5, 2.0], "adam", steps=1000, lr=0.1)
    assert np.abs(ours.path - library.path).max() < 1e-12
    assert library.losses[1000] == pytest.approx(6.59e-7, rel=0.01)
    none = optim.minimize(BANANA, [-1.5, 2.0], adam_step, steps=1000, lr=0.1, correction="none")
    no_power = optim.minimize(BANANA, [-1.5, 2.0], adam_step, steps=1000, lr=0.1, correction="no power")
    assert none.losses[1000] == pytest.approx(5.99e-4, rel=0.01)
    assert no_power.losses[1000] == pytest.approx(1.72e-3, rel=0.01)


@pytest.mark.parametrize("size, outside, inside6, inside8", [
    (1.0, 1.0, 1.0, 1.0), (1e-2, 0.999999, 0.995037, 0.999950), (1e-3, 0.999990, 0.707107, 0.995037),
    (1e-4, 0.999900, 0.099504, 0.707107), (1e-6, 0.990099, 0.001000, 0.010000)])
def test_first_adam_step_with_eps_outside_or_inside_the_root(size, outside, inside6, inside8):
    first = []
    for eps, inside in [(1e-8, False), (1e-6, True), (1e-8, True)]:
        theta = np.zeros(1)
        optim.adam(theta, np.array([size]), {}, lr=1.0, eps=eps, eps_inside_sqrt=inside)
        first.append(-theta[0])
    np.testing.assert_allclose(first, [outside, inside6, inside8], atol=1e-6)


def test_eps_placement_hardly_matters_when_gradients_are_not_tiny():
    a = optim.minimize(BANANA, [-1.5, 2.0], "adam", steps=1000, lr=0.1)
    b = optim.minimize(BANANA, [-1.5, 2.0], "adam", steps=1000, lr=0.1, eps=1e-6, eps_inside_sqrt=True)
    assert 0 < np.abs(a.path - b.path).max() < 1e-8
    assert b.losses[-1] == pytest.approx(a.losses[-1], rel=1e-2)


# ------------------------------------------------------------------ AdamW vs L2
def test_adamw_decays_every_weight_like_one_minus_eta_lambda_and_l2_depends_on_the_gradient_scale():
    rng = np.random.default_rng(1)
    runs, T, lr, lam = 500, 1000, 1e-2, 0.1
    scale = np.array([[10.0], [0.1]])
    noise = rng.normal(size=(T, 2, runs))
    final = {}
    for name, rule, hyper in [("none", optim.adam, {}), ("l2", optim.adam, {"weight_decay": lam}),
                              ("adamw", optim.adamw, {"weight_decay": lam})]:
        theta, state = np.ones((2, runs)), {}
        for t in range(T):
            rule(theta, scale * noise[t], state, lr=lr, **hyper)
        final[name] = theta.mean(axis=1)
    decay = (1 - lr * lam) ** T
    assert decay == pytest.approx(0.3677, abs=1e-4)
    np.testing.assert_allclose(final["adamw"], decay, atol=0.02)
    assert final["l2"][0] > 0.85 and abs(final["l2"][1]) < 0.01
    np.testing.assert_allclose(final["none"], 1.0, atol=0.03)


def test_adamw_step_is_decay_then_the_adam_step_on_the_plain_gradient():
    theta, g = np.array([2.0, -1.0]), np.array([0.3, 0.5])
    a, b = theta.copy(), theta * (1 - 0.1 * 0.5)
    optim.adamw(a, g, {}, lr=0.1, weight_decay=0.5)
    optim.adam(b, g, {}, lr=0.1)
    np.testing.assert_allclose(a, b, rtol=1e-15)



def test_torch_adamw_is_the_papers_rule_with_lambda_divided_by_the_learning_rate():
    """Loshchilov & Hutter: θ ← θ − η_t(α m̂/(√v̂ + ε) + λθ); torch decays by lr·weight_decay."""
    torch = pytest.importorskip("torch")
    alpha, lam_paper, b1, b2, eps = 1e-3, 1e-4, 0.9, 0.999, 1e-8
    multiplier = lambda t: 0.5 * (1 + np.cos(np.pi * t / 200))  # η_t, a cosine schedule
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(200, 4))
    p = torch.tensor([1.0, -2.0, 0.5, 3.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.AdamW([p], lr=alpha, betas=(b1, b2), eps=eps, weight_decay=lam_paper / alpha)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, multiplier)
    theta, m, v = p.detach().numpy().copy(), np.zeros(4), np.zeros(4)
    for t, g in enumerate(grads, 1):
        p.grad = torch.tensor(g)
        opt.step()
        sched.step()
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        theta = theta - multiplier(t - 1) * (alpha * m_hat / (np.sqrt(v_hat) + eps) + lam_paper * theta)
    np.testing.assert_allclose(p.detach().numpy(), theta, rtol=1e-12, atol=1e-15)
    assert lam_paper / alpha == pytest.approx(0.1)  # the chapter's example


# ------------------------------------------------------------------ limits
def online_means(rule, K=2000, C=2200.0, periods=6, **hyper):
    x, state, positions = np.zeros(1), {}, []
    for t in range(K * periods):
        rule(x, np.array([C if t % K == 0 else -1.0]), state, **hyper)
        np.clip(x, -1, 1, out=x)
        positions.append(x[0])
    return np.array(positions).reshape(periods, K).mean(axis=1)


def test_adam_heads_for_the_worst_point_of_a_convex_online_problem_where_amsgrad_and_sgd_do_not():
    assert (2200 - 1999) / 2000 == pytest.approx(0.1005)   # mean gradient > 0: the minimum is x = −1
    adam = online_means(optim.adam, lr=0.01)
    ams = online_means(optim.adam, lr=0.01, amsgrad=True)
    sgd = online_means(optim.sgd, lr=3e-4)
    assert np.all(np.diff(adam) > 0) and adam[-1] == pytest.approx(0.8705, abs=1e-4)
    assert np.all(np.diff(ams) < 0) and ams[-1] == pytest.approx(-0.1030, abs=1e-4)
    assert np.all(np.diff(sgd) < 0) and sgd[-1] == pytest.approx(-0.6617, abs=1e-4)


def test_adams_learning_rate_still_matters_with_noisy_gradients():
    floors = {}
    for lr in [1e-3, 1e-2, 1e-1, 1.0]:
        rng = np.random.default_rng(0)
        run = optim.minimize(BOWL.f, X0, "adam", steps=1000, grad=lambda th: BOWL.grad(th) + rng.normal(size=2), lr=lr)
        floors[lr] = run.losses[-200:].mean()
    assert floors[1e-3] > 10                           # crawls
    assert floors[1e-2] == pytest.approx(6.8e-3, rel=0.02)
    assert floors[1e-2] < floors[1e-1] < floors[1.0]   # rattles more the larger η


# ------------------------------------------------------------------ the race
def test_lectures_sgd_rate_explodes_on_rosenbrock_and_beale():
    assert optim.minimize(BANANA, [-1.5, 2.0], "sgd", steps=100, lr=5e-2).diverged
    assert optim.minimize(landscapes.BEALE, [1.0, 1.5], "sgd", steps=100, lr=5e-2).diverged


def test_race_on_rosenbrock_and_beale():
    banana = {name: optim.minimize(BANANA, [-1.5, 2.0], rule, steps=500, **hyper).losses[-1]
              for name, rule, hyper in [("momentum", "sgd", {"lr": 1e-3, "momentum": 0.9}),
                                        ("adam", "adam", {"lr": 0.1}), ("sgd", "sgd", {"lr": 1e-3}),
                                        ("nadam", "nadam", {"lr": 0.1})]}
    assert banana["momentum"] == pytest.approx(4.4e-3, rel=0.02)
    assert banana["adam"] == pytest.approx(9.4e-3, rel=0.02)
    assert banana["sgd"] > 4 and banana["nadam"] > 7
    beale = landscapes.BEALE
    momentum = optim.minimize(beale, [1.0, 1.5], "sgd", steps=300, lr=3e-3, momentum=0.9)
    adadelta = optim.minimize(beale, [1.0, 1.5], "adadelta", steps=300)
    assert np.linalg.norm(momentum.final - beale.minimum) < 0.02
    assert adadelta.losses[-1] > 6


def test_adaptive_methods_escape_the_saddle_first():
    escape = {}
    for name, rule, hyper in [("sgd", "sgd", {"lr": 5e-2}), ("momentum", "sgd", {"lr": 5e-2, "momentum": 0.9}),
                              ("rmsprop", "rmsprop", {"lr": 1e-2}), ("adam", "adam", {"lr": 0.1})]:
        path = optim.minimize(landscapes.SADDLE, [1.5, 1e-3], rule, steps=100, **hyper).path
        escape[name] = int(np.flatnonzero(np.abs(path[:, 1]) > 1)[0])
    assert escape == {"sgd": 73, "momentum": 27, "rmsprop": 17, "adam": 11}
    assert np.log(1e3) / np.log(1.1) == pytest.approx(72.5, abs=0.1)   # |θ2| grows by 1 + 2η per step


@pytest.mark.parametrize("cls, hyper", [
    ("SGD", dict(lr=0.05, momentum=0.9)), ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("Adagrad", dict(lr=0.05)), ("RMSprop", dict(lr=0.01)), ("Adadelta", dict(lr=1.0)),
    ("Adam", dict(lr=0.01)), ("AdamW", dict(lr=0.01, weight_decay=0.1)), ("Adamax", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01))])
def test_every_dlcourse_optimizer_trains_the_chapters_network_like_torch_optim(cls, hyper):
    torch = pytest.importorskip("torch")
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        X = torch.randn(64, 5, generator=torch.Generator().manual_seed(0))
        y = torch.sin(X.sum(dim=1, keepdim=True))
        torch.manual_seed(0)
        net0 = torch.nn.Sequential(torch.nn.Linear(5, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
        initial = {k: v.clone() for k, v in net0.state_dict().items()}

        def train(make):
            net = torch.nn.Sequential(torch.nn.Linear(5, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
            net.load_state_dict(initial)
            opt = make(net.parameters())
            history = []
            for _ in range(50):
                loss = torch.nn.functional.mse_loss(net(X), y)
                opt.zero_grad()
                loss.backward()
                opt.step()
                history.append(torch.cat([p.detach().flatten() for p in net.parameters()]).clone())
            return torch.stack(history)

        theirs = train(lambda p: getattr(torch.optim, cls)(p, **hyper))
        ours = train(lambda p: getattr(optim, cls)(p, **hyper))
        diff = (ours - theirs).abs().max(dim=1).values
        assert diff[0] < 1e-16
        assert diff.max() < (1e-9 if cls == "NAdam" else 1e-14)
    finally:
        torch.set_default_dtype(previous)
