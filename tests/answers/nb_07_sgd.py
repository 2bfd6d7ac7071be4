"""Alternative answers for ``solutions/07_sgd.ipynb`` (format: ``tests/answers/__init__.py``)."""

from . import Answer

ANSWERS = [
    # ------------------------------------------------------------------ 07.minibatch_grad
    Answer("07.minibatch_grad", "pass", '''
        def minibatch_gradient(w, batch):
            total = 0.0
            for i in batch:
                total += 2 * (w - i)
            return total / len(batch)
    ''', "a loop over the batch, a python float"),
    Answer("07.minibatch_grad", "pass", '''
        def minibatch_gradient(w, batch):
            return 2 * w - 2 * np.mean(batch)
    ''', "the closed form 2w − 2·mean(B), a numpy scalar"),
    Answer("07.minibatch_grad", "pass", '''
        def minibatch_gradient(w, batch):
            b = np.asarray(batch, dtype=np.float32)
            return np.mean(2 * (np.float32(w) - b))
    ''', "computed in float32: the task needs no more precision"),
    Answer("07.minibatch_grad", "pass", '''
        import torch

        def minibatch_gradient(w, batch):
            wt = torch.tensor(float(w), dtype=torch.float64, requires_grad=True)
            b = torch.as_tensor(np.asarray(batch), dtype=torch.float64)
            loss = ((wt - b) ** 2).mean()
            loss.backward()
            return wt.grad.item()
    ''', "torch autograd of the mean batch loss"),
    Answer("07.minibatch_grad", "pass", '''
        def minibatch_gradient(w, batch):
            batch = list(batch)
            print("batch of", len(batch))
            return float(sum(2 * (w - i) for i in batch) / len(batch))
    ''', "a generator expression, with a print"),
    Answer("07.minibatch_grad", "fail", '''
        def minibatch_gradient(w, batch):
            return float(np.sum(2 * (w - np.asarray(batch))))
    ''', "summed over the batch instead of averaged", message=("summed",)),
    Answer("07.minibatch_grad", "fail", '''
        def minibatch_gradient(w, batch):
            return float(np.sum(2 * (w - np.asarray(batch))) / 1000)
    ''', "divides by N = 1000 instead of |B|", message=("not by N = 1000",)),
    Answer("07.minibatch_grad", "fail", '''
        def minibatch_gradient(w, batch):
            return float(np.mean(w - np.asarray(batch)))
    ''', "the factor 2 is missing", message=("factor 2",)),
    Answer("07.minibatch_grad", "fail", '''
        def minibatch_gradient(w, batch):
            return float(np.mean(2 * (np.asarray(batch) - w)))
    ''', "wrong sign", message=("sign",)),
    Answer("07.minibatch_grad", "fail", '''
        def minibatch_gradient(w, batch):
            return 2 * w - 5
    ''', "hard-codes the book's example 2w − 5"),
    Answer("07.minibatch_grad", "fail", '''
        def minibatch_gradient(w, batch):
            b = np.asarray(batch, dtype=float)
            return float(np.mean(np.where(b == 3, 4 * (w - 3) ** 3, 2 * (w - b))))
    ''', "the lecture's misprint (w − 3)⁴", message=("misprint",)),
    # ------------------------------------------------------------------ 07.minibatches
    Answer("07.minibatches", "pass", '''
        def minibatches(n, batch_size, rng):
            order = rng.permutation(n)
            return [order[i:i + batch_size] for i in range(0, n, batch_size)]
    ''', "a list of slices"),
    Answer("07.minibatches", "pass", '''
        def minibatches(n, batch_size, rng):
            idx = np.arange(n)
            rng.shuffle(idx)
            start = 0
            while start < n:
                yield idx[start:start + batch_size]
                start += batch_size
    ''', "rng.shuffle of arange(n) draws the same permutation; a while loop"),
    Answer("07.minibatches", "pass", '''
        def minibatches(n, batch_size, rng):
            order = rng.permutation(n).tolist()
            return [order[i:i + batch_size] for i in range(0, n, batch_size)]
    ''', "batches as python lists of ints"),
    Answer("07.minibatches", "pass", '''
        def minibatches(n, batch_size, rng):
            order = rng.permutation(np.arange(n))
            n_batches = -(-n // batch_size)
            return [order[k * batch_size:(k + 1) * batch_size] for k in range(n_batches)]
    ''', "permutation of an array, ceil division for the number of batches"),
    Answer("07.minibatches", "fail", '''
        def minibatches(n, batch_size, rng):
            order = rng.permutation(n)
            for start in range(0, n - batch_size + 1, batch_size):
                yield order[start:start + batch_size]
    ''', "drops the last, smaller batch", message=("keep the last, smaller batch",)),
    Answer("07.minibatches", "fail", '''
        def minibatches(n, batch_size, rng):
            order = rng.integers(0, n, size=n)
            return [order[i:i + batch_size] for i in range(0, n, batch_size)]
    ''', "samples with replacement", message=("exactly once",)),
    Answer("07.minibatches", "fail", '''
        def minibatches(n, batch_size, rng):
            order = np.arange(n)
            return [order[i:i + batch_size] for i in range(0, n, batch_size)]
    ''', "never shuffles", message=("shuffle first",)),
    Answer("07.minibatches", "fail", '''
        def minibatches(n, batch_size, rng):
            order = np.random.default_rng(0).permutation(n)
            return [order[i:i + batch_size] for i in range(0, n, batch_size)]
    ''', "ignores the given generator: every epoch has the same order"),
    Answer("07.minibatches", "fail", '''
        def minibatches(n, batch_size, rng):
            order = rng.permutation(n)
            return np.array_split(order, max(1, n // batch_size))
    ''', "array_split makes batches of nearly equal size, not of batch_size"),
    Answer("07.minibatches", "fail", '''
        _orders = {}

        def minibatches(n, batch_size, rng):
            if n not in _orders:
                _orders[n] = rng.permutation(n)
            order = _orders[n]
            return [order[i:i + batch_size] for i in range(0, n, batch_size)]
    ''', "shuffles once and reuses the order for later epochs"),
    Answer("07.minibatches", "fail", '''
        def minibatches(n, batch_size, rng):
            order = rng.permutation(n) + 1
            return [order[i:i + batch_size] for i in range(0, n, batch_size)]
    ''', "indices 1 … n instead of 0 … n − 1", message=("0 to n − 1",)),
    # ------------------------------------------------------------------ 07.minibatch_sgd
    Answer("07.minibatch_sgd", "pass", '''
        def minibatch_sgd(X, y, w0, lr, batch_size, epochs, rng):
            w = np.array(w0, dtype=float)
            path = [w.copy()]
            for _ in range(epochs):
                for batch in minibatches(len(y), batch_size, rng):
                    residual = X[batch] @ w - y[batch]
                    w -= lr * 2 * X[batch].T @ residual / len(batch)
                    path.append(w.copy())
            return np.array(path)
    ''', "an in-place update, copies appended"),
    Answer("07.minibatch_sgd", "pass", '''
        def minibatch_sgd(X, y, w0, lr, batch_size, epochs, rng):
            n = len(y)
            w = w0.astype(float)
            path = [w]
            for _ in range(epochs):
                order = rng.permutation(n)
                for start in range(0, n, batch_size):
                    batch = order[start:start + batch_size]
                    grads = [2 * X[i] * (X[i] @ w - y[i]) for i in batch]
                    w = w - lr * np.mean(grads, axis=0)
                    path.append(w)
            return path
    ''', "inline shuffle, per-example gradients averaged, a list of arrays returned"),
    Answer("07.minibatch_sgd", "pass", '''
        def minibatch_sgd(X, y, w0, lr, batch_size, epochs, rng):
            w = np.array(w0, dtype=float)
            path = [w]
            for _ in range(epochs):
                for batch in minibatches(len(y), batch_size, rng):
                    Xb, yb = X[batch], y[batch]
                    g = 2 * np.einsum("ij,i->j", Xb, Xb @ w - yb) / len(yb)
                    w = w - lr * g
                    path.append(w)
            return np.stack(path)
    ''', "np.einsum for the gradient"),
    Answer("07.minibatch_sgd", "pass", '''
        def minibatch_sgd(X, y, w0, lr, batch_size, epochs, rng):
            X32, y32 = X.astype(np.float32), y.astype(np.float32)
            w = np.asarray(w0, dtype=np.float32)
            path = [w]
            for _ in range(epochs):
                for batch in minibatches(len(y), batch_size, rng):
                    Xb, yb = X32[batch], y32[batch]
                    w = w - np.float32(lr * 2 / len(batch)) * Xb.T @ (Xb @ w - yb)
                    path.append(w)
            return np.array(path)
    ''', "computed in float32: SGD's path needs no more precision"),
    Answer("07.minibatch_sgd", "fail", '''
        def minibatch_sgd(X, y, w0, lr, batch_size, epochs, rng):
            w = np.array(w0, dtype=float)
            path = [w.copy()]
            for _ in range(epochs):
                for batch in minibatches(len(y), batch_size, rng):
                    Xb, yb = X[batch], y[batch]
                    w = w - lr * 2 * Xb.T @ (Xb @ w - yb)
                    path.append(w.copy())
            return np.array(path)
    ''', "sums the gradient over the batch", message=("summed the gradient",)),
    Answer("07.minibatch_sgd", "fail", '''
        def minibatch_sgd(X, y, w0, lr, batch_size, epochs, rng):
            w = np.array(w0, dtype=float)
            path = [w.copy()]
            for _ in range(epochs):
                for batch in minibatches(len(y), batch_size, rng):
                    Xb, yb = X[batch], y[batch]
                    w = w - lr * 2 / batch_size * Xb.T @ (Xb @ w - yb)
                    path.append(w.copy())
            return np.array(path)
    ''', "divides by batch_size, also for the smaller last batch", message=("its own size",)),
    Answer("07.minibatch_sgd", "fail", '''
        def minibatch_sgd(X, y, w0, lr, batch_size, epochs, rng):
            w = np.array(w0, dtype=float)
            path = [w]
            for _ in range(epochs):
                for batch in minibatches(len(y), batch_size, rng):
                    Xb, yb = X[batch], y[batch]
                    w -= lr * 2 / len(batch) * Xb.T @ (Xb @ w - yb)
                    path.append(w)
            return np.array(path)
    ''', "appends the same array, updated in place: every row is the last w"),
    Answer("07.minibatch_sgd", "fail", '''
        def minibatch_sgd(X, y, w0, lr, batch_size, epochs, rng):
            w = np.array(w0, dtype=float)
            path = []
            for _ in range(epochs):
                for batch in minibatches(len(y), batch_size, rng):
                    Xb, yb = X[batch], y[batch]
                    w = w - lr * 2 / len(batch) * Xb.T @ (Xb @ w - yb)
                    path.append(w.copy())
            return np.array(path)
    ''', "the path leaves out w0", message=("w₀",)),
    Answer("07.minibatch_sgd", "fail", '''
        def minibatch_sgd(X, y, w0, lr, batch_size, epochs, rng):
            w = np.array(w0, dtype=float)
            path = [w.copy()]
            order = rng.permutation(len(y))
            for _ in range(epochs):
                for start in range(0, len(y), batch_size):
                    batch = order[start:start + batch_size]
                    Xb, yb = X[batch], y[batch]
                    w = w - lr * 2 / len(batch) * Xb.T @ (Xb @ w - yb)
                    path.append(w.copy())
            return np.array(path)
    ''', "shuffles once, not every epoch", message=("every epoch",)),
    Answer("07.minibatch_sgd", "fail", '''
        def minibatch_sgd(X, y, w0, lr, batch_size, epochs, rng):
            w = np.array(w0, dtype=float)
            path = [w.copy()]
            for _ in range(epochs):
                for batch in minibatches(len(y), batch_size, rng):
                    w = w - lr * 2 / len(y) * X.T @ (X @ w - y)
                    path.append(w.copy())
            return np.array(path)
    ''', "full-batch gradient at every step", message=("full-batch",)),
    Answer("07.minibatch_sgd", "fail", '''
        def minibatch_sgd(X, y, w0, lr, batch_size, epochs, rng):
            w = np.array(w0, dtype=float)
            path = [w.copy()]
            for _ in range(epochs):
                for batch in minibatches(len(y), batch_size, rng):
                    Xb, yb = X[batch], y[batch]
                    w = w + lr * 2 / len(batch) * Xb.T @ (Xb @ w - yb)
                    path.append(w.copy())
            return np.array(path)
    ''', "steps uphill"),
    Answer("07.minibatch_sgd", "fail", '''
        def minibatches(n, batch_size, rng):
            order = np.arange(n)
            return [order[i:i + batch_size] for i in range(0, n, batch_size)]

        def minibatch_sgd(X, y, w0, lr, batch_size, epochs, rng):
            w = np.array(w0, dtype=float)
            path = [w.copy()]
            for _ in range(epochs):
                for batch in minibatches(len(y), batch_size, rng):
                    Xb, yb = X[batch], y[batch]
                    w = w - lr * 2 / len(batch) * Xb.T @ (Xb @ w - yb)
                    path.append(w.copy())
            return np.array(path)
    ''', "right SGD on a wrong minibatches (never shuffles): the message names minibatches",
        message=("minibatches",)),
    Answer("07.minibatch_sgd", "fail", '''
        def minibatches(n, batch_size, rng):
            order = rng.permutation(n)
            for start in range(0, n - batch_size + 1, batch_size):
                yield order[start:start + batch_size]

        def minibatch_sgd(X, y, w0, lr, batch_size, epochs, rng):
            w = np.array(w0, dtype=float)
            path = [w.copy()]
            for _ in range(epochs):
                for batch in minibatches(len(y), batch_size, rng):
                    Xb, yb = X[batch], y[batch]
                    w = w - lr * 2 / len(batch) * Xb.T @ (Xb @ w - yb)
                    path.append(w.copy())
            return np.array(path)
    ''', "right SGD on a minibatches that drops the last batch: the message names minibatches",
        message=("minibatches",)),
    # ------------------------------------------------------------------ 07.inverse_time
    Answer("07.inverse_time", "pass", '''
        def inverse_time(lr0, k, steps):
            return [lr0 / (1 + k * t) for t in range(steps)]
    ''', "a list comprehension"),
    Answer("07.inverse_time", "pass", '''
        def inverse_time(lr0, k, steps):
            rates = np.empty(steps)
            for t in range(steps):
                rates[t] = lr0 / (1.0 + k * t)
            return rates
    ''', "a loop filling an array"),
    Answer("07.inverse_time", "pass", '''
        def inverse_time(lr0, k, steps):
            t = np.arange(steps, dtype=np.float32)
            return np.float32(lr0) / (1 + np.float32(k) * t)
    ''', "float32 rates: a schedule needs no more precision"),
    Answer("07.inverse_time", "pass", '''
        def inverse_time(lr0, k, steps):
            return lr0 * np.reciprocal(1.0 + k * np.arange(steps))
    ''', "η₀ times the reciprocal"),
    Answer("07.inverse_time", "fail", '''
        def inverse_time(lr0, k, steps):
            return lr0 / (1 + k * np.arange(1, steps + 1))
    ''', "t counted from 1", message=("starts at η₀",)),
    Answer("07.inverse_time", "fail", '''
        def inverse_time(lr0, k, steps):
            return lr0 / np.sqrt(1 + k * np.arange(steps))
    ''', "1/√t decay: Σ η_t² diverges", message=("Robbins–Monro",)),
    Answer("07.inverse_time", "fail", '''
        def inverse_time(lr0, k, steps):
            return lr0 / (1 + k * np.arange(steps)) ** 2
    ''', "1/t² decay: Σ η_t converges", message=("decays too fast",)),
    Answer("07.inverse_time", "fail", '''
        def inverse_time(lr0, k, steps):
            return lr0 / (1 + k * np.arange(steps + 1))
    ''', "one rate too many", message=("one rate per step",)),
    Answer("07.inverse_time", "fail", '''
        def inverse_time(lr0, k, steps):
            return lr0 / (1 + k) ** np.arange(steps)
    ''', "an exponential decay η₀/(1 + k)ᵗ"),
    # ------------------------------------------------------------------ 07.polyak_average
    Answer("07.polyak_average", "pass", '''
        def polyak_average(path, burn_in):
            out = []
            total = np.zeros(path.shape[1])
            for k, theta in enumerate(path[burn_in:], start=1):
                total = total + theta
                out.append(total / k)
            return np.array(out)
    ''', "a loop with a running total"),
    Answer("07.polyak_average", "pass", '''
        def polyak_average(path, burn_in):
            return [np.mean(path[burn_in:T + 1], axis=0) for T in range(burn_in, len(path))]
    ''', "np.mean of each window, a list of rows"),
    Answer("07.polyak_average", "pass", '''
        def polyak_average(path, burn_in):
            avg = path[burn_in].copy()
            rows = [avg.copy()]
            for k, theta in enumerate(path[burn_in + 1:], start=2):
                avg += (theta - avg) / k
                rows.append(avg.copy())
            return np.stack(rows)
    ''', "the incremental mean, updated in place"),
    Answer("07.polyak_average", "pass", '''
        def polyak_average(path, burn_in):
            tail = np.asarray(path, dtype=np.float32)[burn_in:]
            return np.cumsum(tail, axis=0) / np.arange(1, len(tail) + 1, dtype=np.float32)[:, None]
    ''', "computed in float32"),
    Answer("07.polyak_average", "fail", '''
        def polyak_average(path, burn_in):
            tail = path[burn_in + 1:]
            return np.cumsum(tail, axis=0) / np.arange(1, len(tail) + 1)[:, None]
    ''', "leaves out θ_{T₀}", message=("θ_{T₀} itself",)),
    Answer("07.polyak_average", "fail", '''
        def polyak_average(path, burn_in):
            tail = path[burn_in:]
            return np.cumsum(tail, axis=0) / np.arange(len(tail)).clip(1)[:, None]
    ''', "divides by T − T₀ instead of T − T₀ + 1", message=("number of iterates averaged",)),
    Answer("07.polyak_average", "fail", '''
        def polyak_average(path, burn_in):
            return np.mean(path[burn_in:], axis=0)
    ''', "only the last average", message=("not only the last",)),
    Answer("07.polyak_average", "fail", '''
        def polyak_average(path, burn_in):
            sums = np.cumsum(path, axis=0)
            return sums[burn_in:] / np.arange(burn_in + 1, len(path) + 1)[:, None]
    ''', "averages from θ_0, ignoring the burn-in", message=("not from θ_0",)),
    # ------------------------------------------------------------------ more styles
    Answer("07.minibatch_grad", "pass", '''
        import torch

        def minibatch_gradient(w, batch):
            b = torch.tensor(np.asarray(batch), dtype=torch.float32)
            return (2 * (w - b)).mean()
    ''', "a 0-d float32 torch tensor"),
    Answer("07.inverse_time", "fail", '''
        def inverse_time(lr0, k, steps):
            return np.array([lr0 // (1 + k * t) for t in range(steps)])
    ''', "floor division"),

    # ------------------------------------------------------------------ further styles and slips
    Answer("07.minibatch_grad", "pass", '''
        def minibatch_gradient(w, batch):
            b = np.asarray(batch, dtype=float)
            return np.asarray(2 * w - 2 * b.sum() / b.size)
    ''', "a 0-d numpy array, 2w − 2·sum/|B|"),
    Answer("07.minibatch_grad", "pass", '''
        import torch

        def minibatch_gradient(w, batch):
            i = torch.as_tensor(np.asarray(batch), dtype=torch.float32)
            return (2 * (torch.tensor(w, dtype=torch.float32) - i)).mean()
    ''', "a 0-d float32 torch tensor"),
    Answer("07.minibatch_grad", "fail", '''
        def minibatch_gradient(w, batch):
            return float(np.mean((w - np.asarray(batch)) ** 2))
    ''', "returns the minibatch loss, not its derivative"),
    Answer("07.minibatches", "pass", '''
        def minibatches(n, batch_size, rng):
            order = rng.permutation(n)
            return np.array_split(order, range(batch_size, n, batch_size))
    ''', "np.array_split at the multiples of batch_size: the last piece is the remainder"),
    Answer("07.minibatches", "pass", '''
        def minibatches(n, batch_size, rng):
            rng = np.random.default_rng(rng)
            order = list(rng.permutation(n))
            batches = []
            while order:
                batches.append(order[:batch_size])
                order = order[batch_size:]
            return tuple(batches)
    ''', "default_rng(rng) hands back the same generator; lists of numpy ints in a tuple"),
    Answer("07.minibatches", "fail", '''
        def minibatches(n, batch_size, rng):
            order = rng.choice(n, size=n, replace=False)
            for start in range(0, n, batch_size):
                yield order[start:start + batch_size]
    ''', "rng.choice without replacement: a permutation, but not the one rng.permutation(n) draws",
        message=("rng.permutation(n)",)),
    Answer("07.minibatches", "fail", '''
        def minibatches(n, batch_size, rng):
            return list(rng.permutation(n).reshape(-1, batch_size))
    ''', "reshape into rows of batch_size: fails when batch_size does not divide n"),
    Answer("07.minibatches", "fail", '''
        def minibatches(n, batch_size, rng):
            order = np.random.default_rng(0).permutation(n)
            return [order[i:i + batch_size] for i in range(0, n, batch_size)]
    ''', "a generator of its own (seeded 0) instead of the rng given", message=("the rng you are given",)),
    Answer("07.minibatch_sgd", "pass", '''
        import torch

        def minibatch_sgd(X, y, w0, lr, batch_size, epochs, rng):
            Xt, yt = torch.as_tensor(X), torch.as_tensor(y)
            w = torch.tensor(np.asarray(w0, dtype=float), requires_grad=True)
            opt = torch.optim.SGD([w], lr=lr)
            path = [w.detach().clone()]
            for epoch in range(epochs):
                for batch in minibatches(len(y), batch_size, rng):
                    b = torch.as_tensor(np.asarray(batch))
                    loss = ((Xt[b] @ w - yt[b]) ** 2).mean()
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                    path.append(w.detach().clone())
            return torch.stack(path).numpy()
    ''', "torch.optim.SGD on the autograd gradient of the mean batch loss"),
    Answer("07.minibatch_sgd", "pass", '''
        def minibatch_sgd(X, y, w0, lr, batch_size, epochs, rng):
            X32, y32 = X.astype(np.float32), y.astype(np.float32)
            w = np.asarray(w0, dtype=np.float32)
            path = [w]
            for _ in range(epochs):
                for batch in minibatches(len(y), batch_size, rng):
                    Xb, yb = X32[batch], y32[batch]
                    w = w - np.float32(lr * 2 / len(batch)) * (Xb.T @ (Xb @ w - yb))
                    path.append(w)
            return np.array(path)
    ''', "every step in float32 (the text allows it)"),
    Answer("07.minibatch_sgd", "fail", '''
        def minibatch_sgd(X, y, w0, lr, batch_size, epochs, rng):
            n = len(y)
            w = np.array(w0, dtype=float)
            path = [w.copy()]
            for _ in range(epochs):
                order = rng.permutation(n)
                for k in range(n // batch_size):
                    batch = order[k * batch_size:(k + 1) * batch_size]
                    w = w - lr * 2 / batch_size * X[batch].T @ (X[batch] @ w - y[batch])
                    path.append(w.copy())
            return np.array(path)
    ''', "n // batch_size batches: forgets the last, smaller batch", message=("keep the last, smaller batch",)),
    Answer("07.minibatch_sgd", "fail", '''
        def minibatch_sgd(X, y, w0, lr, batch_size, epochs, rng):
            w = np.array(w0, dtype=float)
            path = [w.copy()]
            for _ in range(epochs):
                for batch in minibatches(len(y), batch_size, rng):
                    w = w - lr * 2 / len(y) * X[batch].T @ (X[batch] @ w - y[batch])
                    path.append(w.copy())
            return np.array(path)
    ''', "divides the batch gradient by N instead of |B|"),
    Answer("07.inverse_time", "pass", '''
        import torch

        def inverse_time(lr0, k, steps):
            return lr0 / (1 + k * torch.arange(steps))
    ''', "a torch tensor (float32, torch's default for int × float)"),
    Answer("07.inverse_time", "fail", '''
        def inverse_time(lr0, k, steps):
            return lr0 / (1 + k * np.linspace(0, steps, steps))
    ''', "np.linspace(0, steps, steps) is not t = 0, 1, …, steps − 1"),
    Answer("07.inverse_time", "flagged", '''
        from dlcourse.schedules import InverseTimeDecay as Decay

        def inverse_time(lr0, k, steps):
            return Decay(lr0, k).values(steps)
    ''', "the library's schedule through an aliased from-import"),
    Answer("07.polyak_average", "pass", '''
        import torch

        def polyak_average(path, burn_in):
            tail = torch.as_tensor(np.asarray(path, dtype=float))[burn_in:]
            n = torch.arange(1, tail.shape[0] + 1, dtype=tail.dtype).unsqueeze(1)
            return torch.cumsum(tail, dim=0) / n
    ''', "torch.cumsum in float64"),
    Answer("07.polyak_average", "pass", '''
        def polyak_average(path, burn_in):
            def running(rows):
                total = None
                for count, row in enumerate(rows, start=1):
                    total = row.copy() if total is None else total + row
                    yield total / count
            return np.array(list(running(np.asarray(path, dtype=float)[burn_in:])))
    ''', "a generator of running means, enumerate from 1"),
    Answer("07.polyak_average", "fail", '''
        def polyak_average(path, burn_in):
            tail = np.asarray(path, dtype=float)[burn_in:]
            out, avg = [], tail[0].copy()
            for row in tail:
                avg = 0.9 * avg + 0.1 * row
                out.append(avg.copy())
            return np.array(out)
    ''', "an exponential moving average, not the running mean"),
    Answer("07.polyak_average", "fail", '''
        def polyak_average(path, burn_in):
            tail = np.asarray(path, dtype=float)[burn_in:]
            return np.cumsum(tail, axis=0) / np.arange(burn_in + 1, len(path) + 1)[:, None]
    ''', "divides by T + 1 (counts the burn-in iterates) instead of T − T₀ + 1"),
    Answer("07.inverse_time", "pass", '''
        import torch

        def inverse_time(lr0, k, steps):
            return (lr0 / (1 + k * torch.arange(steps))).tolist()
    ''', "float32 torch rates as a list of Python floats (.tolist())"),
    Answer("07.inverse_time", "fail", '''
        import torch

        def inverse_time(lr0, k, steps):
            return (lr0 / (1 + k * torch.arange(1, steps + 1))).tolist()
    ''', "t from 1, in float32 as a list", message=("starts at η₀",)),
]
