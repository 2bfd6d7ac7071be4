"""The checks of chapter 5: right answers pass, typical mistakes get a precise verdict."""

from __future__ import annotations

import math
import random
from collections import deque

import numpy as np
import pytest

from dlcourse import checks
from dlcourse.checks.autodiff import WORKED_GRAPH, compare_topological, is_topological, topological_order


def _verdict(check_id, fn, seed=0):
    return checks.run(check_id, fn, seed=seed)


# ------------------------------------------------------------------ right answers
def dual_mul(a, a_dot, b, b_dot):
    return a * b, a_dot * b + a * b_dot


def dual_sin(a, a_dot):
    return math.sin(a), math.cos(a) * a_dot


def dual_log(a, a_dot):
    return math.log(a), a_dot / a


def adjoints(x1, x2):
    v0 = -math.cos(x2)
    v_1 = x2
    return {"v5": [1.0], "v4": [1.0], "v3": [-1.0], "v1": [1.0], "v2": [1.0],
            "v0": [v0, v0 + x1], "v-1": [v_1, v_1 + 1 / x1]}


def backward_mul(a, b, grad_out):
    return grad_out * b, grad_out * a


def backward_sin(a, grad_out):
    return grad_out * math.cos(a)


def backward_exp(a, grad_out):
    return grad_out * math.exp(a)


def depth_first_order(parents):
    """A different valid order: iterative depth-first search, children after parents."""
    order, placed = [], set()
    for root in parents:
        stack = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if node in placed:
                continue
            if expanded:
                placed.add(node)
                order.append(node)
            else:
                stack.append((node, True))
                stack.extend((p, False) for p in parents[node] if p not in placed)
    return order


RIGHT = [
    ("05.dual_mul", dual_mul),
    ("05.dual_sin", dual_sin),
    ("05.dual_log", dual_log),
    ("05.adjoints", adjoints),
    ("05.backward_mul", backward_mul),
    ("05.backward_sin", backward_sin),
    ("05.backward_exp", backward_exp),
    ("05.topological_order", topological_order),
    ("05.topological_order", depth_first_order),
]


@pytest.mark.parametrize("check_id, fn", RIGHT, ids=[f"{c}-{f.__name__}" for c, f in RIGHT])
def test_right_answers_pass_on_fresh_random_cases(check_id, fn, capsys):
    for seed in (None, 1, 2):
        verdict = _verdict(check_id, fn, seed)
        assert verdict.passed, verdict.message
    checks.check(check_id, fn)
    assert capsys.readouterr().out.startswith(f"✓ [{check_id}] {checks.get(check_id).function}: all ")


def test_numpy_scalars_and_lists_are_accepted_as_pairs():
    assert _verdict("05.dual_sin", lambda a, d: [np.sin(a), np.cos(a) * d]).passed
    assert _verdict("05.backward_mul", lambda a, b, g: np.array([g * b, g * a])).passed


def test_every_check_of_chapter_5_names_its_shortcuts():
    for check_id in ("05.dual_mul", "05.dual_sin", "05.dual_log", "05.adjoints", "05.backward_mul"):
        assert checks.get(check_id).reference_names
    assert "dlcourse.autodiff.trace" in checks.get("05.adjoints").reference_names
    assert "dlcourse.autodiff.Dual" in checks.get("05.dual_mul").reference_names


def test_cases_start_with_the_chapters_numbers_and_are_reproducible():
    cases = checks.get("05.adjoints").cases(np.random.default_rng(3))
    assert cases[0].args == (2.0, 5.0) and "(2, 5)" in cases[0].label
    again = checks.get("05.adjoints").cases(np.random.default_rng(3))
    assert [c.args for c in cases] == [c.args for c in again]
    topo = checks.get("05.topological_order").cases(np.random.default_rng(3))
    assert topo[0].args[0] == WORKED_GRAPH
    assert [c.args for c in topo] == [c.args for c in checks.get("05.topological_order").cases(np.random.default_rng(3))]


# ------------------------------------------------------------------ dual numbers
def test_tangent_with_the_epsilon_squared_term_is_named():
    v = _verdict("05.dual_mul", lambda a, ad, b, bd: (a * b, ad * bd))
    assert "case 1 of 6: a = xy at (x, y) = (2, 5) with seed ẋ = 1, ẏ = 0" in v.message
    assert "the tangent: expected 5, got 0" in v.message
    # on the seed (1, 0) case, ȧḃ = aḃ = 0: the hint names both halves of the rule
    assert "both terms of the product rule, and no ȧḃ" in v.message


def test_epsilon_squared_term_is_diagnosed_where_it_is_unambiguous():
    case = checks.get("05.dual_mul").cases(np.random.default_rng(0))[2]
    chk = checks.get("05.dual_mul")
    a, ad, b, bd = case.args
    hints = [d((a * b, ad * bd), chk.reference(*case.args), case) for d in chk.diagnoses]
    assert any("ε² = 0" in h for h in hints if h)


def test_half_of_the_product_rule_is_diagnosed():
    v = _verdict("05.dual_mul", lambda a, ad, b, bd: (a * b, a * bd))
    assert "case 1 of 6" in v.message
    assert "the tangent: expected 5, got 0" in v.message
    v = _verdict("05.dual_mul", lambda a, ad, b, bd: (a * b, ad * b))
    assert "case 2 of 6" in v.message and "expected 2, got 0" in v.message


def test_swapped_value_and_tangent_is_diagnosed():
    v = _verdict("05.dual_mul", lambda a, ad, b, bd: (ad * b + a * bd, a * b))
    assert "the value: expected 10, got 5" in v.message
    assert "swapped" in v.message


def test_sin_instead_of_cos_is_diagnosed():
    v = _verdict("05.dual_sin", lambda a, ad: (math.sin(a), math.sin(a) * ad))
    assert "case 1 of 5: b = sin x at x = 2" in v.message
    assert f"the tangent: expected {math.cos(2):.6g}, got {math.sin(2):.6g}" in v.message
    assert "derivative of sin is cos, not sin" in v.message


def test_forgotten_chain_factor_in_sin_is_diagnosed():
    v = _verdict("05.dual_sin", lambda a, ad: (math.sin(a), math.cos(a)))
    assert "case 3 of 5" in v.message  # the two chapter cases have ȧ = 1
    assert "multiply by ȧ" in v.message


def test_minus_cos_is_a_sign_mistake():
    v = _verdict("05.dual_sin", lambda a, ad: (math.sin(a), -math.cos(a) * ad))
    assert "mind the sign" in v.message


def test_log_instead_of_one_over_a_is_diagnosed():
    v = _verdict("05.dual_log", lambda a, ad: (math.log(a), math.log(a) * ad))
    assert "case 1 of 5: v₁ = ln v₋₁ of the worked example" in v.message
    assert f"expected 0.5, got {math.log(2):.6g}" in v.message
    assert "1/a, not ln a" in v.message


def test_one_over_a_as_the_value_is_diagnosed():
    v = _verdict("05.dual_log", lambda a, ad: (1 / a, ad / a))
    assert f"the value: expected {math.log(2):.6g}, got 0.5" in v.message
    assert "1/a belongs in the tangent" in v.message


def test_forgotten_chain_factor_in_log_is_diagnosed():
    v = _verdict("05.dual_log", lambda a, ad: (math.log(a), 1 / a))
    assert "case 2 of 5: a = 0.5, ȧ = 3" in v.message
    assert "expected 6, got 2" in v.message
    assert "ȧ/a, not 1/a alone" in v.message


# ------------------------------------------------------------------ adjoints
def _sweep(x1, x2, accumulate_v0=True, accumulate_v_1=True, sin_sign=-1.0, v2_first=False):
    bar = adjoints(x1, x2)
    first = sin_sign * math.cos(x2)
    bar["v3"] = [sin_sign]
    bar["v0"] = [first, first + x1] if accumulate_v0 else [first, x1]  # the classic slip: = instead of +=
    if v2_first:
        bar["v0"] = [x1, x1 + first]
    if not accumulate_v_1:
        bar["v-1"] = [x2, 1 / x1]
    return bar


def test_the_adjoint_column_of_the_chapter_passes_and_the_sweep_order_may_vary():
    assert _verdict("05.adjoints", adjoints).passed
    assert _verdict("05.adjoints", lambda x1, x2: _sweep(x1, x2, v2_first=True)).passed


def test_the_closed_form_gradient_alone_does_not_pass():
    v = _verdict("05.adjoints", lambda x1, x2: (1 / x1 + x2, x1 - math.cos(x2)))
    assert "expected a dict" in v.message and "not only (x̄1, x̄2)" in v.message
    one_value = lambda x1, x2: {**adjoints(x1, x2), "v-1": [1 / x1 + x2]}
    v = _verdict("05.adjoints", one_value)
    assert "v̄₋₁ ('v-1') receives 2 contributions" in v.message


def test_overwritten_adjoint_of_x2_is_the_classic_mistake():
    v = _verdict("05.adjoints", lambda x1, x2: _sweep(x1, x2, accumulate_v0=False))
    assert "case 1 of 5: the chapter's point (x1, x2) = (2, 5)" in v.message
    assert "v̄₀ ('v0'): expected the values [-0.283662, 1.71634], got [-0.283662, 2]" in v.message
    assert "lost the contribution through v₃ = sin v₀" in v.message and "+=" in v.message


def test_overwritten_adjoint_of_x1_is_diagnosed():
    v = _verdict("05.adjoints", lambda x1, x2: _sweep(x1, x2, accumulate_v_1=False))
    assert "v̄₋₁ ('v-1'): expected the values [5, 5.5], got [5, 0.5]" in v.message


def test_wrong_sign_of_the_sin_term_is_diagnosed():
    v = _verdict("05.adjoints", lambda x1, x2: _sweep(x1, x2, sin_sign=1.0))
    assert "v̄₃ ('v3')" in v.message and "v̄₃ = −1" in v.message


def test_swapped_adjoints_are_diagnosed():
    def swapped(x1, x2):
        bar = adjoints(x1, x2)
        bar["v0"], bar["v-1"] = bar["v-1"], bar["v0"]
        return bar
    v = _verdict("05.adjoints", swapped)
    assert "swapped" in v.message


def test_log_for_its_derivative_is_diagnosed():
    v = _verdict("05.adjoints", lambda x1, x2: {**adjoints(x1, x2), "v-1": [x2, x2 + math.log(x1)]})
    assert "1/v₋₁, not ln v₋₁" in v.message


# ------------------------------------------------------------------ backward rules
def test_swapped_product_gradients_are_diagnosed():
    v = _verdict("05.backward_mul", lambda a, b, g: (g * a, g * b))
    assert "case 1 of 5: v₂ = v₋₁ × v₀ of the worked trace" in v.message
    assert "grad_a: expected 5, got 2" in v.message
    assert "the *other* input" in v.message


def test_forgotten_grad_out_in_product_is_diagnosed():
    v = _verdict("05.backward_mul", lambda a, b, g: (b, a))
    assert "case 2 of 5: a = 3, b = −2, grad_out = 0.5" in v.message  # case 1 has grad_out = 1
    assert "grad_a: expected -1, got -2" in v.message
    assert "multiply the local derivative by grad_out" in v.message


def test_backward_sin_with_sin_is_diagnosed():
    v = _verdict("05.backward_sin", lambda a, g: g * math.sin(a))
    assert "case 1 of 5: v₃ = sin v₀ of the worked trace" in v.message
    assert f"expected {-math.cos(5):.6g}, got {-math.sin(5):.6g}" in v.message
    assert "cos a, not sin a" in v.message


def test_backward_sin_without_grad_out_gets_a_combined_hint_where_ambiguous():
    # with grad_out = −1, forgetting it and flipping the sign give the same number
    v = _verdict("05.backward_sin", lambda a, g: math.cos(a))
    assert "case 1 of 5" in v.message
    assert "check the function, the sign and the factor grad_out" in v.message


def test_backward_exp_without_grad_out_is_diagnosed():
    v = _verdict("05.backward_exp", lambda a, g: math.exp(a))
    assert "case 2 of 5: a = 2, grad_out = 3" in v.message
    assert "multiply by grad_out" in v.message


def test_backward_exp_passing_grad_out_through_is_diagnosed():
    v = _verdict("05.backward_exp", lambda a, g: g)
    assert "eᵃ itself" in v.message


# ------------------------------------------------------------------ topological order
def test_any_valid_order_passes_the_comparison():
    rng = random.Random(0)
    for _ in range(20):
        waiting = {n: set(ps) for n, ps in WORKED_GRAPH.items()}
        order = []
        while waiting:
            ready = sorted(n for n, ps in waiting.items() if not ps - set(order))
            pick = rng.choice(ready)
            order.append(pick)
            del waiting[pick]
        assert is_topological(order, WORKED_GRAPH)


def test_reversed_order_is_diagnosed():
    v = _verdict("05.topological_order", lambda parents: topological_order(parents)[::-1])
    assert "case 1 of 6: the graph of the worked example" in v.message
    assert "comes before its parent" in v.message
    assert "reversed" in v.message


def test_dict_keys_returned_unchanged_are_diagnosed():
    v = _verdict("05.topological_order", lambda parents: list(parents))
    assert "'v5' (position 0) comes before its parent 'v4' (position 2)" in v.message
    assert "no particular order" in v.message


def test_missing_inputs_are_diagnosed():
    v = _verdict("05.topological_order", lambda parents: [n for n in topological_order(parents) if parents[n]])
    assert "2 of the 7 nodes are missing from your order: 'v0', 'v-1'" in v.message
    assert "nodes without parents (the inputs) belong in the order too" in v.message


def test_node_reached_twice_is_diagnosed():
    def visits_per_path(parents):
        order = []
        def visit(node):
            for p in parents[node]:
                visit(p)
            order.append(node)
        for node in parents:
            visit(node)
        return order

    v = _verdict("05.topological_order", visits_per_path)
    assert "appears" in v.message and "exactly once" in v.message
    assert "remember which nodes you have placed" in v.message


def test_recursive_search_fails_on_the_deep_chain_with_the_reason():
    def recursive(parents):
        order, placed = [], set()
        def visit(node):
            if node in placed:
                return
            for p in parents[node]:
                visit(p)
            placed.add(node)
            order.append(node)
        for node in parents:
            visit(node)
        return order

    v = _verdict("05.topological_order", recursive)
    assert "raised RecursionError" in v.message
    assert "case 6 of 6: a chain of 3000 nodes" in v.message and "too deep for a recursion" in v.message


def test_a_student_that_empties_the_graph_is_judged_on_the_original():
    def destructive(parents):
        order = topological_order(parents)
        for ps in parents.values():
            ps.clear()
        parents.clear()  # without copies, the reference would see an empty graph
        return order

    assert _verdict("05.topological_order", destructive).passed


@pytest.mark.parametrize(
    "got, summary",
    [
        ("v5 v4", "expected a list of the 7 node names, got str"),
        (["v5", "nope"], "'nope' is not a node of the graph"),
        (["v-1", "v0", "v1", "v2", "v3", "v4", "v5", "v5"], "'v5' appears 2 times"),
        (["v-1", "v0", "v1", "v2", "v4", "v3"], "1 of the 7 nodes are missing from your order: 'v5'"),
        (["v0", "v-1", "v1", "v2", "v3", "v4", "v5"], None),
        (deque(["v0"]), "got deque"),
    ],
)
def test_compare_topological_names_the_first_problem(got, summary):
    failure = compare_topological(got, (topological_order(WORKED_GRAPH), WORKED_GRAPH))
    if summary is None:
        assert failure is None
    else:
        assert summary in failure.summary


# ------------------------------------------------------------------ robustness
@pytest.mark.parametrize(
    "check_id, answer, summary",
    [
        ("05.dual_mul", lambda *a: 10.0, "expected a pair of numbers (the value, the tangent), got 10.0"),
        ("05.dual_sin", lambda *a: (1.0, 2.0, 3.0), "expected a pair (the value, the tangent), got 3 items"),
        ("05.adjoints", lambda *a: None, "expected a dict {name: [the values of its adjoint]}"),
        ("05.backward_sin", lambda *a: "cos", "expected a number or array of shape ()"),
        ("05.dual_log", lambda *a: (float("nan"), 0.5), "expected a pair of numbers"),
    ],
)
def test_odd_answers_get_a_clear_summary_and_no_crash(check_id, answer, summary):
    v = _verdict(check_id, answer)
    assert not v.passed
    assert summary in v.message


def test_stub_reraises_not_implemented_after_saying_so(capsys):
    def stub(parents):
        raise NotImplementedError("your code here")

    with pytest.raises(NotImplementedError):
        checks.check("05.topological_order", stub)
    assert "topological_order is not implemented yet" in capsys.readouterr().out


def test_wrong_answer_raises_assertion_error_with_message(capsys):
    with pytest.raises(AssertionError, match="is wrong on case 1 of 5"):
        checks.check("05.adjoints", lambda x1, x2: {})
    assert capsys.readouterr().out.startswith("✗ [05.adjoints] adjoints is wrong on case 1 of 5")


# ------------------------------------------------------------------ logistic map, forbidden tools
def test_logistic_reference_matches_the_chapters_closed_form_of_l4():
    from dlcourse.checks.autodiff import logistic_derivative

    x = 0.3
    l4 = 64 * x * (1 - x) * (1 - 2 * x) ** 2 * (1 - 8 * x + 8 * x**2) ** 2
    assert logistic_derivative(x, 4)[0] == pytest.approx(l4, rel=1e-14)
    assert logistic_derivative(x, 2) == pytest.approx((0.84, 4 - 8 * x), rel=1e-14)
    assert logistic_derivative(x, 1) == (0.3, 1.0)


def test_logistic_off_by_one_is_named():
    def too_many(x, n):
        l, d = x, 1.0
        for _ in range(n):
            l, d = 4 * l * (1 - l), 4 * d * (1 - 2 * l)
        return l, d

    v = _verdict("05.logistic_derivative", too_many)
    assert "case 1 of 6" in v.message and "one step too many" in v.message


def test_graphlib_is_refused_during_the_check_and_restored_after():
    import graphlib

    v = _verdict("05.topological_order", lambda p: list(graphlib.TopologicalSorter(p).static_order()))
    assert "ShortcutError" in v.message and "write the algorithm yourself" in v.message
    assert list(graphlib.TopologicalSorter({"b": ["a"], "a": []}).static_order()) == ["a", "b"]


def test_torch_autograd_is_refused_during_the_check_and_restored_after():
    torch = pytest.importorskip("torch")

    def by_autograd(a, grad_out):
        t = torch.tensor(float(a), dtype=torch.float64, requires_grad=True)
        torch.sin(t).backward(torch.tensor(float(grad_out), dtype=torch.float64))
        return t.grad.item()

    v = _verdict("05.backward_sin", by_autograd)
    assert "ShortcutError" in v.message and "by hand" in v.message
    assert by_autograd(0.0, 2.0) == 2.0


# ------------------------------------------------------------------ float32 answers
def test_float32_answers_pass_also_behind_item_and_on_the_chaotic_logistic_map():
    torch = pytest.importorskip("torch")

    def logistic32(x, n):
        l, d = np.float32(x), np.float32(1.0)
        for _ in range(n - 1):
            l, d = np.float32(4) * l * (1 - l), np.float32(4) * d * (1 - 2 * l)
        return l, d

    def sin_item(a, a_dot):
        t = torch.tensor(a)  # float32
        return torch.sin(t).item(), (torch.cos(t) * a_dot).item()

    for seed in range(20):
        assert _verdict("05.logistic_derivative", logistic32, seed).passed
        assert _verdict("05.dual_sin", sin_item, seed).passed
    v = _verdict("05.logistic_derivative", lambda x, n: logistic32(x, n + 1))
    assert not v.passed and "one step too many" in v.message
