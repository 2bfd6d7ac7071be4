"""Primal, adjoint and tangent traces of a function at a point (chapter 5).

:func:`trace` runs f on :class:`~dlcourse.autodiff.Var` inputs and turns the records of
its tape into the tables of Baydin et al. (2018): the primal trace vₖ = φ(…), the adjoint
trace v̄ₚ (+)= v̄ₖ ∂vₖ/∂vₚ, and on request the tangent trace v̇ₖ = Σₚ ∂vₖ/∂vₚ v̇ₚ.
"""

from __future__ import annotations

import html
import math
import unicodedata
from typing import Any, Callable, Iterable, NamedTuple

from .forward import Real, _real
from .reverse import Tape, Var, _join

__all__ = ["Row", "Table", "Trace", "trace"]

_SUB = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")
_SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_BAR, _DOT = "\u0304", "\u0307"  # combining macron (v̄) and dot above (v̇)


def _v(n: int, mark: str = "") -> str:
    """v₋₁, v̄₀, v̇₃, … for node number n."""
    return f"v{mark}{str(n).translate(_SUB)}"


def _pretty(name: str, mark: str = "") -> str:
    """An input name for the tables: x1 → x₁, with v̄-style marks on the letter."""
    stem = name.rstrip("0123456789")
    digits = name[len(stem) :]
    if not stem:
        stem, digits = name, ""
    pretty = f"{stem}{mark}{digits.translate(_SUB)}"
    return unicodedata.normalize("NFC", pretty)  # x + dot above → ẋ, as typed


def _num(x: float) -> str:
    """A value rounded to 3 decimals for the tables (10.0 → 10, −0.9589 → −0.959)."""
    if x == 0:
        return "0"
    if math.isfinite(x) and (abs(x) >= 1e6 or abs(x) < 1e-3):
        text = f"{x:.3e}"
    else:
        text = f"{x:.3f}".rstrip("0").rstrip(".") if math.isfinite(x) else str(x)
    return text.replace("-", "−")


def _const(c: float, operand: bool = True) -> str:
    """A constant in an expression: 2.0 → 2; negative operands in parentheses."""
    text = str(int(c)) if c.is_integer() and abs(c) < 1e15 else f"{c:g}"
    text = text.replace("-", "−")
    return f"({text})" if operand and c < 0 else text


def _exponent(base: str, c: float) -> str:
    if c.is_integer() and abs(c) < 100:
        return base + str(int(c)).translate(_SUP)
    return f"{base}^{_const(c)}"


_FUNCTION_TEXT = {
    "sin": "sin {a}",
    "cos": "cos {a}",
    "exp": "exp {a}",
    "log": "ln {a}",
    "tanh": "tanh {a}",
    "sigmoid": "σ({a})",
    "relu": "max(0, {a})",
    "neg": "−{a}",
}
_BINARY_TEXT = {"add": "{a} + {b}", "sub": "{a} − {b}", "mul": "{a} × {b}", "div": "{a} / {b}"}
_REFLECTED_TEXT = {
    "radd": "{c} + {a}", "rsub": "{c} − {a}", "rmul": "{c} × {a}", "rdiv": "{c} / {a}",
}  # fmt: skip


def _expression(record: tuple, name: Callable[[int], str]) -> str:
    """The primal expression of a record, e.g. 'v₋₁ × v₀' or 'ln v₋₁'."""
    a, _, b, _, op, c, v = record
    if op == "input":
        return _const(v, operand=False)
    A = name(a)
    if op in _FUNCTION_TEXT:
        return _FUNCTION_TEXT[op].format(a=A)
    if op == "pow":
        return f"{A}^{name(b)}" if b >= 0 else _exponent(A, c)
    if op == "rpow":
        return f"{_const(c)}^{A}"
    if op in _REFLECTED_TEXT:
        return _REFLECTED_TEXT[op].format(a=A, c=_const(c))
    return _BINARY_TEXT[op].format(a=A, b=name(b) if b >= 0 else _const(c))


def _factors(record: tuple, k: int, name: Callable[[int], str]) -> list[tuple[int, str]]:
    """(parent, template) for each parent p of record k: template.format(s) is s · ∂vₖ/∂vₚ.

    The same templates give the adjoint rows (s = v̄ₖ) and the tangent rows (s = v̇ₚ).
    """
    a, _, b, _, op, c, _ = record
    if op == "input":
        return []
    A, K = name(a), name(k)
    if b >= 0:  # two parents
        B = name(b)
        first, second = {
            "add": ("{}", "{}"),
            "sub": ("{}", "−{}"),
            "mul": ("{} " + B, "{} " + A),
            "div": ("{} / " + B, f"−{{}} {K} / {B}"),
            "pow": (f"{{}} {B} {A}^({B} − 1)", f"{{}} {K} ln {A}"),
        }[op]
        return [(a, first), (b, second)]
    C = "" if c is None else _const(c)
    if op == "pow":  # ∂(aᶜ)/∂a = c aᶜ⁻¹
        power = A if c == 2 else _exponent(A, c - 1)
        coefficient = {1.0: "{}", -1.0: "−{}"}.get(c, f"{_const(c, operand=False)} {{}}")
        return [(a, coefficient if c == 1 else f"{coefficient} {power}")]
    template = {
        "add": "{}", "radd": "{}", "sub": "{}", "rsub": "−{}", "neg": "−{}",
        "mul": C + " {}", "rmul": C + " {}", "div": "{} / " + C, "rdiv": f"−{{}} {K} / {A}",
        "rpow": f"{{}} {K} ln {C}", "sin": "{} cos " + A, "cos": "−{} sin " + A,
        "exp": "{} " + K, "log": "{} / " + A, "tanh": f"{{}} (1 − {K}²)",
        "sigmoid": f"{{}} {K} (1 − {K})", "relu": f"{{}} [{A} > 0]",
    }[op]  # fmt: skip
    return [(a, template)]


class Row(NamedTuple):
    """A line of a trace (chapter 5): ``name op expression`` and its ``value``.

    For example ``Row("v̄₀", "+=", "v̄₂ v₋₁", 1.716…)``: v̄₀ += v̄₂ v₋₁, after which v̄₀ = 1.716.
    """

    name: str
    op: str  # "=" or "+="
    expression: str
    value: float

    def __str__(self) -> str:
        return f"{self.name} {self.op} {self.expression} = {_num(self.value)}"


class Table(list):
    """A list of :class:`Row` with a title, shown as a table in notebooks and the book (chapter 5).

    ``str(table)`` is plain text, ``table.to_markdown()`` Markdown; Jupyter shows HTML.
    """

    def __init__(self, title: str, rows: Iterable[Row]) -> None:
        super().__init__(rows)
        self.title = title

    def row(self, name: str, op: str = "=") -> Row:
        """The row that assigns ``name`` (with ``op`` "=" or "+=")."""
        for r in self:
            if r.name == name and r.op == op:
                return r
        raise KeyError(f"no row {name} {op} … in the {self.title}")

    def _lines(self) -> list[tuple[str, str]]:
        return [(f"{r.name} {r.op} {r.expression}", _num(r.value)) for r in self]

    def __str__(self) -> str:
        return _text_columns([(self.title, self._lines())])

    def _repr_html_(self) -> str:
        return _html_table([(self.title, self)])

    def to_markdown(self) -> str:
        """The table in Markdown."""
        return _markdown([(self.title, self)])


def _text_columns(parts: list[tuple[str, list[tuple[str, str]]]]) -> str:
    """Tables side by side in plain text, values right-aligned."""
    blocks = []
    for title, lines in parts:
        wide_left = max([len(left) for left, _ in lines] + [0])
        wide_right = max([len(right) for _, right in lines] + [0])
        body = [f"{left:<{wide_left}}  {right:>{wide_right}}" for left, right in lines]
        width = max([len(title)] + [len(line) for line in body])
        blocks.append([title.ljust(width), "─" * width] + [line.ljust(width) for line in body])
    height = max(len(block) for block in blocks)
    for block in blocks:
        block += [" " * len(block[0])] * (height - len(block))
    return "\n".join("  │  ".join(block[i] for block in blocks).rstrip() for i in range(height))


def _html_table(parts: list[tuple[str, list[Row]]]) -> str:
    """One HTML table with the parts side by side (name | = expression | value each)."""
    edge = "border-left: 2px solid #888; "
    head = "".join(
        f'<th colspan="3" style="{edge if i else ""}text-align: center">{html.escape(t)}</th>'
        for i, (t, _) in enumerate(parts)
    )
    height = max(len(rows) for _, rows in parts)
    body = []
    for i in range(height):
        cells = []
        for j, (_, rows) in enumerate(parts):
            left = edge if j else ""
            if i < len(rows):
                r = rows[i]
                expression = html.escape(f"{r.op} {r.expression}")
                cells.append(
                    f'<td style="{left}text-align: right">{html.escape(r.name)}</td>'
                    f'<td style="text-align: left">{expression}</td>'
                    f'<td style="text-align: right">{html.escape(_num(r.value))}</td>'
                )
            else:
                cells.append(f'<td style="{left}"></td><td></td><td></td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<table class="dlcourse-trace" style="font-family: serif">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _markdown(parts: list[tuple[str, list[Row]]]) -> str:
    header = " | ".join(f"{t} | value" for t, _ in parts)
    height = max(len(rows) for _, rows in parts)
    lines = [f"| {header} |", "|" + "---|---:|" * len(parts)]
    for i in range(height):
        cells = []
        for _, rows in parts:
            if i < len(rows):
                r = rows[i]
                cells.append(f"{r.name} {r.op} {r.expression} | {_num(r.value)}")
            else:
                cells.append(" | ")
        lines.append(f"| {' | '.join(cells)} |")
    return "\n".join(lines)


class Trace:
    """The primal and adjoint traces of a function at a point (chapter 5).

    Built by :func:`trace`. With n inputs named by the keywords, the inputs are
    v₁₋ₙ … v₀ and the operations v₁, v₂, … in evaluation order.

    * ``primal``: vₖ = expression with its value, ending with y = vₘ;
    * ``adjoint``: the reverse sweep from v̄ₘ = ȳ = 1; an operation vₖ = φ(vₚ, …) gives
      v̄ₚ = v̄ₖ ∂vₖ/∂vₚ the first time vₚ is reached and v̄ₚ += v̄ₖ ∂vₖ/∂vₚ afterwards;
      it ends with the gradient rows x̄ᵢ = v̄;
    * ``output`` (y) and ``grad`` (x̄ by input name);
    * :meth:`tangent` gives the forward (tangent) trace v̇ₖ = Σₚ ∂vₖ/∂vₚ v̇ₚ for a seed ẋ.

    All rows are derived from the records the reverse-mode engine made while running f.
    """

    def __init__(self, records: list, output: int, names: list[str]) -> None:
        self._records = records[: max(output, len(names) - 1) + 1]  # inputs, then up to y
        self._out = output
        self._names = names
        self.output: float = records[output][6]
        adjoint, rows = self._reverse_sweep()
        self._adjoint_values = adjoint
        self.grad: dict[str, float] = {n: adjoint[k] for k, n in enumerate(names)}
        self.primal = Table("Forward primal trace", self._primal_rows())
        self.adjoint = Table("Reverse adjoint trace", rows)

    def _name(self, k: int, mark: str = "") -> str:
        return _v(k - len(self._names) + 1, mark)

    def _primal_rows(self) -> list[Row]:
        rows = []
        for k, record in enumerate(self._records):
            if k < len(self._names):
                rows.append(Row(self._name(k), "=", _pretty(self._names[k]), record[6]))
            else:
                rows.append(Row(self._name(k), "=", _expression(record, self._name), record[6]))
        return rows + [Row("y", "=", self._name(self._out), self.output)]

    def _reverse_sweep(self) -> tuple[list[float], list[Row]]:
        bar = lambda k: self._name(k, _BAR)  # noqa: E731
        adjoint = [0.0] * len(self._records)
        adjoint[self._out] = 1.0
        reached = {self._out}
        rows = [Row(bar(self._out), "=", "ȳ", 1.0)]
        for k in range(self._out, -1, -1):
            if k not in reached:
                continue  # vₖ does not lead to y
            record = self._records[k]
            slopes = (record[1], record[3])  # ∂vₖ/∂vₐ, ∂vₖ/∂v_b, in the order _factors lists them
            for (p, template), slope in zip(_factors(record, k, self._name), slopes):
                contribution = adjoint[k] * slope
                if p in reached:
                    adjoint[p] += contribution
                    rows.append(Row(bar(p), "+=", template.format(bar(k)), adjoint[p]))
                else:
                    adjoint[p] = contribution
                    reached.add(p)
                    rows.append(Row(bar(p), "=", template.format(bar(k)), adjoint[p]))
        for k, n in enumerate(self._names):
            rows.append(Row(_pretty(n, _BAR), "=", bar(k) if k in reached else "0", adjoint[k]))
        return adjoint, rows

    def tangent(self, seed: dict[str, Real]) -> Table:
        """The forward (tangent) trace for the seed direction ẋ (missing inputs: 0).

        v̇ₖ = Σₚ ∂vₖ/∂vₚ v̇ₚ in evaluation order, ending with ẏ = ∇f · ẋ.
        """
        if not isinstance(seed, dict):
            raise TypeError(f"seed must be a dict {{name: ẋ}}, got {type(seed).__name__}")
        unknown = set(seed) - set(self._names)
        if unknown:
            raise ValueError(
                f"seed names unknown inputs {sorted(unknown)}; the inputs are {self._names}"
            )
        dot = [0.0] * (len(self._records) + 1)  # + 1: the spare slot of index −1
        rows = []
        for k, record in enumerate(self._records):
            if k < len(self._names):
                n = self._names[k]
                dot[k] = _real(seed.get(n, 0.0), f"seed[{n!r}]")
                rows.append(Row(self._name(k, _DOT), "=", _pretty(n, _DOT), dot[k]))
                continue
            a, da, b, db = record[:4]
            dot[k] = da * dot[a] + db * dot[b]
            text = ""
            for p, template in _factors(record, k, self._name):
                term = template.format(self._name(p, _DOT))
                if text:
                    term = f" − {term[1:]}" if term.startswith("−") else f" + {term}"
                text += term
            rows.append(Row(self._name(k, _DOT), "=", text or "0", dot[k]))
        rows.append(Row("ẏ", "=", self._name(self._out, _DOT), dot[self._out]))
        return Table("Forward tangent trace", rows)

    def __str__(self) -> str:
        return _text_columns([(t.title, t._lines()) for t in (self.primal, self.adjoint)])

    def __repr__(self) -> str:
        args = ", ".join(f"{n}={self._records[k][6]!r}" for k, n in enumerate(self._names))
        return f"<Trace of f({args}) = {self.output!r}, grad {self.grad}>"

    def _repr_html_(self) -> str:
        return _html_table([(self.primal.title, self.primal), (self.adjoint.title, self.adjoint)])

    def to_markdown(self) -> str:
        """Both traces side by side in one Markdown table."""
        return _markdown([(self.primal.title, self.primal), (self.adjoint.title, self.adjoint)])


def trace(f: Callable[..., Any], **inputs: Real) -> Trace:
    """Run f on :class:`Var` inputs and return its primal and adjoint :class:`Trace` (chapter 5).

    The keywords name the inputs in order: ``trace(f, x1=2, x2=5)`` calls
    ``f(x1=Var(2), x2=Var(5))`` with x1 = v₋₁ and x2 = v₀. For Baydin et al.'s example
    f(x1, x2) = ln x1 + x1 x2 − sin x2 the trace gives y = 11.652, x̄1 = 5.5, x̄2 = 1.716.
    The run uses a tape of its own and leaves every other Var's gradient untouched.

    The rows follow the order in which Python evaluates f. To get Baydin's numbering
    (v₃ = sin v₀ before v₄ = v₁ + v₂), write f as his statements::

        def f(x1, x2):
            v1 = log(x1); v2 = x1 * x2; v3 = sin(x2); v4 = v1 + v2
            return v4 - v3

    (the one-liner ``log(x1) + x1 * x2 - sin(x2)`` adds before it takes the sine).
    """
    if not callable(f):
        raise TypeError(f"trace needs a function, got {type(f).__name__} {f!r}")
    if not inputs:
        raise ValueError("trace needs at least one named input, e.g. trace(f, x1=2.0, x2=5.0)")
    values = {name: _real(v, f"input {name}") for name, v in inputs.items()}
    with Tape() as tape:
        xs = {name: Var(v) for name, v in values.items()}
        for x in xs.values():
            _join(x, tape._records)  # inputs first, in the order given: v₁₋ₙ … v₀
        y = f(**xs)
    if not isinstance(y, Var):
        raise TypeError(
            f"f must return a Var computed from its inputs, got {type(y).__name__} {y!r}"
        )
    if y._r is not tape._records:
        raise ValueError("f returned a Var that was not computed from the inputs given to it")
    return Trace(tape._records, y._i, list(values))
