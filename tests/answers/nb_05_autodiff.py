"""Alternative answers for ``solutions/05_autodiff.ipynb`` (format: ``tests/answers/__init__.py``)."""

from dataclasses import replace

from . import Answer

_SWEEP_HEAD = '''
        def adjoints(x1, x2):
            v_1, v0 = x1, x2
            v1 = math.log(v_1)
            v2 = v_1 * v0
            v3 = math.sin(v0)
            v4 = v1 + v2
            v5 = v4 - v3
            bar = {}

            def add(name, contribution):
                values = bar.setdefault(name, [])
                values.append((values[-1] if values else 0.0) + contribution)
'''

ANSWERS = [
    # ------------------------------------------------------------------ 05.dual_mul
    Answer("05.dual_mul", "pass", '''
        def dual_mul(a, a_dot, b, b_dot):
            value = a * b
            tangent = a * b_dot + b * a_dot
            return (value, tangent)
    ''', "the product rule in the other order"),
    Answer("05.dual_mul", "pass", '''
        def dual_mul(a, a_dot, b, b_dot):
            return [np.float32(a) * np.float32(b), np.float32(a_dot) * np.float32(b) + np.float32(a) * np.float32(b_dot)]
    ''', "float32 numpy scalars in a list: judged at float32 precision"),
    Answer("05.dual_mul", "pass", '''
        def dual_mul(a, a_dot, b, b_dot):
            # (a + ȧε)(b + ḃε) = ab + (ȧb + aḃ)ε + ȧḃε², and ε² = 0
            terms = {"1": a * b, "eps": a_dot * b + a * b_dot, "eps2": a_dot * b_dot}
            return np.array([terms["1"], terms["eps"]])
    ''', "multiplied out, the ε² term dropped, a numpy array"),
    Answer("05.dual_mul", "fail", '''
        def dual_mul(a, a_dot, b, b_dot):
            return a * b, a_dot * b_dot
    ''', "keeps ȧḃ, the ε² coefficient"),
    Answer("05.dual_mul", "fail", '''
        def dual_mul(a, a_dot, b, b_dot):
            return a * b, a_dot * b
    ''', "half of the product rule", message=("product rule",)),
    Answer("05.dual_mul", "fail", '''
        def dual_mul(a, a_dot, b, b_dot):
            return a_dot * b + a * b_dot, a * b
    ''', "value and tangent swapped", message=("swapped",)),
    Answer("05.dual_mul", "fail", '''
        import torch

        def dual_mul(a, a_dot, b, b_dot):
            x = torch.tensor(a, dtype=torch.float64, requires_grad=True)
            y = torch.tensor(b, dtype=torch.float64, requires_grad=True)
            z = x * y
            z.backward()
            return z.item(), x.grad.item() * a_dot + y.grad.item() * b_dot
    ''', "torch.autograd instead of the rule: the exercise forbids it", message=("by hand",)),
    # ------------------------------------------------------------------ 05.dual_sin
    Answer("05.dual_sin", "pass", '''
        def dual_sin(a, a_dot):
            return np.sin(a), np.cos(a) * a_dot
    ''', "numpy's sin and cos"),
    Answer("05.dual_sin", "pass", '''
        def dual_sin(a, a_dot):
            s = math.sin(a)
            d = math.sin(a + math.pi / 2)   # cos a
            print(f"sin({a}) = {s}")
            return s, a_dot * d
    ''', "cos written as a shifted sin, with a print"),
    Answer("05.dual_sin", "fail", '''
        def dual_sin(a, a_dot):
            return math.sin(a), math.cos(a)
    ''', "forgets the factor ȧ", message=("multiply by ȧ",)),
    Answer("05.dual_sin", "fail", '''
        def dual_sin(a, a_dot):
            return math.sin(a), -math.cos(a) * a_dot
    ''', "the sign", message=("sign",)),
    Answer("05.dual_sin", "fail", '''
        def dual_sin(a, a_dot):
            return math.sin(a), math.sin(a) * a_dot
    ''', "sin for its derivative", message=("not sin",)),
    # ------------------------------------------------------------------ 05.dual_log
    Answer("05.dual_log", "pass", '''
        def dual_log(a, a_dot):
            return math.log(a), a_dot * (1 / a)
    ''', "ȧ · (1/a)"),
    Answer("05.dual_log", "pass", '''
        def dual_log(a, a_dot):
            return float(np.log(a)), float(a_dot / a)
    ''', "numpy's log, converted to float"),
    Answer("05.dual_log", "fail", '''
        def dual_log(a, a_dot):
            return math.log(a), 1 / a
    ''', "forgets ȧ", message=("ȧ/a, not 1/a alone",)),
    Answer("05.dual_log", "fail", '''
        def dual_log(a, a_dot):
            return math.log(a), a_dot * a
    ''', "multiplies by a", message=("divide by a",)),
    Answer("05.dual_log", "fail", '''
        def dual_log(a, a_dot):
            return math.log10(a), a_dot / (a * math.log(10))
    ''', "log base 10"),
    # ------------------------------------------------------------------ 05.adjoints
    Answer("05.adjoints", "pass", _SWEEP_HEAD + '''
            add("v5", 1.0)
            add("v4", bar["v5"][-1])
            add("v3", -bar["v5"][-1])
            add("v1", bar["v4"][-1])
            add("v2", bar["v4"][-1])
            add("v0", bar["v2"][-1] * v_1)          # v2 visited before v3: another reverse order
            add("v-1", bar["v2"][-1] * v0)
            add("v0", bar["v3"][-1] * math.cos(v0))
            add("v-1", bar["v1"][-1] / v_1)
            return bar
    ''', "v₂ swept before v₃ (both orders are reverse topological orders)"),
    Answer("05.adjoints", "pass", '''
        def adjoints(x1, x2):
            # a general sweep over the primal trace, written as a list of operations
            trace = [("v1", "log", ("v-1",)), ("v2", "mul", ("v-1", "v0")), ("v3", "sin", ("v0",)),
                     ("v4", "add", ("v1", "v2")), ("v5", "sub", ("v4", "v3"))]
            val = {"v-1": x1, "v0": x2}
            val["v1"] = math.log(x1)
            val["v2"] = x1 * x2
            val["v3"] = math.sin(x2)
            val["v4"] = val["v1"] + val["v2"]
            val["v5"] = val["v4"] - val["v3"]
            bar = {"v5": [1.0]}
            for out, op, ins in reversed(trace):
                g = bar[out][-1]
                if op == "log":
                    local = [1 / val[ins[0]]]
                elif op == "mul":
                    local = [val[ins[1]], val[ins[0]]]
                elif op == "sin":
                    local = [math.cos(val[ins[0]])]
                elif op == "add":
                    local = [1.0, 1.0]
                else:
                    local = [1.0, -1.0]
                for name, d in zip(ins, local):
                    history = bar.setdefault(name, [])
                    history.append((history[-1] if history else 0.0) + g * d)
            return bar
    ''', "a loop over a Wengert list, dict of histories"),
    Answer("05.adjoints", "pass", _SWEEP_HEAD + '''
            v5_bar = 1.0
            v4_bar, v3_bar = v5_bar, -v5_bar
            v1_bar = v2_bar = v4_bar
            v0_bar = v3_bar * math.cos(v0)
            v_1_bar = v2_bar * v0
            bar.update({"v5": [v5_bar], "v4": [v4_bar], "v3": [v3_bar], "v1": [v1_bar], "v2": [v2_bar]})
            bar["v0"] = [v0_bar]
            bar["v-1"] = [v_1_bar]
            v0_bar += v2_bar * v_1
            v_1_bar += v1_bar / v_1
            bar["v0"].append(v0_bar)
            bar["v-1"].append(v_1_bar)
            return bar
    ''', "plain variables with +=, the lists filled by hand, add unused"),
    Answer("05.adjoints", "pass", _SWEEP_HEAD + '''
            for name, c in [("v5", 1.0), ("v4", 1.0), ("v3", -1.0), ("v1", 1.0), ("v2", 1.0)]:
                add(name, np.float32(c))
            add("v0", np.float32(bar["v3"][-1] * math.cos(v0)))
            add("v-1", np.float32(bar["v2"][-1] * v0))
            add("v0", np.float32(bar["v2"][-1] * v_1))
            add("v-1", np.float32(bar["v1"][-1] / v_1))
            return bar
    ''', "contributions in float32: judged at float32 precision"),
    Answer("05.adjoints", "fail", '''
        def adjoints(x1, x2):
            return 1 / x1 + x2, x1 - math.cos(x2)
    ''', "the closed-form gradient instead of the sweep (forbidden)", message=("not only (x̄1, x̄2)",)),
    Answer("05.adjoints", "fail", _SWEEP_HEAD + '''
            add("v5", 1.0)
            add("v4", 1.0)
            add("v3", -1.0)
            add("v1", 1.0)
            add("v2", 1.0)
            add("v0", x1 - math.cos(x2))
            add("v-1", 1 / x1 + x2)
            return bar
    ''', "the gradient's formula put in as one contribution each", message=("receives 2 contributions",)),
    Answer("05.adjoints", "fail", _SWEEP_HEAD + '''
            add("v5", 1.0)
            add("v4", bar["v5"][-1])
            add("v3", -bar["v5"][-1])
            add("v1", bar["v4"][-1])
            add("v2", bar["v4"][-1])
            add("v0", bar["v3"][-1] * math.cos(v0))
            add("v-1", bar["v2"][-1] * v0)
            bar["v0"].append(bar["v2"][-1] * v_1)       # = instead of +=
            add("v-1", bar["v1"][-1] / v_1)
            return bar
    ''', "overwrites v̄₀ instead of accumulating", message=("+=",)),
    Answer("05.adjoints", "fail", _SWEEP_HEAD + '''
            add("v5", 1.0)
            add("v4", bar["v5"][-1])
            add("v3", bar["v5"][-1])
            add("v1", bar["v4"][-1])
            add("v2", bar["v4"][-1])
            add("v0", bar["v3"][-1] * math.cos(v0))
            add("v-1", bar["v2"][-1] * v0)
            add("v0", bar["v2"][-1] * v_1)
            add("v-1", bar["v1"][-1] / v_1)
            return bar
    ''', "the sign of v̄₃", message=("v̄₃ = −1",)),
    Answer("05.adjoints", "fail", _SWEEP_HEAD + '''
            add("v5", 1.0)
            add("v4", bar["v5"][-1])
            add("v3", -bar["v5"][-1])
            add("v1", bar["v4"][-1])
            add("v2", bar["v4"][-1])
            add("v0", bar["v3"][-1] * math.cos(v0))
            add("v-1", bar["v2"][-1] * v_1)             # its own factor, not the other one
            add("v0", bar["v2"][-1] * v0)
            add("v-1", bar["v1"][-1] / v_1)
            return bar
    ''', "v₂ = v₋₁v₀ passes each operand its own value instead of the other's"),
    Answer("05.adjoints", "fail", _SWEEP_HEAD + '''
            add("v5", 1.0)
            add("v4", bar["v5"][-1])
            add("v3", -bar["v5"][-1])
            add("v1", bar["v4"][-1])
            add("v2", bar["v4"][-1])
            add("v0", bar["v3"][-1] * math.cos(v0))
            add("v-1", bar["v2"][-1] * v0)
            add("v0", bar["v2"][-1] * v_1)
            add("v-1", bar["v1"][-1] * math.log(v_1))
            return bar
    ''', "ln for its derivative", message=("1/v₋₁, not ln v₋₁",)),
    Answer("05.adjoints", "fail", '''
        def adjoints(x1, x2):
            return {"v5": [1.0], "v4": [1.0], "v3": [-1.0], "v1": [1.0], "v2": [1.0],
                    "v0": [-0.2836621854632263, 1.7163378145367738], "v-1": [5.0, 5.5]}
    ''', "hard-codes the chapter's table"),
    # ------------------------------------------------------------------ 05.backward_mul
    Answer("05.backward_mul", "pass", '''
        def backward_mul(a, b, grad_out):
            grad_a = b * grad_out
            grad_b = a * grad_out
            return [grad_a, grad_b]
    ''', "a list"),
    Answer("05.backward_mul", "pass", '''
        import torch

        def backward_mul(a, b, grad_out):
            g = torch.tensor(grad_out, dtype=torch.float32)
            return (g * b, g * a)
    ''', "torch float32 0-d tensors, no autograd"),
    Answer("05.backward_mul", "fail", '''
        def backward_mul(a, b, grad_out):
            return grad_out * a, grad_out * b
    ''', "each input's own value", message=("*other* input",)),
    Answer("05.backward_mul", "fail", '''
        def backward_mul(a, b, grad_out):
            return b, a
    ''', "forgets grad_out", message=("grad_out",)),
    # ------------------------------------------------------------------ 05.backward_sin
    Answer("05.backward_sin", "pass", '''
        def backward_sin(a, grad_out):
            local = math.cos(a)
            return local * grad_out
    ''', "local derivative first"),
    Answer("05.backward_sin", "pass", '''
        def backward_sin(a, grad_out):
            return np.float32(grad_out) * np.cos(np.float32(a))
    ''', "float32"),
    Answer("05.backward_sin", "fail", '''
        def backward_sin(a, grad_out):
            return -grad_out * math.cos(a)
    ''', "the sign", message=("sign",)),
    Answer("05.backward_sin", "fail", '''
        def backward_sin(a, grad_out):
            return grad_out * math.sin(a)
    ''', "sin instead of cos", message=("cos a, not sin a",)),
    Answer("05.backward_sin", "fail", '''
        import torch

        def backward_sin(a, grad_out):
            x = torch.tensor(float(a), dtype=torch.float64, requires_grad=True)
            (g,) = torch.autograd.grad(torch.sin(x), x, torch.tensor(float(grad_out), dtype=torch.float64))
            return g.item()
    ''', "torch.autograd.grad: forbidden", message=("by hand",)),
    # ------------------------------------------------------------------ 05.backward_exp
    Answer("05.backward_exp", "pass", '''
        def backward_exp(a, grad_out):
            v = math.exp(a)        # the engine would have stored v; its derivative is v itself
            return grad_out * v
    ''', "the stored output as the derivative"),
    Answer("05.backward_exp", "pass", '''
        def backward_exp(a, grad_out):
            return float(np.exp(a) * grad_out)
    ''', "numpy"),
    Answer("05.backward_exp", "fail", '''
        def backward_exp(a, grad_out):
            return math.exp(a)
    ''', "forgets grad_out", message=("multiply by grad_out",)),
    Answer("05.backward_exp", "fail", '''
        def backward_exp(a, grad_out):
            return grad_out * a * math.exp(a - 1)
    ''', "the power rule applied to eᵃ", message=("no power rule",)),
    Answer("05.backward_exp", "fail", '''
        def backward_exp(a, grad_out):
            return grad_out
    ''', "passes grad_out through", message=("eᵃ itself",)),
    # ------------------------------------------------------------------ 05.topological_order
    Answer("05.topological_order", "pass", '''
        def topological_order(parents):
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
    ''', "iterative depth-first search with an explicit stack"),
    Answer("05.topological_order", "pass", '''
        def topological_order(parents):
            remaining = {node: set(ps) for node, ps in parents.items()}
            order = []
            while remaining:
                ready = sorted(node for node, ps in remaining.items() if not ps)
                for node in ready:
                    order.append(node)
                    del remaining[node]
                for ps in remaining.values():
                    ps.difference_update(ready)
            return tuple(order)
    ''', "layer by layer, sets emptied in place (on copies), returned as a tuple"),
    Answer("05.topological_order", "pass", '''
        def topological_order(parents):
            depth = {}
            for node in parents:
                stack = [node]
                while stack:
                    n = stack[-1]
                    todo = [p for p in parents[n] if p not in depth]
                    if todo:
                        stack.extend(todo)
                    else:
                        depth[n] = 1 + max((depth[p] for p in parents[n]), default=-1)
                        stack.pop()
            return sorted(parents, key=lambda n: depth[n])
    ''', "sorted by depth (longest path from an input)"),
    Answer("05.topological_order", "fail", '''
        def topological_order(parents):
            order = []
            def visit(node):
                for p in parents[node]:
                    if p not in order:
                        visit(p)
                if node not in order:
                    order.append(node)
            for node in parents:
                visit(node)
            return order
    ''', "recursive: fails on the 3000-node chain", message=("RecursionError",)),
    Answer("05.topological_order", "fail", '''
        def topological_order(parents):
            return list(parents)
    ''', "the keys as they come", message=("no particular order",)),
    Answer("05.topological_order", "fail", '''
        def topological_order(parents):
            waiting = {node: len(ps) for node, ps in parents.items()}
            children = {node: [] for node in parents}
            for node, ps in parents.items():
                for p in ps:
                    children[p].append(node)
            ready = [n for n, k in waiting.items() if k == 0]
            order = []
            while ready:
                node = ready.pop()
                order.append(node)
                for child in set(children[node]):
                    waiting[child] -= 1
                    if waiting[child] == 0:
                        ready.append(child)
            return order
    ''', "counts a repeated parent twice but tells the child once: v = a·a is never placed"),
    Answer("05.topological_order", "fail", '''
        def topological_order(parents):
            order = []
            pending = list(parents)
            while pending:
                node = pending.pop(0)
                if all(p in order for p in parents[node]):
                    order.append(node)
                else:
                    pending.append(node)
            return order[::-1]
    ''', "a valid order, reversed", message=("reversed",)),
    Answer("05.topological_order", "fail", '''
        import graphlib

        def topological_order(parents):
            return list(graphlib.TopologicalSorter(parents).static_order())
    ''', "graphlib.TopologicalSorter solves it outright (forbidden)", message=("write the algorithm yourself",)),
]

# the notebook's setup imports math but not numpy: answers that use np import it themselves
ANSWERS = [replace(a, code="\n        import numpy as np\n" + a.code.lstrip("\n"))
           if "np." in a.code and "import numpy" not in a.code else a for a in ANSWERS]

ANSWERS += [
    # ------------------------------------------------------------------ 05.logistic_derivative
    Answer("05.logistic_derivative", "pass", '''
        def logistic_derivative(x, n):
            l, d = x, 1.0
            for _ in range(n - 1):
                l, d = 4 * l * (1 - l), 4 * d * (1 - 2 * l)
            return l, d
    ''', "the recursion l′ ← 4l′(1 − 2l), derived by hand"),
    Answer("05.logistic_derivative", "pass", '''
        def logistic_derivative(x, n):
            pair = (x, 1.0)
            k = 1
            while k < n:
                a, a_dot = pair
                pair = dual_mul(4 * a, 4 * a_dot, 1 - a, -a_dot)
                k += 1
            return list(pair)
    ''', "a while loop over the student's dual_mul, a list"),
    Answer("05.logistic_derivative", "fail", '''
        def logistic_derivative(x, n):
            l, d = x, 1.0
            for _ in range(n):
                l, d = 4 * l * (1 - l), 4 * d * (1 - 2 * l)
            return l, d
    ''', "n steps instead of n − 1", message=("one step too many",)),
    Answer("05.logistic_derivative", "fail", '''
        def logistic_derivative(x, n):
            l, d = x, 1.0
            for _ in range(n - 1):
                l, d = 4 * l * (1 - l), 4 * d * (1 - l)
            return l, d
    ''', "only half of the product rule", message=("product rule",)),
    Answer("05.logistic_derivative", "fail", '''
        def logistic_derivative(x, n):
            l, d = x, 0.0
            for _ in range(n - 1):
                l, d = 4 * l * (1 - l), 4 * d * (1 - 2 * l)
            return l, d
    ''', "seed ẋ = 0"),
]

ANSWERS += [
    # ------------------------------------------------------------------ 05.dual_mul
    Answer("05.dual_mul", "pass", '''
        class Dual:
            """The student's own dual number a + ȧε (not the library's)."""

            def __init__(self, value, tangent):
                self.value, self.tangent = value, tangent

            def __mul__(self, other):
                return Dual(self.value * other.value,
                            self.tangent * other.value + self.value * other.tangent)

        def dual_mul(a, a_dot, b, b_dot):
            d = Dual(a, a_dot) * Dual(b, b_dot)
            return d.value, d.tangent
    ''', "a small dual-number class of the student's own, named Dual"),
    Answer("05.dual_mul", "pass", '''
        import torch

        def dual_mul(a, a_dot, b, b_dot):
            a, a_dot, b, b_dot = (torch.tensor(v, dtype=torch.float64) for v in (a, a_dot, b, b_dot))
            return a * b, a_dot * b + a * b_dot
    ''', "float64 torch 0-d tensors, the rule by hand"),
    Answer("05.dual_mul", "fail", '''
        def dual_mul(a, a_dot, b, b_dot):
            return a * b, a_dot * b + a * b_dot + a_dot * b_dot
    ''', "keeps the ε² term in the tangent", message=("the tangent:",)),
    # ------------------------------------------------------------------ 05.dual_sin
    Answer("05.dual_sin", "pass", '''
        def dual_sin(a, a_dot=1.0):
            value = math.sin(a)
            return value, math.cos(a) * a_dot
    ''', "a default seed ȧ = 1"),
    Answer("05.dual_sin", "fail", '''
        def dual_sin(a, a_dot):
            return math.sin(math.radians(a)), math.cos(math.radians(a)) * a_dot
    ''', "treats a as degrees", message=("the value",)),
    # ------------------------------------------------------------------ 05.dual_log
    Answer("05.dual_log", "pass", '''
        def dual_log(a, a_dot):
            return math.log1p(a - 1), a_dot * a ** -1
    ''', "log1p(a − 1), a⁻¹"),
    Answer("05.dual_log", "fail", '''
        def dual_log(a, a_dot):
            return math.log(a), a_dot / a**2
    ''', "ȧ/a² for the tangent"),
    # ------------------------------------------------------------------ 05.logistic_derivative
    Answer("05.logistic_derivative", "pass", '''
        def logistic_derivative(x, n):
            if n == 1:
                return x, 1.0
            l, d = logistic_derivative(x, n - 1)
            return dual_mul(4 * l, 4 * d, 1 - l, -d)
    ''', "recursion on n with the student's dual_mul"),
    Answer("05.logistic_derivative", "fail", '''
        def logistic_derivative(x, n):
            l, d = x, 1.0
            for _ in range(n - 1):
                l = 4 * l * (1 - l)
                d = 4 * d * (1 - 2 * l)             # uses the new l
            return l, d
    ''', "updates l before using it in the tangent", message=("dlₙ/dx",)),
    Answer("05.logistic_derivative", "fail", '''
        def dual_mul(a, a_dot, b, b_dot):
            return a * b, a_dot * b
        def logistic_derivative(x, n):
            l, l_dot = x, 1.0
            for _ in range(n - 1):
                l, l_dot = dual_mul(4 * l, 4 * l_dot, 1 - l, -l_dot)
            return l, l_dot
    ''', "right loop on a wrong dual_mul: the message points at dual_mul", message=("dual_mul",)),
    # ------------------------------------------------------------------ 05.adjoints
    Answer("05.adjoints", "pass", _SWEEP_HEAD + '''
            add("v5", 1.0)
            add("v3", -bar["v5"][-1])                    # v3's branch first
            add("v0", bar["v3"][-1] * math.cos(v0))
            add("v4", bar["v5"][-1])
            add("v1", bar["v4"][-1])
            add("v-1", bar["v1"][-1] / v_1)
            add("v2", bar["v4"][-1])
            add("v-1", bar["v2"][-1] * v0)
            add("v0", bar["v2"][-1] * v_1)
            return bar
    ''', "another reverse topological order: v₃'s branch first, v̄₋₁'s contributions the other way round"),
    Answer("05.adjoints", "fail", _SWEEP_HEAD + '''
            add("v5", 1.0)
            add("v4", bar["v5"][-1])
            add("v3", -bar["v5"][-1])
            add("v1", bar["v4"][-1])
            add("v2", bar["v4"][-1])
            add("v0", bar["v3"][-1] * math.sin(v0))     # sin for its derivative
            add("v-1", bar["v2"][-1] * v0)
            add("v0", bar["v2"][-1] * v_1)
            add("v-1", bar["v1"][-1] / v_1)
            return bar
    ''', "sin where cos belongs", message=("is cos v₀",)),
    # ------------------------------------------------------------------ 05.backward_mul
    Answer("05.backward_mul", "pass", '''
        import numpy as np

        def backward_mul(a, b, grad_out):
            return np.array([b, a]) * grad_out
    ''', "a numpy array of the two"),
    Answer("05.backward_mul", "fail", '''
        def backward_mul(a, b, grad_out):
            return grad_out * b, grad_out * b
    ''', "b for both inputs"),
    # ------------------------------------------------------------------ 05.backward_sin
    Answer("05.backward_sin", "pass", '''
        import torch

        def backward_sin(a, grad_out):
            return torch.cos(torch.tensor(float(a), dtype=torch.float64)) * grad_out
    ''', "a float64 torch 0-d tensor, no autograd"),
    Answer("05.backward_sin", "fail", '''
        def backward_sin(a, grad_out):
            return grad_out * math.cos(a) * a
    ''', "an extra factor a"),
    # ------------------------------------------------------------------ 05.backward_exp
    Answer("05.backward_exp", "pass", '''
        def backward_exp(a, grad_out):
            return math.e ** a * grad_out
    ''', "e ** a"),
    Answer("05.backward_exp", "fail", '''
        def backward_exp(a, grad_out):
            return math.exp(a * grad_out)
    ''', "exp of a·grad_out"),
    # ------------------------------------------------------------------ 05.topological_order
    Answer("05.topological_order", "pass", '''
        def topological_order(parents):
            waiting = {node: len(ps) for node, ps in parents.items()}    # a repeated parent counts twice
            children = {node: [] for node in parents}
            for node, ps in parents.items():
                for p in ps:
                    children[p].append(node)                            # … and tells its child twice
            stack = [node for node, k in waiting.items() if k == 0]
            order = []
            while stack:
                node = stack.pop()
                order.append(node)
                for child in children[node]:
                    waiting[child] -= 1
                    if waiting[child] == 0:
                        stack.append(child)
            return order
    ''', "Kahn's algorithm with a stack, repeated parents counted with multiplicity on both sides"),
    Answer("05.topological_order", "pass", '''
        def _kahn(parents):
            left = {node: set(ps) for node, ps in parents.items()}
            while left:
                ready = [node for node, ps in left.items() if not ps]
                for node in ready:
                    del left[node]
                    yield node
                for ps in left.values():
                    ps.difference_update(ready)

        def topological_order(parents):
            return list(_kahn(parents))
    ''', "a generator of layers, collected into a list"),
    Answer("05.topological_order", "fail", '''
        def _kahn(parents):
            left = {node: set(ps) for node, ps in parents.items()}
            while left:
                ready = [node for node, ps in left.items() if not ps]
                for node in ready:
                    del left[node]
                    yield node
                for ps in left.values():
                    ps.difference_update(ready)

        def topological_order(parents):
            return _kahn(parents)
    ''', "returns the generator itself, not a list", message=("expected a list",)),
    Answer("05.topological_order", "fail", '''
        def topological_order(parents):
            waiting = {node: len(set(ps)) for node, ps in parents.items()}
            children = {node: [] for node in parents}
            for node, ps in parents.items():
                for p in set(ps):
                    children[p].append(node)
            ready = [node for node, k in waiting.items() if k == 0]
            order = []
            while ready:
                node = ready.pop()
                if parents[node]:
                    order.append(node)                  # the inputs left out
                for child in children[node]:
                    waiting[child] -= 1
                    if waiting[child] == 0:
                        ready.append(child)
            return order
    ''', "leaves out the inputs", message=("nodes without parents",)),
]

ANSWERS += [
    # float32, including torch's default float32 behind .item(), and the chaotic logistic map
    Answer("05.dual_sin", "pass", '''
        import torch

        def dual_sin(a, a_dot):
            t = torch.tensor(a)                      # torch's default dtype: float32
            return torch.sin(t).item(), (torch.cos(t) * a_dot).item()
    ''', "torch float32 behind .item(): Python floats that carry float32 rounding"),
    Answer("05.dual_mul", "pass", '''
        import torch

        def dual_mul(a, a_dot, b, b_dot):
            a, a_dot, b, b_dot = (torch.tensor(v) for v in (a, a_dot, b, b_dot))
            return torch.stack([a * b, a_dot * b + a * b_dot])
    ''', "the pair as one float32 torch tensor of two elements"),
    Answer("05.backward_sin", "pass", '''
        import numpy as np

        def backward_sin(a, grad_out):
            return float(np.float32(grad_out) * np.cos(np.float32(a)))
    ''', "float32 arithmetic returned as a Python float (cos a may nearly cancel)"),
    Answer("05.logistic_derivative", "pass", '''
        import numpy as np

        def logistic_derivative(x, n):
            l, d = np.float32(x), np.float32(1.0)
            for _ in range(n - 1):
                l, d = np.float32(4) * l * (1 - l), np.float32(4) * d * (1 - 2 * l)
            return l, d
    ''', "float32 numpy scalars: the chaotic map carries the rounding, judged within its float32 error"),
    Answer("05.logistic_derivative", "pass", '''
        import torch

        def logistic_derivative(x, n):
            l, l_dot = torch.tensor(x), torch.tensor(1.0)
            for _ in range(n - 1):
                l, l_dot = dual_mul(4 * l, 4 * l_dot, 1 - l, -l_dot)
            return l.item(), l_dot.item()
    ''', "torch float32 through the student's dual_mul, .item() at the end"),
    Answer("05.adjoints", "pass", _SWEEP_HEAD + '''
            import torch
            c = lambda v: torch.tensor(v).item()        # each contribution rounded to float32
            add("v5", 1.0)
            add("v4", bar["v5"][-1])
            add("v3", -bar["v5"][-1])
            add("v1", bar["v4"][-1])
            add("v2", bar["v4"][-1])
            add("v0", c(bar["v3"][-1] * math.cos(v0)))
            add("v-1", c(bar["v2"][-1] * v0))
            add("v0", c(bar["v2"][-1] * v_1))
            add("v-1", c(bar["v1"][-1] / v_1))
            return bar
    ''', "contributions rounded to float32 and returned as Python floats"),
]

ANSWERS += [
    Answer("05.logistic_derivative", "fail", '''
        def dual_mul(a, a_dot, b, b_dot):
            return a * b + a_dot * b_dot, a_dot * b + a * b_dot      # the ε² term put into the value
        def logistic_derivative(x, n):
            l, l_dot = x, 1.0
            for _ in range(n - 1):
                l, l_dot = dual_mul(4 * l, 4 * l_dot, 1 - l, -l_dot)
            return l, l_dot
    ''', "right loop on a dual_mul whose value is wrong: the message points at dual_mul", message=("dual_mul",)),
]

ANSWERS += [
    Answer("05.logistic_derivative", "fail", '''
        def logistic_derivative(x, n):
            table = {1: (0.3, 1.0), 2: (0.84, 1.6)}
            if x == 0.3 and n in table:
                return table[n]
            l, d = x, 1.0
            for _ in range(n - 1):
                l, d = 4 * l * (1 - l), 4 * d * (1 - l)
            return l, d
    ''', "the worked numbers hard-coded, a wrong tangent elsewhere"),
]

ANSWERS += [
    Answer("05.dual_mul", "flagged", '''
        from dlcourse.autodiff import Dual as D

        def dual_mul(a, a_dot, b, b_dot):
            d = D(a, a_dot) * D(b, b_dot)
            return d.value, d.tangent
    ''', "the library's Dual under an alias"),
    Answer("05.adjoints", "flagged", '''
        from dlcourse import autodiff

        def adjoints(x1, x2):
            f = lambda a, b: autodiff.log(a) + a * b - autodiff.sin(b)
            t = autodiff.trace(f, x1=x1, x2=x2)
            return {"v-1": [x2, t.grad["x1"]], "v0": [-math.cos(x2), t.grad["x2"]], "v5": [1.0], "v4": [1.0],
                    "v3": [-1.0], "v1": [1.0], "v2": [1.0]}
    ''', "the library's trace computes the gradient"),
]

ANSWERS += [
    Answer("05.topological_order", "pass", '''
        def topological_order(parents):
            seen, order = set(), []
            for start in sorted(parents):
                if start in seen:
                    continue
                seen.add(start)
                stack = [(start, iter(parents[start]))]
                while stack:
                    node, todo = stack[-1]
                    for p in todo:
                        if p not in seen:
                            seen.add(p)
                            stack.append((p, iter(parents[p])))
                            break
                    else:
                        stack.pop()
                        order.append(node)          # post-order: after all of its parents
            return order
    ''', "depth-first post-order with a stack of iterators"),
]
