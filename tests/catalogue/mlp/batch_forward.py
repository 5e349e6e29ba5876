# NeuralNetwork(n_in, n_out, hidden_sizes, activations, loss_name, learning_rate): forward()
# takes a list of samples and returns one output per sample; no parameters() anywhere, the
# optimiser walks the layers itself.
# ruff: noqa: F821
import random


class Neuron:
    def __init__(self, n_in, activation):
        self.weights = [Value(random.uniform(-1, 1)) for _ in range(n_in)]
        self.bias = Value(random.uniform(-0.5, 0.5))
        self.activation = activation

    def __call__(self, x):
        z = self.bias
        for w, v in zip(self.weights, x):
            z = z + w * v
        return z.tanh() if self.activation == "tanh" else z


class Layer:
    def __init__(self, n_in, n_out, activation):
        self.neurons = [Neuron(n_in, activation) for _ in range(n_out)]

    def __call__(self, x):
        return [n(x) for n in self.neurons]


class NeuralNetwork:
    def __init__(self, n_in, n_out, hidden_sizes, activations, loss_name, learning_rate):
        sizes = [n_in] + list(hidden_sizes) + [n_out]
        self.layers = [Layer(a, b, act) for a, b, act in zip(sizes, sizes[1:], activations)]
        self.loss_name, self.learning_rate = loss_name, learning_rate

    def forward(self, samples):
        outputs = []
        for x in samples:
            for layer in self.layers:
                x = layer(x)
            outputs.append(x if len(x) > 1 else x[0])
        return outputs

    def zero_grad(self):
        for layer in self.layers:
            for n in layer.neurons:
                for p in n.weights + [n.bias]:
                    p.grad = 0.0
