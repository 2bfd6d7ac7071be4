"""Alternative answers for ``solutions/01_frameworks.ipynb`` (format: ``tests/answers/__init__.py``)."""

from . import Answer

ANSWERS = [
    # ------------------------------------------------------------------ 01.pairwise
    Answer("01.pairwise", "pass", '''
        def pairwise_sq_distances(X, Y):
            sq_x = (X**2).sum(dim=1, keepdim=True)
            sq_y = (Y**2).sum(dim=1)
            return sq_x - 2 * X @ Y.T + sq_y
    ''', "the matrix-product expansion ‖x‖² − 2x·y + ‖y‖² (float32 cancellation judged at float32 precision)"),
    Answer("01.pairwise", "pass", '''
        def pairwise_sq_distances(X, Y):
            return torch.cdist(X, Y) ** 2
    ''', "torch.cdist squared"),
    Answer("01.pairwise", "pass", '''
        def pairwise_sq_distances(X, Y):
            rows = []
            for i in range(X.shape[0]):
                rows.append(((X[i] - Y) ** 2).sum(dim=1))
            return torch.stack(rows)
    ''', "a loop over the rows of X, stacked"),
    Answer("01.pairwise", "pass", '''
        def pairwise_sq_distances(X, Y):
            diff = X.unsqueeze(1) - Y.unsqueeze(0)
            print("shape of the differences:", tuple(diff.shape))
            return torch.einsum("ijk,ijk->ij", diff, diff)
    ''', "einsum over the broadcast differences, with a print"),
    Answer("01.pairwise", "fail", '''
        def pairwise_sq_distances(X, Y):
            return torch.cdist(X, Y)
    ''', "distances, not squared distances", message=("their squares",)),
    Answer("01.pairwise", "fail", '''
        def pairwise_sq_distances(X, Y):
            diff = Y[:, None, :] - X[None, :, :]
            return (diff**2).sum(dim=-1)
    ''', "X and Y swapped: an (m, n) result", message=("transposed",)),
    Answer("01.pairwise", "fail", '''
        def pairwise_sq_distances(X, Y):
            a, b = X.cpu().numpy(), Y.cpu().numpy()
            return ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1)
    ''', "returns a numpy array, not a tensor on the inputs' device", message=("return a torch tensor",)),
    Answer("01.pairwise", "fail", '''
        def pairwise_sq_distances(X, Y):
            X, Y = X.float(), Y.float()
            return ((X[:, None, :] - Y[None, :, :]) ** 2).sum(dim=-1)
    ''', "computes in float32 whatever the inputs' dtype", message=("keep their dtype",)),
    Answer("01.pairwise", "fail", '''
        def pairwise_sq_distances(X, Y):
            return (X**2).sum(1)[:, None] + 2 * X @ Y.T + (Y**2).sum(1)[None, :]
    ''', "the sign of the cross term", message=("sign of the cross term",)),
    # ------------------------------------------------------------------ 01.autograd
    Answer("01.autograd", "pass", '''
        def autograd_example(w1, w2, x):
            w1.requires_grad_()
            w2.requires_grad_()
            x1 = w1 @ x
            x2 = x + w2 @ x1
            x3 = w1 @ (x1 + x2)
            q = x3.norm()
            g1, g2 = torch.autograd.grad(q, [w1, w2])
            return q.item(), g1, g2
    ''', "torch.autograd.grad on the given tensors (ignores any stale .grad)"),
    Answer("01.autograd", "pass", '''
        def autograd_example(w1, w2, x):
            for w in (w1, w2):
                w.requires_grad_()
                w.grad = None
            x0 = x
            x1 = w1 @ x0
            x2 = x0 + w2 @ x1
            x3 = w1 @ (x1 + x2)
            q = torch.sqrt((x3 * x3).sum())
            q.backward()
            return q, w1.grad, w2.grad
    ''', "resets .grad in place, q as a 0-d tensor, the norm written out"),
    Answer("01.autograd", "fail", '''
        def autograd_example(w1, w2, x):
            a = w1.detach().cpu().numpy().astype(np.float64)
            b = w2.detach().cpu().numpy().astype(np.float64)
            v = x.detach().cpu().numpy()
            x1 = a @ v
            s = x1 + v + b @ x1
            x3 = a @ s
            u = x3 / np.linalg.norm(x3)
            g2 = np.outer(a.T @ u, x1)
            g1 = np.outer(u, s) + np.outer((np.eye(len(v)) + b).T @ a.T @ u, v)
            return float(np.linalg.norm(x3)), g1, g2
    ''', "the chapter's hand-derived gradients in numpy: the right numbers, but not by autograd",
       message=("autograd never ran",)),
    Answer("01.autograd", "pass", '''
        def autograd_example(w1, w2, x):
            w1 = w1.detach().clone().float().requires_grad_()
            w2 = w2.detach().clone().float().requires_grad_()
            x = x.float()
            x1 = w1 @ x
            x3 = w1 @ (x1 + x + w2 @ x1)
            q = torch.linalg.vector_norm(x3)
            q.backward()
            return q.detach(), w1.grad, w2.grad
    ''', "float32 throughout (judged at float32 precision), torch.linalg.vector_norm"),
    Answer("01.autograd", "fail", '''
        def autograd_example(w1, w2, x):
            w1.requires_grad_()
            w2.requires_grad_()
            x1 = w1 @ x
            x2 = x + w2 @ x1
            x3 = w1 @ (x1 + x2)
            q = x3.norm()
            q.backward()
            return q.item(), w1.grad, w2.grad
    ''', "backward() adds to the stale .grad the tensors arrive with", message=("already in .grad",)),
    Answer("01.autograd", "fail", '''
        def autograd_example(w1, w2, x):
            w1 = w1.detach().clone().requires_grad_()
            w2 = w2.detach().clone().requires_grad_()
            x1 = (w1 @ x).detach()
            x2 = x + w2 @ x1
            x3 = w1 @ (x1 + x2)
            q = x3.norm()
            q.backward()
            return q.item(), w1.grad, w2.grad
    ''', "x1 detached: W1's gradient keeps only the direct path", message=("only the direct path",)),
    Answer("01.autograd", "fail", '''
        def autograd_example(w1, w2, x):
            w1 = w1.detach().clone().requires_grad_()
            w2 = w2.detach().clone().requires_grad_()
            x1 = w1 @ x
            x2 = x + w2 @ x1
            x3 = w1 @ (x1 + x2)
            q = (x3**2).sum()
            q.backward()
            return q.item(), w1.grad, w2.grad
    ''', "the squared norm", message=("not its square",)),
    Answer("01.autograd", "fail", '''
        def autograd_example(w1, w2, x):
            w1 = w1.detach().clone().requires_grad_()
            w2 = w2.detach().clone().requires_grad_()
            x1 = w1 @ x
            x2 = x1 + w2 @ x1
            x3 = w1 @ (x1 + x2)
            q = x3.norm()
            q.backward()
            return q.item(), w1.grad, w2.grad
    ''', "x2 = x1 + W2 x1 instead of x0 + W2 x1"),
    # ------------------------------------------------------------------ 01.dynamic_graph
    Answer("01.dynamic_graph", "pass", '''
        def loop_derivative(start, w):
            w = torch.tensor(w, requires_grad=True)
            h, steps = torch.tensor(start), 0
            while h < 10 and steps < 20:
                h, steps = h / w + 1, steps + 1
            if steps == 0:
                return 0, 0.0
            h.backward()
            return steps, w.grad.item()
    ''', "the chapter's float32 code, with the no-step case"),
    Answer("01.dynamic_graph", "pass", '''
        def loop_derivative(start, w):
            w = torch.tensor(float(w), dtype=torch.float64, requires_grad=True)
            h = torch.tensor(float(start), dtype=torch.float64)
            steps = 0
            for _ in range(20):
                if h >= 10:
                    break
                h = h / w + 1
                steps += 1
            if not h.requires_grad:
                return steps, 0.0
            (grad,) = torch.autograd.grad(h, w)
            return steps, grad
    ''', "a for loop with break, torch.autograd.grad, the gradient as a 0-d tensor"),
    Answer("01.dynamic_graph", "fail", '''
        def loop_derivative(start, w):
            w = torch.tensor(w, requires_grad=True)
            h, steps = torch.tensor(start), 0
            while h <= 10 and steps < 20:
                h, steps = h / w + 1, steps + 1
            if steps == 0:
                return 0, 0.0
            h.backward()
            return steps, w.grad.item()
    ''', "h <= 10: one step too many when h lands on 10", message=("one step too many",)),
    Answer("01.dynamic_graph", "fail", '''
        def loop_derivative(start, w):
            w = torch.tensor(w, requires_grad=True)
            h, steps = torch.tensor(start), 0
            while h < 10 and steps < 20:
                h, steps = h / w + 1, steps + 1
            h.backward()
            return steps, w.grad.item()
    ''', "no guard for a loop that never runs: backward() on a constant raises"),
    Answer("01.dynamic_graph", "fail", '''
        def loop_derivative(start, w):
            w = torch.tensor(w, requires_grad=True)
            h, steps = torch.tensor(start), 0
            while h < 10 and steps < 10:
                h, steps = h / w + 1, steps + 1
            if steps == 0:
                return 0, 0.0
            h.backward()
            return steps, w.grad.item()
    ''', "a cap of 10 steps instead of 20"),
    Answer("01.dynamic_graph", "fail", '''
        def loop_derivative(start, w):
            h, steps = float(start), 0
            while h < 10 and steps < 20:
                previous = h
                h, steps = h / w + 1, steps + 1
            if steps == 0:
                return 0, 0.0
            return steps, -previous / w**2
    ''', "the derivative of the last step alone", message=("last step alone",)),
    # ------------------------------------------------------------------ 01.train_step
    Answer("01.train_step", "pass", '''
        def train_step(model, X, y, lr):
            dev = next(model.parameters()).device
            opt = torch.optim.SGD(model.parameters(), lr=lr)
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(X.to(dev)).squeeze(1), y.to(dev))
            loss.backward()
            opt.step()
            return loss.item()
    ''', "torch.optim.SGD and F.mse_loss"),
    Answer("01.train_step", "pass", '''
        def train_step(model, X, y, lr):
            dev = next(model.parameters()).device
            X, y = X.to(dev), y.to(dev).unsqueeze(1)
            for p in model.parameters():
                if p.grad is not None:
                    p.grad.zero_()
            out = model(X)
            loss = ((out - y) ** 2).sum() / len(y)
            loss.backward()
            for p in model.parameters():
                p.data -= lr * p.grad
            return loss.detach()
    ''', "y unsqueezed to (B, 1), grads zeroed in place, p.data updated, the loss as a 0-d tensor"),
    Answer("01.train_step", "pass", '''
        def train_step(model, X, y, lr):
            dev = next(model.parameters()).device
            model.zero_grad(set_to_none=True)
            loss = torch.nn.MSELoss()(model(X.to(dev)).view(-1), y.to(dev))
            before = float(loss)
            loss.backward()
            with torch.no_grad():
                for name, p in model.named_parameters():
                    p.sub_(lr * p.grad)
            print(f"loss {before:.4f}")
            return before
    ''', "nn.MSELoss, sub_ in place, a print"),
    Answer("01.train_step", "fail", '''
        def train_step(model, X, y, lr):
            dev = next(model.parameters()).device
            loss = ((model(X.to(dev)).reshape(-1) - y.to(dev)) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
            return loss.item()
    ''', "no zero_grad: stale gradients are added in", message=("zero them first",)),
    Answer("01.train_step", "fail", '''
        def train_step(model, X, y, lr):
            dev = next(model.parameters()).device
            model.zero_grad()
            loss = ((model(X.to(dev)) - y.to(dev)) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
            return loss.item()
    ''', "(B, 1) − (B,) broadcasts to (B, B)", message=("broadcasts to (B, B)",)),
    Answer("01.train_step", "fail", '''
        def train_step(model, X, y, lr):
            dev = next(model.parameters()).device
            model.zero_grad()
            loss = ((model(X.to(dev)).reshape(-1) - y.to(dev)) ** 2).sum()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
            return loss.item()
    ''', "the sum instead of the mean", message=("sum of the squared errors",)),
    Answer("01.train_step", "fail", '''
        def train_step(model, X, y, lr):
            dev = next(model.parameters()).device
            X, y = X.to(dev), y.to(dev)
            model.zero_grad()
            loss = ((model(X).reshape(-1) - y) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
                after = ((model(X).reshape(-1) - y) ** 2).mean()
            return after.item()
    ''', "returns the loss after the step"),
    Answer("01.train_step", "fail", '''
        def train_step(model, X, y, lr):
            dev = next(model.parameters()).device
            model.zero_grad()
            loss = ((model(X.to(dev)).reshape(-1) - y.to(dev)) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    if p.ndim == 2:
                        p -= lr * p.grad
            return loss.item()
    ''', "updates the weights only, not the biases", message=("every parameter",)),
    Answer("01.train_step", "fail", '''
        def train_step(model, X, y, lr):
            dev = next(model.parameters()).device
            model.zero_grad()
            loss = ((model(X.to(dev)).reshape(-1) - y.to(dev)) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= 0.1 * p.grad
            return loss.item()
    ''', "a fixed learning rate of 0.1 instead of lr"),
]

ANSWERS += [
    # ------------------------------------------------------------------ 01.pairwise
    Answer("01.pairwise", "pass", '''
        def pairwise_sq_distances(X, Y):
            n, m = X.shape[0], Y.shape[0]
            D = X.new_empty((n, m))
            for i in range(n):
                for j in range(m):
                    d = X[i] - Y[j]
                    D[i, j] = torch.dot(d, d)
            return D
    ''', "two loops filling X.new_empty (the inputs' dtype and device), torch.dot"),
    Answer("01.pairwise", "pass", '''
        def pairwise_sq_distances(X, Y):
            D = torch.cdist(X.double(), Y.double()) ** 2
            return D.to(X.dtype)
    ''', "computed in float64, cast back to the inputs' dtype"),
    Answer("01.pairwise", "pass", '''
        def pairwise_sq_distances(X, Y):
            xx = X.pow(2).sum(dim=1).unsqueeze(1)
            yy = Y.pow(2).sum(dim=1).unsqueeze(0)
            return (xx + yy - 2.0 * (X @ Y.T)).clamp_min(0.0)
    ''', "the matrix-product form clamped at 0 (round-off can make it slightly negative)"),
    Answer("01.pairwise", "fail", '''
        def pairwise_sq_distances(X, Y):
            return ((X[:, None, :] - Y[None, :, :]) ** 2).mean(dim=-1)
    ''', "the mean over the d coordinates instead of the sum"),
    Answer("01.pairwise", "fail", '''
        def pairwise_sq_distances(X, Y):
            if X.shape[0] == 1:
                return ((X - Y) ** 2).sum(dim=1)
            return ((X[:, None, :] - Y[None, :, :]) ** 2).sum(dim=-1)
    ''', "special-cases a single row of X: shape (m,) instead of (1, m)", message=("expected shape (1, 4)",)),
    Answer("01.pairwise", "fail", '''
        def pairwise_sq_distances(X, Y):
            return (X[:, None, :] - Y[None, :, :]).abs().sum(dim=-1)
    ''', "L1 (Manhattan) distances"),
    # ------------------------------------------------------------------ 01.autograd
    Answer("01.autograd", "pass", '''
        def _q(a, b, x):
            x1 = a @ x
            x2 = x + b @ x1
            return torch.linalg.norm(a @ (x1 + x2))

        def autograd_example(w1, w2, x):
            g1, g2 = torch.func.grad(_q, argnums=(0, 1))(w1.detach(), w2.detach(), x)
            return _q(w1.detach(), w2.detach(), x).item(), g1, g2
    ''', "torch.func.grad on a helper function"),
    Answer("01.autograd", "pass", '''
        def autograd_example(w1, w2, x):
            for w in (w1, w2):
                w.requires_grad_(True)
                if w.grad is not None:
                    w.grad.zero_()
            x1 = torch.mv(w1, x)
            x2 = x + torch.mv(w2, x1)
            x3 = torch.mv(w1, x1 + x2)
            q = x3.pow(2).sum().sqrt()
            q.backward()
            return [float(q), w1.grad.clone(), w2.grad.clone()]
    ''', "stale .grad zeroed in place, torch.mv, a list"),
    Answer("01.autograd", "fail", '''
        def autograd_example(w1, w2, x):
            w1 = w1.detach().clone().requires_grad_()
            w2 = w2.detach().clone().requires_grad_()
            x1 = w1 @ x
            x2 = x + w2 @ x1
            q = (w1 @ (x1 + x2)).norm()
            q.backward()
            return q.item(), w2.grad, w1.grad
    ''', "the two gradients returned in the wrong order", message=("∂q/∂W1",)),
    Answer("01.autograd", "fail", '''
        def autograd_example(w1, w2, x):
            w1 = w1.detach().clone().requires_grad_()
            w2 = w2.detach().clone().requires_grad_()
            x1 = w1 @ x
            x2 = x + w2 @ x1
            x3 = w1 @ x1 + x2
            q = x3.norm()
            q.backward()
            return q.item(), w1.grad, w2.grad
    ''', "x3 = W1 x1 + x2: the parentheses of W1 (x1 + x2) lost", message=("q:",)),
    Answer("01.autograd", "fail", '''
        def autograd_example(w1, w2, x):
            w1.requires_grad_()
            w2.requires_grad_()
            w1.grad = None
            x1 = w1 @ x
            x2 = x + w2 @ x1
            q = (w1 @ (x1 + x2)).norm()
            q.backward()
            return q.item(), w1.grad, w2.grad
    ''', "resets W1's stale gradient but not W2's", message=("∂q/∂W2",)),
    # ------------------------------------------------------------------ 01.dynamic_graph
    Answer("01.dynamic_graph", "pass", '''
        def loop_derivative(start, w):
            w = torch.tensor(w, dtype=torch.float64, requires_grad=True)
            h = torch.tensor(start, dtype=torch.float64)
            steps = np.int64(0)
            while h.item() < 10 and steps < 20:
                h = h / w + 1
                steps += 1
            if steps == 0:
                return steps, 0
            h.backward()
            return steps, w.grad
    ''', "steps as a numpy integer, (0, 0) with an int zero, the gradient as a 0-d tensor"),
    Answer("01.dynamic_graph", "pass", '''
        import itertools

        def loop_derivative(start, w):
            w = torch.tensor([float(w)], requires_grad=True)
            h = torch.tensor([float(start)])
            for steps in itertools.count():
                if steps == 20 or h.item() >= 10:
                    break
                h = h / w + 1
            if steps == 0:
                return 0, 0.0
            h.sum().backward()
            return steps, w.grad
    ''', "float32 tensors of shape (1,): dh/dw as a one-element tensor, itertools.count"),
    Answer("01.dynamic_graph", "fail", '''
        def loop_derivative(start, w):
            w = torch.tensor(w, requires_grad=True)
            h, steps = torch.tensor(start), 0.0
            while h < 10 and steps < 20:
                h, steps = h / w + 1, steps + 1
            if steps == 0:
                return 0, 0.0
            h.backward()
            return steps, w.grad.item()
    ''', "counts the steps with a float: the exercise asks for an int", message=("expected the int",)),
    Answer("01.dynamic_graph", "fail", '''
        def loop_derivative(start, w):
            w = torch.tensor(w, requires_grad=True)
            h, steps = torch.tensor(start), 1
            while h < 10 and steps <= 20:
                h, steps = h / w + 1, steps + 1
            if steps == 1:
                return 0, 0.0
            h.backward()
            return steps, w.grad.item()
    ''', "counts from 1: one step too many reported", message=("steps: expected",)),
    Answer("01.dynamic_graph", "fail", '''
        def loop_derivative(start, w):
            w = torch.tensor(w, requires_grad=True)
            h, steps = torch.tensor(start), 0
            while h < 10 and steps < 20:
                h, steps = h / w + 1, steps + 1
            if steps == 0:
                return 0, None
            h.backward()
            return steps, w.grad.item()
    ''', "(0, None) when the loop does not run: the exercise asks for (0, 0.0)", message=("(0, 0.0)",)),
    # ------------------------------------------------------------------ 01.train_step
    Answer("01.train_step", "pass", '''
        def train_step(model, X, y, lr):
            dev = next(model.parameters()).device
            params = list(model.parameters())
            loss = ((model(X.to(dev)).squeeze(-1) - y.to(dev)) ** 2).mean()
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():
                for p, g in zip(params, grads):
                    p.add_(g, alpha=-lr)
            return loss.item()
    ''', "torch.autograd.grad (no .grad touched, so stale gradients do not matter), add_ with alpha"),
    Answer("01.train_step", "pass", '''
        def train_step(model, X, y, lr):
            dev = next(model.parameters()).device
            model.zero_grad()
            out = model(X.to(dev))
            loss = ((out - y.to(dev)[:, None]) ** 2).mean(dim=0)
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
            return loss.detach()
    ''', "y as a column, the loss a one-element tensor of shape (1,)"),
    Answer("01.train_step", "pass", '''
        def train_step(model, X, y, lr):
            dev = next(model.parameters()).device
            opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.0)
            opt.zero_grad(set_to_none=False)
            loss = torch.nn.functional.mse_loss(model(X.to(dev)).flatten(), y.to(dev))
            loss.backward()
            opt.step()
            return loss.detach().cpu().numpy()
    ''', "SGD without momentum, the loss as a 0-d numpy array"),
    Answer("01.train_step", "fail", '''
        def train_step(model, X, y, lr):
            dev = next(model.parameters()).device
            loss = ((model(X.to(dev)).reshape(-1) - y.to(dev)) ** 2).mean()
            loss.backward()
            model.zero_grad(set_to_none=False)
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
            return loss.item()
    ''', "zeroes the gradients after backward(): nothing moves", message=("did not change",)),
    Answer("01.train_step", "fail", '''
        def train_step(model, X, y, lr):
            dev = next(model.parameters()).device
            model.zero_grad()
            loss = ((model(X.to(dev)).reshape(-1) - y.to(dev)) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p += lr * p.grad
            return loss.item()
    ''', "gradient ascent: the sign of the update", message=("after the step",)),
    Answer("01.train_step", "fail", '''
        def train_step(model, X, y, lr):
            dev = next(model.parameters()).device
            model.zero_grad()
            loss = 0.5 * ((model(X.to(dev)).reshape(-1) - y.to(dev)) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
            return loss.item()
    ''', "a factor ½ in the loss", message=("without a factor ½",)),
    Answer("01.train_step", "fail", '''
        def train_step(model, X, y, lr):
            dev = next(model.parameters()).device
            model.zero_grad()
            loss = ((model(X.to(dev)).reshape(-1) - y.to(dev)) ** 2).mean()
            loss.backward()
            last = list(model.children())[-1]
            with torch.no_grad():
                for p in last.parameters():
                    p -= lr * p.grad
            return loss.item()
    ''', "updates the last layer only", message=("every parameter",)),
]

ANSWERS += [
    Answer("01.autograd", "pass", '''
        def autograd_example(w1, w2, x):
            w1 = w1.detach().clone().float().requires_grad_()
            w2 = w2.detach().clone().float().requires_grad_()
            x = x.float()
            x1 = w1 @ x
            x3 = w1 @ (x1 + x + w2 @ x1)
            q = torch.sqrt((x3 * x3).sum())
            q.backward()
            return q.item(), w1.grad, w2.grad
    ''', "float32 throughout, q by .item() (a Python float): judged at the gradients' float32 precision"),
]

ANSWERS += [
    Answer("01.pairwise", "flagged", '''
        from dlcourse.checks.frameworks import pairwise_reference

        def pairwise_sq_distances(X, Y):
            return pairwise_reference(X, Y)
    ''', "the check's own reference"),
]

ANSWERS += [
    Answer("01.train_step", "fail", '''
        def train_step(model, X, y, lr):
            dev = next(model.parameters()).device
            opt = torch.optim.SGD(model.parameters(), lr=lr)
            loss = ((model(X.to(dev)).reshape(-1) - y.to(dev)) ** 2).mean()
            loss.backward()
            opt.step()
            opt.zero_grad()                 # zeroed after the step: the stale gradients were used
            return loss.item()
    ''', "zeroes the gradients after the step instead of before", message=("zero them first",)),
    Answer("01.pairwise", "pass", '''
        def pairwise_sq_distances(X, Y):
            cross = torch.einsum("ik,jk->ij", X, Y)
            return torch.einsum("ik,ik->i", X, X)[:, None] - 2 * cross + torch.einsum("jk,jk->j", Y, Y)[None, :]
    ''', "the matrix-product form with einsum"),
]

ANSWERS += [
    Answer("01.dynamic_graph", "pass", '''
        def loop_derivative(start, w):
            w = torch.tensor(w, dtype=torch.float64, requires_grad=True)
            hs = [torch.tensor(start, dtype=torch.float64)]
            while hs[-1] < 10 and len(hs) <= 20:
                hs.append(hs[-1] / w + 1)
            steps = len(hs) - 1
            if steps == 0:
                return [0, 0.0]
            hs[-1].backward()
            return [steps, w.grad]
    ''', "keeps every iterate in a list, steps from its length, a list [steps, dh/dw]"),
]

# Computed by autograd: the right numbers derived by hand fail; every kind of autograd passes.
ANSWERS += [
    Answer("01.autograd", "fail", '''
        def autograd_example(w1, w2, x):
            with torch.no_grad():
                x1 = w1 @ x
                s = x1 + x + w2 @ x1
                x3 = w1 @ s
                q = torch.linalg.norm(x3)
                u = x3 / q
                eye = torch.eye(len(x), dtype=x.dtype, device=x.device)
                g2 = torch.outer(w1.T @ u, x1)
                g1 = torch.outer(u, s) + torch.outer((eye + w2).T @ w1.T @ u, x)
            return q.item(), g1, g2
    ''', "the chain rule by hand in torch, under no_grad", message=("autograd never ran",)),
    Answer("01.autograd", "fail", '''
        def autograd_example(w1, w2, x):
            def q_of(a, b):
                x1 = a @ x
                return torch.linalg.norm(a @ (x1 + x + b @ x1))
            eps = 1e-6
            w1, w2 = w1.detach(), w2.detach()
            grads = []
            for w, other, first in ((w1, w2, True), (w2, w1, False)):
                g = torch.zeros_like(w)
                for i in range(w.shape[0]):
                    for j in range(w.shape[1]):
                        d = torch.zeros_like(w)
                        d[i, j] = eps
                        up = q_of(w + d, other) if first else q_of(other, w + d)
                        down = q_of(w - d, other) if first else q_of(other, w - d)
                        g[i, j] = (up - down) / (2 * eps)
                grads.append(g)
            return q_of(w1, w2).item(), grads[0], grads[1]
    ''', "central differences instead of autograd"),
    Answer("01.autograd", "pass", '''
        from torch.autograd import grad as autograd_grad

        def autograd_example(w1, w2, x):
            a = w1.detach().requires_grad_(True)
            b = w2.detach().requires_grad_(True)
            x1 = a @ x
            q = torch.linalg.norm(a @ (x1 + x + b @ x1))
            ga, gb = autograd_grad(q, [a, b])
            return float(q), ga, gb
    ''', "torch.autograd.grad imported under another name before the call"),
    Answer("01.autograd", "pass", '''
        def autograd_example(w1, w2, x):
            def q_of(a, b):
                x1 = a @ x
                return torch.linalg.norm(a @ (x1 + x + b @ x1))
            g1, g2 = torch.func.jacfwd(q_of, argnums=(0, 1))(w1.detach(), w2.detach())
            return q_of(w1.detach(), w2.detach()).item(), g1, g2
    ''', "forward mode (torch.func.jacfwd) is autograd too"),
    Answer("01.autograd", "pass", '''
        def autograd_example(w1, w2, x):
            def q_of(a, b):
                x1 = a @ x
                return torch.linalg.norm(a @ (x1 + x + b @ x1))
            g1, g2 = torch.autograd.functional.jacobian(q_of, (w1.detach(), w2.detach()))
            return q_of(w1.detach(), w2.detach()).item(), g1, g2
    ''', "torch.autograd.functional.jacobian of the scalar q"),
    Answer("01.dynamic_graph", "fail", '''
        def loop_derivative(start, w):
            h, dh, steps = float(start), 0.0, 0
            while h < 10 and steps < 20:
                h, dh = h / w + 1, dh / w - h / w ** 2
                steps += 1
            return steps, dh
    ''', "the forward recurrence for dh/dw by hand, no autograd", message=("autograd never ran",)),
    Answer("01.dynamic_graph", "fail", '''
        def loop_derivative(start, w):
            def run(w):
                h, steps = float(start), 0
                while h < 10 and steps < 20:
                    h, steps = h / w + 1, steps + 1
                return steps, h
            steps, _ = run(w)
            if steps == 0:
                return 0, 0.0
            eps = 1e-7
            return steps, (run(w + eps)[1] - run(w - eps)[1]) / (2 * eps)
    ''', "a central difference for dh/dw, no autograd"),
    Answer("01.dynamic_graph", "pass", '''
        import torch.autograd.forward_ad as fwAD

        def loop_derivative(start, w):
            with fwAD.dual_level():
                wd = fwAD.make_dual(torch.tensor(w, dtype=torch.float64),
                                    torch.tensor(1.0, dtype=torch.float64))
                h = torch.tensor(start, dtype=torch.float64)
                steps = 0
                while h < 10 and steps < 20:
                    h = h / wd + 1
                    steps += 1
                tangent = fwAD.unpack_dual(h).tangent
                return steps, 0.0 if tangent is None else tangent.item()
    ''', "forward-mode AD with a dual number"),
    Answer("01.dynamic_graph", "pass", '''
        def loop_derivative(start, w):
            def final_h(wt):
                h = torch.as_tensor(start, dtype=wt.dtype)
                n = 0
                while h < 10 and n < 20:
                    h = h / wt + 1
                    n += 1
                return h, n
            wt = torch.tensor(w, dtype=torch.float64)
            h, n = final_h(wt)
            if n == 0:
                return 0, 0.0
            return n, torch.func.grad(lambda v: final_h(v)[0])(wt).item()
    ''', "torch.func.grad through the data-dependent loop"),
]
