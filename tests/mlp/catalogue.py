"""A catalogue of student MLPs, buggy and correct, each with its verdict per mlp.* category.

An entry is one self-contained source text: an engine (the student engine of the engine
catalogue, possibly with one of its verified bugs, or the file's own), followed by an nn part
from ``tests/catalogue/mlp/``, possibly mutated. ``engine_fails`` is what the engine grading
says of that engine (for the bugs: the categories ``tests/catalogue/bugs.py`` verifies).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tests.catalogue.bugs import BASE, BUGS, mutate

ROOT = Path(__file__).resolve().parents[2]
NN = ROOT / "tests" / "catalogue" / "mlp"
CATEGORIES = ("mlp.params", "mlp.forward", "mlp.grad", "mlp.zero_grad", "mlp.train")
ALL_PASS = dict.fromkeys(CATEGORIES, "pass")


@dataclass(frozen=True)
class Entry:
    """One student's MLP and what the grader must say about it."""

    name: str
    description: str
    nn: str  # a file in tests/catalogue/mlp, or "reference"
    verdicts: dict[str, str]
    replacements: tuple[tuple[str, str], ...] = ()  # mutations of the nn part
    engine: str = "base"  # "base" (the engine catalogue's student engine), "own" or "reference"
    engine_bug: str = ""  # a bug of tests/catalogue/bugs.py applied to the base engine
    engine_extra: str = ""  # methods appended to the base engine's Value class
    declared_fails: frozenset[str] = frozenset()  # the engine grading's verdict, if no bug
    hints: dict[str, str] = field(default_factory=dict)  # category -> text of hint or message
    overrides: dict[str, str] = field(default_factory=dict)  # config.names

    @property
    def engine_fails(self) -> frozenset[str]:
        if not self.engine_bug:
            return self.declared_fails
        return next(b.fails for b in BUGS if b.name == self.engine_bug)


def _verdicts(**changes: str) -> dict[str, str]:
    return {**ALL_PASS, **{f"mlp.{k}": v for k, v in changes.items()}}


def _replace(text: str, replacements: tuple[tuple[str, str], ...], name: str) -> str:
    for old, new in replacements:
        assert text.count(old) == 1, f"{name}: {old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def source(entry: Entry) -> str:
    """The entry's whole submission: engine, then network."""
    if entry.nn == "reference":
        engine = (ROOT / "reference" / "engine.py").read_text()
        nn = (ROOT / "reference" / "nn.py").read_text()
        keep = [line for line in nn.splitlines()
                if not line.startswith(("from __future__", "from reference"))]
        return engine + "\n\n" + "\n".join(keep) + "\n"
    nn = _replace((NN / f"{entry.nn}.py").read_text(), entry.replacements, entry.name)
    if entry.engine == "own":
        return nn
    engine = BASE.read_text()
    if entry.engine_bug:
        engine = mutate(next(b for b in BUGS if b.name == entry.engine_bug), engine)
    if entry.engine_extra:
        engine = engine.rstrip("\n") + "\n\n" + entry.engine_extra
    return engine + "\n\n" + nn


LEAKY_RELU = '''    def leaky_relu(self):
        out = Value(self.data if self.data > 0 else 0.1 * self.data, (self,), "leaky")

        def _backward():
            self.grad += (1.0 if self.data > 0 else 0.1) * out.grad

        out._backward = _backward
        return out
'''
TANH_CALL = "return act.tanh() if self.nonlin else act"
DOT_WITH_BIAS = "act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)"
CHAIN = "        for layer in self.layers:\n            x = layer(x)\n        return x\n"

CORRECT: tuple[Entry, ...] = (
    Entry("reference", "reference/engine.py with reference/nn.py: tanh hidden, linear last.",
          "reference", ALL_PASS),
    Entry("tanh_linear", "micrograd's nn.py with tanh hidden layers and a linear last layer.",
          "tanh_linear", ALL_PASS),
    Entry("micrograd_relu", "Karpathy's micrograd nn.py verbatim: relu hidden, linear last.",
          "micrograd_relu", ALL_PASS),
    Entry("notebook_sigmoid", "The seed notebook: its own engine (sigmoid is .sig()), sigmoid "
          "hidden layers, a linear last layer.", "notebook_sigmoid", ALL_PASS, engine="own"),
    Entry("list_of_one", "Layers always return lists, so one output comes as a list of one; "
          "attributes named weights and bias.", "list_of_one", ALL_PASS,
          hints={"mlp.forward": "list of one"}),
    Entry("lecture_video", "The lecture's MLP: tanh everywhere, even the last layer; no "
          "zero_grad method.", "lecture_video", _verdicts(zero_grad="missing"),
          hints={"mlp.zero_grad": "no zero_grad"}),
    Entry("flat_lists", "No Neuron or Layer: nested lists of weights, found by the order of "
          "parameters().", "flat_lists", ALL_PASS),
    Entry("sizes_call", "MLP([3, 4, 4, 1]) takes one list of sizes; relu hidden layers.",
          "sizes_call", ALL_PASS),
    Entry("data_args", "MLP(nin, sizes, lr, X, Y, iters): data and schedule are required "
          "constructor arguments.", "data_args", _verdicts(zero_grad="pass"),
          hints={"mlp.params": "MLP(3, [4, 4, 1], lr=0.05"}),
    Entry("hidden_nout_act", "MLP(nin, hidden, nout, activation), the output layer kept in "
          "self.output beside self.hidden; relu hidden.", "hidden_nout_act", ALL_PASS,
          hints={"mlp.params": "MLP(3, [4, 4], 1, activation='tanh')"}),
    Entry("neuron_cls", "MLP(nin, nouts, neuron_cls): the neuron class is an argument.",
          "neuron_cls", ALL_PASS, hints={"mlp.params": "neuron_cls=TanhNeuron"}),
    Entry("slp_hidden_out", "A class called SLP; hidden layers in self.hidden, the output "
          "layer in self.out; no Neuron class.", "slp_hidden_out", ALL_PASS,
          hints={"mlp.params": "SLP(3, [4, 4, 1])"}),
    Entry("sigmoid_out", "tanh hidden, sigmoid output: trained towards 0 and 1.", "sigmoid_out",
          ALL_PASS, hints={"mlp.train": "[1.0, 0.0, 0.0, 1.0]"}),
    Entry("relu_everywhere", "relu in every layer, the output too; layers in a tuple, neurons "
          "in a dict.", "relu_everywhere", ALL_PASS,
          hints={"mlp.forward": "relu in every layer"}),
    Entry("model_forward_matrix", "A class called Model with forward(), a weight matrix and a "
          "bias vector per layer, parameters() listing all weights then all biases.",
          "model_forward_matrix", ALL_PASS, hints={"mlp.params": "Model(3, [4, 4, 1])"}),
    Entry("varargs_predict", "NeuralNetwork(3, 4, 4, 1) with predict(); each neuron keeps "
          "[b, w1, w2, ...] in one list; layers in a dict.", "varargs_predict", ALL_PASS,
          hints={"mlp.params": "NeuralNetwork(3, 4, 4, 1)"}),
    Entry("act_step_args", "MLP(nin, nouts, activation, step): activation and learning rate "
          "are required.", "act_step_args", ALL_PASS,
          hints={"mlp.params": "activation='tanh', step=0.05"}),
    Entry("dead_start_relu", "A correct relu network whose own start has most relu units dead: "
          "trained from a start the grader chooses.", "dead_start_relu", ALL_PASS,
          hints={"mlp.train": "from a start the grader chose"}),
    Entry("sigmoid_everywhere", "sigmoid in every layer, the output too, in a class called SLP; "
          "no zero_grad. Training is slow: it passes by reaching what a correct network of "
          "this shape reaches.", "sigmoid_everywhere", _verdicts(zero_grad="missing"),
          hints={"mlp.train": "as low as a correct network"}),
    Entry("activation_list", "MLP(nin, nouts, activations): one activation name per layer, "
          "required.", "activation_list", ALL_PASS,
          hints={"mlp.params": "activations=['tanh', 'tanh', 'linear']"}),
    Entry("underscore_parameters", "The parameters method is called _parameters.",
          "model_forward_matrix", ALL_PASS,
          (("    def parameters(self):", "    def _parameters(self):"),
           ("for p in self.parameters():", "for p in self._parameters():"))),
    Entry("zero_gradient_name", "zero_grad is called zero_gradient.", "tanh_linear", ALL_PASS,
          (("    def zero_grad(self):", "    def zero_gradient(self):"),),
          hints={"mlp.zero_grad": "zero_gradient()"}),
    Entry("layer_modules", "No MLP class: Sequential(Linear(3, 4), Tanh(), ...), layer "
          "modules chained by a container, as in torch.nn.", "layer_modules", ALL_PASS,
          hints={"mlp.params": "Sequential(Linear(3, 4), Tanh(), Linear(4, 4), Tanh(), "
                 "Linear(4, 1))"}),
    Entry("layer_modules_list", "No MLP class: the container takes a list of modules, and the "
          "activation module is ReLU.", "layer_modules", ALL_PASS,
          (("    def __init__(self, *modules):", "    def __init__(self, modules):"),
           ("class Tanh(Module):", "class ReLU(Module):"),
           ("return [x.tanh() for x in inputs]", "return [x.relu() for x in inputs]")),
          hints={"mlp.params": "Sequential([Linear(3, 4), ReLU(), Linear(4, 4), ReLU(), "
                 "Linear(4, 1)])"}),
    Entry("parameters_property", "parameters is a property (model.parameters, no call) on "
          "every module, zero_grad included.", "tanh_linear", ALL_PASS,
          (("    def parameters(self):\n        return []\n",
            "    @property\n    def parameters(self):\n        return []\n"),
           ("    def parameters(self):\n        return self.w + [self.b]\n",
            "    @property\n    def parameters(self):\n        return self.w + [self.b]\n"),
           ("    def parameters(self):\n        return [p for n in self.neurons "
            "for p in n.parameters()]\n", "    @property\n    def parameters(self):\n"
            "        return [p for n in self.neurons for p in n.parameters]\n"),
           ("    def parameters(self):\n        return [p for layer in self.layers "
            "for p in layer.parameters()]\n", "    @property\n    def parameters(self):\n"
            "        return [p for layer in self.layers for p in layer.parameters]\n"),
           ("for p in self.parameters():", "for p in self.parameters:")),
          hints={"mlp.params": "model.parameters returns"}),
    Entry("parameters_attribute", "No parameters() method: MLP.__init__ stores the list in "
          "self.parameters, and zero_grad loops over it.", "tanh_linear", ALL_PASS,
          (("    def parameters(self):\n        return []\n", ""),
           ("    def parameters(self):\n        return [p for layer in self.layers "
            "for p in layer.parameters()]\n", ""),
           ("for i in range(len(nouts))]\n", "for i in range(len(nouts))]\n"
            "        self.parameters = [p for layer in self.layers for p in layer.parameters()]\n"),
           ("for p in self.parameters():", "for p in self.parameters:")),
          hints={"mlp.params": "model.parameters returns"}),
    Entry("leaky_relu", "An activation the grader does not know (leaky relu): forward is "
          "checked generically, gradients against finite differences.", "tanh_linear",
          ALL_PASS, ((TANH_CALL, "return act.leaky_relu() if self.nonlin else act"),),
          engine_extra=LEAKY_RELU, hints={"mlp.forward": "not all among"}),
)

BUGGY: tuple[Entry, ...] = (
    Entry("add_wx", "wi + xi instead of wi * xi.", "tanh_linear",
          _verdicts(forward="fail", train="fail"),
          ((DOT_WITH_BIAS, "act = sum((wi + xi for wi, xi in zip(self.w, x)), self.b)"),),
          hints={"mlp.forward": "add weights to inputs"}),
    Entry("bias_not_in_parameters", "Neuron.parameters() returns self.w only.", "tanh_linear",
          _verdicts(params="fail"), (("        return self.w + [self.b]\n",
                                      "        return self.w\n"),),
          hints={"mlp.params": "biases are missing"}),
    Entry("layer_modules_bias_not_added", "A Linear module of a Sequential container never "
          "adds its bias.", "layer_modules", _verdicts(forward="fail"),
          (("            total = b\n", "            total = 0.0\n"),),
          hints={"mlp.forward": "the bias is never added"}),
    Entry("bias_not_added", "The sum starts at 0 instead of at the bias.", "tanh_linear",
          _verdicts(forward="fail"),
          ((DOT_WITH_BIAS, "act = sum(wi * xi for wi, xi in zip(self.w, x))"),),
          hints={"mlp.forward": "the bias is never added"}),
    Entry("activation_twice", "tanh applied twice in every hidden neuron.", "tanh_linear",
          _verdicts(forward="fail"),
          ((TANH_CALL, "return act.tanh().tanh() if self.nonlin else act"),),
          hints={"mlp.forward": "applied twice"}),
    Entry("layers_not_chained", "Every layer is called on the network's input.", "tanh_linear",
          _verdicts(forward="fail"),
          ((CHAIN, "        for layer in self.layers:\n            out = layer(x)\n"
                   "        return out\n"),),
          hints={"mlp.forward": "every layer gets the raw input"}),
    Entry("neurons_repeated", "[Neuron(nin)] * nout: one neuron object repeated, so "
          "parameters() lists the same Values several times.", "tanh_linear",
          _verdicts(params="fail"),
          (("[Neuron(nin, **kwargs) for _ in range(nout)]", "[Neuron(nin, **kwargs)] * nout"),),
          hints={"mlp.params": "[Neuron(nin)] * nout"}),
    Entry("one_output_as_number", "With one neuron, the layer returns the number (.data), "
          "not the Value.", "tanh_linear", _verdicts(forward="fail", grad="fail", train="fail"),
          (("return out[0] if len(out) == 1 else out", "return out[0].data if len(out) == 1 "
            "else out"),), hints={"mlp.forward": "not its .data"}),
    Entry("zero_grad_misses_bias", "zero_grad() only resets the weights.", "tanh_linear",
          _verdicts(zero_grad="fail"),
          (("    def __call__(self, x):\n        for layer",
            "    def zero_grad(self):\n        for layer in self.layers:\n"
            "            for n in layer.neurons:\n                for w in n.w:\n"
            "                    w.grad = 0\n\n    def __call__(self, x):\n        for layer"),),
          hints={"mlp.zero_grad": "misses the biases"}),
    Entry("weights_start_at_zero", "Every weight initialised to 0: the neurons of a layer "
          "stay identical and the network cannot learn.", "tanh_linear",
          _verdicts(train="fail"),
          (("self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]",
            "self.w = [Value(0.0) for _ in range(nin)]"),
           ("self.b = Value(random.uniform(-1, 1))", "self.b = Value(0.0)")),
          hints={"mlp.train": "every weight starts at 0"}),
    Entry("parameters_are_copies", "Neuron.parameters() returns fresh copies of its Values, "
          "so the training loop updates numbers the network never uses.", "tanh_linear",
          _verdicts(params="fail"),
          (("        return self.w + [self.b]\n",
            "        return [Value(p.data) for p in self.w + [self.b]]\n"),),
          hints={"mlp.params": "not copies"}),
    Entry("layers_detached", "Hidden layers' outputs are turned into floats before the next "
          "layer: no gradient reaches the hidden layers.", "tanh_linear",
          _verdicts(grad="fail"),
          ((CHAIN, "        for layer in self.layers:\n"
                   "            x = layer([xi.data if isinstance(xi, Value) else xi for xi in x])\n"
                   "        return x\n"),),
          hints={"mlp.grad": "No gradient reaches layer 0, 1"}),
)

# Every "parameters" of tanh_linear.py misspelled, each named by a context it has once.
PAREMETERS = tuple((c, c.replace("parameters", "paremeters")) for c in (
    "self.parameters()", "n.parameters()", "layer.parameters()",
    "parameters(self):\n        return []",
    "parameters(self):\n        return self.w",
    "parameters(self):\n        return [p for n",
    "parameters(self):\n        return [p for layer",
))
BUGGY += (
    Entry("paremeters_typo", "parameters misspelled paremeters throughout: the network works, "
          "only parameters() is not there.", "tanh_linear", _verdicts(params="missing"),
          PAREMETERS,
          hints={"mlp.params": "paremeters"}),
    Entry("no_parameters", "No parameters() at all: zero_grad walks the matrices itself.",
          "model_forward_matrix", _verdicts(params="missing"),
          (("    def parameters(self):", "    def _all(self):"),
           ("for p in self.parameters():", "for p in self._all():"))),
    Entry("zero_grad_without_parameters", "zero_grad() calls self.parameters(), which is "
          "not there: charged to mlp.params alone.", "tanh_linear",
          _verdicts(params="missing"),
          (("    def parameters(self):\n        return []\n", ""),
           ("    def parameters(self):\n        return self.w + [self.b]\n", ""),
           ("    def parameters(self):\n        return [p for n in self.neurons "
            "for p in n.parameters()]\n", ""),
           ("    def parameters(self):\n        return [p for layer in self.layers "
            "for p in layer.parameters()]\n", ""))),
    Entry("parameters_misses_layer", "MLP.parameters() leaves out the first layer.",
          "tanh_linear", _verdicts(params="fail"),
          (("return [p for layer in self.layers for p in layer.parameters()]",
            "return [p for layer in self.layers[1:] for p in layer.parameters()]"),),
          hints={"mlp.params": "layer 0"}),
    Entry("zero_grad_to_none", "zero_grad() sets every gradient to None.", "tanh_linear",
          _verdicts(zero_grad="fail"),
          (("            p.grad = 0\n", "            p.grad = None\n"),),
          hints={"mlp.zero_grad": "not None"}),
    Entry("zero_grad_resets_data", "zero_grad() also sets the values to 0.", "sizes_call",
          _verdicts(zero_grad="fail"), (("            p.grad = 0.0\n",
                                         "            p.grad = 0.0\n            p.data = 0.0\n"),),
          hints={"mlp.zero_grad": "changed the parameters' values"}),
    Entry("relu_equal_start", "relu hidden layers whose weights all start at 0.5: the neurons "
          "of a layer stay identical.", "sizes_call", _verdicts(train="fail"),
          (("self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]",
            "self.w = [Value(0.5) for _ in range(nin)]"),
           ("self.b = Value(random.uniform(-0.1, 0.1))", "self.b = Value(0.0)")),
          hints={"mlp.train": "every weight starts at 0.5"}),
    Entry("batch_forward", "NeuralNetwork(n_in, n_out, hidden, activations, loss, lr) with "
          "forward() over a list of samples; no parameters() at all.", "batch_forward",
          _verdicts(params="missing"), hints={"mlp.params": "NeuralNetwork(3, 1, [4, 4]"}),
    Entry("random_not_imported", "nn.py uses random without importing it: the network cannot "
          "be built, and every category says so.", "micrograd_relu",
          dict.fromkeys(CATEGORIES, "fail"), (("import random\n", ""),),
          hints={c: "NameError" for c in CATEGORIES}),
    Entry("neuron_too_wide", "Every neuron gets one weight more than it has inputs; zip() "
          "leaves it out, so only parameters() shows the bug.", "tanh_linear",
          _verdicts(params="fail"),
          (("[Neuron(nin, **kwargs) for _ in range(nout)]",
            "[Neuron(nin + 1, **kwargs) for _ in range(nout)]"),),
          hints={"mlp.params": "it should have (3 + 1) * 4"}),
    Entry("neuron_detached", "Each hidden neuron rebuilds its sum as a new Value from the "
          "number, cutting the graph below it.", "tanh_linear", _verdicts(grad="fail"),
          ((TANH_CALL, "return Value(act.data).tanh() if self.nonlin else act"),),
          hints={"mlp.grad": "No gradient reaches layer 0, 1"}),
)

BUGGY += (
    Entry("parameters_replaces_itself", "Layer.parameters() stores its list in "
          "self.parameters, replacing the method: the second call raises TypeError.",
          "tanh_linear", _verdicts(params="fail"),
          (("        return [p for n in self.neurons for p in n.parameters()]\n",
            "        self.parameters = [p for n in self.neurons for p in n.parameters()]\n"
            "        return self.parameters\n"),),
          hints={"mlp.params": "A second call of model.parameters() raised TypeError: "
                 "'list' object is not callable. The first call ran"}),
    Entry("parameters_new_each_call", "Neuron.parameters() makes fresh bias Values on every "
          "call after the first: the second call does not return the same Values.",
          "tanh_linear", _verdicts(params="fail"),
          (("        return self.w + [self.b]\n",
            "        if getattr(self, 'asked', False):\n"
            "            self.b = Value(self.b.data)\n"
            "        self.asked = True\n        return self.w + [self.b]\n"),),
          hints={"mlp.params": "does not return the same Values"}),
    Entry("layers_all_take_nin", "Every layer is built with the network's nin inputs: the "
          "network holds 36 Values, not 41. Charged once, to mlp.params.", "tanh_linear",
          _verdicts(params="fail"),
          (("Layer(sz[i], sz[i+1], nonlin=i!=len(nouts)-1)",
            "Layer(nin, sz[i+1], nonlin=i!=len(nouts)-1)"),),
          hints={"mlp.params": "it should have", "mlp.forward": "Not checked",
                 "mlp.grad": "Not checked"}),
)

NOT_CHECKED = "Not checked"
# A forward pass that raises is charged once, to mlp.forward; grad and train, which need it,
# are not charged. A loss.backward() that raises is charged once, to mlp.grad. A forward pass
# that runs but gives wrong gradients still fails mlp.grad (layers_detached, neuron_detached).
BUGGY += (
    Entry("forward_raises_fsum", "Each neuron sums with math.fsum, which takes numbers, not "
          "Values: the forward pass raises TypeError.", "tanh_linear", _verdicts(forward="fail"),
          ((DOT_WITH_BIAS, "act = math.fsum(wi * xi for wi, xi in zip(self.w, x)) + self.b"),),
          hints={"mlp.forward": "TypeError", "mlp.grad": NOT_CHECKED, "mlp.train": NOT_CHECKED}),
    Entry("forward_raises_attribute", "The neuron reads self.nonlinear, an attribute it never "
          "set: the forward pass raises AttributeError.", "tanh_linear",
          _verdicts(forward="fail"),
          ((TANH_CALL, "return act.tanh() if self.nonlinear else act"),),
          hints={"mlp.forward": "AttributeError", "mlp.grad": "forward pass, which raises",
                 "mlp.train": NOT_CHECKED}),
    Entry("forward_raises_unpacking", "Each layer unpacks its neurons' outputs into exactly "
          "one: a layer of several neurons raises ValueError.", "tanh_linear",
          _verdicts(forward="fail"),
          (("return out[0] if len(out) == 1 else out", "(single,) = out\n        return single"),),
          hints={"mlp.forward": "ValueError", "mlp.grad": NOT_CHECKED, "mlp.train": NOT_CHECKED}),
    Entry("backward_reads_input_data", "Each neuron wraps its output's backward to keep its "
          "inputs' numbers, reading xi.data: the lecture's inputs are plain numbers, so "
          "loss.backward() raises AttributeError. Charged once, to mlp.grad.", "tanh_linear",
          _verdicts(grad="fail"),
          ((TANH_CALL, "out = act.tanh() if self.nonlin else act\n"
                       "        step = out._backward\n\n"
                       "        def _backward():\n"
                       "            step()\n"
                       "            self.seen = [xi.data for xi in x]\n\n"
                       "        out._backward = _backward\n"
                       "        return out"),),
          hints={"mlp.grad": "AttributeError", "mlp.zero_grad": "was not checked",
                 "mlp.train": NOT_CHECKED}),
)

ENGINE_BUGS: tuple[Entry, ...] = (
    Entry("engine_tanh_grad", "A correct MLP on an engine whose tanh gradient is wrong: the "
          "MLP's gradients are checked with a corrected engine.", "tanh_linear", ALL_PASS,
          engine_bug="tanh_grad_not_squared",
          hints={"mlp.grad": "corrected engine, because your tanh failed"}),
    Entry("engine_radd_recurses", "A correct MLP that sums with sum(), on an engine whose "
          "__radd__ recurses.", "tanh_linear", ALL_PASS,
          ((DOT_WITH_BIAS, "act = sum(wi * xi for wi, xi in zip(self.w, x)) + self.b"),),
          engine_bug="radd_recurses",
          hints={"mlp.forward": "corrected engine, because your radd failed"}),
    Entry("engine_graph_order", "A correct MLP on an engine whose topological sort never marks "
          "nodes visited.", "micrograd_relu", ALL_PASS, engine_bug="topo_never_marks_visited",
          hints={"mlp.grad": "graph and reuse failed"}),
    Entry("engine_missing_seed", "backward() does not seed the output: compensated, as in the "
          "engine grading.", "micrograd_relu", ALL_PASS, engine_bug="missing_seed"),
    Entry("engine_mul_and_add_wx", "wi + xi on an engine with a wrong mul: the forward pass "
          "does not multiply, so its failure is the MLP's own.", "tanh_linear",
          _verdicts(forward="fail", train="fail"),
          ((DOT_WITH_BIAS, "act = sum((wi + xi for wi, xi in zip(self.w, x)), self.b)"),),
          engine_bug="mul_overwrites_grad", hints={"mlp.forward": "add weights to inputs"}),
    Entry("notebook_sig_grad", "The seed notebook with its sigmoid gradient broken (.sig(), "
          "not .sigmoid()): its MLP is re-checked with a corrected engine that answers to "
          "sig.", "notebook_sigmoid", ALL_PASS,
          (("      self.grad += sig * (1.0 - sig) * out.grad",
            "      self.grad += sig * out.grad"),),
          engine="own", declared_fails=frozenset({"sigmoid"}),
          hints={"mlp.grad": "because your sigmoid failed"}),
)

ENTRIES: tuple[Entry, ...] = CORRECT + BUGGY + ENGINE_BUGS
