"""The reference implementation the grader compares against.

``engine``: the scalar ``Value`` with its ops and ``backward``. ``nn``: ``Neuron``, ``Layer``
and ``MLP`` (with the parameter order the grader relies on). ``losses``: ``mse``,
``bce_with_logits``, ``sgd_step`` and ``accuracy``. ``demo``: ``python -m reference.demo``.
"""
