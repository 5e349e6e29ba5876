"""reference.nn: parameter count and order, forward and gradients against torch, training."""

from __future__ import annotations

import random
from typing import Callable

import pytest
import torch

from reference.demo import train_four_points
from reference.engine import Value
from reference.nn import MLP, Layer, Neuron
from tests.reference.helpers import assert_close

ACTIVATIONS = ["tanh", "relu", "sigmoid", "linear"]

TORCH_ACT: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "tanh": torch.tanh,
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "linear": lambda t: t,
}


def torch_mlp(
    flat: torch.Tensor, sizes: list[int], hidden: str, output: str, x: list[float]
) -> torch.Tensor:
    """The same MLP in torch, reading its weights from ``flat`` in the documented order:
    per neuron its weights then its bias, neurons in order, layers in order."""
    h = torch.tensor(x, dtype=torch.float64)
    start = 0
    for i, (nin, nout) in enumerate(zip(sizes, sizes[1:])):
        block = flat[start : start + nout * (nin + 1)].reshape(nout, nin + 1)
        start += nout * (nin + 1)
        act = TORCH_ACT[output if i == len(sizes) - 2 else hidden]
        h = act(block[:, :nin] @ h + block[:, nin])
    assert start == flat.numel()
    return h


def as_list(out: Value | list[Value]) -> list[Value]:
    return [out] if isinstance(out, Value) else out


@pytest.mark.parametrize("output", ACTIVATIONS)
@pytest.mark.parametrize("hidden", ACTIVATIONS)
@pytest.mark.parametrize("nouts", [[4, 4, 1], [5, 2]])
def test_mlp_matches_torch(hidden: str, output: str, nouts: list[int]) -> None:
    rng = random.Random(7)
    model = MLP(3, nouts, activation=hidden, output_activation=output, rng=rng)
    params = model.parameters()
    for p in params:  # nonzero biases, so a bias in the wrong place shows up
        p.data = rng.uniform(-1, 1)
    flat = torch.tensor([p.data for p in params], dtype=torch.float64, requires_grad=True)
    xs = [[rng.uniform(-2, 2) for _ in range(3)] for _ in range(4)]

    loss = Value(0.0)
    want = torch.tensor(0.0, dtype=torch.float64)
    for x in xs:
        outs = as_list(model(x))
        touts = torch_mlp(flat, [3, *nouts], hidden, output, x)
        assert len(outs) == nouts[-1]
        for k, (o, t) in enumerate(zip(outs, touts)):
            assert_close(o.data, t, f"output {k} for x={x}")
            loss = loss + (o - k) ** 2
            want = want + (t - k) ** 2
    model.zero_grad()
    loss.backward()
    want.backward()
    assert flat.grad is not None
    for i, (p, g) in enumerate(zip(params, flat.grad)):
        assert_close(p.grad, g, f"gradient of parameter {i}")


def test_mlp_3_4_4_1_has_41_parameters() -> None:
    assert len(MLP(3, [4, 4, 1]).parameters()) == 41
    assert len(set(map(id, MLP(3, [4, 4, 1]).parameters()))) == 41


def test_parameter_order_is_as_documented() -> None:
    model = MLP(3, [4, 4, 1])
    expected = [
        p for layer in model.layers for neuron in layer.neurons for p in [*neuron.w, neuron.b]
    ]
    assert [id(p) for p in model.parameters()] == [id(p) for p in expected]
    first = model.layers[0].neurons[0]
    assert model.parameters()[:4] == [*first.w, first.b]
    assert len(first.w) == 3
    assert model.parameters()[-1] is model.layers[-1].neurons[0].b


def test_initialisation_is_seeded_uniform_with_zero_bias() -> None:
    a = MLP(3, [4, 4, 1], rng=random.Random(1))
    b = MLP(3, [4, 4, 1], rng=random.Random(1))
    c = MLP(3, [4, 4, 1], rng=random.Random(2))
    data = [p.data for p in a.parameters()]
    assert data == [p.data for p in b.parameters()]
    assert data != [p.data for p in c.parameters()]
    for layer in a.layers:
        for neuron in layer.neurons:
            assert neuron.b.data == 0.0
            assert all(-1 <= w.data <= 1 for w in neuron.w)
    # weights are drawn in parameter order
    rng = random.Random(1)
    weights = [p.data for p in a.parameters() if p.data != 0.0]
    assert weights == [rng.uniform(-1, 1) for _ in weights]


def test_global_random_seed_is_used_without_rng() -> None:
    random.seed(3)
    a = [p.data for p in Neuron(5).parameters()]
    random.seed(3)
    assert a == [p.data for p in Neuron(5).parameters()]


def test_layer_returns_a_value_for_one_neuron_and_a_list_otherwise() -> None:
    x = [1.0, -2.0]
    assert isinstance(Layer(2, 1)(x), Value)
    many = Layer(2, 3)(x)
    assert isinstance(many, list)
    assert len(many) == 3
    assert isinstance(MLP(2, [3, 1])(x), Value)
    assert isinstance(MLP(2, [1, 1])(x), Value)  # a one-neuron hidden layer still works
    assert len(as_list(MLP(2, [3, 2])(x))) == 2


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_neuron_applies_its_activation(name: str) -> None:
    neuron = Neuron(2, activation=name, rng=random.Random(0))
    neuron.b.data = 0.25
    x = [0.5, -1.5]
    pre = neuron.w[0].data * 0.5 + neuron.w[1].data * -1.5 + 0.25
    want = TORCH_ACT[name](torch.tensor(pre, dtype=torch.float64))
    assert_close(neuron(x).data, want, f"{name} neuron")


def test_unknown_activation_is_rejected() -> None:
    with pytest.raises(ValueError, match="softplus"):
        Neuron(2, activation="softplus")
    with pytest.raises(ValueError, match="gelu"):
        MLP(2, [3, 1], output_activation="gelu")


def test_zero_grad_resets_every_parameter() -> None:
    model = MLP(2, [3, 1], rng=random.Random(0))
    for p in model.parameters():
        p.data += 0.1
    out = model([0.3, -0.7])
    assert isinstance(out, Value)
    out.backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_training_on_four_points_reaches_low_loss_deterministically() -> None:
    model, loss = train_four_points()
    assert loss < 0.01
    _, again = train_four_points()
    assert again == loss
    preds = [model(x) for x in [[2, 3, -1], [3, -1, 0.5], [0.5, 1, 1], [1, 1, -1]]]
    signs = [1 if isinstance(p, Value) and p.data > 0 else -1 for p in preds]
    assert signs == [1, -1, -1, 1]
