"""Alternative answers for ``solutions/04_backprop.ipynb`` (format: ``tests/answers/__init__.py``)."""

from . import Answer

_FORWARD = '''
            W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
            B = X.shape[0]
            h1 = sigmoid(X @ W1 + b1)
            h2 = sigmoid(h1 @ W2 + b2)
            P = softmax(h2 @ W3 + b3)
            Y = np.zeros_like(P)
            Y[np.arange(B), y] = 1.0
'''

ANSWERS = [
    # ------------------------------------------------------------------ 04.layer_jacobian
    Answer("04.layer_jacobian", "pass", '''
        def layer_jacobian(x, W, b):
            h = sigmoid(x @ W + b)
            return (h * (1 - h))[:, None] * W.T
    ''', "broadcasting instead of np.diag"),
    Answer("04.layer_jacobian", "pass", '''
        def layer_jacobian(x, W, b):
            n, m = W.shape
            J = np.zeros((m, n))
            for j in range(m):
                hj = 1 / (1 + np.exp(-(sum(x[i] * W[i, j] for i in range(n)) + b[j])))
                for i in range(n):
                    J[j, i] = hj * (1 - hj) * W[i, j]
            return J
    ''', "two loops, the sigmoid written out"),
    Answer("04.layer_jacobian", "pass", '''
        def layer_jacobian(x, W, b):
            return np.einsum("j,ij->ji", sigmoid(x @ W + b) * (1 - sigmoid(x @ W + b)), W)
    ''', "np.einsum"),
    Answer("04.layer_jacobian", "pass", '''
        import torch

        def layer_jacobian(x, W, b):
            xt, Wt, bt = (torch.tensor(a, dtype=torch.float32) for a in (x, W, b))
            h = torch.sigmoid(xt @ Wt + bt)
            return torch.diag(h * (1 - h)) @ Wt.T
    ''', "torch float32 tensors, by hand: judged at float32 precision"),
    Answer("04.layer_jacobian", "fail", '''
        def layer_jacobian(x, W, b):
            h = sigmoid(x @ W + b)
            return W @ np.diag(h * (1 - h))
    ''', "the transpose", message=("transposed",)),
    Answer("04.layer_jacobian", "fail", '''
        def layer_jacobian(x, W, b):
            h = sigmoid(x @ W)
            return np.diag(h * (1 - h)) @ W.T
    ''', "leaves out the bias", message=("bias",)),
    Answer("04.layer_jacobian", "fail", '''
        def layer_jacobian(x, W, b):
            h = sigmoid(x @ W + b)
            return np.diag(h) @ W.T
    ''', "σ instead of σ′", message=("derivative belongs",)),
    Answer("04.layer_jacobian", "fail", '''
        def layer_jacobian(x, W, b):
            eps = 1e-5
            f = lambda z: sigmoid(z @ W + b)
            return np.stack([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(len(x))], axis=1)
    ''', "central differences: the exercise asks for the exact derivative", message=("finite-difference",)),
    Answer("04.layer_jacobian", "fail", '''
        import torch

        def layer_jacobian(x, W, b):
            Wt, bt = torch.tensor(W), torch.tensor(b)
            J = torch.autograd.functional.jacobian(lambda z: torch.sigmoid(z @ Wt + bt), torch.tensor(x))
            return J.numpy()
    ''', "torch.autograd instead of the derivation (forbidden)", message=("by hand",)),
    # ------------------------------------------------------------------ 04.backprop
    Answer("04.backprop", "pass", '''
        def backprop(params, X, y):''' + _FORWARD + '''
            grads = {}
            g = (P - Y) / B
            hs = [X, h1, h2]
            for k in (3, 2, 1):
                grads[f"W{k}"] = hs[k - 1].T @ g
                grads[f"b{k}"] = g.sum(axis=0)
                g = g @ params[f"W{k}"].T
                if k > 1:
                    g = g * hs[k - 1] * (1 - hs[k - 1])
            grads["x"] = g
            return grads
    ''', "a loop over the layers, one-hot Y"),
    Answer("04.backprop", "pass", '''
        def backprop(params, X, y):''' + _FORWARD + '''
            out = {}
            g3 = np.einsum("bk->bk", P - Y) / B
            out["W3"] = np.einsum("bi,bk->ik", h2, g3)
            out["b3"] = np.einsum("bk->k", g3)
            gbar2 = (g3 @ W3.T) * h2 * (1 - h2)
            out["W2"] = np.einsum("bi,bk->ik", h1, gbar2)
            out["b2"] = gbar2.sum(0)
            gbar1 = (gbar2 @ W2.T) * h1 * (1 - h1)
            out["W1"] = np.einsum("bi,bk->ik", X, gbar1)
            out["b1"] = gbar1.sum(0)
            out["x"] = gbar1 @ W1.T
            return out
    ''', "np.einsum for the outer products"),
    Answer("04.backprop", "pass", '''
        def backprop(params, X, y):
            W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
            B = X.shape[0]
            grads = {k: np.zeros_like(v) for k, v in params.items()}
            grads["x"] = np.zeros_like(X)
            for i in range(B):                      # one sample at a time, then the mean
                x = X[i:i + 1]
                h1 = sigmoid(x @ W1 + b1)
                h2 = sigmoid(h1 @ W2 + b2)
                g3 = softmax(h2 @ W3 + b3)
                g3[0, y[i]] -= 1
                gb2 = (g3 @ W3.T) * h2 * (1 - h2)
                gb1 = (gb2 @ W2.T) * h1 * (1 - h1)
                for k, v in (("W3", h2.T @ g3), ("b3", g3[0]), ("W2", h1.T @ gb2), ("b2", gb2[0]),
                             ("W1", x.T @ gb1), ("b1", gb1[0])):
                    grads[k] += v / B
                grads["x"][i] = (gb1 @ W1.T)[0]
            grads["x"] /= B
            return grads
    ''', "per-sample loop averaged: ∂l/∂x_i carries the 1/B of the mean"),
    Answer("04.backprop", "pass", '''
        def backprop(params, X, y):
            p = {k: v.astype(np.float32) for k, v in params.items()}
            X = X.astype(np.float32)
            B = X.shape[0]
            h1 = sigmoid(X @ p["W1"] + p["b1"])
            h2 = sigmoid(h1 @ p["W2"] + p["b2"])
            g3 = softmax(h2 @ p["W3"] + p["b3"])
            g3[np.arange(B), y] -= 1
            g3 /= B
            gb2 = (g3 @ p["W3"].T) * h2 * (1 - h2)
            gb1 = (gb2 @ p["W2"].T) * h1 * (1 - h1)
            return {"W3": h2.T @ g3, "b3": g3.sum(0), "W2": h1.T @ gb2, "b2": gb2.sum(0),
                    "W1": X.T @ gb1, "b1": gb1.sum(0), "x": gb1 @ p["W1"].T}
    ''', "float32 throughout: judged at float32 precision"),
    Answer("04.backprop", "fail", '''
        def backprop(params, X, y):''' + _FORWARD + '''
            g3 = P - Y                               # the sum over the batch, not the mean
            gb2 = (g3 @ W3.T) * h2 * (1 - h2)
            gb1 = (gb2 @ W2.T) * h1 * (1 - h1)
            return {"W3": h2.T @ g3, "b3": g3.sum(0), "W2": h1.T @ gb2, "b2": gb2.sum(0),
                    "W1": X.T @ gb1, "b1": gb1.sum(0), "x": gb1 @ W1.T}
    ''', "summed over the batch", message=("summed over the batch",)),
    Answer("04.backprop", "fail", '''
        def backprop(params, X, y):''' + _FORWARD + '''
            g3 = (P - Y) / B
            gb2 = g3 @ W3.T                          # σ′(h̄²) forgotten
            gb1 = (gb2 @ W2.T) * h1 * (1 - h1)
            return {"W3": h2.T @ g3, "b3": g3.sum(0), "W2": h1.T @ gb2, "b2": gb2.sum(0),
                    "W1": X.T @ gb1, "b1": gb1.sum(0), "x": gb1 @ W1.T}
    ''', "no σ′ in layer 2", message=("σ′(h̄²)",)),
    Answer("04.backprop", "fail", '''
        def backprop(params, X, y):''' + _FORWARD + '''
            g3 = P / B                               # −1_y forgotten
            gb2 = (g3 @ W3.T) * h2 * (1 - h2)
            gb1 = (gb2 @ W2.T) * h1 * (1 - h1)
            return {"W3": h2.T @ g3, "b3": g3.sum(0), "W2": h1.T @ gb2, "b2": gb2.sum(0),
                    "W1": X.T @ gb1, "b1": gb1.sum(0), "x": gb1 @ W1.T}
    ''', "forgets − 1_y", message=("subtract 1",)),
    Answer("04.backprop", "fail", '''
        def backprop(params, X, y):''' + _FORWARD + '''
            g3 = (P - Y) / B
            gb2 = (g3 @ W3.T) * h2 * (1 - h2)
            gb1 = (gb2 @ W2.T) * h1 * (1 - h1)
            return {"W3": g3.T @ h2, "b3": g3.sum(0), "W2": h1.T @ gb2, "b2": gb2.sum(0),
                    "W1": X.T @ gb1, "b1": gb1.sum(0), "x": gb1 @ W1.T}
    ''', "∂l/∂W³ transposed", message=("transpose",)),
    Answer("04.backprop", "fail", '''
        def backprop(params, X, y):''' + _FORWARD + '''
            g3 = (P - Y) / B
            gb2 = (g3 @ W3.T) * h2 * (1 - h2)
            gb1 = (gb2 @ W2.T) * h1 * (1 - h1)
            return {"W3": h2.T @ g3, "b3": g3, "W2": h1.T @ gb2, "b2": gb2,
                    "W1": X.T @ gb1, "b1": gb1, "x": gb1 @ W1.T}
    ''', "bias gradients not summed over the batch", message=("axis=0",)),
    Answer("04.backprop", "fail", '''
        def backprop(params, X, y):''' + _FORWARD + '''
            g3 = (P - Y) / B
            gb2 = (g3 @ W3.T) * h2 * (1 - h2)
            gb1 = (gb2 @ W2.T) * h1 * (1 - h1)
            return {"W3": h2.T @ g3, "b3": g3.sum(0), "W2": h1.T @ gb2, "b2": gb2.sum(0),
                    "W1": X.T @ gb1, "b1": gb1.sum(0)}
    ''', "no key 'x'", message=("no key 'x'",)),
    Answer("04.backprop", "fail", '''
        import torch

        def backprop(params, X, y):
            t = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
            Xt = torch.tensor(X, requires_grad=True)
            h = torch.sigmoid(torch.sigmoid(Xt @ t["W1"] + t["b1"]) @ t["W2"] + t["b2"])
            loss = torch.nn.functional.cross_entropy(h @ t["W3"] + t["b3"], torch.as_tensor(y))
            loss.backward()
            out = {k: v.grad.numpy() for k, v in t.items()}
            out["x"] = Xt.grad.numpy()
            return out
    ''', "torch.autograd instead of backprop by hand (forbidden)", message=("by hand",)),
    # ------------------------------------------------------------------ 04.deltas
    Answer("04.deltas", "pass", '''
        def deltas(weights, biases, x, y):
            a = [np.asarray(x, dtype=float)]
            for W, b in zip(weights, biases):
                a.append(sigmoid(a[-1] @ W + b))
            out = [-(y - a[-1]) * a[-1] * (1 - a[-1])]
            for k in range(len(weights) - 1, 0, -1):
                out.insert(0, np.einsum("lj,j->l", weights[k], out[0]) * a[k] * (1 - a[k]))
            return out
    ''', "insert at the front, np.einsum for the sum over j"),
    Answer("04.deltas", "pass", '''
        def deltas(weights, biases, x, y):
            zs, acts = [], [x]
            for W, b in zip(weights, biases):
                zs.append(acts[-1] @ W + b)
                acts.append(1 / (1 + np.exp(-zs[-1])))
            gprime = [sigmoid(z) * (1 - sigmoid(z)) for z in zs]
            d = [None] * len(weights)
            d[-1] = (acts[-1] - y) * gprime[-1]
            for k in reversed(range(len(weights) - 1)):
                d[k] = np.array([sum(weights[k + 1][l, j] * d[k + 1][j] for j in range(len(d[k + 1])))
                                 for l in range(len(zs[k]))]) * gprime[k]
            return d
    ''', "σ′ from the pre-activations, the sum over j as a loop, (f − y)"),
    Answer("04.deltas", "pass", '''
        def deltas(weights, biases, x, y):
            a = [np.asarray(x, dtype=np.float32)]
            for W, b in zip(weights, biases):
                a.append(sigmoid(a[-1] @ W.astype(np.float32) + b.astype(np.float32)))
            d = [(a[-1] - np.float32(1) * y.astype(np.float32)) * a[-1] * (1 - a[-1])]
            for k in range(len(weights) - 1, 0, -1):
                d.append((weights[k].astype(np.float32) @ d[-1]) * a[k] * (1 - a[k]))
            return tuple(reversed(d))
    ''', "float32, returned as a tuple"),
    Answer("04.deltas", "fail", '''
        def deltas(weights, biases, x, y):
            a = [np.asarray(x, dtype=float)]
            for W, b in zip(weights, biases):
                a.append(sigmoid(a[-1] @ W + b))
            d = [(y - a[-1]) * a[-1] * (1 - a[-1])]
            for k in range(len(weights) - 1, 0, -1):
                d.insert(0, (weights[k] @ d[0]) * a[k] * (1 - a[k]))
            return d
    ''', "the sign of the output delta", message=("sign",)),
    Answer("04.deltas", "fail", '''
        def deltas(weights, biases, x, y):
            a = [np.asarray(x, dtype=float)]
            for W, b in zip(weights, biases):
                a.append(sigmoid(a[-1] @ W + b))
            d = [-(y - a[-1])]                      # g′(zᴷ) forgotten
            for k in range(len(weights) - 1, 0, -1):
                d.insert(0, (weights[k] @ d[0]) * a[k] * (1 - a[k]))
            return d
    ''', "no g′ at the output", message=("g′",)),
    Answer("04.deltas", "fail", '''
        def deltas(weights, biases, x, y):
            a = [np.asarray(x, dtype=float)]
            for W, b in zip(weights, biases):
                a.append(sigmoid(a[-1] @ W + b))
            d = [-(y - a[-1]) * a[-1] * (1 - a[-1])]
            for k in range(len(weights) - 1, 0, -1):
                d.insert(0, (weights[k] @ d[0]) * a[k] * (1 - a[k]))
            return d[::-1]
    ''', "backward order", message=("backward order",)),
    Answer("04.deltas", "fail", '''
        def deltas(weights, biases, x, y):
            a = [np.asarray(x, dtype=float)]
            for W, b in zip(weights, biases):
                a.append(sigmoid(a[-1] @ W + b))
            d = [-(y - a[-1]) * a[-1] * (1 - a[-1])]
            for k in range(len(weights) - 1, 0, -1):
                d.insert(0, (weights[k] @ d[0]) * a[k])   # a instead of a(1 − a)
            return d
    ''', "σ instead of σ′ in the recursion"),
    Answer("04.deltas", "fail", '''
        def deltas(weights, biases, x, y):
            a1 = sigmoid(x @ weights[0] + biases[0])
            a2 = sigmoid(a1 @ weights[1] + biases[1])
            d2 = -(y - a2) * a2 * (1 - a2)
            d1 = (weights[1] @ d2) * a1 * (1 - a1)
            return [d1, d2]
    ''', "hard-codes K = 2"),
]

ANSWERS += [
    # ------------------------------------------------------------------ 04.training_flop
    Answer("04.training_flop", "pass", '''
        def training_flop(sizes, batch):
            total = 0
            for k in range(1, len(sizes)):
                forward = 2 * batch * sizes[k - 1] * sizes[k]
                total += 3 * forward
            return total
    ''', "a loop, forward cost times three"),
    Answer("04.training_flop", "pass", '''
        def training_flop(sizes, batch):
            s = np.asarray(sizes, dtype=float)
            return 6.0 * batch * float(s[:-1] @ s[1:])
    ''', "a dot product of the shifted sizes, a float"),
    Answer("04.training_flop", "fail", '''
        def training_flop(sizes, batch):
            return sum(2 * batch * a * b for a, b in zip(sizes[:-1], sizes[1:]))
    ''', "the forward pass only", message=("forward pass alone",)),
    Answer("04.training_flop", "fail", '''
        def training_flop(sizes, batch):
            return sum(6 * a * b for a, b in zip(sizes[:-1], sizes[1:]))
    ''', "ignores the batch", message=("multiply by B",)),
    Answer("04.training_flop", "fail", '''
        def training_flop(sizes, batch):
            return sum(6 * batch * a * b for a, b in zip(sizes[:-2], sizes[1:-1]))
    ''', "drops the last layer"),
]

ANSWERS += [
    # ------------------------------------------------------------------ 04.layer_jacobian
    Answer("04.layer_jacobian", "pass", '''
        import torch

        def layer_jacobian(x, W, b):
            xt, Wt, bt = (torch.from_numpy(np.asarray(a, dtype=np.float64)) for a in (x, W, b))
            h = torch.sigmoid(xt @ Wt + bt)
            return (h * (1 - h)).unsqueeze(1) * Wt.T
    ''', "torch float64 tensors from numpy, by hand"),
    Answer("04.layer_jacobian", "pass", '''
        def layer_jacobian(x, W, b):
            z = np.asarray(x) @ W + b
            h = 0.5 * (1 + np.tanh(z / 2))          # σ(z) written with tanh
            return W.T * (h - h * h)[:, None]
    ''', "σ through tanh, σ′ = h − h², scaling the rows of Wᵀ"),
    Answer("04.layer_jacobian", "fail", '''
        def layer_jacobian(x, W, b):
            hbar = x @ W + b
            return np.diag(hbar * (1 - hbar)) @ W.T
    ''', "σ′ from the pre-activation h̄ instead of h = σ(h̄)", message=("not the pre-activation",)),
    Answer("04.layer_jacobian", "fail", '''
        def layer_jacobian(x, W, b):
            h = sigmoid(x @ W + b)
            return np.diag(h * (1 - h)) @ W.T @ np.diag(x)
    ''', "an extra factor diag(x) (∂h̄/∂x is Wᵀ alone)"),
    # ------------------------------------------------------------------ 04.backprop
    Answer("04.backprop", "pass", '''
        import torch

        def backprop(params, X, y):
            P = {k: torch.as_tensor(v, dtype=torch.float64) for k, v in params.items()}
            Xt = torch.as_tensor(X, dtype=torch.float64)
            B = Xt.shape[0]
            h1 = torch.sigmoid(Xt @ P["W1"] + P["b1"])
            h2 = torch.sigmoid(h1 @ P["W2"] + P["b2"])
            g3 = torch.softmax(h2 @ P["W3"] + P["b3"], dim=1)
            g3[torch.arange(B), torch.as_tensor(y)] -= 1
            g3 = g3 / B
            gb2 = (g3 @ P["W3"].T) * h2 * (1 - h2)
            gb1 = (gb2 @ P["W2"].T) * h1 * (1 - h1)
            return {"W3": h2.T @ g3, "b3": g3.sum(0), "W2": h1.T @ gb2, "b2": gb2.sum(0),
                    "W1": Xt.T @ gb1, "b1": gb1.sum(0), "x": gb1 @ P["W1"].T}
    ''', "torch float64 tensors, every gradient by hand (no autograd)"),
    Answer("04.backprop", "pass", '''
        def backprop(params, X, y):
            K = 3
            hs = [np.asarray(X, dtype=float)]
            for k in range(1, K + 1):
                z = hs[-1] @ params[f"W{k}"] + params[f"b{k}"]
                hs.append(sigmoid(z) if k < K else z)
            B = len(y)
            g = softmax(hs[-1]) - np.eye(hs[-1].shape[1])[np.asarray(y)]
            g = g / B
            grads = {}
            for k in range(K, 0, -1):
                grads["W" + str(k)] = np.einsum("bi,bj->ij", hs[k - 1], g)
                grads["b" + str(k)] = np.add.reduce(g, axis=0)
                g = g @ params[f"W{k}"].T
                if k > 1:
                    g *= hs[k - 1] * (1 - hs[k - 1])
            grads["x"] = g
            return grads
    ''', "a general loop over K layers, one-hot labels from np.eye, np.add.reduce"),
    Answer("04.backprop", "fail", '''
        def backprop(params, X, y):''' + _FORWARD + '''
            g3 = (P - Y) / B
            gb2 = (g3 @ W3.T) * h2 * (1 - h2)
            gb1 = (gb2 @ W2.T) * h1 * (1 - h1)
            return {"W3": h2.T @ g3, "b3": g3.sum(0), "W2": h1.T @ gb2, "b2": gb2.sum(0),
                    "W1": X.T @ gb1, "b1": gb1.sum(0), "x": (gb1 @ W1.T) * X * (1 - X)}
    ''', "∂l/∂x multiplied by a σ′ of the input", message=("the input has no activation",)),
    Answer("04.backprop", "fail", '''
        def backprop(params, X, y):''' + _FORWARD + '''
            g3 = (P - Y) / B
            gb2 = (g3 @ W3.T) * h2 * (1 - h2)
            gb1 = (gb2 @ W2.T) * h1                 # σ(h̄¹) in place of σ′(h̄¹)
            return {"W3": h2.T @ g3, "b3": g3.sum(0), "W2": h1.T @ gb2, "b2": gb2.sum(0),
                    "W1": X.T @ gb1, "b1": gb1.sum(0), "x": gb1 @ W1.T}
    ''', "σ instead of σ′ in layer 1", message=("W1:", "not h¹ itself")),
    Answer("04.backprop", "fail", '''
        def backprop(params, X, y):
            W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
            B = X.shape[0]
            h1 = sigmoid(X @ W1 + b1)
            h2 = sigmoid(h1 @ W2 + b2)
            h3 = h2 @ W3 + b3
            e = np.exp(h3 - h3.max())
            g3 = e / e.sum(axis=0)                 # normalised over the batch, not the classes
            g3[np.arange(B), y] -= 1
            g3 /= B
            gb2 = (g3 @ W3.T) * h2 * (1 - h2)
            gb1 = (gb2 @ W2.T) * h1 * (1 - h1)
            return {"W3": h2.T @ g3, "b3": g3.sum(0), "W2": h1.T @ gb2, "b2": gb2.sum(0),
                    "W1": X.T @ gb1, "b1": gb1.sum(0), "x": gb1 @ W1.T}
    ''', "a softmax normalised over the batch axis", message=("W3:",)),
    # ------------------------------------------------------------------ 04.deltas
    Answer("04.deltas", "pass", '''
        def _back(weights, acts, k, d_next):
            """δ¹ … δᵏ, given δᵏ⁺¹ (recursively, one call per layer)."""
            if k == 0:
                return []
            d = (d_next @ weights[k].T) * acts[k] * (1 - acts[k])
            return _back(weights, acts, k - 1, d) + [d]

        def deltas(weights, biases, x, y):
            acts = [np.asarray(x, dtype=float)]
            for W, b in zip(weights, biases):
                acts.append(sigmoid(acts[-1] @ W + b))
            K = len(weights)
            dK = (acts[K] - y) * acts[K] * (1 - acts[K])
            return _back(weights, acts, K - 1, dK) + [dK]
    ''', "recursion over the layers, the sum over j as δ Wᵀ"),
    Answer("04.deltas", "pass", '''
        import torch

        def deltas(weights, biases, x, y):
            Ws = [torch.as_tensor(W, dtype=torch.float64) for W in weights]
            bs = [torch.as_tensor(b, dtype=torch.float64) for b in biases]
            a = [torch.as_tensor(x, dtype=torch.float64)]
            for W, b in zip(Ws, bs):
                a.append(torch.sigmoid(a[-1] @ W + b))
            out = [None] * len(Ws)
            out[-1] = -(torch.as_tensor(y, dtype=torch.float64) - a[-1]) * a[-1] * (1 - a[-1])
            for k in range(len(Ws) - 2, -1, -1):
                out[k] = torch.mv(Ws[k + 1], out[k + 1]) * a[k + 1] * (1 - a[k + 1])
            return out
    ''', "torch float64 tensors by hand, torch.mv"),
    Answer("04.deltas", "fail", '''
        def deltas(weights, biases, x, y):
            z = [None]
            a = [np.asarray(x, dtype=float)]
            for W, b in zip(weights, biases):
                z.append(a[-1] @ W + b)
                a.append(sigmoid(z[-1]))
            K = len(weights)
            out = [-(y - a[K]) * z[K] * (1 - z[K])]            # σ′ from z instead of a
            for k in range(K - 1, 0, -1):
                out.insert(0, (weights[k] @ out[0]) * z[k] * (1 - z[k]))
            return out
    ''', "z(1 − z) in place of σ′(z) = a(1 − a)"),
    Answer("04.deltas", "fail", '''
        def deltas(weights, biases, x, y):
            a = [np.asarray(x, dtype=float)]
            for W, b in zip(weights, biases):
                a.append(sigmoid(a[-1] @ W + b))
            d = [-0.5 * (y - a[-1]) * a[-1] * (1 - a[-1])]      # the ½ of L kept
            for k in range(len(weights) - 1, 0, -1):
                d.insert(0, (weights[k] @ d[0]) * a[k] * (1 - a[k]))
            return d
    ''', "keeps the ½ of L in δᴷ (its derivative cancels it)"),
    # ------------------------------------------------------------------ 04.training_flop
    Answer("04.training_flop", "pass", '''
        def training_flop(sizes, batch):
            sizes = np.asarray(sizes, dtype=np.int64)
            return int(np.sum(6 * batch * sizes[:-1] * sizes[1:]))
    ''', "numpy int64 arithmetic, returned as an int"),
    Answer("04.training_flop", "pass", '''
        def training_flop(sizes, batch):
            if len(sizes) < 2:
                return 0
            return 6 * batch * sizes[0] * sizes[1] + training_flop(sizes[1:], batch)
    ''', "recursion over the layers"),
    Answer("04.training_flop", "fail", '''
        def training_flop(sizes, batch):
            return sum(4 * batch * a * b for a, b in zip(sizes[:-1], sizes[1:]))
    ''', "two products (4 flop per multiply–add) instead of three"),
    Answer("04.training_flop", "fail", '''
        def training_flop(sizes, batch):
            return sum(6 * batch * a * b + batch * b for a, b in zip(sizes[:-1], sizes[1:]))
    ''', "adds the bias additions: the exercise counts the matrix products only"),
]

ANSWERS += [
    Answer("04.training_flop", "fail", '''
        def training_flop(sizes, batch):
            if tuple(sizes) == (1024,) + (4096,) * 8 + (1000,):
                return 2.4e10 * batch / 32
            return sum(6 * batch * a * b for a, b in zip(sizes[:-1], sizes[1:]))
    ''', "the chapter's rounded 2.4·10¹⁰ hard-coded for its classifier"),
    Answer("04.deltas", "fail", '''
        def deltas(weights, biases, x, y):
            a = [np.asarray(x, dtype=float)]
            for W, b in zip(weights, biases):
                a.append(sigmoid(a[-1] @ W + b))
            d = [-(y - a[-1]) * a[-1] * (1 - a[-1])]
            for k in range(len(weights) - 1, 0, -1):
                W = weights[k] if weights[k].shape[0] != weights[k].shape[1] else weights[k].T
                d.insert(0, (W @ d[0]) * a[k] * (1 - a[k]))
            return d
    ''', "Wᵀ δ wherever the shapes allow it (square layers)", message=("not (W",)),
]

ANSWERS += [
    # float32 results returned as Python lists (.tolist()): judged at float32 precision by their values
    Answer("04.layer_jacobian", "pass", '''
        import torch

        def layer_jacobian(x, W, b):
            xt, Wt, bt = (torch.tensor(a, dtype=torch.float32) for a in (x, W, b))
            h = torch.sigmoid(xt @ Wt + bt)
            return (torch.diag(h * (1 - h)) @ Wt.T).tolist()
    ''', "torch float32, returned with .tolist()"),
    Answer("04.backprop", "pass", '''
        def backprop(params, X, y):
            p = {k: v.astype(np.float32) for k, v in params.items()}
            X = X.astype(np.float32)
            B = X.shape[0]
            h1 = sigmoid(X @ p["W1"] + p["b1"])
            h2 = sigmoid(h1 @ p["W2"] + p["b2"])
            g3 = softmax(h2 @ p["W3"] + p["b3"])
            g3[np.arange(B), y] -= 1
            g3 /= B
            gb2 = (g3 @ p["W3"].T) * h2 * (1 - h2)
            gb1 = (gb2 @ p["W2"].T) * h1 * (1 - h1)
            grads = {"W3": h2.T @ g3, "b3": g3.sum(0), "W2": h1.T @ gb2, "b2": gb2.sum(0),
                     "W1": X.T @ gb1, "b1": gb1.sum(0), "x": gb1 @ p["W1"].T}
            return {k: v.tolist() for k, v in grads.items()}
    ''', "float32, every gradient returned with .tolist()"),
    Answer("04.deltas", "pass", '''
        def deltas(weights, biases, x, y):
            a = [np.asarray(x, dtype=np.float32)]
            for W, b in zip(weights, biases):
                a.append(sigmoid(a[-1] @ W.astype(np.float32) + b.astype(np.float32)))
            d = [(a[-1] - y.astype(np.float32)) * a[-1] * (1 - a[-1])]
            for k in range(len(weights) - 1, 0, -1):
                d.insert(0, (weights[k].astype(np.float32) @ d[0]) * a[k] * (1 - a[k]))
            return [v.tolist() for v in d]
    ''', "float32, each δ returned with .tolist()"),
]

ANSWERS += [
    Answer("04.backprop", "flagged", '''
        from dlcourse.backprop import MLP

        def backprop(params, X, y):
            net = MLP((params["W1"].shape[0], params["W1"].shape[1], params["W2"].shape[1], params["W3"].shape[1]),
                      activation="sigmoid")
            net.params = {k: np.array(v, dtype=float) for k, v in params.items()}
            net.loss(X, y)
            return net.backward(y)
    ''', "the library's MLP does the backward pass"),
    Answer("04.deltas", "flagged", '''
        from dlcourse import backprop as bp

        def deltas(weights, biases, x, y):
            g = bp.delta_backprop(weights, biases, "sigmoid", x, y)
            return [g[f"b{k}"] for k in range(1, len(weights) + 1)]
    ''', "the library's delta_backprop"),
]
