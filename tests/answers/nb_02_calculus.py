"""Alternative answers for ``solutions/02_calculus.ipynb`` (format: ``tests/answers/__init__.py``)."""

from . import Answer

ANSWERS = [
    # ------------------------------------------------------------------ 02.derivative
    Answer("02.derivative", "pass", '''
        def central_difference(f, x, h):
            return 0.5 * (f(x + h) - f(x - h)) / h
    ''', "the factor ½ written first"),
    Answer("02.derivative", "pass", '''
        def central_difference(f, x, h):
            right, left = f(x + h), f(x - h)
            slope = (right - left) / h / 2
            print(f"f'({x}) ≈ {slope}")
            return slope
    ''', "two divisions, with a print"),
    Answer("02.derivative", "pass", '''
        def _rise(f, a, b):
            return f(b) - f(a)

        def central_difference(f, x, h):
            return np.float64(_rise(f, x - h, x + h) / (2.0 * h))
    ''', "a helper function, a numpy scalar"),
    Answer("02.derivative", "fail", '''
        def central_difference(f, x, h):
            return (f(x + h) - f(x)) / h
    ''', "the forward difference", message=("forward difference",)),
    Answer("02.derivative", "fail", '''
        def central_difference(f, x, h):
            return (f(x + h) - f(x - h)) / h
    ''', "divides by h, not 2h", message=("factor of 2",)),
    Answer("02.derivative", "fail", '''
        def central_difference(f, x, h):
            h = 1e-5
            return (f(x + h) - f(x - h)) / (2 * h)
    ''', "ignores the step h it is given"),
    Answer("02.derivative", "fail", '''
        def central_difference(f, x, h):
            return (f(x) - f(x - h)) / h
    ''', "the backward difference"),
    Answer("02.derivative", "fail", '''
        def central_difference(f, x, h):
            x, h = np.float32(x), np.float32(h)
            return np.float32(f(x + h) - f(x - h)) / (2 * h)
    ''', "float32: round-off of ε₃₂/h ruins a finite difference", message=("compute in float64",)),
    # ------------------------------------------------------------------ 02.jacobian
    Answer("02.jacobian", "pass", '''
        def numerical_jacobian(f, x, h=1e-6):
            x = np.asarray(x, dtype=float)
            m = np.asarray(f(x)).size
            J = np.zeros((m, x.size))
            for j in range(x.size):
                e = np.zeros(x.size)
                e[j] = 1.0
                J[:, j] = (np.asarray(f(x + h * e)) - np.asarray(f(x - h * e))) / (2 * h)
            return J
    ''', "fills a preallocated m×n matrix column by column"),
    Answer("02.jacobian", "pass", '''
        def numerical_jacobian(f, x, h=1e-6):
            x = np.array(x, dtype=float)
            columns = []
            for j in range(len(x)):
                x[j] += h
                up = np.asarray(f(x), dtype=float)
                x[j] -= 2 * h
                down = np.asarray(f(x), dtype=float)
                x[j] += h
                columns.append((up - down) / (2 * h))
            return np.array(columns).T
    ''', "perturbs a copy of x in place and restores it; transposes the list of columns"),
    Answer("02.jacobian", "pass", '''
        def numerical_jacobian(f, x, h=1e-6):
            x = np.asarray(x, dtype=float)
            steps = h * np.eye(x.size)
            return np.column_stack([(f(x + s) - f(x - s)) / (2 * h) for s in steps])
    ''', "the rows of h·I as steps, np.column_stack"),
    Answer("02.jacobian", "pass", '''
        def numerical_jacobian(f, x, h=1e-6):
            x = np.asarray(x, dtype=float)
            n = x.size
            rows = []
            for i in range(np.size(f(x))):
                row = []
                for j in range(n):
                    step = np.zeros(n)
                    step[j] = h
                    row.append((np.ravel(f(x + step))[i] - np.ravel(f(x - step))[i]) / (2 * h))
                rows.append(row)
            return np.array(rows)
    ''', "element by element, with lists"),
    Answer("02.jacobian", "fail", '''
        def numerical_jacobian(f, x, h=1e-6):
            x = np.asarray(x, dtype=float)
            rows = []
            for j in range(x.size):
                step = np.zeros_like(x)
                step[j] = h
                rows.append((f(x + step) - f(x - step)) / (2 * h))
            return np.array(rows)
    ''', "transposed: n×m", message=("transposed",)),
    Answer("02.jacobian", "fail", '''
        def numerical_jacobian(f, x, h=1e-6):
            x = np.asarray(x, dtype=float)
            fx = np.asarray(f(x))
            cols = []
            for j in range(x.size):
                step = np.zeros_like(x)
                step[j] = h
                cols.append((np.asarray(f(x + step)) - fx) / h)
            return np.stack(cols, axis=1)
    ''', "forward differences"),
    Answer("02.jacobian", "fail", '''
        def numerical_jacobian(f, x, h=1e-6):
            x = np.asarray(x, dtype=float)
            h = 1e-6
            cols = []
            for j in range(x.size):
                step = np.zeros_like(x)
                step[j] = h
                cols.append((np.asarray(f(x + step)) - np.asarray(f(x - step))) / (2 * h))
            return np.stack(cols, axis=1)
    ''', "ignores the h it is given"),
    Answer("02.jacobian", "fail", '''
        def numerical_jacobian(f, x, h=1e-6):
            x = np.asarray(x, dtype=np.float32)
            cols = []
            for j in range(x.size):
                step = np.zeros_like(x)
                step[j] = h
                cols.append((np.asarray(f(x + step)) - np.asarray(f(x - step))) / (2 * h))
            return np.stack(cols, axis=1).astype(np.float32)
    ''', "float32 differences", message=("compute in float64",)),
    # ------------------------------------------------------------------ 02.analytic_jacobian
    Answer("02.analytic_jacobian", "pass", '''
        def jacobian_example(x):
            x1, x2, x3 = x
            return [[2 * x1, 2 * x2, 0.0], [0.0, 2 * x2 + x3 * x3, 2 * x2 * x3]]
    ''', "nested lists"),
    Answer("02.analytic_jacobian", "pass", '''
        def jacobian_example(x):
            x1, x2, x3 = x
            return np.array([[2 * x1, 2 * x2, 0], [0, 2 * x2 + x3**2, 2 * x2 * x3]], dtype=np.float32)
    ''', "exact formula stored in float32 (precision of its dtype)"),
    Answer("02.analytic_jacobian", "pass", '''
        def jacobian_example(x):
            J = np.zeros((2, 3))
            J[0, 0], J[0, 1] = 2 * x[0], 2 * x[1]
            J[1, 1] = 2 * x[1] + x[2] ** 2
            J[1, 2] = 2 * x[1] * x[2]
            return J
    ''', "filled into zeros"),
    Answer("02.analytic_jacobian", "fail", '''
        def jacobian_example(x):
            x1, x2, x3 = x
            return np.array([[2 * x1, 2 * x2, 0.0], [0.0, 2 * x2, 2 * x2 * x3]])
    ''', "forgets the product rule in ∂f₂/∂x₂", message=("2x₂ + x₃²",)),
    Answer("02.analytic_jacobian", "fail", '''
        def jacobian_example(x):
            x1, x2, x3 = x
            return np.array([[2 * x1, 0.0], [2 * x2, 2 * x2 + x3**2], [0.0, 2 * x2 * x3]])
    ''', "transposed (3×2)"),
    Answer("02.analytic_jacobian", "fail", '''
        def jacobian_example(x):
            f = lambda v: np.array([v[0] ** 2 + v[1] ** 2, v[1] ** 2 + v[2] ** 2 * v[1]])
            return numerical_jacobian(f, x)
    ''', "finite differences (its own exercise-2 function) where the exact Jacobian is asked for",
        message=("numerical_jacobian",)),
    Answer("02.analytic_jacobian", "flagged", '''
        from dlcourse import calculus

        def jacobian_example(x):
            f = lambda v: np.array([v[0] ** 2 + v[1] ** 2, v[1] ** 2 + v[2] ** 2 * v[1]])
            return calculus.jacobian(f, np.asarray(x, dtype=float))
    ''', "the library's numerical Jacobian"),
    Answer("02.analytic_jacobian", "fail", '''
        def jacobian_example(x):
            return np.array([[2.0, 4.0, 0.0], [0.0, 13.0, 12.0]])
    ''', "hard-codes the book's example at x = (1, 2, 3)"),
    # ------------------------------------------------------------------ 02.critical_point
    Answer("02.critical_point", "pass", '''
        def classify(H):
            eig = np.linalg.eigvals(np.asarray(H, dtype=float)).real
            tol = 1e-8 * max(1.0, float(np.abs(eig).max()))
            pos, neg = int(np.sum(eig > tol)), int(np.sum(eig < -tol))
            if pos and neg:
                return "saddle"
            if pos + neg < len(eig):
                return "degenerate"
            return "minimum" if pos else "maximum"
    ''', "np.linalg.eigvals and counts"),
    Answer("02.critical_point", "pass", '''
        def classify(H):
            eig = np.linalg.eigvalsh(H)
            tol = 1e-8 * max(1, max(abs(e) for e in eig))
            signs = set()
            for e in eig:
                signs.add(0 if abs(e) <= tol else (1 if e > 0 else -1))
            if {1, -1} <= signs:
                return "saddle"
            return {frozenset({1}): "minimum", frozenset({-1}): "maximum"}.get(frozenset(signs), "degenerate")
    ''', "a set of signs and a dict lookup"),
    Answer("02.critical_point", "pass", '''
        def classify(H):
            eig = np.linalg.eigvalsh(H)
            tol = 1e-8 * max(1.0, np.max(np.abs(eig)))
            labels = np.array(["saddle", "degenerate", "minimum", "maximum"])
            if np.any(eig > tol) and np.any(eig < -tol):
                return labels[0]
            if np.any(np.abs(eig) <= tol):
                return labels[1]
            return labels[2] if eig.min() > 0 else labels[3]
    ''', "labels picked from a numpy array (np.str_)"),
    Answer("02.critical_point", "fail", '''
        def classify(H):
            eig = np.linalg.eigvalsh(H)
            if np.any(eig > 0) and np.any(eig < 0):
                return "saddle"
            if np.any(eig == 0):
                return "degenerate"
            return "minimum" if np.all(eig > 0) else "maximum"
    ''', "tests eigenvalues against exactly 0 (no tolerance)"),
    Answer("02.critical_point", "fail", '''
        def classify(H):
            eig = np.linalg.eigvalsh(H)
            tol = 1e-8
            if np.any(eig > tol) and np.any(eig < -tol):
                return "saddle"
            if np.any(np.abs(eig) <= tol):
                return "degenerate"
            return "minimum" if np.all(eig > 0) else "maximum"
    ''', "an absolute tolerance 1e-8, not relative to the largest |λ|"),
    Answer("02.critical_point", "fail", '''
        def classify(H):
            eig = np.linalg.eigvalsh(H)
            tol = 1e-4
            if np.any(eig > tol) and np.any(eig < -tol):
                return "saddle"
            if np.any(np.abs(eig) <= tol):
                return "degenerate"
            return "minimum" if np.all(eig > 0) else "maximum"
    ''', "a tolerance far larger than the exercise's"),
    Answer("02.critical_point", "fail", '''
        def classify(H):
            eig = np.linalg.eigvalsh(H)
            tol = 1e-8 * np.max(np.abs(eig))
            if np.any(eig > tol) and np.any(eig < -tol):
                return "saddle"
            if np.any(np.abs(eig) <= tol):
                return "degenerate"
            return "minimum" if np.all(eig > 0) else "maximum"
    ''', "a tolerance relative to max|λ| without the max(1, …) floor"),
    Answer("02.critical_point", "fail", '''
        def classify(H):
            d = np.diag(H)
            if np.any(d > 0) and np.any(d < 0):
                return "saddle"
            if np.any(d == 0):
                return "degenerate"
            return "minimum" if np.all(d > 0) else "maximum"
    ''', "the signs of the diagonal instead of the eigenvalues"),
    Answer("02.critical_point", "fail", '''
        def classify(H):
            eig = np.linalg.eigvalsh(H)
            tol = 1e-8 * max(1.0, np.max(np.abs(eig)))
            if np.any(eig > tol) and np.any(eig < -tol):
                return "saddle"
            return "minimum" if np.all(eig >= -tol) else "maximum"
    ''', "calls a semi-definite Hessian a minimum", message=("inconclusive",)),
    # ------------------------------------------------------------------ 02.saddle_odds
    Answer("02.saddle_odds", "pass", '''
        import math

        def critical_point_odds(p):
            p_min = math.ldexp(1.0, -p)
            return [p_min, p_min, 1 - 2 * p_min]
    ''', "math.ldexp, a list"),
    Answer("02.saddle_odds", "pass", '''
        def critical_point_odds(p):
            total = 2**p
            return 1 / total, 1 / total, (total - 2) / total
    ''', "exact integers 2**p divided (Python's int division is correctly rounded)"),
    Answer("02.saddle_odds", "pass", '''
        def critical_point_odds(p):
            both = np.float64(0.5) ** p
            print("minima : maxima : saddles = 1 : 1 :", 2.0**min(p, 60) - 2)
            return both, both, 1.0 - both - both
    ''', "numpy scalars, with a print"),
    Answer("02.saddle_odds", "fail", '''
        def critical_point_odds(p):
            return 0.5**p, 0.5**p, 1 - 0.5**p
    ''', "saddles as 1 − P(minimum), forgetting the maxima", message=("AND the maxima",)),
    Answer("02.saddle_odds", "fail", '''
        def critical_point_odds(p):
            return 0.5 ** (p - 1), 0.5 ** (p - 1), 1 - 0.5 ** (p - 2)
    ''', "an off-by-one in the exponent"),
    Answer("02.saddle_odds", "fail", '''
        def critical_point_odds(p):
            return 1 / 2.0**p, 1 / 2.0**p, 1 - 2 / 2.0**p
    ''', "2.0**p overflows for a million parameters"),
    Answer("02.saddle_odds", "fail", '''
        def critical_point_odds(p):
            return 0.5**p, 1 - 2 * 0.5**p, 0.5**p
    ''', "the tuple in the wrong order"),
]

ANSWERS += [
    # ------------------------------------------------------------------ 02.derivative
    Answer("02.derivative", "pass", '''
        central_difference = lambda f, x, h: (f(x + h) - f(x - h)) / (h + h)
    ''', "a lambda, 2h written as h + h"),
    Answer("02.derivative", "pass", '''
        import math

        def central_difference(f, x, h):
            x, h = float(x), float(h)
            ahead, behind = f(x + h), f(x - h)
            return np.array((ahead - behind) / (2 * h))
    ''', "Python floats, the result as a 0-d numpy array"),
    Answer("02.derivative", "fail", '''
        def central_difference(f, x, h):
            return (f(x + h / 2) - f(x - h / 2)) / h
    ''', "a central difference of step h/2, not the step h it is given"),
    Answer("02.derivative", "fail", '''
        def central_difference(f, x, h):
            return (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h)
    ''', "the five-point stencil: more accurate, but not the central difference asked for"),
    Answer("02.derivative", "fail", '''
        def central_difference(f, x, h):
            return (f(x + h) - f(x - h)) / 2 * h
    ''', "precedence: divides by 2 and multiplies by h"),
    # ------------------------------------------------------------------ 02.jacobian
    Answer("02.jacobian", "pass", '''
        def numerical_jacobian(f, x, step=1e-6):
            x = np.asarray(x, dtype=float)
            cols = [(np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * step) for e in step * np.eye(x.size)]
            return np.stack(cols, axis=-1)
    ''', "the step argument named `step` (the check passes h by position, as the exercise writes the call)"),
    Answer("02.jacobian", "pass", '''
        def numerical_jacobian(f, x, h=1e-6):
            x = np.asarray(x, dtype=float)
            J = []
            for j in range(x.size):
                saved = x[j]
                x[j] = saved + h
                up = np.array(f(x), dtype=float)
                x[j] = saved - h
                down = np.array(f(x), dtype=float)
                x[j] = saved
                J.append((up - down) / (2 * h))
            return np.array(J).T.reshape(-1, x.size)
    ''', "perturbs the caller's x in place and restores each coordinate exactly"),
    Answer("02.jacobian", "pass", '''
        def numerical_jacobian(f, x, h=1e-6):
            x = np.asarray(x, dtype=float)
            n = x.size
            for j in range(n):
                x[j] += h
                up = np.asarray(f(x), dtype=float)
                x[j] -= 2 * h
                down = np.asarray(f(x), dtype=float)
                x[j] += h
                col = ((up - down) / (2 * h)).reshape(-1, 1)
                J = col if j == 0 else np.hstack([J, col])
            return J
    ''', "perturbs x in place and undoes it by adding h back (x + h − 2h + h: the last bit may differ)"),
    Answer("02.jacobian", "fail", '''
        def numerical_jacobian(f, x, h=1e-6):
            x = np.asarray(x, dtype=float)
            cols = []
            for j in range(x.size):
                x[j] += h
                up = np.asarray(f(x), dtype=float)
                x[j] -= 2 * h
                down = np.asarray(f(x), dtype=float)
                cols.append((up - down) / (2 * h))
            return np.stack(cols, axis=1)
    ''', "perturbs the caller's x in place and never restores it", message=("changed its argument x",)),
    Answer("02.jacobian", "fail", '''
        def numerical_jacobian(f, x, h=1e-6):
            x = np.asarray(x, dtype=float)
            cols = [(np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h) for e in h * np.eye(x.size)]
            return np.squeeze(np.stack(cols, axis=1))
    ''', "squeezes away the single row of a one-output Jacobian", message=("one row",)),
    Answer("02.jacobian", "fail", '''
        def numerical_jacobian(f, x, h=1e-6):
            x = np.asarray(x, dtype=float)
            cols = [(np.asarray(f(x + e)) - np.asarray(f(x - e))) / h for e in h * np.eye(x.size)]
            return np.stack(cols, axis=1)
    ''', "divides by h instead of 2h"),
    # ------------------------------------------------------------------ 02.analytic_jacobian
    Answer("02.analytic_jacobian", "pass", '''
        import torch

        def jacobian_example(x):
            x1, x2, x3 = (float(v) for v in x)
            return torch.tensor([[2 * x1, 2 * x2, 0.0], [0.0, 2 * x2 + x3**2, 2 * x2 * x3]], dtype=torch.float64)
    ''', "a float64 torch tensor"),
    Answer("02.analytic_jacobian", "pass", '''
        def _grad_f1(x1, x2, x3):
            return [2 * x1, 2 * x2, 0.0]

        def _grad_f2(x1, x2, x3):
            return [0.0, 2 * x2 + x3 * x3, 2 * x3 * x2]

        def jacobian_example(x):
            return np.vstack([_grad_f1(*x), _grad_f2(*x)])
    ''', "one helper per output's gradient, stacked as rows"),
    Answer("02.analytic_jacobian", "fail", '''
        import torch

        def jacobian_example(x):
            f = lambda v: torch.stack([v[0] ** 2 + v[1] ** 2, v[1] ** 2 + v[2] ** 2 * v[1]])
            return torch.autograd.functional.jacobian(f, torch.tensor(np.asarray(x, dtype=float))).numpy()
    ''', "torch's automatic differentiation: the exercise says derive it", message=("by hand",)),
    Answer("02.analytic_jacobian", "fail", '''
        def jacobian_example(x):
            x1, x2, x3 = x
            return np.array([[2 * x1, 2 * x2, 0.0], [0.0, 2 * x2 + x3**2, x3**2]])
    ''', "∂f₂/∂x₃ as x₃² (the factor x₂ and the 2 lost)", message=("2x₃·x₂",)),
    # ------------------------------------------------------------------ 02.critical_point
    Answer("02.critical_point", "pass", '''
        def classify(H):
            eig, _ = np.linalg.eigh(np.asarray(H, dtype=float))
            tol = 1e-8 * np.abs(eig).max(initial=1.0)
            sign = np.where(np.abs(eig) <= tol, 0, np.sign(eig))
            if sign.max() > 0 and sign.min() < 0:
                return "saddle"
            if (sign == 0).any():
                return "degenerate"
            return {1: "minimum", -1: "maximum"}[int(sign[0])]
    ''', "np.linalg.eigh, signs with a tolerance, max(initial=1)"),
    Answer("02.critical_point", "fail", '''
        def classify(H):
            eig = np.linalg.eigvalsh(H)
            tol = 1e-8 * max(1.0, np.max(np.abs(eig)))
            if np.any(np.abs(eig) <= tol):
                return "degenerate"
            if np.any(eig > tol) and np.any(eig < -tol):
                return "saddle"
            return "minimum" if np.all(eig > 0) else "maximum"
    ''', "'degenerate' whenever an eigenvalue is 0, even with both signs present (then it is a saddle)",
        message=("both signs",)),
    Answer("02.critical_point", "fail", '''
        def classify(H):
            eig = np.linalg.eigvalsh(H)
            tol = 1e-8 * max(1.0, np.max(np.abs(eig)))
            if np.any(eig > tol) and np.any(eig < -tol):
                return "Saddle"
            if np.any(np.abs(eig) <= tol):
                return "Degenerate"
            return "Minimum" if np.all(eig > 0) else "Maximum"
    ''', "capitalised words, not the four words of the exercise", message=("expected 'saddle'",)),
    # ------------------------------------------------------------------ 02.saddle_odds
    Answer("02.saddle_odds", "pass", '''
        def critical_point_odds(p):
            t = np.ldexp(1.0, -p)
            return np.array([t, t, 1.0 - 2.0 * t])
    ''', "a numpy array of the three"),
    Answer("02.saddle_odds", "pass", '''
        import math

        def critical_point_odds(p):
            if p > 2000:                    # 2^-p underflows to 0 in float64 anyway
                return 0.0, 0.0, 1.0
            t = math.exp(-p * math.log(2))
            return t, t, 1 - 2 * t
    ''', "exp(−p ln 2), with the underflow made explicit for huge p"),
    Answer("02.saddle_odds", "fail", '''
        def critical_point_odds(p):
            t = 1 / (2 * p)
            return t, t, 1 - 2 * t
    ''', "1/(2p) instead of 2^(−p)"),
]

ANSWERS += [
    Answer("02.critical_point", "fail", '''
        def classify(H):
            H = np.asarray(H, dtype=float)
            eig = np.linalg.eigvalsh(H)
            tol = 1e-8 * max(1.0, np.abs(H).max())          # the largest entry, not the largest |λ|
            if np.any(eig > tol) and np.any(eig < -tol):
                return "saddle"
            if np.any(np.abs(eig) <= tol):
                return "degenerate"
            return "minimum" if np.all(eig > 0) else "maximum"
    ''', "the tolerance scaled by the largest entry of H instead of the largest |λ|"),
    Answer("02.critical_point", "pass", '''
        def classify(H):
            H = np.asarray(H, dtype=float)
            eig = np.linalg.eigvalsh(H)
            tol = 1e-8 * max(1.0, np.linalg.norm(H, 2))      # the spectral norm is max|λ| for symmetric H
            n_pos, n_neg = (eig > tol).sum(), (eig < -tol).sum()
            if n_pos and n_neg:
                return "saddle"
            if n_pos == len(eig):
                return "minimum"
            if n_neg == len(eig):
                return "maximum"
            return "degenerate"
    ''', "the spectral norm for max|λ|, counts of signs"),
    Answer("02.saddle_odds", "pass", '''
        from fractions import Fraction

        def critical_point_odds(p):
            t = Fraction(1, 2**p)
            return t, t, 1 - 2 * t
    ''', "exact fractions"),
]

ANSWERS += [
    Answer("02.analytic_jacobian", "fail", '''
        import torch

        def jacobian_example(x):
            f = lambda v: torch.stack([v[0] ** 2 + v[1] ** 2, v[1] ** 2 + v[2] ** 2 * v[1]])
            return torch.func.jacfwd(f)(torch.tensor(np.asarray(x, dtype=float))).numpy()
    ''', "torch.func.jacfwd, forward-mode automatic differentiation", message=("by hand",)),
]

ANSWERS += [
    Answer("02.analytic_jacobian", "pass", '''
        def jacobian_example(x):
            x1, x2, x3 = np.asarray(x, dtype=np.float32)
            J = np.array([[2 * x1, 2 * x2, 0], [0, 2 * x2 + x3**2, 2 * x2 * x3]], dtype=np.float32)
            return J.tolist()
    ''', "computed in float32, returned as nested Python lists (.tolist() hides the dtype, not the values)"),
]

ANSWERS += [
    Answer("02.derivative", "flagged", '''
        from dlcourse.calculus import derivative as _d

        def central_difference(f, x, h):
            return _d(f, x, h)
    ''', "the library's derivative under an alias"),
    Answer("02.critical_point", "flagged", '''
        import dlcourse.calculus as calc

        def classify(H):
            return calc.critical_point_type(H)
    ''', "the library's critical_point_type"),
]

ANSWERS += [
    Answer("02.derivative", "pass", '''
        def central_difference(f, x, h):
            forward = (f(x + h) - f(x)) / h
            backward = (f(x) - f(x - h)) / h
            return (forward + backward) / 2       # their mean is the central difference
    ''', "the mean of the forward and backward differences (algebraically the central one)"),
]

ANSWERS += [
    Answer("02.derivative", "fail", '''
        def central_difference(f, x, h):
            up, down = np.float32(f(x + h)), np.float32(f(x - h))
            return float((up - down) / np.float32(2 * h))
    ''', "float32 arithmetic behind a Python float: its values still show float32", message=("compute in float64",)),
]
