"""Alternative answers for ``solutions/06_gradient_descent.ipynb`` (format: ``tests/answers/__init__.py``)."""

from . import Answer

ANSWERS = [
    # ------------------------------------------------------------------ 06.gd_step
    Answer("06.gd_step", "pass", '''
        def gd_step(w, lr):
            def f(v):
                return (v - 1) ** 2 + (v - 3) ** 2
            grad = 2 * (w - 1) + 2 * (w - 3)
            w = w - lr * grad
            return w, f(w)
    ''', "a helper for f, the derivative as the sum of the two squares' derivatives"),
    Answer("06.gd_step", "pass", '''
        def gd_step(w, lr):
            w_new = np.float64(w) - np.float64(lr) * (4 * np.float64(w) - 8)
            return np.array([w_new, (w_new - 1) ** 2 + (w_new - 3) ** 2])
    ''', "numpy scalars, returned as an array of two"),
    Answer("06.gd_step", "pass", '''
        def gd_step(w, lr):
            w32, lr32 = np.float32(w), np.float32(lr)
            w_new = w32 - lr32 * (np.float32(4) * w32 - np.float32(8))
            return w_new, (w_new - 1) ** 2 + (w_new - 3) ** 2
    ''', "computed in float32: the task needs no float64"),
    Answer("06.gd_step", "pass", '''
        import torch

        def gd_step(w, lr):
            wt = torch.tensor(float(w), dtype=torch.float64, requires_grad=True)
            loss = (wt - 1) ** 2 + (wt - 3) ** 2
            loss.backward()
            w_new = wt.detach() - lr * wt.grad
            return float(w_new), float((w_new - 1) ** 2 + (w_new - 3) ** 2)
    ''', "f′ from torch autograd (the exercise only forbids dlcourse.optim)"),
    Answer("06.gd_step", "pass", '''
        def gd_step(w, lr):
            w_new = w * (1 - 4 * lr) + 8 * lr
            loss = 2 * (w_new - 2) ** 2 + 2
            print("w_new =", w_new, "loss =", loss)
            return [w_new, loss]
    ''', "rearranged formulas (w(1 − 4η) + 8η, f = 2(w − 2)² + 2), a list, with a print"),
    Answer("06.gd_step", "fail", '''
        def gd_step(w, lr):
            w_new = w + lr * (4 * w - 8)
            return w_new, (w_new - 1) ** 2 + (w_new - 3) ** 2
    ''', "steps uphill", message=("stepped uphill",)),
    Answer("06.gd_step", "fail", '''
        def gd_step(w, lr):
            w_new = w - lr * (2 * w - 4)
            return w_new, (w_new - 1) ** 2 + (w_new - 3) ** 2
    ''', "the factor 2 of each square's derivative is missing", message=("factor 2",)),
    Answer("06.gd_step", "fail", '''
        def gd_step(w, lr):
            w_new = w - lr * (4 * w - 8)
            return w_new, (w - 1) ** 2 + (w - 3) ** 2
    ''', "the loss at the old w", message=("at the new w",)),
    Answer("06.gd_step", "fail", '''
        def gd_step(w, lr):
            return 1.4, 2.72
    ''', "hard-codes the book's answer"),
    Answer("06.gd_step", "fail", '''
        def gd_step(w, lr):
            w_new = w - lr * (4 * w - 8)
            return (w_new - 1) ** 2 + (w_new - 3) ** 2, w_new
    ''', "the pair in the wrong order"),
    Answer("06.gd_step", "fail", '''
        def gd_step(w, lr):
            w_new = w - 0.1 * (4 * w - 8)
            return w_new, (w_new - 1) ** 2 + (w_new - 3) ** 2
    ''', "ignores lr: η = 0.1 hard-coded"),
    Answer("06.gd_step", "flagged", '''
        from dlcourse import optim, landscapes

        def gd_step(w, lr):
            r = optim.minimize(landscapes.GD_EXAMPLE, [w], "sgd", steps=1, lr=lr)
            return float(r.final[0]), float(r.losses[-1])
    ''', "calls dlcourse.optim.minimize, which the exercise forbids"),
    # ------------------------------------------------------------------ 06.gradient_descent
    Answer("06.gradient_descent", "pass", '''
        def gradient_descent(grad, theta0, lr, steps):
            theta = np.array(theta0, dtype=float)
            path = np.empty((steps + 1, theta.size))
            path[0] = theta
            for t in range(1, steps + 1):
                theta -= lr * np.asarray(grad(theta))
                path[t] = theta
            return path
    ''', "a preallocated array filled row by row, θ updated in place (rows are copies)"),
    Answer("06.gradient_descent", "pass", '''
        def gradient_descent(grad, theta0, lr, steps):
            theta = theta0.copy()
            path = [theta.copy()]
            for _ in range(steps):
                theta -= lr * grad(theta)
                path.append(theta.copy())
            return np.stack(path)
    ''', "in-place updates, a copy appended each step, np.stack"),
    Answer("06.gradient_descent", "pass", '''
        def gradient_descent(grad, theta0, lr, steps):
            path = [list(map(float, theta0))]
            for _ in range(steps):
                g = grad(np.array(path[-1]))
                path.append([p - lr * gi for p, gi in zip(path[-1], g)])
            return path
    ''', "a list of lists of python floats, element by element"),
    Answer("06.gradient_descent", "pass", '''
        def gradient_descent(grad, theta0, lr, steps):
            def step(theta):
                return theta - lr * grad(theta)
            path = [np.asarray(theta0, dtype=float)]
            t = 0
            while t < steps:
                path.append(step(path[-1]))
                t += 1
            return np.vstack(path)
    ''', "a helper and a while loop"),
    Answer("06.gradient_descent", "pass", '''
        def gradient_descent(grad, theta0, lr, steps):
            path = [np.array(theta0, dtype=float)]
            for _ in range(steps):
                path.append(path[-1] - lr * grad(path[-1]))
            return np.array(path, dtype=np.float32)
    ''', "returned as float32: judged at float32 precision, also where the path grows to 10⁹"),
    Answer("06.gradient_descent", "fail", '''
        def gradient_descent(grad, theta0, lr, steps):
            path = [np.array(theta0, dtype=float)]
            for _ in range(steps):
                path.append(path[-1] + lr * grad(path[-1]))
            return np.array(path)
    ''', "gradient ascent", message=("climbs",)),
    Answer("06.gradient_descent", "fail", '''
        def gradient_descent(grad, theta0, lr, steps):
            theta = np.array(theta0, dtype=float)
            path = [theta]
            for _ in range(steps):
                theta -= lr * grad(theta)
                path.append(theta)
            return np.array(path)
    ''', "appends the same array and updates it in place", message=("in place",)),
    Answer("06.gradient_descent", "fail", '''
        def gradient_descent(grad, theta0, lr, steps):
            path = []
            theta = np.array(theta0, dtype=float)
            for _ in range(steps):
                theta = theta - lr * grad(theta)
                path.append(theta)
            return np.array(path)
    ''', "the path misses θ₀", message=("misses its start",)),
    Answer("06.gradient_descent", "fail", '''
        def gradient_descent(grad, theta0, lr, steps):
            path = [np.array(theta0, dtype=float)]
            for _ in range(steps - 1):
                path.append(path[-1] - lr * grad(path[-1]))
            return np.array(path)
    ''', "one step too few", message=("one step too few",)),
    Answer("06.gradient_descent", "fail", '''
        def gradient_descent(grad, theta0, lr, steps):
            theta0 = np.array(theta0, dtype=float)
            path = [theta0]
            for _ in range(steps):
                path.append(path[-1] - lr * grad(theta0))
            return np.array(path)
    ''', "the gradient evaluated at θ₀ at every step"),
    Answer("06.gradient_descent", "fail", '''
        def gradient_descent(grad, theta0, lr, steps):
            path = [np.array(theta0, dtype=float)]
            for _ in range(steps):
                new = path[-1] - lr * grad(path[-1])
                if np.linalg.norm(new) > 1e3 * (1 + np.linalg.norm(path[0])):
                    break
                path.append(new)
            return np.array(path)
    ''', "stops when the path grows far (the requirement 'keep stepping')", message=("keep stepping",)),
    Answer("06.gradient_descent", "fail", '''
        def gradient_descent(grad, theta0, lr, steps):
            path = [np.array(theta0, dtype=float)]
            for _ in range(steps):
                new = path[-1] - lr * grad(path[-1])
                path.append(np.clip(new, -1e6, 1e6))
            return np.array(path)
    ''', "clips the iterates to guard against divergence"),
    Answer("06.gradient_descent", "fail", '''
        def gradient_descent(grad, theta0, lr, steps):
            path = [np.array(theta0, dtype=float)]
            for _ in range(steps):
                path.append(path[-1] - lr * grad(path[-1]))
            return np.array(path).ravel()
    ''', "a flat array instead of (steps + 1, n)", message=("reshape",)),
    Answer("06.gradient_descent", "flagged", '''
        from dlcourse.optim import minimize

        def gradient_descent(grad, theta0, lr, steps):
            return minimize(lambda t: 0.0, theta0, "sgd", steps, grad=grad, lr=lr).path
    ''', "calls dlcourse.optim.minimize"),
    # ------------------------------------------------------------------ 06.stability
    Answer("06.stability", "pass", '''
        def max_stable_lr(H):
            return float(2 / np.max(np.linalg.eigvals(np.asarray(H)).real))
    ''', "np.linalg.eigvals (general eigenvalues), real part"),
    Answer("06.stability", "pass", '''
        def max_stable_lr(H):
            return 2.0 / np.linalg.norm(H, 2)
    ''', "the spectral norm equals λ_max for a positive definite H"),
    Answer("06.stability", "pass", '''
        def max_stable_lr(H):
            lam = np.linalg.eigvalsh(np.asarray(H, dtype=np.float32))
            return np.float32(2) / lam.max()
    ''', "float32 eigenvalues: judged at float32 precision"),
    Answer("06.stability", "pass", '''
        import torch

        def max_stable_lr(H):
            lam = torch.linalg.eigvalsh(torch.as_tensor(H, dtype=torch.float64))
            return 2 / lam.max()
    ''', "torch.linalg.eigvalsh, a 0-d tensor"),
    Answer("06.stability", "fail", '''
        def max_stable_lr(H):
            return 1.0 / np.linalg.eigvalsh(H).max()
    ''', "1/λ_max instead of 2/λ_max", message=("twice",)),
    Answer("06.stability", "fail", '''
        def max_stable_lr(H):
            return 2.0 / np.linalg.eigvalsh(H).min()
    ''', "the smallest eigenvalue", message=("largest curvature",)),
    Answer("06.stability", "fail", '''
        def max_stable_lr(H):
            return 2.0 / np.max(np.diag(H))
    ''', "the diagonal instead of the eigenvalues", message=("diagonal",)),
    Answer("06.stability", "fail", '''
        def max_stable_lr(H):
            return 2.0 / np.trace(H)
    ''', "the trace", message=("trace",)),
    # ------------------------------------------------------------------ 06.init_std
    Answer("06.init_std", "pass", '''
        def init_std(fan_in, fan_out, scheme):
            variance = {"glorot": 2 / (fan_in + fan_out), "he": 2 / fan_in}[scheme]
            return variance ** 0.5
    ''', "a dict of variances, ** 0.5"),
    Answer("06.init_std", "pass", '''
        def init_std(fan_in, fan_out, scheme):
            if scheme.lower() == "he":
                return np.sqrt(2.0 / fan_in)
            return np.sqrt(1.0 / ((fan_in + fan_out) / 2))
    ''', "np.sqrt, Glorot written as 1/mean of the fans"),
    Answer("06.init_std", "pass", '''
        def init_std(fan_in, fan_out, scheme):
            a = math.sqrt(6 / (fan_in + fan_out)) if scheme == "glorot" else math.sqrt(6 / fan_in)
            return np.float32(a / math.sqrt(3))
    ''', "from the uniform bound a = √3·σ, returned as float32"),
    Answer("06.init_std", "fail", '''
        def init_std(fan_in, fan_out, scheme):
            if scheme == "glorot":
                return 2 / (fan_in + fan_out)
            return 2 / fan_in
    ''', "the variance instead of the standard deviation", message=("variance",)),
    Answer("06.init_std", "fail", '''
        def init_std(fan_in, fan_out, scheme):
            if scheme == "glorot":
                return math.sqrt(2 / (fan_in + fan_out))
            return math.sqrt(2 / fan_out)
    ''', "He with fan_out", message=("fan_in",)),
    Answer("06.init_std", "fail", '''
        def init_std(fan_in, fan_out, scheme):
            if scheme == "glorot":
                return math.sqrt(6 / (fan_in + fan_out))
            return math.sqrt(6 / fan_in)
    ''', "the uniform bound instead of σ", message=("uniform",)),
    Answer("06.init_std", "fail", '''
        def init_std(fan_in, fan_out, scheme):
            return math.sqrt(2 / (fan_in + fan_out))
    ''', "ignores the scheme: Glorot for both", message=("σ² = 2/fan_in",)),
    Answer("06.init_std", "flagged", '''
        from dlcourse import init

        def init_std(fan_in, fan_out, scheme):
            make = init.glorot_normal if scheme == "glorot" else init.he_normal
            return float(make(fan_in, fan_out, np.random.default_rng(0)).std())
    ''', "samples with dlcourse.init, which the exercise forbids"),

    # ------------------------------------------------------------------ further styles and slips
    Answer("06.gd_step", "pass", '''
        import torch

        def gd_step(w, lr):
            w = torch.tensor(w, dtype=torch.float32)
            w_new = w - lr * (4 * w - 8)
            return w_new, (w_new - 1) ** 2 + (w_new - 3) ** 2
    ''', "a pair of 0-d float32 torch tensors: judged at float32 precision"),
    Answer("06.gd_step", "pass", '''
        def gd_step(w, lr):
            w_new = np.array(w - lr * (4 * w - 8))
            return (w_new, np.array(np.sum((w_new - np.array([1.0, 3.0])) ** 2)))
    ''', "two 0-d numpy arrays, the loss as a sum over the two squares"),
    Answer("06.gd_step", "fail", '''
        def gd_step(w, lr):
            w_new = w - lr * (4 * w - 8)
            return w_new, 2 * (w_new - 2) ** 2
    ''', "the loss without its constant 2 (2(w − 2)² + 2 is f)", message=("its loss f(w_new)",)),
    Answer("06.gd_step", "fail", '''
        def gd_step(w, lr):
            w_new = w - lr * (4 * w - 8)
            return w_new, 2.72
    ''', "the worked example's loss hard-coded", message=("its loss f(w_new)",)),
    Answer("06.gradient_descent", "pass", '''
        import torch

        def gradient_descent(grad, theta0, lr, steps):
            theta = torch.as_tensor(np.array(theta0, dtype=np.float64))
            path = [theta.clone()]
            with torch.no_grad():
                for _ in range(steps):
                    g = torch.as_tensor(np.asarray(grad(theta.numpy())))
                    theta.sub_(lr * g)
                    path.append(theta.clone())
            return torch.stack(path)
    ''', "torch float64 tensors updated in place under no_grad, clones stacked"),
    Answer("06.gradient_descent", "pass", '''
        import itertools

        def gradient_descent(grad, theta0, lr, steps):
            def iterates(theta):
                while True:
                    yield theta
                    theta = theta - lr * np.asarray(grad(theta))
            return np.array(list(itertools.islice(iterates(np.asarray(theta0, dtype=float)), steps + 1)))
    ''', "an endless generator of iterates, cut with itertools.islice"),
    Answer("06.gradient_descent", "pass", '''
        def gradient_descent(grad, theta0, lr, steps):
            theta = np.asarray(theta0, dtype=np.float32)
            path = [theta]
            for _ in range(steps):
                theta = (theta - np.float32(lr) * np.asarray(grad(theta), dtype=np.float32)).astype(np.float32)
                path.append(theta)
            return np.stack(path)
    ''', "every iterate computed in float32 (the text allows it), also on the path that grows to 10⁹"),
    Answer("06.gradient_descent", "fail", '''
        def gradient_descent(grad, theta0, lr, steps):
            path = [np.array(theta0, dtype=float)]
            for _ in range(steps):
                path.append(path[-1] - lr * grad(path[-1]))
            path = np.array(path)
            return path[:, 0] if path.shape[1] == 1 else path
    ''', "special-cases n = 1 and returns a 1-D path", message=("reshape",)),
    Answer("06.gradient_descent", "fail", '''
        def gradient_descent(grad, theta0, lr, steps):
            path = [np.array(theta0, dtype=float)]
            for _ in range(steps):
                g = np.asarray(grad(path[-1]))
                if np.linalg.norm(g) < 1e-3:
                    break
                path.append(path[-1] - lr * g)
            return np.array(path)
    ''', "stops early once the gradient is small: the text asks for exactly `steps` steps"),
    Answer("06.stability", "pass", '''
        def max_stable_lr(H):
            return 2 / max(np.linalg.svd(np.asarray(H), compute_uv=False))
    ''', "the largest singular value (λ_max of a positive definite H)"),
    Answer("06.stability", "pass", '''
        import torch

        def max_stable_lr(H):
            lam = torch.linalg.eigvalsh(torch.tensor(np.asarray(H), dtype=torch.float32))
            return 2.0 / lam[-1]
    ''', "float32 torch eigenvalues (ascending), a 0-d float32 tensor"),
    Answer("06.stability", "fail", '''
        def max_stable_lr(H):
            return 2.0 / np.linalg.norm(H)
    ''', "the Frobenius norm, not λ_max"),
    Answer("06.stability", "fail", '''
        def max_stable_lr(H):
            return float(2.0 / np.abs(np.asarray(H)).max())
    ''', "the largest entry of H, right only for a diagonal H", message=("diagonal",)),
    Answer("06.init_std", "pass", '''
        import torch

        def init_std(fan_in, fan_out, scheme):
            fans = fan_in if scheme.startswith("h") else (fan_in + fan_out) / 2
            return torch.sqrt(torch.tensor(1.0 / fans * (2 if scheme.startswith("h") else 1)))
    ''', "a 0-d float32 torch tensor, the schemes told apart by their first letter"),
    Answer("06.init_std", "fail", '''
        def init_std(fan_in, fan_out, scheme):
            if scheme == "glorot":
                return math.sqrt(2 / (fan_in + fan_out))
            return math.sqrt(1 / fan_in)
    ''', "LeCun's σ = √(1/fan_in) for He", message=("zeroes half",)),
    Answer("06.init_std", "fail", '''
        def init_std(fan_in, fan_out, scheme):
            if scheme == "glorot":
                return math.sqrt(1 / (fan_in + fan_out))
            return math.sqrt(2 / fan_in)
    ''', "Glorot without the factor 2"),
    Answer("06.init_std", "flagged", '''
        from dlcourse.init import he_normal as sample_he, glorot_normal as sample_glorot

        def init_std(fan_in, fan_out, scheme):
            make = sample_glorot if scheme == "glorot" else sample_he
            return float(make(fan_in, fan_out, np.random.default_rng(0)).std())
    ''', "samples with dlcourse.init through aliased from-imports"),
    Answer("06.gd_step", "pass", '''
        import torch

        def gd_step(w, lr):
            w = torch.tensor([w], dtype=torch.float64, requires_grad=True)
            loss = ((w - 1) ** 2 + (w - 3) ** 2).sum()
            loss.backward()
            with torch.no_grad():
                w_new = w - lr * w.grad
            return w_new, (w_new - 1) ** 2 + (w_new - 3) ** 2
    ''', "autograd on a 1-element tensor: a pair of tensors of one element each"),
    Answer("06.stability", "pass", '''
        def max_stable_lr(H):
            H = np.asarray(H, dtype=float)
            x = np.ones(len(H))
            for _ in range(200):
                x = H @ x
                x = x / np.linalg.norm(x)
            return 2 / (x @ H @ x)
    ''', "λ_max by power iteration and the Rayleigh quotient"),
    Answer("06.init_std", "pass", '''
        import torch

        def init_std(fan_in, fan_out, scheme):
            fans = fan_in + fan_out if scheme == "glorot" else fan_in
            return torch.sqrt(torch.tensor(2.0 / fans)).item()
    ''', "a float32 torch result turned into a Python float with .item(): still judged at float32 precision"),
    Answer("06.gd_step", "pass", '''
        import torch

        def gd_step(w, lr):
            w = torch.tensor(w, requires_grad=True)
            f = (w - 1) ** 2 + (w - 3) ** 2
            f.backward()
            w_new = (w - lr * w.grad).detach()
            return w_new.item(), ((w_new - 1) ** 2 + (w_new - 3) ** 2).item()
    ''', "float32 autograd, both numbers returned with .item()"),
    Answer("06.gradient_descent", "pass", '''
        import torch

        def gradient_descent(grad, theta0, lr, steps):
            theta = torch.tensor(theta0, dtype=torch.float32)
            path = [theta.tolist()]
            for _ in range(steps):
                theta = theta - lr * torch.as_tensor(grad(theta.numpy().astype(float)), dtype=torch.float32)
                path.append(theta.tolist())
            return path
    ''', "float32 torch iterates, the path as .tolist() rows"),
    Answer("06.stability", "fail", '''
        import torch

        def max_stable_lr(H):
            return float(1 / torch.linalg.eigvalsh(torch.tensor(H, dtype=torch.float32)).max())
    ''', "1/λ_max in float32, returned as a Python float", message=("twice",)),
]
