"""``${{ }}`` references resolve: BOS304, BOS305, BOS308, BOS309, BOS315."""

from __future__ import annotations

from typing import Any

import validate_support as vs
from bosun.validate import expressions


def check(
    *steps: dict[str, Any], parameters: list[dict[str, Any]] | None = None
) -> list[tuple[str, str]]:
    docs = [vs.template(), vs.pipeline(steps=list(steps), parameters=parameters)]
    return vs.found(vs.run(expressions.check, docs))


def test_the_repository_resolves() -> None:
    assert vs.run(expressions.check, vs.repository()) == []


def test_an_undeclared_parameter() -> None:
    diagnostics = vs.run(
        expressions.check, [vs.template(), vs.pipeline(parameters=[{"name": "epoch"}])]
    )
    (diagnostic,) = diagnostics
    assert (diagnostic.code, diagnostic.path, diagnostic.hint) == (
        "BOS304",
        "spec.steps[1].with.epochs",
        "did you mean 'epoch'?",
    )


def test_references_are_found_in_command_args_env_and_with() -> None:
    step = vs.prepare_step(
        command=["python", "${{ params.a }}"],
        args=["--x=${{ params.b }}", "${{ outputs.data }}"],
        env=[
            {"name": "C", "value": "${{ params.c }}"},
            {"name": "S", "secretRef": {"name": "s", "key": "k"}},
        ],
    )
    assert check(step, vs.fit_step(), parameters=[{"name": "epochs"}]) == [
        ("BOS304", "spec.steps[0].args[0]"),
        ("BOS304", "spec.steps[0].command[1]"),
        ("BOS304", "spec.steps[0].env[0].value"),
    ]


def test_a_step_output_from_a_step_that_does_not_run_before() -> None:
    diagnostics = check(vs.prepare_step(), vs.fit_step(dependsOn=[]))
    assert diagnostics == [("BOS309", "spec.steps[1].with.data")]


def test_a_transitive_ancestor_is_enough() -> None:
    middle = {"name": "middle", "image": "x:1", "command": ["true"], "dependsOn": ["prepare"]}
    assert check(vs.prepare_step(), middle, vs.fit_step(dependsOn=["middle"])) == []


def test_an_unknown_step_and_an_unknown_output() -> None:
    step = vs.fit_step(
        **{
            "with": {
                "data": "${{ steps.prep.outputs.data }}",
                "epochs": "${{ steps.prepare.outputs.rows }}",
            }
        }
    )
    diagnostics = vs.run(
        expressions.check, [vs.template(), vs.pipeline(steps=[vs.prepare_step(), step])]
    )
    assert vs.found(diagnostics) == [
        ("BOS305", "spec.steps[1].with.data"),
        ("BOS315", "spec.steps[1].with.epochs"),
    ]
    hints = {d.code: d.hint for d in diagnostics}
    assert hints == {"BOS305": "did you mean 'prepare'?", "BOS315": "known: 'data'"}


def test_a_step_cannot_consume_its_own_output() -> None:
    step = vs.prepare_step(args=["${{ steps.prepare.outputs.data }}"])
    assert check(step) == [("BOS309", "spec.steps[0].args[0]")]


def test_outputs_of_a_template_step_come_from_its_template() -> None:
    evaluate = {
        "name": "evaluate",
        "image": "x:1",
        "command": [
            "eval",
            "${{ steps.fit.outputs.model }}",
            "${{ steps.fit.outputs.accuracy }}",
            "${{ steps.fit.outputs.loss }}",
        ],
        "dependsOn": ["fit"],
    }
    assert check(vs.prepare_step(), vs.fit_step(), evaluate) == [
        ("BOS315", "spec.steps[2].command[3]")
    ]


def test_outputs_of_an_unknown_template_are_not_guessed() -> None:
    evaluate = {
        "name": "evaluate",
        "image": "x:1",
        "command": ["${{ steps.fit.outputs.anything }}"],
        "dependsOn": ["fit"],
    }
    docs = [vs.pipeline(steps=[vs.prepare_step(), vs.fit_step(template="ghost"), evaluate])]
    assert vs.run(expressions.check, docs) == []


def test_inline_outputs_must_be_declared() -> None:
    assert check(vs.prepare_step(args=["${{ outputs.dataset }}"])) == [
        ("BOS315", "spec.steps[0].args[0]")
    ]


def test_inputs_are_not_available_in_a_pipeline() -> None:
    assert check(vs.prepare_step(args=["${{ inputs.data }}", "${{ outputs.data }}"])) == [
        ("BOS308", "spec.steps[0].args[0]")
    ]


def test_outputs_cannot_be_passed_through_with() -> None:
    step = vs.fit_step(
        **{"with": {"data": "${{ steps.prepare.outputs.data }}", "epochs": "${{ outputs.model }}"}}
    )
    assert check(vs.prepare_step(), step) == [("BOS308", "spec.steps[1].with.epochs")]


def test_a_template_step_may_name_its_templates_outputs_in_env() -> None:
    step = vs.fit_step(
        env=[
            {"name": "OUT", "value": "${{ outputs.model }}"},
            {"name": "BAD", "value": "${{ outputs.x }}"},
        ]
    )
    assert check(vs.prepare_step(), step) == [("BOS315", "spec.steps[1].env[1].value")]


def test_no_ancestor_errors_in_a_cyclic_pipeline_or_after_an_unknown_dependency() -> None:
    cyclic = [vs.prepare_step(dependsOn=["fit"]), vs.fit_step(dependsOn=["prepare"])]
    assert check(*cyclic) == []
    assert check(vs.prepare_step(), vs.fit_step(dependsOn=["prep"])) == []


def test_a_second_step_of_the_same_name_is_skipped() -> None:
    assert check(vs.prepare_step(), vs.prepare_step(args=["${{ params.nope }}"])) == []


def test_templates_see_only_their_declared_inputs_and_outputs() -> None:
    template = vs.template(
        args=[
            "${{ inputs.data }}",
            "${{ inputs.epoch }}",
            "${{ outputs.modl }}",
            "${{ params.epochs }}",
            "${{ steps.prepare.outputs.data }}",
        ],
        env=[{"name": "E", "value": "${{ inputs.epochs }}"}],
    )
    diagnostics = vs.run(expressions.check, [template])
    assert vs.found(diagnostics) == [("BOS308", f"spec.args[{i}]") for i in (1, 2, 3, 4)]
    hints = [d.hint for d in sorted(diagnostics, key=lambda d: d.path)]
    assert hints[:2] == ["did you mean 'epochs'?", "did you mean 'model'?"]
