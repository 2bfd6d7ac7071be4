"""Alternative answers for ``solutions/10_training.ipynb`` (format: ``tests/answers/__init__.py``).

The answers to ``10.accuracy`` train small networks for a few epochs, so that the suite stays
fast: the target is met by a margin all the same.
"""

from . import Answer

ANSWERS = [
    # ------------------------------------------------------------------ 10.step_decay
    Answer("10.step_decay", "pass", '''
        def step_decay(lr0, gamma, step_size, epochs):
            return [lr0 * gamma ** (t // step_size) for t in range(epochs)]
    ''', "a list comprehension"),
    Answer("10.step_decay", "pass", '''
        import math

        def step_decay(lr0, gamma, step_size, epochs):
            rates = []
            lr = lr0
            for t in range(epochs):
                if t > 0 and t % step_size == 0:
                    lr = lr * gamma
                rates.append(lr)
            return np.array(rates)
    ''', "multiplying by γ at every s-th epoch, like StepLR's chained form"),
    Answer("10.step_decay", "pass", '''
        import math

        def step_decay(lr0, gamma, step_size, epochs):
            return np.array([lr0 * math.pow(gamma, math.floor(t / step_size)) for t in range(epochs)])
    ''', "math.floor of t/s"),
    Answer("10.step_decay", "pass", '''
        def step_decay(lr0, gamma, step_size, epochs):
            t = np.arange(epochs, dtype=np.float32)
            return np.float32(lr0) * np.float32(gamma) ** np.floor(t / step_size)
    ''', "float32 rates: a schedule needs no more precision"),
    Answer("10.step_decay", "pass", '''
        def step_decay(lr0, gamma, step_size, epochs):
            p = torch.nn.Parameter(torch.zeros(1))
            opt = torch.optim.SGD([p], lr=lr0)
            sched = torch.optim.lr_scheduler.StepLR(opt, step_size=step_size, gamma=gamma)
            rates = []
            for _ in range(epochs):
                rates.append(opt.param_groups[0]["lr"])
                opt.step()
                sched.step()
            return np.array(rates)
    ''', "torch's own StepLR, which the exercise names"),
    Answer("10.step_decay", "fail", '''
        def step_decay(lr0, gamma, step_size, epochs):
            t = np.arange(epochs)
            return lr0 * gamma ** ((t + 1) // step_size)
    ''', "the first drop one epoch early", message=("one epoch too early",)),
    Answer("10.step_decay", "fail", '''
        def step_decay(lr0, gamma, step_size, epochs):
            t = np.arange(1, epochs + 1)
            return lr0 * gamma ** (t // step_size)
    ''', "epochs counted from 1", message=("one epoch too early",)),
    Answer("10.step_decay", "fail", '''
        def step_decay(lr0, gamma, step_size, epochs):
            return lr0 * gamma ** np.arange(epochs)
    ''', "decays every epoch, ignores step_size"),
    Answer("10.step_decay", "fail", '''
        def step_decay(lr0, gamma, step_size, epochs):
            t = np.arange(epochs + 1)
            return lr0 * gamma ** (t // step_size)
    ''', "one rate too many", message=("one learning rate per epoch",)),
    Answer("10.step_decay", "fail", '''
        def step_decay(lr0, gamma, step_size, epochs):
            t = np.arange(epochs)
            return lr0 * gamma * (t // step_size)
    ''', "γ multiplied instead of raised to a power"),
    # ------------------------------------------------------------------ 10.early_stopping
    Answer("10.early_stopping", "pass", '''
        def early_stopping(val_losses, patience, min_delta=0.0):
            best, best_epoch, waited = None, 0, 0
            for epoch, loss in enumerate(val_losses, start=1):
                if best is None or best - loss > min_delta:
                    best, best_epoch, waited = loss, epoch, 0
                else:
                    waited += 1
                    if waited >= patience:
                        return best_epoch, epoch
            return best_epoch, len(val_losses)
    ''', "best − loss > min_delta, None for no best yet, >= patience"),
    Answer("10.early_stopping", "pass", '''
        def early_stopping(val_losses, patience, min_delta=0.0):
            losses = [float(v) for v in val_losses]
            best_epoch, stop = 1, len(losses)
            best = losses[0]
            since = 0
            for i in range(1, len(losses)):
                if losses[i] < best - min_delta:
                    best, best_epoch, since = losses[i], i + 1, 0
                else:
                    since += 1
                if since == patience:
                    stop = i + 1
                    break
            return [best_epoch, stop]
    ''', "0-based indices converted, the first epoch always improves, a list returned"),
    Answer("10.early_stopping", "pass", '''
        def early_stopping(val_losses, patience, min_delta=0.0):
            best = np.inf
            history = []
            for epoch, loss in enumerate(val_losses, start=1):
                improved = loss < best - min_delta
                history.append(improved)
                if improved:
                    best = loss
                last = max(i for i, ok in enumerate(history, start=1) if ok)
                if epoch - last >= patience:
                    return (last, epoch)
            return (max(i for i, ok in enumerate(history, start=1) if ok), len(val_losses))
    ''', "a history of improving epochs"),
    Answer("10.early_stopping", "fail", '''
        def early_stopping(val_losses, patience, min_delta=0.0):
            best, best_epoch, bad = float("inf"), 0, 0
            for epoch, loss in enumerate(val_losses, start=1):
                if loss <= best - min_delta:
                    best, best_epoch, bad = loss, epoch, 0
                else:
                    bad += 1
                    if bad == patience:
                        return best_epoch, epoch
            return best_epoch, len(val_losses)
    ''', "a tie with the best loss counts as an improvement"),
    Answer("10.early_stopping", "fail", '''
        def early_stopping(val_losses, patience, min_delta=0.0):
            best, best_epoch, bad = float("inf"), 0, 0
            for epoch, loss in enumerate(val_losses, start=1):
                if loss < best:
                    best, best_epoch, bad = loss, epoch, 0
                else:
                    bad += 1
                    if bad == patience:
                        return best_epoch, epoch
            return best_epoch, len(val_losses)
    ''', "ignores min_delta", message=("min_delta",)),
    Answer("10.early_stopping", "fail", '''
        def early_stopping(val_losses, patience, min_delta=0.0):
            best, best_epoch, bad = float("inf"), 0, 0
            for epoch, loss in enumerate(val_losses):
                if loss < best - min_delta:
                    best, best_epoch, bad = loss, epoch, 0
                else:
                    bad += 1
                    if bad == patience:
                        return best_epoch, epoch
            return best_epoch, len(val_losses) - 1
    ''', "epochs counted from 0", message=("count epochs from 1",)),
    Answer("10.early_stopping", "fail", '''
        def early_stopping(val_losses, patience, min_delta=0.0):
            prev, best_epoch, bad = float("inf"), 0, 0
            for epoch, loss in enumerate(val_losses, start=1):
                if loss < prev - min_delta:
                    best_epoch, bad = epoch, 0
                else:
                    bad += 1
                    if bad == patience:
                        return best_epoch, epoch
                prev = loss
            return best_epoch, len(val_losses)
    ''', "compares with the previous epoch instead of the best so far"),
    Answer("10.early_stopping", "fail", '''
        def early_stopping(val_losses, patience, min_delta=0.0):
            best, best_epoch, bad = float("inf"), 0, 0
            for epoch, loss in enumerate(val_losses, start=1):
                if loss < best - min_delta:
                    best, best_epoch = loss, epoch
                else:
                    bad += 1
                    if bad == patience:
                        return best_epoch, epoch
            return best_epoch, len(val_losses)
    ''', "never resets the counter: counts all non-improving epochs, not those in a row"),
    Answer("10.early_stopping", "fail", '''
        def early_stopping(val_losses, patience, min_delta=0.0):
            best, best_epoch, bad = float("inf"), 0, 0
            for epoch, loss in enumerate(val_losses, start=1):
                if loss < best - min_delta:
                    best, best_epoch, bad = loss, epoch, 0
                else:
                    bad += 1
                    if bad > patience:
                        return best_epoch, epoch
            return best_epoch, len(val_losses)
    ''', "stops one epoch late", message=("patience-th epoch",)),
    Answer("10.early_stopping", "fail", '''
        def early_stopping(val_losses, patience, min_delta=0.0):
            best, bad = float("inf"), 0
            for epoch, loss in enumerate(val_losses, start=1):
                if loss < best - min_delta:
                    best, bad = loss, 0
                else:
                    bad += 1
                    if bad == patience:
                        break
            seen = val_losses[:epoch]
            return int(np.argmin(seen)) + 1, epoch
    ''', "best_epoch as the epoch of the lowest loss, not the last improving one"),
    # ------------------------------------------------------------------ 10.train_epoch
    Answer("10.train_epoch", "pass", '''
        def train_one_epoch(model, batches, optimizer, loss_fn):
            model.train()
            total = torch.tensor(0.0)
            n = 0
            for X, y in batches:
                loss = loss_fn(model(X), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.detach() * len(y)
                n += len(y)
            return total / n
    ''', "the epoch loss accumulated in a float32 tensor (common PyTorch)"),
    Answer("10.train_epoch", "pass", '''
        def train_one_epoch(model, batches, optimizer, loss_fn):
            model.train()
            losses, sizes = [], []
            for X, y in batches:
                out = model(X)
                loss = loss_fn(out, y)
                model.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
                sizes.append(y.shape[0])
            return float(np.average(losses, weights=sizes))
    ''', "model.zero_grad(), np.average with weights"),
    Answer("10.train_epoch", "pass", '''
        def train_one_epoch(model, batches, optimizer, loss_fn):
            model.train()
            total, count = 0.0, 0
            for X, y in batches:
                loss = loss_fn(model(X), y)
                loss.backward()
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
                total += loss.item() * len(X)
                count += len(X)
            print(f"epoch loss {total / count:.4f}")
            return total / count
    ''', "zero_grad after the step (the model starts without gradients), a print"),
    Answer("10.train_epoch", "pass", '''
        def train_one_epoch(model, batches, optimizer, loss_fn):
            model.train()
            total, count = 0.0, 0
            for X, y in batches:
                optimizer.zero_grad()
                loss = loss_fn(model(X), y)
                loss.backward()
                optimizer.step()
                total += loss.item() * len(y)
                count += len(y)
            return np.float64(total / count)
    ''', "zero_grad first, a numpy scalar"),
    Answer("10.train_epoch", "fail", '''
        def train_one_epoch(model, batches, optimizer, loss_fn):
            model.train()
            losses = []
            for X, y in batches:
                loss = loss_fn(model(X), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
            return sum(losses) / len(losses)
    ''', "the mean of the batch losses, unweighted: wrong when the last batch is smaller",
        message=("weight each batch",)),
    Answer("10.train_epoch", "fail", '''
        def train_one_epoch(model, batches, optimizer, loss_fn):
            model.train()
            for X, y in batches:
                loss = loss_fn(model(X), y)
                loss.backward()
                optimizer.step()
            return loss.item()
    ''', "never clears the gradients, returns the last batch's loss", message=("zero_grad",)),
    Answer("10.train_epoch", "fail", '''
        def train_one_epoch(model, batches, optimizer, loss_fn):
            model.train()
            total, count = 0.0, 0
            for X, y in batches:
                loss = loss_fn(model(X), y)
                optimizer.zero_grad()
                loss.backward()
                total += loss.item() * len(y)
                count += len(y)
            return total / count
    ''', "forgets optimizer.step()", message=("optimizer.step()",)),
    Answer("10.train_epoch", "fail", '''
        def train_one_epoch(model, batches, optimizer, loss_fn):
            model.train()
            total, count = 0.0, 0
            for X, y in batches:
                optimizer.zero_grad()
                loss_fn(model(X), y).backward()
                optimizer.step()
                with torch.no_grad():
                    total += loss_fn(model(X), y).item() * len(y)
                count += len(y)
            return total / count
    ''', "records the loss after the step, not the loss it trained on"),
    Answer("10.train_epoch", "fail", '''
        def train_one_epoch(model, batches, optimizer, loss_fn):
            model.train()
            total = 0.0
            for X, y in batches:
                loss = loss_fn(model(X), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item() * len(y)
            return total
    ''', "returns the summed loss, not the mean"),
    # ------------------------------------------------------------------ 10.accuracy
    Answer("10.accuracy", "pass", '''
        import copy

        def train_digits(seed):
            dlcourse.seed_everything(seed)
            train, val, _ = data.digits_loaders(batch_size=64, seed=seed)
            model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
            optimizer = torch.optim.Adam(model.parameters(), lr=0.005)
            loss_fn = nn.CrossEntropyLoss()
            best, best_model, waited = float("inf"), None, 0
            for epoch in range(15):
                train_one_epoch(model, train, optimizer, loss_fn)
                model.eval()
                with torch.no_grad():
                    val_loss = np.mean([loss_fn(model(X), y).item() for X, y in val])
                if val_loss < best:
                    best, best_model, waited = val_loss, copy.deepcopy(model), 0
                else:
                    waited += 1
                    if waited == 3:
                        break
            return best_model
    ''', "a small network, early stopping on the validation loss, a deep copy of the best model"),
    Answer("10.accuracy", "pass", '''
        def train_digits(seed):
            dlcourse.seed_everything(seed)
            split = data.digits_split(seed=seed)
            X = torch.tensor(split.X_train, dtype=torch.float32)
            y = torch.tensor(split.y_train)
            Xv = torch.tensor(split.X_val, dtype=torch.float32)
            yv = torch.tensor(split.y_val)
            model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
            optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
            loss_fn = nn.CrossEntropyLoss()
            batches = [(X[i:i + 64], y[i:i + 64]) for i in range(0, len(y), 64)]
            best, best_state = float("inf"), None
            for epoch in range(15):
                train_one_epoch(model, batches, optimizer, loss_fn)
                with torch.no_grad():
                    val_loss = loss_fn(model(Xv), yv).item()
                if val_loss < best:
                    best, best_state = val_loss, {k: v.clone() for k, v in model.state_dict().items()}
            model.load_state_dict(best_state)
            return model
    ''', "its own tensors from data.digits_split's training and validation parts, unshuffled batches"),
    Answer("10.accuracy", "fail", '''
        def train_digits(seed):
            dlcourse.seed_everything(seed)
            train, val, test = data.digits_loaders(batch_size=64, seed=seed)
            model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
            optimizer = torch.optim.Adam(model.parameters(), lr=0.005)
            loss_fn = nn.CrossEntropyLoss()
            for epoch in range(2):
                train_one_epoch(model, train, optimizer, loss_fn)
                train_one_epoch(model, test, optimizer, loss_fn)
                with torch.no_grad():
                    print(sum(loss_fn(model(X), y).item() for X, y in val))
            return model
    ''', "trains on the test split too", message=("used the test split",)),
    Answer("10.accuracy", "fail", '''
        def train_digits(seed):
            dlcourse.seed_everything(seed)
            train, val, test = data.digits_loaders(batch_size=64, seed=seed)
            model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
            optimizer = torch.optim.Adam(model.parameters(), lr=0.005)
            loss_fn = nn.CrossEntropyLoss()
            best = float("inf")
            for epoch in range(2):
                train_one_epoch(model, train, optimizer, loss_fn)
                with torch.no_grad():
                    test_loss = sum(loss_fn(model(X), y).item() for X, y in test)
                if test_loss > best:
                    break
                best = test_loss
            return model
    ''', "decides when to stop on the test split", message=("used the test split",)),
    Answer("10.accuracy", "fail", '''
        def train_digits(seed):
            dlcourse.seed_everything(seed)
            X, y = data.digits()
            X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y)
            model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
            optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
            batches = [(X[i:i + 64], y[i:i + 64]) for i in range(0, len(y), 64)]
            for epoch in range(2):
                train_one_epoch(model, batches, optimizer, nn.CrossEntropyLoss())
            return model
    ''', "trains on all 1,797 digits, the test images included", message=("used the test split",)),
    Answer("10.accuracy", "fail", '''
        def train_digits(seed):
            dlcourse.seed_everything(seed)
            train, val, _ = data.digits_loaders(batch_size=64, seed=seed)
            model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
            optimizer = torch.optim.Adam(model.parameters(), lr=0.005)
            loss_fn = nn.CrossEntropyLoss()
            for epoch in range(12):
                train_one_epoch(model, train, optimizer, loss_fn)
            return model
    ''', "a fixed number of epochs: never looks at the validation loader to decide when to stop",
        message=("validation",)),
    Answer("10.accuracy", "fail", '''
        def train_digits(seed):
            dlcourse.seed_everything(seed)
            train, val, _ = data.digits_loaders(batch_size=64, seed=seed)
            model = nn.Sequential(nn.Linear(64, 10))
            optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
            train_one_epoch(model, train, optimizer, nn.CrossEntropyLoss())
            return model
    ''', "one epoch of a linear model with a small rate: below the target", message=("below the target",)),
    Answer("10.accuracy", "fail", '''
        def train_digits(seed):
            dlcourse.seed_everything(seed)
            train, val, _ = data.digits_loaders(batch_size=64, seed=seed)
            model = nn.Sequential(nn.Linear(64, 10))
            optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
            train_one_epoch(model, train, optimizer, nn.CrossEntropyLoss())
            return model.state_dict()
    ''', "returns the weights, not the model", message=("must return the trained torch model",)),
    # ------------------------------------------------------------------ 10.plateau
    Answer("10.plateau", "pass", '''
        def plateau_rates(val_losses, lr0, patience, factor):
            p = torch.nn.Parameter(torch.zeros(1))
            opt = torch.optim.SGD([p], lr=lr0)
            sched = torch.optim.lr_scheduler.ReduceLROnPlateau(
                opt, factor=factor, patience=patience, threshold=0.0, threshold_mode="abs", eps=0.0)
            rates = []
            for loss in val_losses:
                sched.step(loss)
                rates.append(opt.param_groups[0]["lr"])
            return rates
    ''', "torch's ReduceLROnPlateau with threshold 0"),
    Answer("10.plateau", "pass", '''
        def plateau_rates(val_losses, lr0, patience, factor):
            rates, lr, since_best, best = [], lr0, 0, min(val_losses[:1], default=0.0)
            for i, loss in enumerate(val_losses):
                if i == 0 or loss < best:
                    best, since_best = loss, 0
                else:
                    since_best += 1
                    if since_best == patience + 1:
                        lr = lr * factor
                        since_best = 0
                rates.append(lr)
            return np.array(rates, dtype=np.float32)
    ''', "the first epoch always improves, == patience + 1, float32 rates"),
    Answer("10.plateau", "pass", '''
        def plateau_rates(val_losses, lr0, patience, factor):
            cuts, bad, best, out = 0, 0, np.inf, []
            for loss in val_losses:
                bad = 0 if loss < best else bad + 1
                best = min(best, loss)
                if bad > patience:
                    cuts, bad = cuts + 1, 0
                out.append(lr0 * factor ** cuts)
            return out
    ''', "counts the cuts and raises factor to that power"),
    Answer("10.plateau", "fail", '''
        def plateau_rates(val_losses, lr0, patience, factor):
            lr, best, bad, rates = lr0, float("inf"), 0, []
            for loss in val_losses:
                if loss < best:
                    best, bad = loss, 0
                else:
                    bad += 1
                if bad >= patience:
                    lr, bad = lr * factor, 0
                rates.append(lr)
            return rates
    ''', "cuts on the patience-th bad epoch, one early", message=("one epoch early",)),
    Answer("10.plateau", "fail", '''
        def plateau_rates(val_losses, lr0, patience, factor):
            lr, best, bad, rates = lr0, float("inf"), 0, []
            for loss in val_losses:
                if loss <= best:
                    best, bad = loss, 0
                else:
                    bad += 1
                if bad > patience:
                    lr, bad = lr * factor, 0
                rates.append(lr)
            return rates
    ''', "a tie counts as an improvement", message=("tie",)),
    Answer("10.plateau", "fail", '''
        def plateau_rates(val_losses, lr0, patience, factor):
            lr, best, bad, rates = lr0, float("inf"), 0, []
            for loss in val_losses:
                if loss < best:
                    best, bad = loss, 0
                else:
                    bad += 1
                if bad > patience:
                    lr = lr * factor
                rates.append(lr)
            return rates
    ''', "never restarts the count after a cut", message=("restart the count",)),
    Answer("10.plateau", "fail", '''
        def plateau_rates(val_losses, lr0, patience, factor):
            lr, bad, rates = lr0, 0, []
            for loss in val_losses:
                rates.append(lr)
                bad = bad + 1 if rates and len(rates) > 1 and loss >= min(val_losses[:len(rates) - 1]) else 0
                if bad > patience:
                    lr, bad = lr * factor, 0
            return rates
    ''', "returns the rate each epoch was trained with, one epoch behind", message=("after",)),
    Answer("10.plateau", "fail", '''
        def plateau_rates(val_losses, lr0, patience, factor):
            lr, bad, rates = lr0, 0, []
            for loss in val_losses:
                if loss < best if rates else True:
                    bad = 0
                else:
                    bad += 1
                best = loss
                if bad > patience:
                    lr, bad = lr * factor, 0
                rates.append(lr)
            return rates
    ''', "compares with the previous epoch's loss, not the best", message=("best loss so far",)),

    # ------------------------------------------------------------------ further styles and slips
    Answer("10.step_decay", "pass", '''
        def step_decay(lr0, gamma, step_size, epochs):
            return lr0 * np.power(gamma, np.floor_divide(np.arange(epochs), step_size))
    ''', "np.power and np.floor_divide"),
    Answer("10.step_decay", "pass", '''
        def step_decay(lr0, gamma, step_size, epochs):
            drops = torch.div(torch.arange(epochs), step_size, rounding_mode="floor")
            return lr0 * gamma ** drops
    ''', "torch: floor division of an int tensor, float32 rates"),
    Answer("10.step_decay", "fail", '''
        def step_decay(lr0, gamma, step_size, epochs):
            t = np.arange(epochs)
            return lr0 * gamma ** np.ceil(t / step_size)
    ''', "⌈t/s⌉ instead of ⌊t/s⌋: the first drop at epoch 1"),
    Answer("10.step_decay", "fail", '''
        def step_decay(lr0, gamma, step_size, epochs):
            return np.array([lr0 * gamma ** round(t / step_size) for t in range(epochs)])
    ''', "rounds t/s to the nearest integer: drops half a period early"),
    Answer("10.early_stopping", "pass", '''
        import itertools

        def early_stopping(val_losses, patience, min_delta=0.0):
            best_loss, best_epoch, since = None, None, 0
            for epoch, loss in zip(itertools.count(1), val_losses):
                if best_loss is None or best_loss - loss > min_delta:
                    best_loss, best_epoch, since = loss, epoch, 0
                    continue
                since += 1
                if since >= patience:
                    return best_epoch, epoch
            return best_epoch, len(val_losses)
    ''', "zip with itertools.count(1), None for no best yet, continue"),
    Answer("10.early_stopping", "pass", '''
        def early_stopping(val_losses, patience, min_delta=0.0):
            losses = np.asarray(val_losses, dtype=float)
            i, best_i, waited = 0, -1, 0
            while i < len(losses):
                if best_i < 0 or losses[i] < losses[best_i] - min_delta:
                    best_i, waited = i, 0
                else:
                    waited += 1
                    if waited == patience:
                        break
                i += 1
            return int(best_i + 1), int(min(i + 1, len(losses)))
    ''', "a while loop over a numpy array, 0-based indices converted at the end"),
    Answer("10.early_stopping", "fail", '''
        def early_stopping(val_losses, patience, min_delta=0.0):
            lowest, best_epoch, bad = float("inf"), 0, 0
            for epoch, loss in enumerate(val_losses, start=1):
                improved = loss < lowest - min_delta
                lowest = min(lowest, loss)
                if improved:
                    best_epoch, bad = epoch, 0
                else:
                    bad += 1
                    if bad == patience:
                        return best_epoch, epoch
            return best_epoch, len(val_losses)
    ''', "compares with the lowest loss seen, which a loss lower by less than min_delta also lowers",
        message=("last improving epoch",)),
    Answer("10.early_stopping", "fail", '''
        def early_stopping(val_losses, patience, min_delta=0.0):
            best, best_epoch, bad = float("inf"), 0, 0
            for epoch, loss in enumerate(val_losses, start=1):
                if loss < best - min_delta:
                    best, best_epoch, bad = loss, epoch, 0
                else:
                    bad += 1
                    if bad == patience - 1:
                        return best_epoch, epoch
            return best_epoch, len(val_losses)
    ''', "stops one epoch early", message=("not one earlier",)),
    Answer("10.early_stopping", "fail", '''
        def early_stopping(val_losses, patience, min_delta=0.0):
            best, best_epoch, bad = float("inf"), 0, 0
            for epoch, loss in enumerate(val_losses, start=1):
                if loss < best * (1 - min_delta):
                    best, best_epoch, bad = loss, epoch, 0
                else:
                    bad += 1
                    if bad == patience:
                        return best_epoch, epoch
            return best_epoch, len(val_losses)
    ''', "min_delta as a relative threshold"),
    Answer("10.plateau", "pass", '''
        def plateau_rates(val_losses, lr0, patience, factor):
            rates, lr, best, waited = [], float(lr0), None, 0
            i = 0
            while i < len(val_losses):
                loss = val_losses[i]
                if best is None or loss < best:
                    best, waited = loss, 0
                else:
                    waited += 1
                    if waited == patience + 1:
                        lr *= factor
                        waited = 0
                rates.append(lr)
                i += 1
            return rates
    ''', "a while loop, None for no best yet, a list of floats"),
    Answer("10.plateau", "fail", '''
        def plateau_rates(val_losses, lr0, patience, factor):
            lr, best, bad, rates = lr0, float("inf"), 0, [lr0]
            for loss in val_losses:
                if loss < best:
                    best, bad = loss, 0
                else:
                    bad += 1
                if bad > patience:
                    lr, bad = lr * factor, 0
                rates.append(lr)
            return rates
    ''', "the starting rate prepended: one rate too many", message=("one learning rate per epoch",)),
    Answer("10.plateau", "fail", '''
        def plateau_rates(val_losses, lr0, patience, factor):
            lr, best, bad, rates, cut = lr0, float("inf"), 0, [], False
            for loss in val_losses:
                if loss < best:
                    best, bad = loss, 0
                else:
                    bad += 1
                if bad > patience and not cut:
                    lr, bad, cut = lr * factor, 0, True
                rates.append(lr)
            return rates
    ''', "reduces the rate only once"),
    Answer("10.train_epoch", "pass", '''
        def train_one_epoch(model, batches, optimizer, loss_fn):
            model.train()
            total = 0.0
            for X, y in batches:
                pred = model(X)
                loss = loss_fn(pred, y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item() * X.size(0)
            return total / len(batches.dataset)
    ''', "divides by len(batches.dataset), as PyTorch's tutorial does with a DataLoader"),
    Answer("10.train_epoch", "pass", '''
        from tqdm.auto import tqdm

        def train_one_epoch(model, batches, optimizer, loss_fn):
            model.train()
            weighted, seen = [], 0
            for step, (X, y) in enumerate(tqdm(batches, leave=False, disable=None)):
                optimizer.zero_grad()
                loss = loss_fn(model(X), y)
                loss.backward()
                optimizer.step()
                weighted.append(loss.detach() * y.numel())
                seen += y.numel()
            return (torch.stack(weighted).sum() / seen).item()
    ''', "tqdm and enumerate, the weighted losses stacked as tensors"),
    Answer("10.train_epoch", "pass", '''
        def train_one_epoch(model, batches, optimizer, loss_fn):
            model.train()
            total, count = 0.0, 0
            for X, y in batches:
                def closure():
                    optimizer.zero_grad()
                    loss = loss_fn(model(X), y)
                    loss.backward()
                    return loss
                loss = optimizer.step(closure)
                total += float(loss) * len(y)
                count += len(y)
            return total / count
    ''', "optimizer.step(closure), which returns the loss it computed"),
    Answer("10.train_epoch", "pass", '''
        def train_one_epoch(model, batches, optimizer, loss_fn):
            model.train()
            summed = nn.CrossEntropyLoss(reduction="sum")
            total, count = 0.0, 0
            for X, y in batches:
                batch_sum = summed(model(X), y)
                optimizer.zero_grad()
                (batch_sum / len(y)).backward()
                optimizer.step()
                total += batch_sum.item()
                count += len(y)
            return total / count
    ''', "a summed cross-entropy divided by the batch size: the same mean loss and gradients"),
    Answer("10.train_epoch", "fail", '''
        def train_one_epoch(model, batches, optimizer, loss_fn):
            model.train()
            total, first = 0.0, None
            for X, y in batches:
                first = first or len(y)
                loss = loss_fn(model(X), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item() * len(y)
            return total / (len(batches) * first)
    ''', "divides by the number of batches times the first batch's size: the last one is smaller",
        message=("mean loss",)),
    Answer("10.train_epoch", "fail", '''
        def train_one_epoch(model, batches, optimizer, loss_fn):
            model.train()
            total, count = 0.0, 0
            for X, y in batches:
                loss = loss_fn(model(X), y)
                loss.backward()
                optimizer.zero_grad()
                optimizer.step()
                total += loss.item() * len(y)
                count += len(y)
            return total / count
    ''', "clears the gradients between backward and step: the step sees none", message=("zero_grad",)),
    Answer("10.accuracy", "pass", '''
        import copy

        def train_digits(seed):
            dlcourse.seed_everything(seed)
            train, val, _ = data.digits_loaders(batch_size=32, seed=seed)
            model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
            optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
            loss_fn = nn.CrossEntropyLoss()

            def val_accuracy():
                model.eval()
                with torch.no_grad():
                    right = sum((model(X).argmax(1) == y).sum().item() for X, y in val)
                return right / len(val.dataset)

            best_acc, best_state, epoch, waited = -1.0, None, 0, 0
            while epoch < 60 and waited < 6:
                train_one_epoch(model, train, optimizer, loss_fn)
                acc = val_accuracy()
                print(f"epoch {epoch}: validation accuracy {acc:.3f}")
                if acc > best_acc:
                    best_acc, best_state, waited = acc, copy.deepcopy(model.state_dict()), 0
                else:
                    waited += 1
                epoch += 1
            model.load_state_dict(best_state)
            return model
    ''', "early stopping on the validation accuracy, a while loop, progress printed"),
    Answer("10.accuracy", "fail", '''
        import copy

        def train_digits(seed):
            dlcourse.seed_everything(seed)
            train, val, test = data.digits_loaders(batch_size=64, seed=seed)
            model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
            optimizer = torch.optim.Adam(model.parameters(), lr=0.005)
            loss_fn = nn.CrossEntropyLoss()
            best, best_model, waited = float("inf"), None, 0
            for epoch in range(30):
                train_one_epoch(model, train, optimizer, loss_fn)
                model.eval()
                with torch.no_grad():
                    val_loss = sum(loss_fn(model(X), y).item() * len(y) for X, y in val) / len(val.dataset)
                if val_loss < best:
                    best, best_model, waited = val_loss, copy.deepcopy(model), 0
                else:
                    waited += 1
                    if waited == 4:
                        break
            with torch.no_grad():
                acc = np.mean([(best_model(X).argmax(1) == y).float().mean().item() for X, y in test])
            print(f"test accuracy {acc:.3f}")
            return best_model
    ''', "a right training loop that reads the test loader at the end to print its accuracy",
        message=("used the test split",)),
    Answer("10.accuracy", "flagged", '''
        import dlcourse.training as loop

        def train_digits(seed):
            dlcourse.seed_everything(seed)
            train, val, _ = data.digits_loaders(batch_size=64, seed=seed)
            model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
            loop.fit(model, train, val, torch.optim.Adam(model.parameters(), lr=0.005), epochs=30)
            return model
    ''', "dlcourse.training.fit through a module alias"),
    Answer("10.step_decay", "pass", '''
        def step_decay(lr0, gamma, step_size, epochs):
            return (lr0 * torch.tensor(gamma) ** (torch.arange(epochs) // step_size)).tolist()
    ''', "float32 torch rates returned as a list of Python floats"),
    Answer("10.plateau", "pass", '''
        def plateau_rates(val_losses, lr0, patience, factor):
            lr, best, bad, out = np.float32(lr0), np.inf, 0, []
            for loss in val_losses:
                if loss < best:
                    best, bad = loss, 0
                else:
                    bad += 1
                if bad > patience:
                    lr, bad = lr * np.float32(factor), 0
                out.append(float(lr))
            return out
    ''', "a float32 rate, each appended as float(lr)"),
    Answer("10.train_epoch", "pass", '''
        def train_one_epoch(model, batches, optimizer, loss_fn):
            model.train()
            total, count = 0.0, 0
            for i in range(len(batches)):
                X, y = batches[i]
                loss = loss_fn(model(X), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item() * len(y)
                count += len(y)
            return total / count
    ''', "the batches by index, batches[i] for i in range(len(batches))"),
    Answer("10.plateau", "fail", '''
        def plateau_rates(val_losses, lr0, patience, factor):
            w = torch.nn.Parameter(torch.zeros(1))
            opt = torch.optim.SGD([w], lr=lr0)
            sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=factor, patience=patience)
            rates = []
            for loss in val_losses:
                sched.step(loss)
                rates.append(opt.param_groups[0]["lr"])
            return rates
    ''', "torch's ReduceLROnPlateau with its default relative threshold 1e-4, not threshold 0",
        message=("threshold=0",)),
]
