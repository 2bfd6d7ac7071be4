"""Alternative answers for ``solutions/08_momentum.ipynb`` (format: ``tests/answers/__init__.py``)."""

from . import Answer

ANSWERS = [
    # ------------------------------------------------------------------ 08.momentum_step
    Answer("08.momentum_step", "pass", '''
        def momentum_step(theta, v, g, lr, beta):
            v *= beta
            v += g
            theta -= lr * v
            return theta, v
    ''', "in-place updates of the arguments"),
    Answer("08.momentum_step", "pass", '''
        def momentum_step(theta, v, g, lr, beta):
            new_v = np.add(np.multiply(beta, v), g)
            return [np.subtract(theta, lr * new_v), new_v]
    ''', "numpy ufuncs, a list instead of a tuple"),
    Answer("08.momentum_step", "pass", '''
        import torch

        def momentum_step(theta, v, g, lr, beta):
            t, vt, gt = (torch.as_tensor(a) for a in (theta, v, g))
            vt = beta * vt + gt
            return t - lr * vt, vt
    ''', "torch tensors (float64, as given)"),
    Answer("08.momentum_step", "pass", '''
        def momentum_step(theta, v, g, lr, beta):
            theta, v, g = (np.asarray(a, dtype=np.float32) for a in (theta, v, g))
            v = np.float32(beta) * v + g
            return theta - np.float32(lr) * v, v
    ''', "computed in float32: one step needs no more precision"),
    Answer("08.momentum_step", "fail", '''
        def momentum_step(theta, v, g, lr, beta):
            theta = theta - lr * v
            v = beta * v + g
            return theta, v
    ''', "θ moves with the old velocity", message=("old velocity",)),
    Answer("08.momentum_step", "fail", '''
        def momentum_step(theta, v, g, lr, beta):
            v = beta * v + (1 - beta) * g
            return theta - lr * v, v
    ''', "dampened (averaged) form", message=("damped",)),
    Answer("08.momentum_step", "fail", '''
        def momentum_step(theta, v, g, lr, beta):
            v = beta * v + lr * g
            return theta - v, v
    ''', "the classical form instead of PyTorch's", message=("classical form",)),
    Answer("08.momentum_step", "fail", '''
        def momentum_step(theta, v, g, lr, beta):
            new_v = beta * v + g
            return theta - lr * new_v, v
    ''', "returns the old velocity"),
    Answer("08.momentum_step", "fail", '''
        def momentum_step(theta, v, g, lr, beta):
            v = beta * v + g
            return theta + lr * v, v
    ''', "steps uphill", message=("uphill",)),
    # ------------------------------------------------------------------ 08.classical_step
    Answer("08.classical_step", "pass", '''
        def classical_momentum_step(theta, u, g, lr, gamma):
            u = gamma * u + lr * g
            theta = theta - u
            return (theta, u)
    ''', "straight from the formula"),
    Answer("08.classical_step", "pass", '''
        def classical_momentum_step(theta, u, g, lr, gamma):
            u *= gamma
            u += lr * g
            theta -= u
            return theta, u
    ''', "in place"),
    Answer("08.classical_step", "pass", '''
        def classical_momentum_step(theta, u, g, lr, gamma):
            new_u = np.array([gamma * ui + lr * gi for ui, gi in zip(u.ravel(), g.ravel())]).reshape(u.shape)
            return theta - new_u, new_u
    ''', "an element-by-element loop"),
    Answer("08.classical_step", "fail", '''
        def classical_momentum_step(theta, u, g, lr, gamma):
            u = gamma * u + g
            return theta - lr * u, u
    ''', "PyTorch's form instead of the classical one", message=("PyTorch's form",)),
    Answer("08.classical_step", "fail", '''
        def classical_momentum_step(theta, u, g, lr, gamma):
            u = gamma * u + (1 - gamma) * lr * g
            return theta - u, u
    ''', "a (1 − γ) factor", message=("(1 − γ)",)),
    Answer("08.classical_step", "fail", '''
        def classical_momentum_step(theta, u, g, lr, gamma):
            return theta - u, gamma * u + lr * g
    ''', "θ moves with the old u", message=("old velocity",)),
    Answer("08.classical_step", "fail", '''
        def classical_momentum_step(theta, u, g, lr, gamma):
            u = gamma * u - lr * g
            return theta + u, u
    ''', "the velocity with the other sign: θ right, u negated"),
    # ------------------------------------------------------------------ 08.nesterov_step
    Answer("08.nesterov_step", "pass", '''
        def nesterov_step(theta, v, grad_fn, lr, gamma):
            g = np.asarray(grad_fn(theta - gamma * v))
            v = gamma * v + lr * g
            return theta - v, v
    ''', "the look-ahead inline"),
    Answer("08.nesterov_step", "pass", '''
        def nesterov_step(theta, v, grad_fn, lr, gamma):
            def ahead(point, velocity):
                return point - gamma * velocity

            g = grad_fn(ahead(theta, v))
            v *= gamma
            v += lr * g
            theta -= v
            return theta, v
    ''', "a helper and in-place updates"),
    Answer("08.nesterov_step", "fail", '''
        def nesterov_step(theta, v, grad_fn, lr, gamma):
            v = gamma * v + lr * grad_fn(theta)
            return theta - v, v
    ''', "the gradient at θ: plain momentum", message=("look-ahead",)),
    Answer("08.nesterov_step", "fail", '''
        def nesterov_step(theta, v, grad_fn, lr, gamma):
            v = gamma * v + lr * grad_fn(theta + gamma * v)
            return theta - v, v
    ''', "look-ahead θ + γv", message=("θ − γv",)),
    Answer("08.nesterov_step", "fail", '''
        def nesterov_step(theta, v, grad_fn, lr, gamma):
            lookahead = theta
            lookahead -= gamma * v
            v = gamma * v + lr * grad_fn(lookahead)
            theta = theta - v
            return theta, v
    ''', "the look-ahead made in place moves θ itself"),
    Answer("08.nesterov_step", "fail", '''
        def nesterov_step(theta, v, grad_fn, lr, gamma):
            g = grad_fn(theta)
            v = gamma * v + g
            return theta - lr * (g + gamma * v), v
    ''', "PyTorch's nesterov=True update, another parametrisation"),
    # ------------------------------------------------------------------ 08.momentum_run
    Answer("08.momentum_run", "pass", '''
        def momentum_run(grad_fn, theta0, lr, beta, steps):
            theta = np.array(theta0, dtype=float)
            v = np.zeros_like(theta)
            path = np.empty((steps + 1, theta.size))
            path[0] = theta
            for t in range(1, steps + 1):
                v = beta * v + grad_fn(theta)
                theta = theta - lr * v
                path[t] = theta
            return path
    ''', "a preallocated array"),
    Answer("08.momentum_run", "pass", '''
        def momentum_run(grad_fn, theta0, lr, beta, steps):
            theta = np.array(theta0, dtype=float)
            v = np.zeros_like(theta)
            path = [theta.copy()]
            for _ in range(steps):
                theta, v = momentum_step(theta, v, grad_fn(theta), lr, beta)
                path.append(theta.copy())
            return path
    ''', "uses momentum_step, returns a list of arrays"),
    Answer("08.momentum_run", "pass", '''
        import torch

        def momentum_run(grad_fn, theta0, lr, beta, steps):
            p = torch.tensor(np.asarray(theta0, dtype=np.float64), requires_grad=True)
            opt = torch.optim.SGD([p], lr=lr, momentum=beta)
            path = [p.detach().clone()]
            for _ in range(steps):
                opt.zero_grad()
                p.grad = torch.as_tensor(grad_fn(p.detach().numpy().copy()))
                opt.step()
                path.append(p.detach().clone())
            return torch.stack(path).numpy()
    ''', "torch.optim.SGD itself, fed with grad_fn"),
    Answer("08.momentum_run", "pass", '''
        def momentum_run(grad_fn, theta0, lr, beta, steps):
            theta = np.array(theta0, dtype=float)
            v = np.zeros_like(theta)
            path = [theta.copy()]
            for _ in range(steps):
                g = grad_fn(theta)
                v *= beta
                v += g
                theta -= lr * v
                path.append(theta.copy())
            return np.vstack(path)
    ''', "in place, with copies in the path"),
    Answer("08.momentum_run", "fail", '''
        def momentum_run(grad_fn, theta0, lr, beta, steps):
            theta = np.array(theta0, dtype=float)
            v = np.zeros_like(theta)
            path = [theta]
            for _ in range(steps):
                v = beta * v + grad_fn(theta)
                theta -= lr * v
                path.append(theta)
            return np.array(path)
    ''', "appends the same array, updated in place"),
    Answer("08.momentum_run", "fail", '''
        def momentum_run(grad_fn, theta0, lr, beta, steps):
            theta = np.array(theta0, dtype=float)
            path = [theta.copy()]
            for _ in range(steps):
                v = np.zeros_like(theta)
                theta, v = momentum_step(theta, v, grad_fn(theta), lr, beta)
                path.append(theta.copy())
            return np.array(path)
    ''', "resets v to 0 at every step: plain gradient descent", message=("keep the velocity",)),
    Answer("08.momentum_run", "fail", '''
        def momentum_run(grad_fn, theta0, lr, beta, steps):
            theta = np.array(theta0, dtype=float)
            v = np.zeros_like(theta)
            path = []
            for _ in range(steps):
                theta, v = momentum_step(theta, v, grad_fn(theta), lr, beta)
                path.append(theta.copy())
            return np.array(path)
    ''', "leaves out θ_0", message=("starting point",)),
    Answer("08.momentum_run", "fail", '''
        def momentum_run(grad_fn, theta0, lr, beta, steps):
            theta = np.array(theta0, dtype=float)
            v = np.zeros_like(theta)
            path = [theta.copy()]
            for _ in range(steps):
                v = beta * v + (1 - beta) * grad_fn(theta)
                theta = theta - lr * v
                path.append(theta.copy())
            return np.array(path)
    ''', "dampening", message=("dampening",)),
    Answer("08.momentum_run", "fail", '''
        def momentum_step(theta, v, g, lr, beta):
            theta = theta - lr * v
            v = beta * v + g
            return theta, v

        def momentum_run(grad_fn, theta0, lr, beta, steps):
            theta = np.array(theta0, dtype=float)
            v = np.zeros_like(theta)
            path = [theta.copy()]
            for _ in range(steps):
                theta, v = momentum_step(theta, v, grad_fn(theta), lr, beta)
                path.append(theta.copy())
            return np.array(path)
    ''', "a right loop over a wrong momentum_step: the message names momentum_step",
        message=("momentum_step",)),
    # ------------------------------------------------------------------ 08.terminal_velocity
    Answer("08.terminal_velocity", "pass", '''
        def velocities(lr, gamma, g, steps):
            u = np.zeros_like(g)
            out = []
            for _ in range(steps):
                _, u = classical_momentum_step(np.zeros_like(g), u, g, lr, gamma)
                out.append(u)
            return np.array(out)
    ''', "runs the notebook's classical_momentum_step"),
    Answer("08.terminal_velocity", "pass", '''
        def velocities(lr, gamma, g, steps):
            return np.array([lr * g * sum(gamma ** k for k in range(t)) for t in range(1, steps + 1)])
    ''', "the partial sums of the series, term by term"),
    Answer("08.terminal_velocity", "pass", '''
        def velocities(lr, gamma, g, steps):
            t = np.arange(1, steps + 1, dtype=np.float32)[:, None]
            return np.float32(lr) * np.asarray(g, np.float32) * (1 - np.float32(gamma) ** t) / np.float32(1 - gamma)
    ''', "the closed form in float32"),
    Answer("08.terminal_velocity", "fail", '''
        def velocities(lr, gamma, g, steps):
            return np.array([lr * g / (1 - gamma)] * steps)
    ''', "the limit at every step", message=("only approaches it",)),
    Answer("08.terminal_velocity", "fail", '''
        def velocities(lr, gamma, g, steps):
            t = np.arange(steps)[:, None]
            return lr * g * (1 - gamma ** t) / (1 - gamma)
    ''', "starts with u_0 = 0", message=("not u_0 = 0",)),
    Answer("08.terminal_velocity", "fail", '''
        def velocities(lr, gamma, g, steps):
            t = np.arange(1, steps + 1)[:, None]
            return g * (1 - gamma ** t) / (1 - gamma)
    ''', "PyTorch's velocity, without η", message=("carries η",)),
    Answer("08.terminal_velocity", "fail", '''
        def velocities(lr, gamma, g, steps):
            u, out = np.zeros_like(g), []
            for _ in range(steps):
                u = gamma * u + (1 - gamma) * lr * g
                out.append(u.copy())
            return np.array(out)
    ''', "the averaged form: approaches ηg, not ηg/(1 − γ)"),
    # ------------------------------------------------------------------ more styles
    Answer("08.momentum_run", "pass", '''
        import torch

        def momentum_run(grad_fn, theta0, lr, beta, steps):
            p = torch.tensor(np.asarray(theta0), dtype=torch.float32, requires_grad=True)
            opt = torch.optim.SGD([p], lr=lr, momentum=beta)
            path = [p.detach().clone()]
            for _ in range(steps):
                p.grad = torch.as_tensor(grad_fn(p.detach().numpy().astype(float)), dtype=torch.float32)
                opt.step()
                path.append(p.detach().clone())
            return torch.stack(path)
    ''', "torch.optim.SGD on a float32 parameter, a stacked tensor returned"),
    Answer("08.momentum_run", "fail", '''
        def momentum_run(grad_fn, theta0, lr, beta, steps):
            theta = np.array(theta0, dtype=float)
            v = np.zeros_like(theta)
            path = [theta.copy()]
            for _ in range(steps):
                v = beta * v + grad_fn(theta - lr * beta * v)
                theta = theta - lr * v
                path.append(theta.copy())
            return np.array(path)
    ''', "a Nesterov-style look-ahead gradient in what should be plain momentum"),

    # ------------------------------------------------------------------ further styles and slips
    Answer("08.momentum_step", "pass", '''
        import torch

        def momentum_step(theta, v, g, lr, beta):
            theta = torch.as_tensor(theta, dtype=torch.float32)
            v = torch.as_tensor(v, dtype=torch.float32)
            v.mul_(beta).add_(torch.as_tensor(g, dtype=torch.float32))
            theta.add_(v, alpha=-lr)
            return theta, v
    ''', "float32 torch tensors, mul_/add_ in place"),
    Answer("08.momentum_step", "pass", '''
        def momentum_step(theta, v, g, lr, beta):
            np.multiply(beta, v, out=v)
            v += g
            theta -= lr * v
            return theta, v
    ''', "np.multiply(out=v), then in-place += and -="),
    Answer("08.momentum_step", "fail", '''
        def momentum_step(theta, v, g, lr, beta):
            v = beta * v + g
            return theta - lr * (g + beta * v), v
    ''', "PyTorch's nesterov=True step in place of plain momentum", message=("Nesterov",)),
    Answer("08.classical_step", "pass", '''
        import torch

        def classical_momentum_step(theta, u, g, lr, gamma):
            u = gamma * torch.from_numpy(u) + lr * torch.from_numpy(g)
            return torch.from_numpy(theta) - u, u
    ''', "torch tensors from numpy (float64)"),
    Answer("08.classical_step", "fail", '''
        def classical_momentum_step(theta, u, g, lr, gamma):
            u = gamma * u + lr * g
            return theta + u, u
    ''', "θ moves along +u: uphill", message=("uphill",)),
    Answer("08.nesterov_step", "pass", '''
        def nesterov_step(theta, v, grad_fn, lr, gamma):
            theta32, v32 = theta.astype(np.float32), v.astype(np.float32)
            v32 = np.float32(gamma) * v32 + np.float32(lr) * np.asarray(grad_fn(theta32 - np.float32(gamma) * v32), dtype=np.float32)
            return theta32 - v32, v32
    ''', "computed in float32"),
    Answer("08.nesterov_step", "fail", '''
        def nesterov_step(theta, v, grad_fn, lr, gamma):
            v = gamma * v + lr * grad_fn(theta - lr * v)
            return theta - v, v
    ''', "the look-ahead scaled by η instead of γ", message=("not by η",)),
    Answer("08.momentum_run", "pass", '''
        def momentum_run(grad_fn, theta0, lr, beta, steps):
            theta = np.array(theta0, dtype=float)
            u = np.zeros_like(theta)
            path = [theta.copy()]
            for _ in range(steps):
                u = beta * u + lr * grad_fn(theta)
                theta = theta - u
                path.append(theta.copy())
            return np.array(path)
    ''', "the classical form u = ηv: the same path for a constant η, as the chapter shows"),
    Answer("08.momentum_run", "pass", '''
        def momentum_run(grad_fn, theta0, lr, beta, steps):
            theta = np.array(theta0, dtype=float)
            v = np.zeros_like(theta)
            path = [theta.tolist()]
            t = 0
            while t < steps:
                theta, v = momentum_step(theta, v, grad_fn(theta), lr, beta)
                path.append(theta.tolist())
                t += 1
            return path
    ''', "a while loop, the path as a list of python lists"),
    Answer("08.momentum_run", "fail", '''
        def momentum_run(grad_fn, theta0, lr, beta, steps):
            theta = np.array(theta0, dtype=float)
            v = grad_fn(theta)
            path = [theta.copy()]
            for _ in range(steps):
                v = beta * v + grad_fn(theta)
                theta = theta - lr * v
                path.append(theta.copy())
            return np.array(path)
    ''', "v starts at the first gradient and that gradient is then added again: the text says v = 0", message=("start with v = 0",)),
    Answer("08.momentum_run", "fail", '''
        import torch

        def momentum_run(grad_fn, theta0, lr, beta, steps):
            p = torch.tensor(np.asarray(theta0, dtype=float), requires_grad=True)
            opt = torch.optim.SGD([p], lr=lr, momentum=beta, nesterov=True)
            path = [p.detach().clone()]
            for _ in range(steps):
                p.grad = torch.as_tensor(grad_fn(p.detach().numpy().copy()))
                opt.step()
                path.append(p.detach().clone())
            return torch.stack(path)
    ''', "torch.optim.SGD with nesterov=True", message=("Nesterov",)),
    Answer("08.momentum_run", "fail", '''
        import torch

        def momentum_run(grad_fn, theta0, lr, beta, steps):
            p = torch.tensor(np.asarray(theta0, dtype=float), requires_grad=True)
            opt = torch.optim.SGD([p], lr=lr, momentum=beta, dampening=beta)
            path = [p.detach().clone()]
            for _ in range(steps):
                p.grad = torch.as_tensor(grad_fn(p.detach().numpy().copy()))
                opt.step()
                path.append(p.detach().clone())
            return torch.stack(path)
    ''', "torch.optim.SGD with dampening=β (its first step is undamped)", message=("dampening",)),
    Answer("08.momentum_run", "flagged", '''
        from dlcourse import optim as course_optim

        def momentum_run(grad_fn, theta0, lr, beta, steps):
            return course_optim.minimize(lambda t: 0.0, theta0, "momentum", steps, grad=grad_fn, lr=lr,
                                         gamma=beta).path
    ''', "dlcourse.optim.minimize through an alias of the module"),
    Answer("08.terminal_velocity", "pass", '''
        def velocities(lr, gamma, g, steps):
            g = np.asarray(g, dtype=float)
            terms = np.array([gamma ** k * lr * g for k in range(steps)])
            return np.cumsum(terms, axis=0)
    ''', "the cumulative sum of the geometric terms"),
    Answer("08.terminal_velocity", "pass", '''
        import torch

        def velocities(lr, gamma, g, steps):
            t = torch.arange(1, steps + 1, dtype=torch.float64).reshape(-1, *([1] * np.ndim(g)))
            return lr * torch.as_tensor(g) * (1 - gamma ** t) / (1 - gamma)
    ''', "the closed form with torch in float64"),
    Answer("08.terminal_velocity", "fail", '''
        def velocities(lr, gamma, g, steps):
            t = np.arange(1, steps + 1).reshape(-1, 1)
            return lr * np.asarray(g) * t
    ''', "ignores γ's decay: ηg·t grows without bound"),
    Answer("08.terminal_velocity", "fail", '''
        def velocities(lr, gamma, g, steps):
            u, out = np.zeros_like(g), []
            for _ in range(steps):
                u = gamma * u + lr * g
                out.append(float(u.sum()))
            return np.array(out)
    ''', "one number per step instead of a velocity of g's shape", message=("one velocity per step",)),
    Answer("08.momentum_step", "pass", '''
        import torch

        def momentum_step(theta, v, g, lr, beta):
            th, vv, gg = (torch.tensor(a, dtype=torch.float32) for a in (theta, v, g))
            vv = beta * vv + gg
            return (th - lr * vv).tolist(), vv.tolist()
    ''', "float32 torch, both parts returned as nested lists (.tolist())"),
]
