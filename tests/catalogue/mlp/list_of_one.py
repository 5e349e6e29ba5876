# Layers always return a list, so MLP(3, [4, 4, 1]) returns a list of one Value. Hidden
# layers are chosen by name; weights are "weights", the bias is "bias".
# ruff: noqa: F821
import random


class Neuron:
    def __init__(self, n_inputs, activation="tanh"):
        self.weights = [Value(random.uniform(-1, 1)) for _ in range(n_inputs)]
        self.bias = Value(0.0)
        self.activation = activation

    def __call__(self, inputs):
        total = self.bias
        for weight, value in zip(self.weights, inputs):
            total = total + weight * value
        if self.activation == "tanh":
            return total.tanh()
        return total

    def parameters(self):
        return [*self.weights, self.bias]


class Layer:
    def __init__(self, n_inputs, n_outputs, activation="tanh"):
        self.neurons = [Neuron(n_inputs, activation) for _ in range(n_outputs)]

    def __call__(self, inputs):
        return [neuron(inputs) for neuron in self.neurons]

    def parameters(self):
        params = []
        for neuron in self.neurons:
            params.extend(neuron.parameters())
        return params


class MLP:
    def __init__(self, n_inputs, layer_sizes, activation="tanh"):
        sizes = [n_inputs] + list(layer_sizes)
        last = len(layer_sizes) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation if i < last else "linear")
            for i in range(len(layer_sizes))
        ]

    def __call__(self, inputs):
        for layer in self.layers:
            inputs = layer(inputs)
        return inputs

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0
