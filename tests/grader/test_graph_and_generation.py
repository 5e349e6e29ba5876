"""The graph description, its rendering as code, and the strategies that draw graphs."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from grader.discover.api import EngineAPI
from grader.evaluate import oracle
from grader.evaluate.student import evaluate
from grader.generate.simplify import in_domain, prune
from grader.generate.strategies import graphs, mixed_graphs
from grader.graph import Graph, Step, to_code
from grader.ops import OP_CATEGORIES, OPS, forms_of
from reference.engine import Value

ALL_FORMS = list(OPS)


def run_code(graph: Graph) -> list[float]:
    """Execute the rendered code with the reference Value; return every leaf's grad."""
    namespace: dict = {"Value": Value}
    exec(to_code(graph), namespace)
    return [namespace[name].grad for name in "abcdefghijklmnopqrs"[: graph.n_leaves]]


@given(graphs(ALL_FORMS, ALL_FORMS, lanes=1))
def test_rendered_code_computes_what_the_graph_describes(graph: Graph) -> None:
    got = evaluate(Value, EngineAPI(), graph)[0]
    assert run_code(graph) == got["grads"][: graph.n_leaves]


@given(
    st.sampled_from(OP_CATEGORIES).flatmap(
        lambda c: st.tuples(st.just(c), graphs(forms_of(c), ALL_FORMS, lanes=4))
    )
)
def test_context_graphs_use_the_target_and_stay_in_domain(drawn: tuple[str, Graph]) -> None:
    category, graph = drawn
    assert category in graph.categories()
    assert in_domain(graph)
    assert graph.n_lanes == 4


@given(st.sampled_from(OP_CATEGORIES).flatmap(lambda c: graphs(forms_of(c), alone=True)))
def test_alone_graphs_have_one_step_on_leaves(graph: Graph) -> None:
    assert len(graph.steps) == 1
    assert all(a < graph.n_leaves for a in graph.steps[0].args)


@given(mixed_graphs(ALL_FORMS, lanes=2, share=True))
def test_reference_engine_agrees_with_oracle_on_mixed_graphs(graph: Graph) -> None:
    values, grads = oracle.expected(graph)
    got = evaluate(Value, EngineAPI(), graph)
    for lane, result in enumerate(got):
        pairs = [*zip(result["values"], values[:, lane]), *zip(result["grads"], grads[:, lane])]
        for have, want in pairs:
            assert abs(have - want) <= 1e-12 * max(1.0, abs(want))


def test_strategies_draw_shared_nodes() -> None:
    """x + x, x * x and nodes used by several later ops occur: the graphs are DAGs."""
    seen_same_operand = seen_shared = False

    @given(mixed_graphs(["add", "mul", "tanh"], share=True, lanes=1))
    def look(graph: Graph) -> None:
        nonlocal seen_same_operand, seen_shared
        uses = [a for s in graph.steps for a in s.args]
        seen_same_operand |= any(len(set(s.args)) < len(s.args) for s in graph.steps)
        seen_shared |= any(uses.count(n) > 1 for n in range(graph.n_leaves, graph.n_nodes))

    look()
    assert seen_same_operand and seen_shared


def test_prune_keeps_only_what_the_output_needs() -> None:
    graph = Graph(((1.0, 2.0, 3.0),), (Step("mul", (0, 1)), Step("exp", (2,)), Step("tanh", (3,))))
    pruned = prune(graph)
    assert pruned.inputs == ((1.0, 2.0),)
    assert pruned.steps == (Step("mul", (0, 1)), Step("tanh", (2,)))


def test_graph_round_trips_through_plain_data() -> None:
    graph = Graph(((1.5, -2.0),), (Step("pow", (0,), -2), Step("radd", (2,), 2.0)))
    assert Graph.from_dict(graph.to_dict()) == graph


def test_code_uses_the_students_names() -> None:
    api = EngineAPI(class_name="Scalar", backward="backprop", methods={"sigmoid": "sig"})
    graph = Graph(((0.5,),), (Step("sigmoid", (0,)),))
    assert to_code(graph, api) == "a = Scalar(0.5)\nout = a.sig()\nout.backprop()"


def test_long_chains_render_as_a_loop() -> None:
    graph = Graph(((0.5,),), tuple(Step("add_c", (k,), 1.0) for k in range(100)))
    assert to_code(graph) == "x = Value(0.5)\nfor _ in range(100):\n    x = x + 1.0\nx.backward()"
