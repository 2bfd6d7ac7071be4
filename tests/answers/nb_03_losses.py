"""Alternative answers for ``solutions/03_losses.ipynb`` (format: ``tests/answers/__init__.py``)."""

from . import Answer

ANSWERS = [
    # ------------------------------------------------------------------ 03.softmax
    Answer("03.softmax", "pass", '''
        def softmax(h):
            h = np.asarray(h, dtype=float)
            e = np.exp(h - h.max(axis=-1, keepdims=True))
            return e / e.sum(axis=-1, keepdims=True)
    ''', "the shifted exponent, vectorised"),
    Answer("03.softmax", "fail", '''
        def softmax(h):
            h = np.asarray(h, dtype=float)
            e = np.exp(h)
            return e / e.sum(axis=-1, keepdims=True)
    ''', "no shift: overflows on large logits"),
    Answer("03.softmax", "pass", '''
        def softmax(h):
            h = np.asarray(h, dtype=np.float32)
            e = np.exp(h - h.max(axis=-1, keepdims=True))
            return e / e.sum(axis=-1, keepdims=True)
    ''', "float32 (judged at float32 precision)"),
    Answer("03.softmax", "pass", '''
        def softmax(h):
            h = np.asarray(h, dtype=float)
            if h.ndim == 1:
                m = max(h)
                e = [np.exp(v - m) for v in h]
                s = sum(e)
                return np.array([v / s for v in e])
            return np.array([softmax(row) for row in h])
    ''', "row by row, recursion for a batch, Python lists"),
    Answer("03.softmax", "pass", '''
        def softmax(h):
            h = np.asarray(h, dtype=float)
            c = h.max(axis=-1, keepdims=True)
            log_z = c + np.log(np.exp(h - c).sum(axis=-1, keepdims=True))
            return np.exp(h - log_z)
    ''', "exp(h − log-sum-exp)"),
    Answer("03.softmax", "pass", '''
        def softmax(h):
            h = np.asarray(h, dtype=float)
            h -= np.max(h, axis=-1, keepdims=True)
            np.exp(h, out=h)
            h /= np.sum(h, axis=-1, keepdims=True)
            return h
    ''', "in place on the (given) array"),
    Answer("03.softmax", "fail", '''
        def softmax(h):
            h = np.asarray(h, dtype=float)
            e = np.exp(h - h.max())
            return e / e.sum(axis=-1, keepdims=True)
    ''', "shifts by the batch's global maximum, not each row's"),
    Answer("03.softmax", "fail", '''
        def softmax(h):
            h = np.asarray(h, dtype=float)
            e = np.exp(h - h.min(axis=-1, keepdims=True))
            return e / e.sum(axis=-1, keepdims=True)
    ''', "shifts by the row minimum: overflows when a row spans more than ~709"),
    Answer("03.softmax", "fail", '''
        def softmax(h):
            h = np.asarray(h, dtype=float)
            e = np.exp(h - h.max(axis=-1, keepdims=True))
            return e / e.sum(axis=0, keepdims=True)
    ''', "normalises the columns", message=("each column sums to 1",)),
    Answer("03.softmax", "fail", '''
        def softmax(h):
            h = np.asarray(h, dtype=float)
            return np.exp(h - h.max(axis=-1, keepdims=True))
    ''', "not normalised", message=("not normalised",)),
    # ------------------------------------------------------------------ 03.cross_entropy
    Answer("03.cross_entropy", "pass", '''
        import math

        def cross_entropy(logits, y):
            logits = np.asarray(logits, dtype=float)
            total = 0.0
            for row, label in zip(logits, y):
                c = max(row)
                total += c + math.log(sum(math.exp(v - c) for v in row)) - row[label]
            return total / len(logits)
    ''', "a loop with math.log and math.exp"),
    Answer("03.cross_entropy", "pass", '''
        def cross_entropy(logits, y):
            logits = np.asarray(logits, dtype=float)
            shifted = logits - logits.max(axis=1, keepdims=True)
            log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            return -np.take_along_axis(log_p, np.asarray(y)[:, None], axis=1).mean()
    ''', "a stable log-softmax and np.take_along_axis, a numpy scalar"),
    Answer("03.cross_entropy", "pass", '''
        def cross_entropy(logits, y):
            logits = np.asarray(logits, dtype=np.float32)
            c = logits.max(axis=1)
            lse = c + np.log(np.exp(logits - c[:, None]).sum(axis=1))
            return np.mean(lse - logits[np.arange(len(y)), y])
    ''', "float32 throughout (judged at float32 precision)"),
    Answer("03.cross_entropy", "pass", '''
        def cross_entropy(logits, y):
            logits = np.asarray(logits, dtype=float)
            B, C = logits.shape
            one_hot = np.eye(C)[y]
            c = logits.max(axis=1, keepdims=True)
            log_p = logits - c - np.log(np.exp(logits - c).sum(axis=1, keepdims=True))
            return float(-(one_hot * log_p).sum() / B)
    ''', "a one-hot mask"),
    Answer("03.cross_entropy", "fail", '''
        def cross_entropy(logits, y):
            logits = np.asarray(logits, dtype=float)
            c = logits.max(axis=1)
            lse = c + np.log(np.exp(logits - c[:, None]).sum(axis=1))
            return float(np.sum(lse - logits[np.arange(len(y)), y]))
    ''', "sums over the batch", message=("mean",)),
    Answer("03.cross_entropy", "fail", '''
        def cross_entropy(logits, y):
            logits = np.asarray(logits, dtype=float)
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            p = e / e.sum(axis=1, keepdims=True)
            return float(np.mean(-np.log(p[np.arange(len(y)), y])))
    ''', "the log of a (stable) softmax: −log 0 = inf when p_y underflows"),
    Answer("03.cross_entropy", "fail", '''
        def cross_entropy(logits, y):
            logits = np.asarray(logits, dtype=float)
            c = logits.max()
            lse = c + np.log(np.exp(logits - c).sum(axis=1))
            return float(np.mean(lse - logits[np.arange(len(y)), y]))
    ''', "one global maximum for the whole batch: a row far below it underflows"),
    Answer("03.cross_entropy", "fail", '''
        def cross_entropy(logits, y):
            logits = np.asarray(logits, dtype=float)
            c = logits.max(axis=1)
            lse = c + np.log(np.exp(logits - c[:, None]).sum(axis=1))
            return lse - logits[np.arange(len(y)), y]
    ''', "returns the per-sample losses", message=("not the vector",)),
    Answer("03.cross_entropy", "fail", '''
        def cross_entropy(logits, y):
            logits = np.asarray(logits, dtype=float)
            c = logits.max(axis=1)
            lse = c + np.log(np.exp(logits - c[:, None]).sum(axis=1))
            return float(np.mean(lse - logits[:, y]))
    ''', "logits[:, y] picks the label columns of every row"),
    Answer("03.cross_entropy", "pass", '''
        def cross_entropy(logits, y):
            h = np.asarray(logits, dtype=np.float32)
            h = h - h.max(axis=1, keepdims=True)
            log_p = h - np.log(np.exp(h).sum(axis=1, keepdims=True))
            return float(-log_p[np.arange(h.shape[0]), y].mean())
    ''', "computed in float32, returned as a Python float (the dtype is hidden)"),
    # ------------------------------------------------------------------ 03.cross_entropy_grad
    Answer("03.cross_entropy_grad", "pass", '''
        def cross_entropy_grad(logits, y):
            logits = np.asarray(logits, dtype=float)
            B, C = logits.shape
            return (softmax(logits) - np.eye(C)[y]) / B
    ''', "one-hot from np.eye, with the notebook's softmax"),
    Answer("03.cross_entropy_grad", "pass", '''
        def cross_entropy_grad(logits, y):
            logits = np.asarray(logits, dtype=np.float32)
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            g = e / e.sum(axis=1, keepdims=True)
            g[np.arange(len(y)), y] -= 1
            return g / len(y)
    ''', "float32 (judged at float32 precision)"),
    Answer("03.cross_entropy_grad", "pass", '''
        def cross_entropy_grad(logits, y):
            logits = np.asarray(logits, dtype=float)
            B = len(logits)
            out = []
            for i in range(B):
                p = softmax(logits[i])
                p[y[i]] -= 1.0
                out.append(list(p / B))
            return out
    ''', "row by row, a list of lists"),
    Answer("03.cross_entropy_grad", "fail", '''
        def cross_entropy_grad(logits, y):
            logits = np.asarray(logits, dtype=float)
            g = softmax(logits)
            g[np.arange(len(y)), y] -= 1.0
            return g
    ''', "no 1/B: the gradient of the summed loss", message=("summed over the batch",)),
    Answer("03.cross_entropy_grad", "fail", '''
        def cross_entropy_grad(logits, y):
            logits = np.asarray(logits, dtype=float)
            g = softmax(logits)
            g[:, y] -= 1.0
            return g / len(y)
    ''', "subtracts 1 in every label column of every row", message=("once per row",)),
    Answer("03.cross_entropy_grad", "fail", '''
        def cross_entropy_grad(logits, y):
            logits = np.asarray(logits, dtype=float)
            g = softmax(logits)
            g[np.arange(len(y)), y] -= 1.0
            return -g / len(y)
    ''', "the sign flipped", message=("sign",)),
    Answer("03.cross_entropy_grad", "fail", '''
        def cross_entropy_grad(logits, y):
            logits = np.asarray(logits, dtype=float)
            return softmax(logits) / len(y)
    ''', "forgets to subtract the one-hot", message=("subtract 1",)),
    Answer("03.cross_entropy_grad", "fail", '''
        def softmax(h):
            h = np.asarray(h, dtype=float)
            e = np.exp(h)
            return e / e.sum(axis=-1, keepdims=True)

        def cross_entropy_grad(logits, y):
            logits = np.asarray(logits, dtype=float)
            g = softmax(logits)
            g[np.arange(len(y)), y] -= 1.0
            return g / len(y)
    ''', "right formula on a wrong softmax (exercise 1 without the shift): the message names softmax",
        message=("your softmax",)),
    Answer("03.cross_entropy_grad", "fail", '''
        def softmax(h):
            h = np.asarray(h, dtype=float)
            e = np.exp(h - h.max(axis=-1, keepdims=True))
            return e / e.sum(axis=0, keepdims=True)

        def cross_entropy_grad(logits, y):
            logits = np.asarray(logits, dtype=float)
            g = softmax(logits)
            g[np.arange(len(y)), y] -= 1.0
            return g / len(y)
    ''', "right formula on a softmax that normalises columns: the message names softmax",
        message=("your softmax",)),
    # ------------------------------------------------------------------ 03.binary_cross_entropy
    Answer("03.binary_cross_entropy", "pass", '''
        def binary_cross_entropy(f, y):
            f, y = np.asarray(f, dtype=float), np.asarray(y, dtype=float)
            return np.where(y == 1, -np.log(f), -np.log(1 - f)).mean()
    ''', "np.where on the binary label"),
    Answer("03.binary_cross_entropy", "pass", '''
        import math

        def binary_cross_entropy(f, y):
            losses = [-(t * math.log(p) + (1 - t) * math.log1p(-p)) for p, t in zip(f, y)]
            return sum(losses) / len(losses)
    ''', "a list comprehension with math.log1p"),
    Answer("03.binary_cross_entropy", "pass", '''
        def binary_cross_entropy(f, y):
            f, y = np.asarray(f, dtype=np.float32), np.asarray(y, dtype=np.float32)
            return np.mean(-(y * np.log(f) + (1 - y) * np.log(1 - f)))
    ''', "float32 (judged at float32 precision)"),
    Answer("03.binary_cross_entropy", "pass", '''
        def binary_cross_entropy(f, y):
            total = np.float32(0)
            for p, t in zip(np.asarray(f, dtype=np.float32), np.asarray(y, dtype=np.float32)):
                total += -(t * np.log(p) + (1 - t) * np.log(1 - p))
            return (total / len(f)).item()
    ''', "accumulated in a float32 total, returned with .item()"),
    Answer("03.binary_cross_entropy", "fail", '''
        def binary_cross_entropy(f, y):
            f, y = np.asarray(f, dtype=float), np.asarray(y, dtype=float)
            return float(np.sum(-(y * np.log(f) + (1 - y) * np.log(1 - f))))
    ''', "the sum, not the mean", message=("summed",)),
    Answer("03.binary_cross_entropy", "fail", '''
        def binary_cross_entropy(f, y):
            f, y = np.asarray(f, dtype=float), np.asarray(y, dtype=float)
            return float(np.mean(y * np.log(f) + (1 - y) * np.log(1 - f)))
    ''', "the minus sign lost", message=("sign",)),
    Answer("03.binary_cross_entropy", "fail", '''
        def binary_cross_entropy(f, y):
            f, y = np.asarray(f, dtype=float), np.asarray(y, dtype=float)
            return float(np.mean(-((1 - y) * np.log(f) + y * np.log(1 - f))))
    ''', "the two terms swapped", message=("swapped",)),
    Answer("03.binary_cross_entropy", "fail", '''
        def binary_cross_entropy(f, y):
            f, y = np.asarray(f, dtype=float), np.asarray(y, dtype=float)
            return float(np.mean(-(y * np.log10(f) + (1 - y) * np.log10(1 - f))))
    ''', "log₁₀", message=("natural logarithm",)),
    Answer("03.binary_cross_entropy", "fail", '''
        def binary_cross_entropy(f, y):
            f, y = np.asarray(f, dtype=float), np.asarray(y, dtype=float)
            return float(np.mean(-y * np.log(f)))
    ''', "drops the (1 − y) log(1 − f) term"),
    Answer("03.binary_cross_entropy", "fail", '''
        def binary_cross_entropy(f, y):
            return 0.2231
    ''', "hard-codes the chapter's −log 0.8"),
    # ------------------------------------------------------------------ 03.regularised_risk
    Answer("03.regularised_risk", "pass", '''
        def regularised_risk(w, Phi, y, lam):
            w, Phi, y = (np.asarray(a, dtype=float) for a in (w, Phi, y))
            e = y - Phi @ w
            J = np.dot(e, e) / (2 * len(y)) + lam * np.dot(w, w)
            return J, -Phi.T @ e / len(y) + 2 * lam * w
    ''', "the residual y − Φw, np.dot, J as a numpy scalar"),
    Answer("03.regularised_risk", "pass", '''
        def regularised_risk(w, Phi, y, lam):
            n, p = len(Phi), len(w)
            J, grad = 0.0, [2 * lam * w[j] for j in range(p)]
            for i in range(n):
                r = sum(Phi[i][j] * w[j] for j in range(p)) - y[i]
                J += 0.5 * r * r / n
                for j in range(p):
                    grad[j] += r * Phi[i][j] / n
            return [J + lam * sum(v * v for v in w), grad]
    ''', "loops over samples and weights, a list"),
    Answer("03.regularised_risk", "pass", '''
        def regularised_risk(w, Phi, y, lam):
            w, Phi, y = (np.asarray(a, dtype=float) for a in (w, Phi, y))
            n = y.shape[0]
            gram, rhs = Phi.T @ Phi / n, Phi.T @ y / n
            grad = gram @ w - rhs + 2 * lam * w
            r = np.einsum("ij,j->i", Phi, w) - y
            return float(0.5 * np.einsum("i,i->", r, r) / n + lam * np.einsum("j,j->", w, w)), grad
    ''', "the normal-equation form ΦᵀΦw/n − Φᵀy/n, einsum"),
    Answer("03.regularised_risk", "fail", '''
        def regularised_risk(w, Phi, y, lam):
            r = Phi @ w - y
            return float(0.5 * np.sum(r**2) + lam * np.sum(w**2)), Phi.T @ r + 2 * lam * w
    ''', "sums over the samples", message=("mean over the n",)),
    Answer("03.regularised_risk", "fail", '''
        def regularised_risk(w, Phi, y, lam):
            r = Phi @ w - y
            return float(np.mean(r**2) + lam * np.sum(w**2)), 2 * Phi.T @ r / len(y) + 2 * lam * w
    ''', "drops the ½ of the squared loss", message=("mind the ½",)),
    Answer("03.regularised_risk", "fail", '''
        def regularised_risk(w, Phi, y, lam):
            r = Phi @ w - y
            return float(0.5 * np.mean(r**2) + lam * np.sum(w**2)), Phi.T @ r / len(y) + lam * w
    ''', "the regulariser's gradient λw instead of 2λw", message=("2λw",)),
    Answer("03.regularised_risk", "fail", '''
        def regularised_risk(w, Phi, y, lam):
            r = Phi @ w - y
            return float(0.5 * np.mean(r**2) + lam * np.linalg.norm(w)), Phi.T @ r / len(y) + 2 * lam * w
    ''', "λ‖w‖ instead of λ‖w‖²", message=("squared norm",)),
    Answer("03.regularised_risk", "fail", '''
        def regularised_risk(w, Phi, y, lam):
            r = y - Phi @ w
            return float(0.5 * np.mean(r**2) + lam * np.sum(w**2)), Phi.T @ r / len(y) + 2 * lam * w
    ''', "the residual's sign lost in the gradient", message=("sign of the residual",)),
    Answer("03.regularised_risk", "fail", '''
        def regularised_risk(w, Phi, y, lam):
            r = Phi @ w - y
            return float(np.mean(0.5 * r**2 + lam * np.sum(w**2) / len(y))), Phi.T @ r / len(y) + 2 * lam * w / len(y)
    ''', "the regulariser averaged over the samples", message=("added once",)),
    Answer("03.regularised_risk", "fail", '''
        def regularised_risk(w, Phi, y, lam):
            w, Phi, y = (np.asarray(a, dtype=np.float32) for a in (w, Phi, y))
            r = Phi @ w - y
            return 0.5 * np.mean(r**2) + lam * np.sum(w**2), Phi.T @ r / len(y) + 2 * lam * w
    ''', "float32 where the exercise asks for float64", message=("compute in float64",)),
    # ------------------------------------------------------------------ 03.newton_step
    Answer("03.newton_step", "pass", '''
        def newton_step(theta, grad, H):
            return np.asarray(theta) - np.linalg.inv(H) @ np.asarray(grad)
    ''', "the explicit inverse (fine at these sizes)"),
    Answer("03.newton_step", "fail", '''
        def newton_step(theta, grad, H):
            theta = np.asarray(theta, dtype=float)
            theta -= np.linalg.lstsq(H, grad, rcond=None)[0]
            return theta
    ''', "least squares, in place on the caller's θ (np.asarray does not copy): the exercise says "
        "don't change the arguments", message=("changed its argument theta",)),
    Answer("03.newton_step", "pass", '''
        def newton_step(theta, grad, H):
            d = np.linalg.solve(np.asarray(H, dtype=np.float32), np.asarray(grad, dtype=np.float32))
            return list(np.asarray(theta, dtype=np.float32) - d)
    ''', "float32, a list"),
    Answer("03.newton_step", "fail", '''
        def newton_step(theta, grad, H):
            return np.asarray(theta) - np.asarray(H) @ np.asarray(grad)
    ''', "multiplies by H instead of solving", message=("divides by the curvature",)),
    Answer("03.newton_step", "fail", '''
        def newton_step(theta, grad, H):
            return np.asarray(theta) - np.asarray(grad) / np.diag(H)
    ''', "divides by the diagonal only", message=("diagonal H",)),
    Answer("03.newton_step", "fail", '''
        def newton_step(theta, grad, H):
            return np.asarray(theta) + np.linalg.solve(H, grad)
    ''', "the sign", message=("sign",)),
    Answer("03.newton_step", "fail", '''
        def newton_step(theta, grad, H):
            return np.asarray(theta) - 0.09 * np.asarray(grad)
    ''', "a gradient-descent step instead"),
]
