"""Alternative answers for ``solutions/09_adaptive.ipynb`` (format: ``tests/answers/__init__.py``)."""

from . import Answer

ANSWERS = [
    # ------------------------------------------------------------------ 09.adagrad_step
    Answer("09.adagrad_step", "pass", '''
        def adagrad_step(theta, grad, s, lr, eps):
            s += np.square(grad)
            theta -= lr * grad / (np.sqrt(s) + eps)
            return theta, s
    ''', "in place, np.square"),
    Answer("09.adagrad_step", "pass", '''
        def adagrad_step(theta, grad, s, lr, eps):
            s_new = s + grad ** 2
            rate = lr / (s_new ** 0.5 + eps)
            return [theta - rate * grad, s_new]
    ''', "a per-weight rate, a list returned"),
    Answer("09.adagrad_step", "pass", '''
        import torch

        def adagrad_step(theta, grad, s, lr, eps):
            th, g, st = (torch.from_numpy(np.asarray(a, dtype=np.float64)) for a in (theta, grad, s))
            st = st + g * g
            return th - lr * g / (st.sqrt() + eps), st
    ''', "torch tensors in float64"),
    Answer("09.adagrad_step", "pass", '''
        def adagrad_step(theta, grad, s, lr, eps):
            theta, grad, s = (np.asarray(a, dtype=np.float32) for a in (theta, grad, s))
            s = s + grad * grad
            return theta - np.float32(lr) * grad / (np.sqrt(s) + np.float32(eps)), s
    ''', "computed in float32: one step needs no more precision"),
    Answer("09.adagrad_step", "fail", '''
        def adagrad_step(theta, grad, s, lr, eps):
            s = s + grad * grad
            return theta - lr * grad / np.sqrt(s + eps), s
    ''', "ε inside the square root", message=("outside the square root",)),
    Answer("09.adagrad_step", "fail", '''
        def adagrad_step(theta, grad, s, lr, eps):
            return theta - lr * grad / (np.sqrt(s) + eps), s + grad * grad
    ''', "θ steps with the old sum", message=("old sum",)),
    Answer("09.adagrad_step", "fail", '''
        def adagrad_step(theta, grad, s, lr, eps):
            s = grad * grad
            return theta - lr * grad / (np.sqrt(s) + eps), s
    ''', "no accumulation", message=("accumulates",)),
    Answer("09.adagrad_step", "fail", '''
        def adagrad_step(theta, grad, s, lr, eps):
            s = s + grad * grad
            return theta - lr * grad / np.sqrt(s), s
    ''', "ignores ε"),
    # ------------------------------------------------------------------ 09.rmsprop_step
    Answer("09.rmsprop_step", "pass", '''
        def rmsprop_step(theta, grad, s, lr, beta, eps):
            s *= beta
            s += (1 - beta) * grad ** 2
            theta -= lr * grad / (np.sqrt(s) + eps)
            return theta, s
    ''', "in place"),
    Answer("09.rmsprop_step", "pass", '''
        def rmsprop_step(theta, grad, s, lr, beta, eps):
            s = s + (1 - beta) * (grad * grad - s)
            return theta - lr * grad / (np.sqrt(s) + eps), s
    ''', "the leaky average written as s + (1 − β)(g² − s)"),
    Answer("09.rmsprop_step", "pass", '''
        def rmsprop_step(theta, grad, s, lr, beta, eps):
            def leaky(old, new):
                return beta * old + (1 - beta) * new

            s = leaky(s, np.square(grad))
            return theta - lr * grad / (np.sqrt(s) + eps), s
    ''', "a helper function"),
    Answer("09.rmsprop_step", "fail", '''
        def rmsprop_step(theta, grad, s, lr, beta, eps):
            s = (1 - beta) * s + beta * grad * grad
            return theta - lr * grad / (np.sqrt(s) + eps), s
    ''', "β and 1 − β swapped", message=("β weighs the past",)),
    Answer("09.rmsprop_step", "fail", '''
        def rmsprop_step(theta, grad, s, lr, beta, eps):
            s = beta * s + grad * grad
            return theta - lr * grad / (np.sqrt(s) + eps), s
    ''', "no 1 − β", message=("1 − β",)),
    Answer("09.rmsprop_step", "fail", '''
        def rmsprop_step(theta, grad, s, lr, beta, eps):
            s = beta * s + (1 - beta) * grad * grad
            return theta - lr * grad / np.sqrt(s + eps), s
    ''', "ε inside the square root", message=("outside the square root",)),
    Answer("09.rmsprop_step", "fail", '''
        def rmsprop_step(theta, grad, s, lr, beta, eps):
            s_new = beta * s + (1 - beta) * grad * grad
            return theta - lr * grad / (np.sqrt(s) + eps), s_new
    ''', "θ steps with the old average", message=("old average",)),
    # ------------------------------------------------------------------ 09.adam_step
    Answer("09.adam_step", "pass", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            theta -= lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
            return theta, m, v
    ''', "in place"),
    Answer("09.adam_step", "pass", '''
        import math

        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * np.square(grad)
            c1, c2 = 1 - math.pow(beta1, t), 1 - math.pow(beta2, t)
            step = lr / c1 * m / (np.sqrt(v) / math.sqrt(c2) + eps)
            return theta - step, m, v
    ''', "bias corrections as python floats, √v̂ written as √v/√c2"),
    Answer("09.adam_step", "pass", '''
        import torch

        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            th, g, mt, vt = (torch.as_tensor(a) for a in (theta, grad, m, v))
            mt = mt.mul(beta1).add(g, alpha=1 - beta1)
            vt = vt.mul(beta2).addcmul(g, g, value=1 - beta2)
            denom = (vt / (1 - beta2 ** t)).sqrt().add(eps)
            return th - lr * (mt / (1 - beta1 ** t)) / denom, mt, vt
    ''', "torch's tensor methods, float64"),
    Answer("09.adam_step", "pass", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            f = np.float32
            theta, grad, m, v = (np.asarray(a, dtype=f) for a in (theta, grad, m, v))
            m = f(beta1) * m + f(1 - beta1) * grad
            v = f(beta2) * v + f(1 - beta2) * grad * grad
            m_hat, v_hat = m / f(1 - beta1 ** t), v / f(1 - beta2 ** t)
            return theta - f(lr) * m_hat / (np.sqrt(v_hat) + f(eps)), m, v
    ''', "computed in float32: one step needs no more precision"),
    Answer("09.adam_step", "fail", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            m_hat, v_hat = m / (1 - beta1), v / (1 - beta2)
            return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    ''', "the lecture's erratum: no power t", message=("power t",)),
    Answer("09.adam_step", "fail", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            return theta - lr * m / (np.sqrt(v) + eps), m, v
    ''', "no bias correction", message=("bias correction",)),
    Answer("09.adam_step", "fail", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
            return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat
    ''', "returns the corrected moments instead of m and v"),
    Answer("09.adam_step", "fail", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
            return theta - lr * m_hat / np.sqrt(v_hat + eps), m, v
    ''', "ε inside the square root", message=("ε inside the square root",)),
    Answer("09.adam_step", "fail", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            m = beta2 * m + (1 - beta2) * grad
            v = beta1 * v + (1 - beta1) * grad * grad
            m_hat, v_hat = m / (1 - beta2 ** t), v / (1 - beta1 ** t)
            return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    ''', "β1 and β2 swapped", message=("swapped",)),
    Answer("09.adam_step", "fail", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            m_hat, v_hat = m / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))
            return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    ''', "the powers off by one", message=("off by one",)),
    # ------------------------------------------------------------------ 09.adam_torch
    Answer("09.adam_torch", "pass", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad ** 2
            m_hat = m / (1 - beta1 ** t)
            v_hat = v / (1 - beta2 ** t)
            return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    ''', "the formulas, new arrays"),
    Answer("09.adam_torch", "pass", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            m[...] = beta1 * m + (1 - beta1) * grad
            v[...] = beta2 * v + (1 - beta2) * grad * grad
            bias1, bias2 = 1 - beta1 ** t, 1 - beta2 ** t
            theta -= (lr / bias1) * m / (np.sqrt(v) / np.sqrt(bias2) + eps)
            return theta, m, v
    ''', "in place, PyTorch's own arrangement of the corrections"),
    Answer("09.adam_torch", "pass", '''
        import torch

        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            th, g, mt, vt = (torch.tensor(a, dtype=torch.float64) for a in (theta, grad, m, v))
            mt = beta1 * mt + (1 - beta1) * g
            vt = beta2 * vt + (1 - beta2) * g * g
            th = th - lr * (mt / (1 - beta1 ** t)) / (torch.sqrt(vt / (1 - beta2 ** t)) + eps)
            return th, mt, vt
    ''', "torch tensors in float64"),
    Answer("09.adam_torch", "fail", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            m_hat, v_hat = m / (1 - beta1), v / (1 - beta2)
            return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    ''', "no power t: right at t = 1 only", message=("power t",)),
    Answer("09.adam_torch", "fail", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
            return theta - lr * m_hat / np.sqrt(v_hat + eps), m, v
    ''', "ε inside the square root: shows where gradients are tiny", message=("ε inside",)),
    Answer("09.adam_torch", "fail", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            step = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
            return theta - step * m / (np.sqrt(v) + eps), m, v
    ''', "the paper's efficient form: ε on the uncorrected √v", message=("efficient",)),
    Answer("09.adam_torch", "fail", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            m = beta1 * m + (1 - beta1) * grad
            v = np.maximum(beta2 * v, np.abs(grad))
            return theta - lr / (1 - beta1 ** t) * m / (v + eps), m, v
    ''', "AdaMax (an infinity-norm v) in place of Adam"),
    Answer("09.adam_torch", "pass", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            f = np.float32
            theta, grad, m, v = (np.asarray(a, dtype=f) for a in (theta, grad, m, v))
            m = f(beta1) * m + f(1 - beta1) * grad
            v = f(beta2) * v + f(1 - beta2) * grad * grad
            m_hat, v_hat = m / f(1 - beta1 ** t), v / f(1 - beta2 ** t)
            return theta - f(lr) * m_hat / (np.sqrt(v_hat) + f(eps)), m, v
    ''', "computed in float32 at every step: the runs stay within float32 precision"),
    # ------------------------------------------------------------------ 09.adamw_step
    Answer("09.adamw_step", "pass", '''
        def adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
            theta = theta - lr * weight_decay * theta
            return adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps)
    ''', "the decay, then the notebook's adam_step"),
    Answer("09.adamw_step", "pass", '''
        def adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad ** 2
            update = (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
            theta *= 1 - lr * weight_decay
            theta -= lr * update
            return theta, m, v
    ''', "written out, θ decayed in place"),
    Answer("09.adamw_step", "pass", '''
        import torch

        def adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
            p = torch.tensor(theta, requires_grad=True)
            opt = torch.optim.AdamW([p], lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)
            opt.step()  # creates the state
            with torch.no_grad():
                p.copy_(torch.as_tensor(theta))
            state = opt.state[p]
            state["step"] = torch.tensor(float(t - 1))
            state["exp_avg"] = torch.tensor(m)
            state["exp_avg_sq"] = torch.tensor(v)
            p.grad = torch.as_tensor(grad)
            opt.step()
            return p.detach().numpy(), state["exp_avg"].numpy(), state["exp_avg_sq"].numpy()
    ''', "torch.optim.AdamW itself, its state set to the given moments"),
    Answer("09.adamw_step", "fail", '''
        def adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
            return adam_step(theta, grad + weight_decay * theta, m, v, t, lr, beta1, beta2, eps)
    ''', "Adam with an L2 penalty", message=("L2 penalty",)),
    Answer("09.adamw_step", "fail", '''
        def adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
            return adam_step(theta * (1 - weight_decay), grad, m, v, t, lr, beta1, beta2, eps)
    ''', "decay without the learning rate", message=("multiplied by the learning rate",)),
    Answer("09.adamw_step", "fail", '''
        def adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
            theta, m, v = adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps)
            return theta * (1 - lr * weight_decay), m, v
    ''', "decays the θ after the step", message=("before the step",)),
    Answer("09.adamw_step", "fail", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            return theta - lr * (m / (1 - beta1)) / (np.sqrt(v / (1 - beta2)) + eps), m, v

        def adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
            return adam_step(theta * (1 - lr * weight_decay), grad, m, v, t, lr, beta1, beta2, eps)
    ''', "a right decay on a wrong adam_step (no power t): the message names adam_step",
        message=("adam_step",)),
    # ------------------------------------------------------------------ more styles
    Answer("09.adam_torch", "pass", '''
        import torch

        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            th, g, mt, vt = (torch.tensor(a, dtype=torch.float32) for a in (theta, grad, m, v))
            mt = beta1 * mt + (1 - beta1) * g
            vt = beta2 * vt + (1 - beta2) * g * g
            return th - lr * (mt / (1 - beta1 ** t)) / ((vt / (1 - beta2 ** t)).sqrt() + eps), mt, vt
    ''', "float32 torch tensors at every step"),
    Answer("09.adagrad_step", "fail", '''
        def adagrad_step(theta, grad, s, lr, eps):
            s = s + grad * grad
            return theta - lr * grad / np.sqrt(s) + eps, s
    ''', "operator precedence: ε added to θ, not to the denominator"),
    Answer("09.rmsprop_step", "fail", '''
        def rmsprop_step(theta, grad, s, lr, beta, eps):
            s = (1 - beta) * grad * grad
            return theta - lr * grad / (np.sqrt(s) + eps), s
    ''', "ignores the given average s"),
    Answer("09.adamw_step", "fail", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
            return theta - lr * m_hat / np.sqrt(v_hat + eps), m, v

        def adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
            return adam_step(theta * (1 - lr * weight_decay), grad, m, v, t, lr, beta1, beta2, eps)
    ''', "a right decay on an adam_step with ε inside the root: the message names adam_step",
        message=("09.adam_step",)),

    # ------------------------------------------------------------------ further styles and slips
    Answer("09.adagrad_step", "pass", '''
        import torch

        def adagrad_step(theta, grad, s, lr, eps):
            theta, g, s = (torch.tensor(a, dtype=torch.float32) for a in (theta, grad, s))
            s.addcmul_(g, g)
            theta.addcdiv_(g, s.sqrt().add_(eps), value=-lr)
            return theta, s
    ''', "float32 torch tensors, addcmul_ and addcdiv_ in place (torch's own Adagrad arithmetic)"),
    Answer("09.adagrad_step", "pass", '''
        def adagrad_step(theta, grad, s, lr, eps):
            theta, s = theta.copy(), s.copy()
            for idx in np.ndindex(theta.shape):
                s[idx] += grad[idx] ** 2
                theta[idx] -= lr * grad[idx] / (s[idx] ** 0.5 + eps)
            return theta, s
    ''', "element by element with np.ndindex"),
    Answer("09.adagrad_step", "fail", '''
        def adagrad_step(theta, grad, s, lr, eps):
            new_s = s + grad * grad
            return theta - lr * grad / (np.sqrt(new_s) + eps), s
    ''', "θ right, but returns the old sum"),
    Answer("09.adagrad_step", "fail", '''
        def adagrad_step(theta, grad, s, lr, eps):
            s = s + grad ** 2
            return theta - lr * grad / (s + eps), s
    ''', "divides by s, not √s", message=("square root",)),
    Answer("09.rmsprop_step", "pass", '''
        import torch

        def rmsprop_step(theta, grad, s, lr, beta, eps):
            theta, g, s = (torch.from_numpy(a) for a in (theta, grad, s))
            s.mul_(beta).addcmul_(g, g, value=1 - beta)
            theta.addcdiv_(g, s.sqrt().add(eps), value=-lr)
            return theta, s
    ''', "torch in place on the arrays given (float64; the text allows in-place updates)"),
    Answer("09.rmsprop_step", "pass", '''
        def rmsprop_step(theta, grad, s, lr, beta, eps):
            s = np.average(np.stack([s, grad * grad]), axis=0, weights=[beta, 1 - beta])
            rate = lr / (np.sqrt(s) + eps)
            return theta - rate * grad, s
    ''', "the leaky average as np.average with weights β, 1 − β; a per-weight rate"),
    Answer("09.rmsprop_step", "fail", '''
        def rmsprop_step(theta, grad, s, lr, beta, eps):
            s = s + grad * grad
            return theta - lr * grad / (np.sqrt(s) + eps), s
    ''', "AdaGrad's running sum instead of the leaky average", message=("AdaGrad",)),
    Answer("09.rmsprop_step", "fail", '''
        def rmsprop_step(theta, grad, s, lr, beta, eps):
            s = beta * s + (1 - beta) * np.abs(grad)
            return theta - lr * grad / (np.sqrt(s) + eps), s
    ''', "averages |g| instead of g ⊙ g"),
    Answer("09.adam_step", "pass", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad ** 2
            return theta - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v
    ''', "the step written as one expression"),
    Answer("09.adam_step", "pass", '''
        import torch

        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            th, g, mt, vt = (torch.tensor(a, dtype=torch.float32) for a in (theta, grad, m, v))
            mt.lerp_(g, 1 - beta1)
            vt.mul_(beta2).addcmul_(g, g, value=1 - beta2)
            bc1, bc2 = 1 - beta1 ** t, 1 - beta2 ** t
            denom = (vt.sqrt() / bc2 ** 0.5).add_(eps)
            th.addcdiv_(mt, denom, value=-lr / bc1)
            return th, mt, vt
    ''', "torch's own Adam arithmetic in float32: lerp_, the correction folded into the step size"),
    Answer("09.adam_step", "fail", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            t = 1
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
            return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    ''', "ignores the t given: corrects every step as the first", message=("power t",)),
    Answer("09.adam_step", "fail", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            m_hat, v_hat = m / (1 - beta1 ** (t - 1)), v / (1 - beta2 ** (t - 1))
            return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    ''', "the correction with t counted from 0: 1 − β⁰ = 0 at the first step", message=("t starts at 1",)),
    Answer("09.adam_step", "fail", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            m = m / (1 - beta1 ** t)
            return theta - lr * m / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v
    ''', "returns the corrected m̂ as m (v is right)"),
    Answer("09.adam_torch", "pass", '''
        import torch

        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            p = torch.tensor(theta, dtype=torch.float64)
            opt = torch.optim.Adam([p], lr=lr, betas=(beta1, beta2), eps=eps)
            opt.state[p] = {"step": torch.tensor(float(t - 1)), "exp_avg": torch.tensor(m),
                            "exp_avg_sq": torch.tensor(v)}
            p.grad = torch.tensor(grad)
            opt.step()
            state = opt.state[p]
            return p.detach(), state["exp_avg"], state["exp_avg_sq"]
    ''', "torch.optim.Adam itself for one step, its state set to the given moments and t − 1"),
    Answer("09.adam_torch", "pass", '''
        import torch

        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            th, g, mt, vt = (torch.tensor(a, dtype=torch.float32) for a in (theta, grad, m, v))
            mt = beta1 * mt + (1 - beta1) * g
            vt = beta2 * vt + (1 - beta2) * g * g
            th = th - lr * (mt / (1 - beta1 ** t)) / ((vt / (1 - beta2 ** t)).sqrt() + eps)
            return th, mt, vt
    ''', "float32 torch tensors at every step of the run"),
    Answer("09.adam_torch", "fail", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta1 ** t)
            return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    ''', "v corrected with β1's power instead of β2's"),    Answer("09.adam_torch", "fail", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            m = beta1 * m + (1 - beta1) * grad
            v = np.maximum(v, beta2 * v + (1 - beta2) * grad * grad)
            m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
            return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    ''', "AMSGrad's running maximum of v in place of Adam's v"),
    Answer("09.adamw_step", "pass", '''
        def adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
            return theta - lr * weight_decay * theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    ''', "written out: θ − ηλθ − η m̂/(√v̂ + ε) in one expression"),
    Answer("09.adamw_step", "pass", '''
        import torch

        def adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
            th = torch.tensor(theta, dtype=torch.float32)
            th.mul_(1 - lr * weight_decay)
            return adam_step(th, torch.tensor(grad, dtype=torch.float32), torch.tensor(m, dtype=torch.float32),
                             torch.tensor(v, dtype=torch.float32), t, lr, beta1, beta2, eps)
    ''', "float32 torch tensors decayed in place, then the notebook's adam_step"),
    Answer("09.adamw_step", "fail", '''
        def adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
            g = grad + weight_decay * theta
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
            return (1 - lr * weight_decay) * theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    ''', "both: λθ fed into the moments and the decoupled decay as well",
        message=("from g alone",)),
    Answer("09.adamw_step", "fail", '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            m_hat, v_hat = m / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))
            return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v

        def adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
            return adam_step((1 - lr * weight_decay) * theta, grad, m, v, t, lr, beta1, beta2, eps)
    ''', "a right decay on an adam_step with the powers off by one: the message names adam_step",
        message=("adam_step",)),
    Answer("09.adamw_step", "flagged", '''
        import dlcourse

        def adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
            theta = np.array(theta, dtype=float)
            state = {"step": t - 1, "exp_avg": np.array(m), "exp_avg_sq": np.array(v)}
            getattr(dlcourse.optim, "adamw")(theta, grad, state, lr=lr, betas=(beta1, beta2), eps=eps,
                                             weight_decay=weight_decay)
            return theta, state["exp_avg"], state["exp_avg_sq"]
    ''', "the library's adamw through getattr with a constant name"),
    Answer("09.adam_torch", "pass", '''
        import torch

        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            th, g, mt, vt = (torch.tensor(a, dtype=torch.float32) for a in (theta, grad, m, v))
            mt = beta1 * mt + (1 - beta1) * g
            vt = beta2 * vt + (1 - beta2) * g * g
            th = th - lr * (mt / (1 - beta1 ** t)) / ((vt / (1 - beta2 ** t)).sqrt() + eps)
            return th.tolist(), mt.tolist(), vt.tolist()
    ''', "float32 torch at every step, the results as lists (.tolist())"),
]
