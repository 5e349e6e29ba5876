# A network class called SLP, its hidden layers in self.hidden and the output layer in
# self.out; the neurons are built inside the layer without a Neuron class.
# ruff: noqa: F821
import random


class DenseLayer:
    def __init__(self, nin, nout, squash):
        self.units = [([Value(random.uniform(-1, 1)) for _ in range(nin)],
                       Value(random.uniform(-0.5, 0.5))) for _ in range(nout)]
        self.squash = squash

    def __call__(self, x):
        out = []
        for w, b in self.units:
            z = b
            for wi, xi in zip(w, x):
                z = z + wi * xi
            out.append(z.tanh() if self.squash else z)
        return out

    def parameters(self):
        return [p for w, b in self.units for p in w + [b]]


class SLP:
    def __init__(self, nin, nouts):
        sizes = [nin] + nouts
        self.hidden = [DenseLayer(a, b, True) for a, b in zip(sizes[:-2], sizes[1:-1])]
        self.out = DenseLayer(sizes[-2], sizes[-1], False)

    def __call__(self, x):
        for layer in self.hidden:
            x = layer(x)
        y = self.out(x)
        return y[0] if len(y) == 1 else y

    def parameters(self):
        params = []
        for layer in self.hidden:
            params += layer.parameters()
        return params + self.out.parameters()

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0
