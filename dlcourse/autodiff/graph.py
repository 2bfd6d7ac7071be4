"""Drawing the computational graph recorded for a Var or a trace (chapter 5).

matplotlib only (it is imported when a graph is drawn), with a layered layout computed
here, so the figures render in the static book without graphviz.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .reverse import Var
from .traces import Trace, _expression, _num, _pretty, _v

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["draw_graph"]


Node = tuple[int, list[int], str]  # (index on the tape, parents, label)


def _ancestors(records: list, out: int) -> set[int]:
    """Indices of the records that record ``out`` was computed from (itself included)."""
    keep = {out}
    for k in range(out, -1, -1):
        if k in keep:
            a, _, b = records[k][:3]
            keep.update(p for p in (a, b) if p >= 0)
    return keep


def _label(head: str, value: float, grad: float) -> str:
    return f"{head}\nvalue {_num(value)}\ngrad {_num(grad)}"


def _graph_of_var(y: Var) -> tuple[list[Node], int]:
    """The nodes that y was computed from, numbered like a trace: leaves v₁₋ₙ … v₀, then v₁ …"""
    r = y._r
    if r is None:  # a leaf never used
        return [(0, [], _label(_v(0), y.value, y.grad))], 0
    order = sorted(_ancestors(r, y._i))
    leaves = [k for k in order if r[k][4] == "input"]
    number = {k: i - len(leaves) + 1 for i, k in enumerate(leaves)}
    number.update({k: i + 1 for i, k in enumerate(k for k in order if k not in number)})
    name = lambda k: _v(number[k])  # noqa: E731
    leaf_at = dict(r.leaves)
    nodes = []
    for k in order:
        record = r[k]
        parents = [p for p in (record[0], record[2]) if p >= 0]
        if k in leaf_at:
            nodes.append((k, parents, _label(name(k), record[6], leaf_at[k].grad)))
        else:
            grad = r.grads[k] if r.grads and k < len(r.grads) else 0.0
            head = f"{name(k)} = {_expression(record, name)}"
            nodes.append((k, parents, _label(head, record[6], grad)))
    return nodes, y._i


def _graph_of_trace(t: Trace) -> tuple[list[Node], int]:
    """The nodes of a trace: its inputs and what y was computed from, with the trace's names."""
    nodes = []
    for k in sorted(_ancestors(t._records, t._out) | set(range(len(t._names)))):
        record = t._records[k]
        expr = _pretty(t._names[k]) if k < len(t._names) else _expression(record, t._name)
        parents = [p for p in (record[0], record[2]) if p >= 0]
        label = _label(f"{t._name(k)} = {expr}", record[6], t._adjoint_values[k])
        nodes.append((k, parents, label))
    return nodes, t._out


def _layout(
    nodes: list[Node],
) -> tuple[dict[Any, tuple[int, float]], list[tuple[int, int, list[Any], bool]]]:
    """A layered layout of the graph, and the route of every edge.

    A node's column is the length of the longest path to it from an input. An edge that
    skips columns passes through a waypoint in each column it crosses, and waypoints take
    a row like nodes do, so that no edge runs through a box. Each column is ordered by
    the mean height of what feeds it (fewer crossings). Returns positions (column, row)
    by node index or waypoint, and the edges as (parent, child, waypoints, bend), where
    bend marks the second of two edges between the same two nodes.
    """
    column: dict[Any, int] = {}
    feeds: dict[Any, list[Any]] = {}
    edges = []
    for k, parents, _ in nodes:  # nodes come in evaluation order
        column[k] = 1 + max((column[p] for p in parents), default=-1)
        feeds[k] = []
        for slot, p in enumerate(parents):
            waypoints = [(p, k, slot, c) for c in range(column[p] + 1, column[k])]
            for w, before in zip(waypoints, [p] + waypoints):
                column[w], feeds[w] = w[3], [before]
            feeds[k].append(waypoints[-1] if waypoints else p)
            edges.append((p, k, waypoints, slot == 1 and parents[0] == p))  # v = a ∘ a: bend one
    position: dict[Any, tuple[int, float]] = {}
    for c in range(max(column.values()) + 1):
        members = [m for m in column if column[m] == c]
        if c:
            members.sort(key=lambda m: -sum(position[f][1] for f in feeds[m]) / len(feeds[m]))
        for i, m in enumerate(members):
            position[m] = (c, (len(members) - 1) / 2 - i)
    return position, edges


def draw_graph(graph: Var | Trace, ax: Axes | None = None, max_nodes: int = 200) -> Axes:
    """Draw the computational graph recorded for a Var (or a :class:`Trace`) (chapter 5).

    One box per node (name = expression, its value and its gradient v̄ = ∂y/∂v as
    ``.grad`` shows it, or the trace's adjoint) and one arrow per use of a value, laid out
    in layers from the inputs (left) to the output (right). Uses matplotlib only, so it
    renders in the static book. Returns the Axes (its figure is ``ax.figure``). Graphs of
    more than ``max_nodes`` nodes are refused: they would not be readable.
    """
    if isinstance(graph, Trace):
        nodes, out = _graph_of_trace(graph)
    elif isinstance(graph, Var):
        nodes, out = _graph_of_var(graph)
    else:
        raise TypeError(f"draw_graph needs a Var or a Trace, got {type(graph).__name__}")
    if len(nodes) > max_nodes:
        raise ValueError(
            f"the graph has {len(nodes)} nodes, more than max_nodes={max_nodes} can show legibly"
        )
    from matplotlib.patches import FancyArrowPatch

    position, edges = _layout(nodes)
    columns = max(c for c, _ in position.values()) + 1
    rows = max(sum(1 for c, _ in position.values() if c == col) for col in range(columns))
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(2.0 * columns + 0.4, 0.9 * rows + 0.6))
    boxes = {}
    for k, parents, label in nodes:
        colour = "#cfe2f3" if not parents else ("#fce5cd" if k == out else "#eeeeee")
        boxes[k] = ax.text(
            *position[k], label, ha="center", va="center", fontsize=8, zorder=3,
            bbox={"boxstyle": "round,pad=0.4", "facecolor": colour, "edgecolor": "#555555"},
        )  # fmt: skip
    style = {"color": "#444444", "linewidth": 1.0}
    for p, k, waypoints, bend in edges:
        start = p
        if waypoints:  # a line under the boxes up to the last waypoint, then the arrow
            xs, ys = zip(*(position[m] for m in [p, *waypoints]))
            ax.plot(xs, ys, zorder=1, **style)
            start = waypoints[-1]
        ax.add_patch(
            FancyArrowPatch(
                position[start], position[k], arrowstyle="-|>", mutation_scale=12,
                connectionstyle=f"arc3,rad={0.3 if bend else 0.0}", zorder=4,  # drawn after the
                patchA=None if waypoints else boxes[p].get_bbox_patch(),  # boxes: clipped to them
                patchB=boxes[k].get_bbox_patch(), shrinkA=0 if waypoints else 2, **style,
            )  # fmt: skip
        )
    ax.set_xlim(-0.55, columns - 0.45)
    ax.set_ylim(-rows / 2, rows / 2)
    ax.set_axis_off()
    return ax
