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

ANSWERS += [
    # ------------------------------------------------------------------ 03.softmax
    Answer("03.softmax", "pass", '''
        def softmax(h):
            h = np.asarray(h, dtype=float)
            return np.exp(h - np.logaddexp.reduce(h, axis=-1, keepdims=True))
    ''', "exp(h − log Σ exp h) with np.logaddexp.reduce"),
    Answer("03.softmax", "pass", '''
        def _one(row):
            e = np.exp(row - np.max(row))
            return e / np.sum(e)

        def softmax(h):
            h = np.asarray(h, dtype=float)
            return np.apply_along_axis(_one, -1, h)
    ''', "a helper for one row, np.apply_along_axis"),
    Answer("03.softmax", "fail", '''
        def softmax(h):
            h = np.asarray(h, dtype=float)
            e = np.exp(h - h.mean(axis=-1, keepdims=True))
            return e / e.sum(axis=-1, keepdims=True)
    ''', "shifts by the row mean: exp(1000) still overflows", message=("Subtract each row's maximum",)),
    Answer("03.softmax", "fail", '''
        def softmax(h):
            h = np.asarray(h, dtype=float)
            e = np.exp(h - h.max(axis=0))
            return e / e.sum(axis=-1, keepdims=True)
    ''', "the maximum of each column (axis 0) instead of each row"),
    # ------------------------------------------------------------------ 03.cross_entropy
    Answer("03.cross_entropy", "pass", '''
        def cross_entropy(logits, y):
            logits = np.asarray(logits, dtype=float)
            lse = np.logaddexp.reduce(logits, axis=1)
            return np.mean(lse - logits[np.arange(len(logits)), np.asarray(y)])
    ''', "np.logaddexp.reduce for the log-sum-exp"),
    Answer("03.cross_entropy", "pass", '''
        def cross_entropy(logits, y):
            logits = np.asarray(logits, dtype=float)
            logits -= logits.max(axis=1, keepdims=True)        # in place: softmax is shift-invariant
            losses = [np.log(np.exp(row).sum()) - row[label] for row, label in zip(logits, y)]
            return sum(losses) / len(losses)
    ''', "shifts the logits in place, a list of per-sample losses averaged"),
    Answer("03.cross_entropy", "fail", '''
        def cross_entropy(logits, y):
            logits = np.asarray(logits, dtype=float)
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            p = e / e.sum(axis=1, keepdims=True)
            return float(np.mean(-np.log(np.clip(p[np.arange(len(y)), y], 1e-12, 1.0))))
    ''', "the log of a clipped softmax: 27.6 instead of 1000 for h = (1000, 0, −1000), y = 1",
        message=("never from p",)),
    Answer("03.cross_entropy", "fail", '''
        def cross_entropy(logits, y):
            logits = np.asarray(logits, dtype=float)
            c = logits.max(axis=1)
            lse = c + np.log(np.exp(logits - c[:, None]).sum(axis=1))
            return float(np.mean(logits[np.arange(len(y)), y] - lse))
    ''', "the sign: log p_y instead of −log p_y", message=("mind the sign",)),
    Answer("03.cross_entropy", "fail", '''
        def cross_entropy(logits, y):
            logits = np.asarray(logits, dtype=float)
            c = logits.max(axis=1)
            lse = c + np.log(np.exp(logits - c[:, None]).sum(axis=1))
            return float(np.sum(lse - logits[np.arange(len(y)), y]) / logits.shape[1])
    ''', "divides by the number of classes C instead of the batch size B"),
    # ------------------------------------------------------------------ 03.cross_entropy_grad
    Answer("03.cross_entropy_grad", "pass", '''
        def cross_entropy_grad(logits, y):
            logits = np.asarray(logits, dtype=float)
            B, C = logits.shape
            p = softmax(logits)
            return np.where(np.arange(C)[None, :] == np.asarray(y)[:, None], p - 1.0, p) / B
    ''', "np.where on a label mask"),
    Answer("03.cross_entropy_grad", "pass", '''
        def cross_entropy_grad(logits, y):
            logits = np.asarray(logits, dtype=float)
            B = logits.shape[0]
            grad = softmax(logits).copy()
            np.subtract.at(grad, (np.arange(B), y), 1.0)
            grad /= B
            return grad
    ''', "np.subtract.at, divided in place"),
    Answer("03.cross_entropy_grad", "fail", '''
        def cross_entropy_grad(logits, y):
            logits = np.asarray(logits, dtype=float)
            B, C = logits.shape
            g = softmax(logits)
            g[np.arange(B), y] -= 1.0
            return g / C
    ''', "divides by the number of classes C instead of B"),
    Answer("03.cross_entropy_grad", "fail", '''
        def cross_entropy_grad(logits, y):
            logits = np.asarray(logits, dtype=float)
            B = logits.shape[0]
            g = softmax(logits)
            g[np.arange(B), g.argmax(axis=1)] -= 1.0
            return g / B
    ''', "subtracts 1 at the predicted class (the argmax) instead of the label"),
    Answer("03.cross_entropy_grad", "fail", '''
        def softmax(h):
            h = np.asarray(h, dtype=float)
            e = np.exp(h - h.max())
            return e / e.sum(axis=-1, keepdims=True)

        def cross_entropy_grad(logits, y):
            logits = np.asarray(logits, dtype=float)
            g = softmax(logits)
            g[np.arange(len(y)), y] -= 1.0
            return g / len(y)
    ''', "right formula on a softmax shifted by the batch's global maximum: the message names softmax",
        message=("your softmax",)),
    # ------------------------------------------------------------------ 03.binary_cross_entropy
    Answer("03.binary_cross_entropy", "pass", '''
        def binary_cross_entropy(f, y):
            f, y = np.asarray(f, dtype=float), np.asarray(y, dtype=float)
            return -np.average(y * np.log(f) + (1 - y) * np.log1p(-f))
    ''', "np.average and np.log1p"),
    Answer("03.binary_cross_entropy", "pass", '''
        def binary_cross_entropy(f, y):
            f, y = np.asarray(f, dtype=float), np.asarray(y, dtype=float)
            return float(-np.mean(np.log(np.where(y == 1, f, 1 - f))))
    ''', "the probability of the true class picked with np.where"),
    Answer("03.binary_cross_entropy", "pass", '''
        def binary_cross_entropy(f, y, eps=1e-12):
            f, y = np.asarray(f, dtype=float), np.asarray(y, dtype=float)
            return float(np.mean(-(y * np.log(f + eps) + (1 - y) * np.log(1 - f + eps))))
    ''', "a guard eps = 1e-12 inside the logarithms, an extra argument with a default"),
    Answer("03.binary_cross_entropy", "fail", '''
        def binary_cross_entropy(f, y):
            f, y = np.asarray(f, dtype=float), np.asarray(y, dtype=float)
            return float(np.mean(-(y * np.log(f) + (1 - y) * np.log(f))))
    ''', "log f in both terms"),
    Answer("03.binary_cross_entropy", "fail", '''
        def binary_cross_entropy(f, y):
            f, y = np.asarray(f, dtype=float), np.asarray(y, dtype=float)
            return -(y * np.log(f) + (1 - y) * np.log(1 - f))
    ''', "returns the per-sample losses", message=("not a vector",)),
    # ------------------------------------------------------------------ 03.regularised_risk
    Answer("03.regularised_risk", "pass", '''
        def regularised_risk(w, Phi, y, lam):
            w, Phi, y = (np.asarray(a, dtype=float) for a in (w, Phi, y))
            r = Phi @ w - y
            n = len(y)
            return r @ r / (2 * n) + lam * np.linalg.norm(w) ** 2, (r @ Phi) / n + 2 * lam * w
    ''', "r·r/2n, ‖w‖² by np.linalg.norm, rᵀΦ for Φᵀr"),
    Answer("03.regularised_risk", "pass", '''
        def regularised_risk(w, Phi, y, lam):
            w = np.array(w, dtype=float)          # copies: the in-place updates below stay local
            Phi, y = np.asarray(Phi, dtype=float), np.asarray(y, dtype=float)
            n = len(y)
            r = Phi @ w
            r -= y
            J = 0.5 * np.mean(r**2) + lam * np.sum(w**2)
            grad = Phi.T @ r
            grad /= n
            w *= 2 * lam
            grad += w
            return J, grad
    ''', "in-place updates on its own copies"),
    Answer("03.regularised_risk", "fail", '''
        def regularised_risk(w, Phi, y, lam):
            w, Phi, y = (np.asarray(a, dtype=float) for a in (w, Phi, y))
            r = Phi @ w - y
            J = 0.5 * np.mean(r**2) + lam * np.sum(w**2)
            grad = Phi.T @ r / len(y)
            w *= 2 * lam                          # the caller's w: np.asarray does not copy
            grad += w
            return J, grad
    ''', "scales the caller's w in place", message=("changed its argument w",)),
    Answer("03.regularised_risk", "fail", '''
        def regularised_risk(w, Phi, y, lam):
            w, Phi, y = (np.asarray(a, dtype=float) for a in (w, Phi, y))
            r = Phi @ w - y
            return float(0.5 * np.mean(r**2) + lam / 2 * np.sum(w**2)), Phi.T @ r / len(y) + lam * w
    ''', "the regulariser λ‖w‖²/2 (with its consistent gradient λw) instead of λ‖w‖²"),
    Answer("03.regularised_risk", "fail", '''
        def regularised_risk(w, Phi, y, lam):
            w, Phi, y = (np.asarray(a, dtype=float) for a in (w, Phi, y))
            r = Phi @ w - y
            return float(0.5 * np.mean(r**2)), Phi.T @ r / len(y)
    ''', "ignores λ"),
    # ------------------------------------------------------------------ 03.newton_step
    Answer("03.newton_step", "pass", '''
        def newton_step(theta, grad, H):
            theta = np.array(theta, dtype=float)       # a copy, so the in-place step is local
            theta -= np.linalg.lstsq(H, grad, rcond=None)[0]
            return theta
    ''', "least squares, in place on its own copy of θ"),
    Answer("03.newton_step", "pass", '''
        def newton_step(theta, grad, H):
            return np.asarray(theta, dtype=float) - np.linalg.pinv(H) @ np.asarray(grad, dtype=float)
    ''', "the pseudo-inverse"),
    Answer("03.newton_step", "fail", '''
        def newton_step(theta, grad, H):
            theta, H = np.asarray(theta, dtype=float), np.asarray(H, dtype=float)
            g = np.asarray(grad, dtype=float)
            g[:] = np.linalg.solve(H, g)                # overwrites the caller's gradient
            return theta - g
    ''', "overwrites the caller's gradient with the step", message=("changed its argument grad",)),
    Answer("03.newton_step", "fail", '''
        def newton_step(theta, grad, H):
            theta = np.asarray(theta, dtype=float)
            return theta - np.linalg.solve(H, theta)
    ''', "solves H d = θ instead of H d = ∇J"),
]

ANSWERS += [
    # torch's own softmax and losses solve the exercises outright ("use numpy only")
    Answer("03.softmax", "fail", '''
        import torch

        def softmax(h):
            return torch.softmax(torch.as_tensor(np.asarray(h, dtype=float)), dim=-1).numpy()
    ''', "torch.softmax: the notebook asks for numpy only", message=("numpy only",)),
    Answer("03.cross_entropy", "fail", '''
        import torch
        from torch.nn.functional import cross_entropy as _ce

        def cross_entropy(logits, y):
            return _ce(torch.as_tensor(np.asarray(logits, dtype=float)), torch.as_tensor(y)).item()
    ''', "torch's cross_entropy, aliased before the call: the notebook asks for numpy only",
        message=("numpy only",)),
    Answer("03.cross_entropy_grad", "fail", '''
        import torch

        def cross_entropy_grad(logits, y):
            h = torch.as_tensor(np.asarray(logits, dtype=float))
            p = torch.nn.functional.softmax(h, dim=1).numpy().copy()
            p[np.arange(len(y)), y] -= 1
            return p / len(y)
    ''', "torch's softmax inside the gradient", message=("numpy only",)),
    Answer("03.binary_cross_entropy", "fail", '''
        import torch

        def binary_cross_entropy(f, y):
            loss = torch.nn.BCELoss()
            return loss(torch.as_tensor(np.asarray(f, dtype=float)), torch.as_tensor(np.asarray(y, dtype=float))).item()
    ''', "torch.nn.BCELoss: the notebook asks for numpy only", message=("numpy only",)),
]

ANSWERS += [
    # float32 results returned as Python lists (.tolist()): judged at float32 precision by their values
    Answer("03.softmax", "pass", '''
        def softmax(h):
            h = np.asarray(h, dtype=np.float32)
            e = np.exp(h - h.max(axis=-1, keepdims=True))
            return (e / e.sum(axis=-1, keepdims=True)).tolist()
    ''', "float32, returned with .tolist()"),
    Answer("03.cross_entropy_grad", "pass", '''
        def cross_entropy_grad(logits, y):
            h = np.asarray(logits, dtype=np.float32)
            B = h.shape[0]
            e = np.exp(h - h.max(axis=1, keepdims=True))
            p = e / e.sum(axis=1, keepdims=True)
            p[np.arange(B), y] -= 1
            return (p / B).tolist()
    ''', "float32, returned with .tolist()"),
    Answer("03.newton_step", "pass", '''
        def newton_step(theta, grad, H):
            t, g, M = (np.asarray(a, dtype=np.float32) for a in (theta, grad, H))
            return [float(v) for v in t - np.linalg.solve(M, g)]
    ''', "float32, returned as a list of Python floats"),
]

ANSWERS += [
    Answer("03.softmax", "flagged", '''
        import dlcourse.backprop as bp

        def softmax(h):
            return bp.softmax(np.asarray(h, dtype=float))
    ''', "the library's softmax: the notebook asks to write it"),
    Answer("03.cross_entropy", "flagged", '''
        from dlcourse.backprop import cross_entropy as _ce

        def cross_entropy(logits, y):
            return _ce(np.asarray(logits, dtype=float), y)
    ''', "the library's cross_entropy under an alias"),
    Answer("03.newton_step", "flagged", '''
        from dlcourse.checks import losses

        def newton_step(theta, grad, H):
            return losses.newton_step(theta, grad, H)
    ''', "the check's own reference"),
]

ANSWERS += [
    Answer("03.softmax", "pass", '''
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        def softmax(h):
            h = np.asarray(h, dtype=float)
            e = np.exp(h - h.max(axis=-1, keepdims=True))
            p = e / e.sum(axis=-1, keepdims=True)
            if p.ndim == 1:                              # a bar chart of one sample's probabilities
                fig, ax = plt.subplots()
                ax.bar(range(p.size), p)
                plt.close(fig)
            return p
    ''', "plots the probabilities of a single sample"),
]

ANSWERS += [
    Answer("03.cross_entropy_grad", "pass", '''
        def cross_entropy_grad(logits, y):
            h = np.asarray(logits, dtype=float)
            B = h.shape[0]
            g = np.exp(h - np.logaddexp.reduce(h, axis=1, keepdims=True))
            g[np.arange(B), y] -= 1
            return g / B
    ''', "p = exp(h − logsumexp h) without the notebook's softmax"),
    Answer("03.newton_step", "pass", '''
        def newton_step(theta, grad, H):
            d = np.linalg.solve(H, np.asarray(grad, dtype=float)[:, None])   # a column right-hand side
            return np.asarray(theta, dtype=float) - d[:, 0]
    ''', "solves with the gradient as a column"),
]

ANSWERS += [
    Answer("03.regularised_risk", "fail", '''
        import torch

        def regularised_risk(w, Phi, y, lam):
            w, Phi, y = (torch.tensor(np.asarray(a, dtype=float), dtype=torch.float32) for a in (w, Phi, y))
            r = Phi @ w - y
            J = 0.5 * (r**2).mean() + lam * (w**2).sum()
            return J.item(), (Phi.T @ r / len(y) + 2 * lam * w).tolist()
    ''', "torch float32 behind .item() and .tolist(): the exercise asks for float64", message=("compute in float64",)),
]
