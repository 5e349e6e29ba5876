"""Every answer of the child, checked before the parent uses it: types, sizes and counts.

The child runs the student's code and may answer anything. ``clean(method, reply, ...)``
returns a reply holding only what the parent expects, with every list capped; anything else
raises ``Malformed``, which the checks turn into an "error" verdict (never an exception).
No number read here sizes a loop or an allocation beyond its cap.
"""

from __future__ import annotations

import math
from typing import Any, Optional

MAX_VALUES = 2048  # Values of one network (probe.MAX_VALUES)
MAX_OUTPUTS = 64  # items of one forward pass's output
MAX_TEXT = 300
KINDS = ("value", "list", "none", "number", "other")


class Malformed(Exception):
    """The child's answer is not of the expected form."""


def _fail(what: str) -> Malformed:
    return Malformed(what)


def text(x: Any, cap: int = MAX_TEXT) -> str:
    """The string, cut at a word before ``cap`` characters (with "...") when longer."""
    if not isinstance(x, str):
        raise _fail("a text is not a string")
    if len(x) <= cap:
        return x
    cut = x[: cap - 3]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "..."


def number(x: Any) -> Optional[float]:
    """A float or None (a missing number); NaN and infinities are kept as floats."""
    if x is None:
        return None
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise _fail("a number is not a number")
    return float(x)


def numbers(x: Any, length: Optional[int] = None, cap: int = MAX_VALUES) -> list[Optional[float]]:
    if not isinstance(x, list) or len(x) > cap or (length is not None and len(x) != length):
        raise _fail("a list of numbers has the wrong size")
    return [number(v) for v in x]


def finite(xs: list[Optional[float]]) -> bool:
    return all(v is not None and math.isfinite(v) for v in xs)


def integer(x: Any, low: int, high: int) -> int:
    if isinstance(x, bool) or not isinstance(x, int) or not low <= x <= high:
        raise _fail("an index is out of range")
    return x


def error(x: Any) -> dict[str, str]:
    if not isinstance(x, dict):
        raise _fail("an error is not a mapping")
    return {k: text(x.get(k, "")) for k in ("where", "type", "message")}


def output(x: Any) -> dict[str, Any]:
    """One forward pass's output description."""
    if not isinstance(x, dict) or x.get("kind") not in KINDS:
        raise _fail("an output has no known kind")
    kind = x["kind"]
    out: dict[str, Any] = {"kind": kind, "values": numbers(x.get("values", []), cap=MAX_OUTPUTS)}
    if kind == "list":
        items = x.get("items", [])
        if not isinstance(items, list) or len(items) > MAX_OUTPUTS:
            raise _fail("an output list is too long")
        out["items"] = [text(i, 40) for i in items]
        if len(out["values"]) != len(items):
            raise _fail("an output list's values do not match its items")
    if kind in ("list", "other"):
        out["type"] = text(x.get("type", ""), 40)
    if kind in ("value", "number") and len(out["values"]) != 1:
        raise _fail("one output holds several numbers")
    return out


def outputs(x: Any, length: int) -> list[dict[str, Any]]:
    if not isinstance(x, list) or len(x) != length:
        raise _fail("the wrong number of outputs")
    return [output(d) for d in x]


def layout(x: Any, count: int) -> Optional[list[list[tuple[list[int], int]]]]:
    """[layer][neuron] = (weight indices, bias index or -1), indices into the walk."""
    if x is None:
        return None
    if not isinstance(x, list) or len(x) > 64:
        raise _fail("a layout is not a list of layers")
    layers = []
    total = 0
    for row in x:
        if not isinstance(row, list) or len(row) > MAX_VALUES:
            raise _fail("a layout's layer is not a list")
        layer = []
        for cell in row:
            if not isinstance(cell, list) or len(cell) != 2 or not isinstance(cell[0], list) \
                    or len(cell[0]) > MAX_VALUES:
                raise _fail("a layout's neuron is malformed")
            total += len(cell[0]) + 1
            if total > 2 * MAX_VALUES:
                raise _fail("a layout names too many Values")
            ws = [integer(k, 0, count - 1) for k in cell[0]]
            layer.append((ws, integer(cell[1], -1, count - 1)))
        layers.append(layer)
    return layers


def clean(method: str, reply: Any, **sizes: int) -> dict[str, Any]:
    """The reply of ``method``, checked; ``sizes`` gives the lengths the parent expects."""
    if not isinstance(reply, dict):
        raise _fail(f"{method} answered a {type(reply).__name__}")
    out: dict[str, Any] = {}
    if isinstance(reply.get("used"), list) and len(reply["used"]) <= 64:
        out["used"] = [text(u, 40) for u in reply["used"]]
    if "error" in reply:
        out["error"] = error(reply["error"])
        return out
    return {**out, **CLEANERS[method](reply, sizes)}


def _discover(r: dict, sizes: dict[str, int]) -> dict[str, Any]:
    if not r.get("ok"):
        return {"ok": False, "message": text(r.get("message", "No network found."), 1000)}
    out: dict[str, Any] = {"ok": True}
    for key in ("mlp", "call", "forward"):
        out[key] = text(r.get(key))
    for key in ("parameters", "zero_grad"):
        out[key] = None if r.get(key) is None else text(r[key], 80)
    for key in ("extra", "near_parameters", "parameters_call"):
        out[key] = text(r.get(key, ""))
    out["choice"] = integer(r.get("choice", 0), 0, 64)
    return out


def _structure(r: dict, sizes: dict[str, int]) -> dict[str, Any]:
    count = integer(r.get("count"), 0, MAX_VALUES)
    paths = r.get("paths")
    if not isinstance(paths, list) or len(paths) != count:
        raise _fail("the paths do not match the count")
    out: dict[str, Any] = {
        "count": count,
        "paths": [text(p, 160) for p in paths],
        "initial": numbers(r.get("initial"), count),
        "layout": layout(r.get("layout"), count),
    }
    params = r.get("parameters")
    if not isinstance(params, dict):
        raise _fail("no parameters entry")
    if not params.get("present"):
        out["parameters"] = {"present": False}
    elif "error" in params:
        out["parameters"] = {"present": True, "error": error(params["error"])}
    else:
        items = params.get("items")
        if not isinstance(items, list) or len(items) > MAX_VALUES + 1:
            raise _fail("parameters() items are malformed")
        foreign = params.get("foreign", [])
        if not isinstance(foreign, list) or len(foreign) > 8:
            raise _fail("parameters() foreign items are malformed")
        out["parameters"] = {"present": True,
                             "items": [integer(k, -2, count - 1) for k in items],
                             "foreign": [text(f, 40) for f in foreign],
                             "again": params.get("again", True) is True}
    return out


def _forward(r: dict, sizes: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {"outputs": outputs(r.get("outputs"), sizes["inputs"])}
    if "as_values" in r:
        as_values = r["as_values"]
        out["as_values"] = None if as_values is None else outputs(as_values, sizes["inputs"])
    return out


def _outputs(r: dict, sizes: dict[str, int]) -> dict[str, Any]:
    rows = r.get("rows")
    if not isinstance(rows, list) or len(rows) != sizes["vectors"]:
        raise _fail("the wrong number of rows")
    clean_rows = []
    for row in rows:
        if not isinstance(row, list) or len(row) != sizes["inputs"]:
            raise _fail("a row has the wrong number of outputs")
        clean_rows.append([numbers(values, cap=MAX_OUTPUTS) for values in row])
    return {"rows": clean_rows}


def _grad(r: dict, sizes: dict[str, int]) -> dict[str, Any]:
    count = sizes["count"]
    if r.get("present") is False:
        return {"present": False}
    fresh = sizes.get("fresh", 1) and "fresh_error" not in r
    out: dict[str, Any] = {"present": True,
                           "grads": numbers(r.get("grads"), count) if fresh else None}
    if "fresh_error" in r:
        out["fresh_error"] = error(r["fresh_error"])
    if sizes.get("zero"):
        out["after_zero"] = numbers(r.get("after_zero"), count)
        out["data"] = numbers(r.get("data"), count)
        raw = r.get("raw")
        if not isinstance(raw, list) or len(raw) != count:
            raise _fail("the raw gradients are malformed")
        out["raw"] = [text(x, 20) for x in raw]
    return out


def _neurons(r: dict, sizes: dict[str, int]) -> dict[str, Any]:
    if r.get("outputs") is None:
        return {"outputs": None, "chain": None}
    return {"outputs": outputs(r.get("outputs"), sizes["requests"]),
            "chain": outputs(r.get("chain"), sizes["inputs"])}


def _train(r: dict, sizes: dict[str, int]) -> dict[str, Any]:
    count = sizes["count"]
    return {"start": numbers(r.get("start"), count), "final": numbers(r.get("final"), count),
            "steps": integer(r.get("steps"), 0, sizes["steps"])}


CLEANERS = {
    "mlp.discover": _discover,
    "mlp.structure": _structure,
    "mlp.forward": _forward,
    "mlp.outputs": _outputs,
    "mlp.grad": _grad,
    "mlp.neurons": _neurons,
    "mlp.train": _train,
}
