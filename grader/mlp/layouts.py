"""Where each weight sits: layouts of the walked Values, to be told apart by the outputs.

A layout says, per layer and per neuron, which walked Values are its weights and which is its
bias: ``[layer][neuron] = (weight indices, bias index or -1)``. The child may report one from
its layer and neuron objects; the others are read off the order in which the Values were met
(or in which parameters() lists them): per neuron, weights then bias or bias then weights; per
layer, all weights then all biases (a weight matrix and a bias vector), either way round.
The forward check keeps the layout whose predictions match the student's outputs.
"""

from __future__ import annotations

from typing import Optional

from grader.mlp.feedback import Shape

Layout = list[list[tuple[list[int], int]]]


def fits(layout: Layout, shape: Shape, shared: bool = False) -> bool:
    """Whether the layout has the shape's sizes, and no Value plays two parts (``shared``:
    except that a neuron may be one and the same as another, as [Neuron(nin)] * nout makes)."""
    if len(layout) != len(shape.nouts):
        return False
    seen: set[int] = set()
    whole: list[list[int]] = []
    for a, b, layer in zip(shape.sizes, shape.nouts, layout):
        if len(layer) != b:
            return False
        for ws, bias in layer:
            if len(ws) != a:
                return False
            used = [*ws, *([bias] if bias >= 0 else [])]
            if len(set(used)) != len(used):
                return False
            if seen & set(used) and not (shared and any(used == other for other in whole)):
                return False
            seen.update(used)
            whole.append(used)
    return True


def candidates(shape: Shape, count: int, reported: Optional[Layout],
               order: Optional[list[int]]) -> list[tuple[str, Layout]]:
    """Layouts worth trying, the reported one first; each fits the shape."""
    found: list[tuple[str, Layout]] = []
    if reported is not None and fits(reported, shape, shared=True):
        found.append(("objects", reported))
    elif reported is not None and fits(trimmed := _trim(reported, shape), shape, shared=True):
        found.append(("objects/trimmed", trimmed))  # zip() leaves a neuron's extra weights out
    sequences = [("walk", list(range(count)))]
    if order is not None and len(set(order)) == len(order) and min(order, default=0) >= 0:
        sequences.append(("parameters", list(order)))
    for name, seq in sequences:
        for how, layout in _from_order(shape, seq):
            if fits(layout, shape) and all(layout != known for _, known in found):
                found.append((f"{name}/{how}", layout))
    return found


def _trim(layout: Layout, shape: Shape) -> Layout:
    """Each neuron's weights cut to its layer's inputs, as zip(self.w, x) uses them."""
    return [[(list(ws[:a]), b) for ws, b in layer] for a, layer in zip(shape.sizes, layout)]


def _from_order(shape: Shape, seq: list[int]) -> list[tuple[str, Layout]]:
    if len(seq) == shape.count:
        split = shape.weights_only  # every layer's weights, then every layer's biases
        weights, biases, layers = seq[:split], seq[split:], []
        for a, b in zip(shape.sizes, shape.nouts):
            layers += weights[: a * b] + biases[:b]
            weights, biases = weights[a * b :], biases[b:]
        return [(how, _cut(shape, seq, how, True)) for how in
                ("wb", "bw", "weights_then_biases", "biases_then_weights", "columns")] + [
            ("all_weights_then_biases", _cut(shape, layers, "weights_then_biases", True))]
    if len(seq) == shape.weights_only:
        return [("no_bias", _cut(shape, seq, "wb", False))]
    return []


def _cut(shape: Shape, seq: list[int], how: str, bias: bool) -> Layout:
    layout: Layout = []
    k = 0
    for a, b in zip(shape.sizes, shape.nouts):
        size = (a + 1) * b if bias else a * b
        part, k = seq[k : k + size], k + size
        layer: list[tuple[list[int], int]] = []
        for j in range(b):
            if not bias:
                ws, bj = part[j * a : (j + 1) * a], -1
            elif how == "wb":
                ws, bj = part[j * (a + 1) : j * (a + 1) + a], part[j * (a + 1) + a]
            elif how == "bw":
                ws, bj = part[j * (a + 1) + 1 : (j + 1) * (a + 1)], part[j * (a + 1)]
            elif how == "weights_then_biases":
                ws, bj = part[j * a : (j + 1) * a], part[a * b + j]
            elif how == "biases_then_weights":
                ws, bj = part[b + j * a : b + (j + 1) * a], part[j]
            else:  # "columns": W[i][j] with i the input, then the biases
                ws, bj = [part[i * b + j] for i in range(a)], part[a * b + j]
            layer.append((list(ws), bj))
        layout.append(layer)
    return layout


def roles(layout: Layout) -> list[int]:
    """The walked Values the layout gives a part, weights and biases, each once, in order."""
    found = [k for layer in layout for ws, b in layer for k in [*ws, *([b] if b >= 0 else [])]]
    return list(dict.fromkeys(found))
