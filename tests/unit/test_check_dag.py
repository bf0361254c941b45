"""dependsOn: BOS305 for unknown steps, BOS307 naming each cycle; the graph's ancestors."""

from __future__ import annotations

from typing import Any

import validate_support as vs
from bosun.spec import v1alpha1
from bosun.validate import dag, graph


def inline(name: str, *depends: str) -> dict[str, Any]:
    return {
        "name": name,
        "image": "ghcr.io/acme/x:1",
        "command": ["run", name],
        "dependsOn": list(depends),
    }


def pipeline_of(*steps: dict[str, Any]) -> dict[str, Any]:
    return vs.pipeline(steps=list(steps), parameters=[])


def build(*steps: dict[str, Any]) -> graph.PipelineGraph:
    return graph.build(v1alpha1.Pipeline.model_validate(pipeline_of(*steps)), lambda step: None)


def test_unknown_dependency_with_suggestion() -> None:
    (diagnostic,) = vs.run(dag.check, [pipeline_of(inline("prepare"), inline("fit", "prepar"))])
    assert (diagnostic.code, diagnostic.path) == ("BOS305", "spec.steps[1].dependsOn[0]")
    assert diagnostic.hint == "did you mean 'prepare'?"


def test_a_cycle_is_named_in_dependency_order() -> None:
    steps = [inline("a", "c"), inline("b", "a"), inline("c", "b"), inline("d", "a")]
    (diagnostic,) = vs.run(dag.check, [pipeline_of(*steps)])
    assert diagnostic.code == "BOS307"
    assert diagnostic.message == "dependency cycle: a → c → b → a"
    assert diagnostic.path == "spec.steps[0].dependsOn[0]"


def test_a_step_depending_on_itself() -> None:
    (diagnostic,) = vs.run(dag.check, [pipeline_of(inline("a", "a"))])
    assert diagnostic.message == "dependency cycle: a → a"


def test_each_cycle_is_reported_once() -> None:
    steps = [inline("a", "b"), inline("b", "a"), inline("c", "d"), inline("d", "c", "a")]
    messages = [d.message for d in vs.run(dag.check, [pipeline_of(*steps)])]
    assert messages == ["dependency cycle: a → b → a", "dependency cycle: c → d → c"]


def test_the_shortest_cycle_through_the_first_step_is_named() -> None:
    steps = [inline("a", "b", "x"), inline("b", "c"), inline("c", "a"), inline("x", "a")]
    (diagnostic,) = vs.run(dag.check, [pipeline_of(*steps)])
    assert diagnostic.message == "dependency cycle: a → x → a"


def test_a_diamond_is_a_dag() -> None:
    steps = [inline("a"), inline("b", "a"), inline("c", "a"), inline("d", "b", "c")]
    assert vs.run(dag.check, [pipeline_of(*steps)]) == []
    built = build(*steps)
    assert built.ancestors("d") == {"a", "b", "c"}
    assert built.ancestors("a") == frozenset()
    assert built.cycles() == []


def test_ancestors_tolerate_cycles_and_unknown_names() -> None:
    built = build(inline("a", "b", "ghost"), inline("b", "a"))
    assert built.ancestors("a") == {"a", "b"}
    assert built.on_cycle() == {"a", "b"}


def test_a_long_chain_needs_no_recursion() -> None:
    steps = [inline("s0")] + [inline(f"s{i}", f"s{i - 1}") for i in range(1, 3000)]
    built = build(*steps)
    assert len(built.ancestors("s2999")) == 2999
    assert built.cycles() == []


def test_outputs_of_template_steps_come_from_the_template() -> None:
    template = v1alpha1.StepTemplate.model_validate(vs.template())
    pipeline = v1alpha1.Pipeline.model_validate(vs.pipeline())
    built = graph.build(pipeline, lambda step: template if step.template == "fit" else None)
    assert built.outputs["fit"] == graph.StepOutputs(frozenset({"accuracy"}), frozenset({"model"}))
    assert built.outputs["prepare"].artifacts == {"data"}
    unknown = graph.build(pipeline, lambda step: None)
    assert unknown.outputs["fit"].known is False
