"""The trusted side: torch float64 evaluates a graph, all lanes in one batched pass."""

from __future__ import annotations

import numpy as np
import torch

from grader.graph import Graph
from grader.ops import apply


def expected(graph: Graph) -> tuple[np.ndarray, np.ndarray]:
    """Values and gradients of every node on every lane, each of shape (n_nodes, n_lanes).

    A node the output does not depend on has gradient 0, as in a micrograd engine.
    """
    inputs = torch.tensor(graph.inputs, dtype=torch.float64).T.contiguous()
    nodes = [leaf.requires_grad_() for leaf in inputs.unbind(0)]
    for step in graph.steps:
        b = nodes[step.args[1]] if len(step.args) > 1 else None
        nodes.append(apply(step.op, nodes[step.args[0]], b, step.const))
    # The lanes are independent, so the gradient of their sum is each lane's own gradient.
    # A scalar output needs no seed tensor: with one, torch imports sympy (half a second)
    # to check its shape.
    grads = torch.autograd.grad(nodes[-1].sum(), nodes, allow_unused=True)
    zero = torch.zeros(graph.n_lanes, dtype=torch.float64)
    values = torch.stack([n.detach() for n in nodes]).numpy()
    return values, torch.stack([zero if g is None else g for g in grads]).numpy()
