"""What is graded in numpy mode: a network with hand-written forward and backward passes.

Each part is called in the child on arrays Hypothesis draws (grader.generate.arrays), in the
student's layout (grader.evaluate.numpy_layout), and compared with torch in float64
(grader.evaluate.numpy_oracle). Conventions are not bugs: where the 1/m of the mean sits
(in the loss gradient, or in the layer's backward) is read off ``linear_backward`` and the
loss gradient is judged by the same convention; the whole model is judged against torch.
One bug is charged once: a model check that fails is repeated with the parts that already
failed replaced by correct ones (in the student's conventions), and passes if that fixes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional, cast

import numpy as np

from grader.compare.tolerance import ARRAYS
from grader.config import NUMPY_WEIGHTS, Config
from grader.diagnose.numpy_feedback import code_for, confirmed_hint, shape_words
from grader.evaluate import numpy_oracle as oracle
from grader.evaluate.numpy_layout import Layout, decode, encode
from grader.evaluate.runner import RunnerError
from grader.generate.arrays import STRATEGIES, Case, size, training_set
from grader.generate.search import draw_examples
from grader.results import CategoryResult, Verdict

PARTS = ("relu", "relu_backward", "sigmoid", "sigmoid_backward", "linear_forward",
         "linear_backward", "loss", "loss_backward", "update")  # fmt: skip
MODELS = ("model_forward", "model_backward", "train")
RTOL, ATOL = ARRAYS
TRAIN = {"epochs": 300, "lr": 0.5}
COVERED = {"relu": "model_forward", "sigmoid": "model_forward",
           "relu_backward": "model_backward", "sigmoid_backward": "model_backward",
           "loss_backward": "model_backward"}  # a part written inline is checked in the model


@dataclass
class Mismatch:
    """What went wrong on one case."""

    case: Case
    words: str
    expected: str = ""
    got: str = ""
    hint: Optional[str] = None


@dataclass
class NumpyGrader:
    """Grades the parts, then the model, of one numpy network."""

    call: Callable[[str, dict[str, Any]], Any]
    found: dict[str, Any]
    config: Config
    layout: Layout = field(init=False)
    conv: dict[str, Any] = field(default_factory=lambda: {"scale": "loss", "loss": "bce"})
    mutated: dict[str, Case] = field(default_factory=dict)
    checked: int = 0
    answered: int = 0  # calls the student's code completed
    drawn: dict[str, list[Case]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.layout = Layout.from_found(self.found)

    def grade(self) -> list[CategoryResult]:
        verdicts: dict[str, Verdict] = {}
        for part in PARTS:
            verdicts[part] = self._part(part)
        failed = [p for p in PARTS if verdicts[p].status in ("fail", "error")]
        for part in failed:  # a part that calls another failing part (sigmoid_backward, say)
            others = [p for p in failed if p != part]
            if others and self._part(part, others).status == "pass":
                verdicts[part] = Verdict("pass", _passes_once(part, others))
        failed = [p for p in PARTS if verdicts[p].status in ("fail", "error")]
        for model in MODELS:
            verdicts[model] = self._model(model, failed)
            if model != "model_forward" and verdicts[model].status == "fail":
                verdicts[model] = self._after_model(model, verdicts)
        for part, model in COVERED.items():
            if verdicts[part].status == "missing" and verdicts[model].status != "missing":
                verdicts[part] = Verdict("pass", f"Your code has no separate {_title(part)}; "
                                                 f"it is checked inside the {_title(model)}.")
        verdicts["inputs_unchanged"] = self._inputs_unchanged()
        return [self._scored(c, verdicts[c.removeprefix("np.")]) for c in NUMPY_WEIGHTS]

    # -- calling the child ------------------------------------------------------------------

    def _ask(self, op: str, args: dict[str, Any], corrected: list[str]) -> dict[str, Any]:
        """The child's answer, decoded and checked; never raises for a malformed answer."""
        self.checked += 1
        params = {"found": self.found, "op": op, "conv": self.conv, "corrected": corrected,
                  "args": {k: encode(v) for k, v in args.items()}}
        try:
            answer = self.call("numpy.call", params)
        except RunnerError as error:
            return {"ok": False, "error": error.message, "crash": True}
        if not isinstance(answer, dict):
            return {"ok": False, "error": "your code answered with something unreadable"}
        mutated = answer.get("mutated")
        if isinstance(mutated, list) and not corrected:
            for where in mutated[:16]:
                if isinstance(where, str):
                    self.mutated.setdefault(where[:80], args)
        if not answer.get("ok"):
            return {"ok": False, "error": str(answer.get("error", "unknown error"))[:400]}
        out = answer.get("out")
        self.answered += 1
        if not isinstance(out, dict):
            return {"ok": False, "error": "your code answered with something unreadable"}
        return {"ok": True, "out": {k: decode(v) for k, v in list(out.items())[:8]},
                "dtypes": {k: v.get("dtype") for k, v in out.items() if isinstance(v, dict)}}

    # -- the parts --------------------------------------------------------------------------

    def _cases(self, part: str) -> list[Case]:
        """The part's examples, smallest first; drawn once per grade (a re-check with
        corrected parts meets the same ones)."""
        if part not in self.drawn:
            strategy = cast(Any, STRATEGIES[part]())
            cases = draw_examples(strategy, budget=self.config.budget, seed=self.config.seed,
                                  key=f"np.{part}")
            self.drawn[part] = sorted(cast(list[Case], cases), key=size)
        return self.drawn[part]

    def _part(self, part: str, corrected: Optional[list[str]] = None) -> Verdict:
        if part not in self._available():
            return Verdict("missing", _missing_words(part, self.found))
        if part == "loss_backward" and "loss" in self._available():
            self._learn_loss_kind()
        first: Optional[Mismatch] = None
        for case in self._cases(part):
            answer = self._ask(part, self._to_student(part, case), corrected or [])
            problem = self._judge(part, case, answer)
            if problem is not None:
                first = problem
                break
        if first is None:
            return Verdict("pass", f"{_title(part)} matches torch on every example.")
        if _not_written(first.words):
            return Verdict("missing", f"Your {_title(part)} is not written yet.")
        return Verdict(
            "error" if first.words.startswith("crash") else "fail",
            first.words.removeprefix("crash: "),
            counterexample=code_for(part, first.case, self.found, self.layout),
            expected=first.expected, got=first.got, hint=first.hint)

    def _available(self) -> set[str]:
        parts = set(self.found["parts"])
        if self.found["style"] == "layers":
            parts |= {"linear_forward", "linear_backward"}
            if (self.found.get("linear") or {}).get("update"):
                parts.add("update")
        return parts

    def _learn_loss_kind(self) -> None:
        """BCE or MSE: the loss the student computes decides which gradient is right (read
        once per grade)."""
        if self.conv.get("loss_known"):
            return
        self.conv["loss_known"] = True
        case = self._cases("loss")[-1]
        answer = self._ask("loss", self._to_student("loss", case), [])
        got = answer.get("out", {}).get("L") if answer.get("ok") else None
        if isinstance(got, float) and _close(got, oracle.loss(case["A"], case["Y"], "mse")) \
                and not _close(got, oracle.loss(case["A"], case["Y"], "bce")):
            self.conv["loss"] = "mse"

    def _to_student(self, part: str, case: Case) -> dict[str, Any]:
        lay = self.layout
        if part in ("linear_forward", "linear_backward"):
            args = {"X": lay.data(case["X"]), "W": lay.weight(case["W"]),
                    "b": lay.bias_to(case["b"])}
            if part == "linear_backward":
                args["dZ"] = lay.data(case["dZ"])
            return args
        if part == "update":
            return {"W": lay.weight(case["W"]), "b": lay.bias_to(case["b"]),
                    "dW": lay.weight(case["dW"]), "db": lay.bias_to(case["db"]), "lr": case["lr"]}
        return {k: lay.data(v) for k, v in case.items()}

    def _judge(self, part: str, case: Case, answer: dict[str, Any]) -> Optional[Mismatch]:
        if not answer["ok"]:
            prefix = "crash: " if answer.get("crash") else ""
            return Mismatch(case, f"{prefix}Calling your {_title(part)} raised "
                                  f"{answer['error']}")
        expected = self._expected(part, case, answer["out"])
        for name, want in expected.items():
            got = answer["out"].get(name)
            problem = self._compare(part, name, got, want, case)
            if problem is not None:
                return problem
            dtype = answer.get("dtypes", {}).get(name) or "float64"
            if not str(dtype).startswith("float"):
                return Mismatch(case, f"{_title(part)} returns {name} as {dtype}; it should "
                                      "hold floating-point numbers.")
        return None

    def _expected(self, part: str, case: Case, got: dict[str, Any]) -> dict[str, Any]:
        """The canonical answers torch gives, in the student's layout."""
        lay, kind = self.layout, self.conv["loss"]
        if part in ("relu", "sigmoid"):
            return {"A": lay.data(oracle.activation(part, case["Z"]))}
        if part in ("relu_backward", "sigmoid_backward"):
            name = part.split("_")[0]
            return {"dZ": lay.data(oracle.activation_backward(name, case["dA"], case["Z"]))}
        if part == "loss":
            return {"L": oracle.loss(case["A"], case["Y"], kind)}
        if part == "loss_backward":
            grad = oracle.loss_backward(case["A"], case["Y"], kind)
            if self.conv["scale"] == "layer":
                grad = grad * case["A"].shape[0]
            return {"dA": lay.data(grad)}
        if part == "linear_forward":
            return {"Z": lay.data(oracle.linear_forward(case["X"], case["W"], case["b"]))}
        if part == "linear_backward":
            grads = oracle.linear_backward(case["X"], case["W"], case["b"], case["dZ"])
            self._learn_scale(case, grads, got)
            m = case["X"].shape[0] if self.conv["scale"] == "layer" else 1
            return {"dW": lay.weight(grads["dW"] / m), "db": lay.bias_to(grads["db"] / m),
                    "dX": lay.data(grads["dX"])}
        return {"W": lay.weight(case["W"] - case["lr"] * case["dW"]),
                "b": lay.bias_to(case["b"] - case["lr"] * case["db"])}

    def _learn_scale(self, case: Case, grads: dict[str, np.ndarray], got: dict[str, Any]) -> None:
        """The 1/m in the layer's backward is a convention: the first batch of two or more
        examples whose dW matches with it decides (see the module's docstring)."""
        n = case["X"].shape[0]
        dw = got.get("dW")
        if self.conv.get("scale_known") or n < 2 or not isinstance(dw, np.ndarray):
            return
        want = self.layout.weight(grads["dW"])
        if dw.shape == want.shape and np.allclose(dw, want / n, rtol=RTOL, atol=ATOL):
            self.conv["scale"] = "layer"
        self.conv["scale_known"] = True

    def _compare(self, part: str, name: str, got: Any, want: Any, case: Case) -> Optional[Mismatch]:
        title = _title(part)
        if isinstance(want, float):
            if not isinstance(got, float):
                return Mismatch(case, f"{title} should return one number.", f"{want:.10g}",
                                repr(got)[:80])
            if not _close(got, want):
                return Mismatch(case, f"{title} returns the wrong value.", f"{want:.10g}",
                                f"{got:.10g}", confirmed_hint(part, name, got, want, case))
            return None
        if not isinstance(got, np.ndarray):
            return Mismatch(case, f"{title} did not return {name} as an array of numbers.")
        fixed = got
        if name in ("db", "b") and got.shape != want.shape:
            flat = self.layout.bias_from(got)
            fixed = flat.reshape(want.shape) if flat is not None and flat.size == want.size \
                else got  # a bias kept as (out,) or (1, out) is the same bias
        if fixed.shape != want.shape:
            return Mismatch(case, shape_words(part, name, got.shape, want.shape),
                            f"shape {want.shape}", f"shape {got.shape}",
                            confirmed_hint(part, name, got, want, case))
        if not np.all(np.isfinite(fixed)) or not np.allclose(fixed, want, rtol=RTOL, atol=ATOL):
            return Mismatch(case, f"{title} computes the wrong {name}.", _show(want),
                            _show(fixed), confirmed_hint(part, name, fixed, want, case))
        return None

    # -- the model ----------------------------------------------------------------------------

    def _model(self, model: str, failed: list[str]) -> Verdict:
        if self.found["style"] == "layers" and not self.found.get("model"):
            needed = {"relu", "sigmoid", "relu_backward", "sigmoid_backward", "loss_backward"}
            if not needed <= set(self.found["parts"]):
                return Verdict("missing", "No model class was found (a class with forward and "
                                          "backward that holds two or more layers).")
        elif self.found["style"] == "functions" and not ({"model_forward", "model_backward"}
                                                         <= set(self.found["parts"])):
            return Verdict("missing", "L_model_forward or L_model_backward is missing.")
        if model == "train" and not self._can_update():
            return Verdict("missing", "No update step was found, so training cannot be run.")
        first = self._model_run(model, [])
        if first is None:
            return Verdict("pass", f"{_title(model)} matches torch.")
        if _not_written(first.words):
            return Verdict("missing", f"Your {_title(model)} is not written yet.")
        if failed and self._model_run(model, failed) is None:
            return Verdict("pass", _passes_once(model, failed))
        return Verdict("fail", first.words,
                       counterexample=code_for(model, first.case, self.found, self.layout),
                       expected=first.expected, got=first.got, hint=first.hint)

    def _after_model(self, model: str, verdicts: dict[str, Verdict]) -> Verdict:
        """A model check that fails after an earlier model check failed is charged there:
        a wrong forward pass makes the backward pass and training wrong too."""
        earlier = [m for m in MODELS[: MODELS.index(model)] if verdicts[m].status == "fail"]
        if not earlier:
            return verdicts[model]
        return Verdict("pass", f"Not charged: the {_title(earlier[0])} already failed, and this "
                               f"depends on it. Fix that first, then check the {_title(model)} "
                               "again.")

    def _can_update(self) -> bool:
        if self.found["style"] == "functions":
            return "update" in self.found["parts"]
        model = self.found.get("model") or {}
        return bool(model.get("update") or (self.found.get("linear") or {}).get("update"))

    def _model_args(self, case: Case) -> dict[str, Any]:
        lay = self.layout
        return {"W": [lay.weight(w) for w in case["W"]], "b": [lay.bias_to(b) for b in case["b"]],
                "X": lay.data(case["X"]), "Y": lay.data(case["Y"])}

    def _model_run(self, model: str, corrected: list[str]) -> Optional[Mismatch]:
        if model == "train":
            return self._train(corrected)
        for case in self._cases(model):
            answer = self._ask(model, self._model_args(case), corrected)
            if not answer["ok"]:
                return Mismatch(case, f"Running your network raised {answer['error']}")
            problem = self._judge_model(model, case, answer["out"])
            if problem is not None:
                return problem
        return None

    def _judge_model(self, model: str, case: Case, out: dict[str, Any]) -> Optional[Mismatch]:
        lay, kind = self.layout, self.conv["loss"]
        if model == "model_forward":
            want = lay.data(oracle.model_forward(case["W"], case["b"], case["X"]))
            return self._compare(model, "A", out.get("A"), want, case)
        grads = oracle.model_backward(case["W"], case["b"], case["X"], case["Y"], kind)
        got_w, got_b = out.get("dW"), out.get("db")
        if not isinstance(got_w, list) or not isinstance(got_b, list) or len(got_w) != 2:
            return Mismatch(case, "Your network's backward did not leave a gradient for every "
                                  "layer.")
        for k in range(2):
            for name, got, want in (("dW", got_w[k], lay.weight(grads["dW"][k])),
                                    ("db", got_b[k], lay.bias_to(grads["db"][k]))):
                problem = self._compare(model, name, got, want, case)
                if problem is not None:
                    problem.words = f"Layer {k + 1}: {problem.words}"
                    return problem
        return None

    def _train(self, corrected: list[str]) -> Optional[Mismatch]:
        x, y = training_set()
        rng = np.random.default_rng(self.config.seed)
        ws = [np.round(rng.normal(0, 0.5, (3, 4)), 2), np.round(rng.normal(0, 0.5, (4, 1)), 2)]
        bs = [np.zeros(4), np.zeros(1)]
        case = {"W": ws, "b": bs, "X": x, "Y": y}
        args = {**self._model_args(case), **TRAIN}
        answer = self._ask("train", args, corrected)
        if not answer["ok"]:
            return Mismatch(case, f"Training your network raised {answer['error']}")
        lay = self.layout
        got_w, got_b = answer["out"].get("W"), answer["out"].get("b")
        try:
            final_w = [lay.weight(w) for w in got_w]
            final_b = [np.asarray(self.layout.bias_from(b)).reshape(-1) for b in got_b]
            after = oracle.model_loss(final_w, final_b, x, y, self.conv["loss"])
        except Exception:  # noqa: BLE001 - weights of the wrong shape or kind
            return Mismatch(case, "After training, your network's weights are no longer "
                                  "matrices of the right shape.")
        before = oracle.model_loss(ws, bs, x, y, self.conv["loss"])
        if np.isfinite(after) and after <= 0.1 * before:
            return None
        return Mismatch(case, f"Training did not work: {TRAIN['epochs']} steps of gradient "
                              f"descent (learning rate {TRAIN['lr']}) took the loss from "
                              f"{before:.4f} to {after:.4f}; a correct network gets it below "
                              f"{0.1 * before:.4f}.", f"loss < {0.1 * before:.4f}",
                        f"loss == {after:.4f}")

    # -- inputs unchanged and scoring -----------------------------------------------------------

    def _inputs_unchanged(self) -> Verdict:
        if not self.answered:
            return Verdict("missing", "None of your functions ran, so none could be checked.")
        if not self.mutated:
            return Verdict("pass", "No function changed the arrays it was given.")
        where = sorted(self.mutated)
        part, name = where[0].split(":", 1)
        return Verdict(
            "fail",
            f"Your {part} changes its argument {name} in place: the caller's array is "
            "different after the call. Work on a copy (for example `Z = Z.copy()`), or build a "
            "new array (`np.maximum(0, Z)`, `np.where(...)`) instead of assigning into it."
            + (f" Also changed in place: {', '.join(where[1:4])}." if len(where) > 1 else ""),
            counterexample=code_for(part, self.mutated[where[0]], self.found, self.layout,
                                    raw=True))

    def _scored(self, category: str, v: Verdict) -> CategoryResult:
        weight = float(self.config.weights.get(category, NUMPY_WEIGHTS[category]))
        return CategoryResult(category, v.status, weight if v.status == "pass" else 0.0, weight,
                              v.message, v.counterexample, v.expected, v.got, v.hint)


def _close(got: float, want: float) -> bool:
    return bool(np.isfinite(got) and abs(got - want) <= ATOL + RTOL * abs(want))


def _show(array: np.ndarray) -> str:
    return np.array2string(np.asarray(array), precision=6, separator=", ", threshold=40)


TITLES = {"loss": "loss", "loss_backward": "loss gradient", "update": "update step",
          "model_forward": "network's forward pass", "model_backward": "network's backward pass",
          "train": "training", "linear_forward": "linear layer's forward",
          "linear_backward": "linear layer's backward"}  # fmt: skip


def _title(part: str) -> str:
    return TITLES.get(part, part)


def _not_written(words: str) -> bool:
    """A template's stub raises NotImplementedError: that part is missing, not wrong."""
    return "raised NotImplementedError" in words


def _passes_once(what: str, failed: list[str]) -> str:
    them = ", ".join(f"your {_title(p)}" for p in failed)
    return (f"The {_title(what)} passes once {them} is fixed (checked with a corrected version "
            "in its place): the bug is charged there, not here.")


def _missing_words(part: str, found: dict[str, Any]) -> str:
    if found["style"] == "functions" and part in ("loss_backward", "relu_backward"):
        return f"No separate {part} function was found."
    return f"No {_title(part)} was found in your code."


def grade_numpy(call: Callable[[str, dict[str, Any]], Any], found: dict[str, Any],
                config: Config) -> tuple[list[CategoryResult], int]:
    """The np.* categories, and how many calls were checked."""
    grader = NumpyGrader(call, found, config)
    return grader.grade(), grader.checked


class NumpySubject:
    """A numpy network with hand-written backward passes."""

    name = "numpy"

    def find(self, runner: Any, config: Config) -> dict[str, Any]:
        found = runner.call("numpy.discover", {"force": config.mode == "numpy"})
        if not isinstance(found, dict) or not isinstance(found.get("parts"), dict):
            return {"ok": False, "message": "Your code interfered with looking for the network."}
        return found

    def grade(self, runner: Any, config: Config, oracle: Any, found: dict[str, Any]) -> Any:
        from grader.subjects import Graded

        results, checked = grade_numpy(runner.call, found, config)
        return Graded(results, describe(found), checked)


def describe(found: dict[str, Any]) -> dict[str, str]:
    """What the report says was detected."""
    detected = {"mode": "numpy network"}
    if found.get("style") == "functions":
        detected["style"] = "functions (linear_forward, L_model_forward, ...)"
    linear = found.get("linear")
    if linear and found.get("style") == "layers":
        shape = "(in, out)" if linear["w_shape"] == "in_out" else "(out, in)"
        detected["linear layer"] = f"{linear['class']}, {linear['w']} of shape {shape}"
    detected["examples"] = "in columns" if found.get("layout") == "columns" else "in rows"
    model = found.get("model")
    if model:
        detected["model"] = f"{model['class']}({', '.join(map(str, model['call']))})"
    return detected
