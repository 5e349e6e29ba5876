"""The picture of a failing graph as standalone SVG: a small layered layout, left to right
like the lecture's ``draw_dot``, one box per node with its value and gradient (expected,
and got where it differs), the first wrong node in red, the edges the wrong gradient came
back through in orange.

The failing graphs are shrunk to a handful of nodes, so a simple layered layout (layers by
depth, order within a layer by the mean position of neighbours) draws them well; it needs
no graph library and no system binary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from grader.results import FailingGraph, GraphNode, Report

CHAR_W = 7.3  # width of one character of 12px monospace
BOX_H = 62
GAP_X = 56
GAP_Y = 26
DUMMY_H = 12
MARGIN = 16
TOP = MARGIN + 14  # room for the flag over the first wrong node
LEGEND_H = 44

HIGHLIGHT_CLASS = "mg-first-wrong"

_STYLE = """
.mg-bg{fill:#fff}
.mg-node rect{fill:#f7f7f9;stroke:#888;stroke-width:1}
.mg-node.mg-wrong rect{fill:#fff1f0}
.mg-node.mg-first-wrong rect{fill:#ffe3e0;stroke:#d0021b;stroke-width:3}
.mg-node text,.mg-legend text{font:12px monospace;fill:#222}
.mg-node .mg-code{font-weight:bold}
.mg-node .mg-got{fill:#d0021b;font-weight:bold}
.mg-flag{font:bold 11px sans-serif;fill:#d0021b}
.mg-edge{fill:none;stroke:#999;stroke-width:1.2}
.mg-edge.mg-marked{stroke:#f5a623;stroke-width:3.5}
"""


def to_svg(graph: FailingGraph, key: str = "graph") -> str:
    """The SVG document (it also works inline in HTML) of one failing graph."""
    key = re.sub(r"[^A-Za-z0-9_-]", "-", key)
    layout = _layout(graph)
    legend = _legend_lines(graph)
    width = max(layout.width + 2 * MARGIN, CHAR_W * max(map(len, legend)) + 2 * MARGIN)
    height = TOP + layout.height + MARGIN + LEGEND_H
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="mg-graph" id="mg-graph-{key}" '
        f'width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img">',
        f"<title>The smallest failing graph ({escape(key)})</title>",
        f"<style>{_STYLE}</style>",
        f'<defs><marker id="mg-arrow-{key}" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#777"/></marker></defs>',
        f'<rect class="mg-bg" width="{width:.0f}" height="{height:.0f}"/>',
    ]
    parts += [_edge(graph, edge, key) for edge in layout.edges]
    parts += [_node(graph, i, *layout.boxes[i]) for i in range(len(graph.nodes))]
    parts.append(_legend(legend, height - LEGEND_H + 6))
    parts.append("</svg>")
    return "\n".join(parts)


def write_pictures(report: Report, beside: Path) -> dict[str, Path]:
    """One SVG per category that has a failing graph, named after the report file
    (``report.txt`` gives ``report.tanh.svg``); returns them by category id."""
    written = {}
    for result in report.categories:
        if result.graph is not None and result.status != "pass":
            path = beside.with_name(f"{beside.stem}.{result.id}.svg")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(to_svg(result.graph, result.id) + "\n", encoding="utf-8")
            written[result.id] = path
    return written


# -- layout ------------------------------------------------------------------------------


@dataclass
class _Edge:
    source: int
    target: int
    repeat: int  # 1 for the second edge of x * x, which is bent apart from the first
    points: list[tuple[float, float]] = field(default_factory=list)  # through the dummies


@dataclass
class _Layout:
    boxes: dict[int, tuple[float, float, float]]  # node: x, y (top left), width
    edges: list[_Edge]
    width: float
    height: float


def _layout(graph: FailingGraph) -> _Layout:
    """Layers by depth; an edge that skips layers gets a thin slot (a dummy) in each layer it
    crosses, so that it runs between the boxes, not through them."""
    n = len(graph.nodes)
    depth = _depths(graph)
    size = {i: (_box_width(node), BOX_H) for i, node in enumerate(graph.nodes)}
    chains: list[tuple[_Edge, list[int]]] = []
    for target, node in enumerate(graph.nodes):
        for k, source in enumerate(node.inputs):
            repeat = node.inputs[:k].count(source)
            chain = [source]
            for d in range(depth[source] + 1, depth[target]):
                dummy = len(depth)
                depth.append(d)
                size[dummy] = (0, DUMMY_H)
                chain.append(dummy)
            chains.append((_Edge(source, target, repeat), [*chain, target]))
    preds: dict[int, list[int]] = {i: [] for i in range(len(depth))}
    succs: dict[int, list[int]] = {i: [] for i in range(len(depth))}
    for _, chain in chains:
        for a, b in zip(chain, chain[1:]):
            succs[a].append(b)
            preds[b].append(a)
    columns = _order(depth, preds, succs)
    column_w = [max((size[i][0] for i in column), default=0) for column in columns]
    column_h = [sum(size[i][1] for i in c) + GAP_Y * max(len(c) - 1, 0) for c in columns]
    height = max(column_h)
    where: dict[int, tuple[float, float]] = {}  # item: left x of its column, top y
    x = float(MARGIN)
    for column, width, used in zip(columns, column_w, column_h):
        y = TOP + (height - used) / 2
        for item in column:
            where[item] = (x, y)
            y += size[item][1] + GAP_Y
        x += width + GAP_X
    boxes = {}
    for i in range(n):
        left, top = where[i]
        boxes[i] = (left + (column_w[depth[i]] - size[i][0]) / 2, top, float(size[i][0]))
    for edge, chain in chains:
        sx, sy, sw = boxes[edge.source]
        edge.points.append((sx + sw, sy + BOX_H / 2))
        for dummy in chain[1:-1]:
            left, top = where[dummy]
            edge.points += [
                (left, top + DUMMY_H / 2),
                (left + column_w[depth[dummy]], top + DUMMY_H / 2),
            ]
        tx, ty, _ = boxes[edge.target]
        edge.points.append((tx, ty + BOX_H / 2))
    return _Layout(boxes, [e for e, _ in chains], x - GAP_X - MARGIN, height)


def _depths(graph: FailingGraph) -> list[int]:
    """Depth of each node; a leaf sits just left of its first user, as in draw_dot."""
    depth = [0] * len(graph.nodes)
    for i, node in enumerate(graph.nodes):
        if node.inputs:
            depth[i] = 1 + max(depth[j] for j in node.inputs)
    for i, node in enumerate(graph.nodes):
        users = [depth[u] for u, other in enumerate(graph.nodes) if i in other.inputs]
        if not node.inputs and users:
            depth[i] = min(users) - 1
    return depth


def _order(
    depth: list[int], preds: dict[int, list[int]], succs: dict[int, list[int]]
) -> list[list[int]]:
    """Items by layer, each layer sorted by the mean position of its neighbours (two sweeps
    each way), which keeps edges from crossing in graphs this small."""
    columns: list[list[int]] = [[] for _ in range(max(depth) + 1)]
    for i, d in enumerate(depth):
        columns[d].append(i)
    position = {i: float(k) for column in columns for k, i in enumerate(column)}

    def sort_by(column: list[int], neighbours: dict[int, list[int]]) -> None:
        def mean(i: int) -> float:
            near = neighbours[i]
            return sum(position[j] for j in near) / len(near) if near else position[i]

        column.sort(key=lambda i: (mean(i), i))
        position.update({i: float(k) for k, i in enumerate(column)})

    for _ in range(2):
        for column in columns[1:]:
            sort_by(column, preds)
        for column in reversed(columns[:-1]):
            sort_by(column, succs)
    return columns


def _box_width(node: GraphNode) -> int:
    lines = _lines(node)
    return int(max(120, CHAR_W * max(len(text) for text, _ in lines) + 20))


# -- drawing -----------------------------------------------------------------------------


def _title(node: GraphNode) -> str:
    return f"{node.name}  (leaf)" if node.code == node.name else f"{node.name} = {node.code}"


def _lines(node: GraphNode) -> list[tuple[str, str]]:
    """(plain text, SVG tspans) of the box's three lines."""
    rows = [(_title(node), f'<tspan class="mg-code">{escape(_title(node))}</tspan>')]
    for label, want, got, wrong in (
        ("value", node.value, node.value_got, node.value_wrong),
        ("grad", node.grad, node.grad_got, node.grad_wrong),
    ):
        text = f"{label:<5} {want}"
        svg = escape(text)
        if wrong:
            text += f"  got {got}"
            svg += f'  <tspan class="mg-got">got {escape(str(got))}</tspan>'
        rows.append((text, svg))
    return rows


def _node(graph: FailingGraph, i: int, x: float, y: float, width: float) -> str:
    node = graph.nodes[i]
    classes = ["mg-node"]
    if i == graph.first_wrong:
        classes.append(HIGHLIGHT_CLASS)
    elif node.value_wrong or node.grad_wrong:
        classes.append("mg-wrong")
    parts = [
        f'<g class="{" ".join(classes)}" data-node="{escape(node.name)}">',
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{BOX_H}" rx="6"/>',
    ]
    for k, (_, svg) in enumerate(_lines(node)):
        parts.append(f'<text x="{x + 10:.1f}" y="{y + 18 + 17 * k:.1f}">{svg}</text>')
    if i == graph.first_wrong:
        flag = {"value": "first wrong value", "grad": "first wrong gradient"}.get(
            graph.kind, "raised an error"
        )
        parts.append(f'<text class="mg-flag" x="{x:.1f}" y="{y - 5:.1f}">{flag}</text>')
    parts.append("</g>")
    return "".join(parts)


def _edge(graph: FailingGraph, edge: _Edge, key: str) -> str:
    """Curves between columns, straight through a dummy's slot; a repeated edge bends down."""
    bend = 18.0 * edge.repeat
    (x, y), rest = edge.points[0], edge.points[1:]
    path = [f"M{x:.1f},{y:.1f}"]
    for k in range(0, len(rest), 2):  # rest: (entry, exit) of each dummy, then the target
        qx, qy = rest[k]
        mid = (x + qx) / 2
        path.append(f"C{mid:.1f},{y + bend:.1f} {mid:.1f},{qy + bend:.1f} {qx:.1f},{qy:.1f}")
        if k + 1 < len(rest):
            x, y = rest[k + 1]
            path.append(f"L{x:.1f},{y:.1f}")
    marked = (edge.source, edge.target) in [tuple(m) for m in graph.marked]
    classes = "mg-edge mg-marked" if marked else "mg-edge"
    return (
        f'<path class="{classes}" data-edge="{edge.source}-{edge.target}" '
        f'd="{" ".join(path)}" marker-end="url(#mg-arrow-{key})"/>'
    )


def _legend_lines(graph: FailingGraph) -> list[str]:
    first = {
        "value": "Red box: the first wrong value",
        "grad": "Red box: the first wrong gradient",
        "error": "Red box: the operation that raised an error",
    }.get(graph.kind, "")
    marked = "; orange: the edges its gradient came back through" if graph.marked else ""
    numbers = (
        "Each box: a node, its value and gradient from torch (your engine gave none: it raised)."
        if graph.kind == "error"
        else "Each box: a node, its value and gradient from torch; in red, what your engine got."
    )
    return [numbers, first + marked]


def _legend(lines: list[str], y: float) -> str:
    texts = [
        f'<text x="{MARGIN}" y="{y + 14 + 16 * k:.1f}">{escape(line)}</text>'
        for k, line in enumerate(lines)
        if line
    ]
    return f'<g class="mg-legend">{"".join(texts)}</g>'
