"""Steps using a StepTemplate: BOS302 (template exists), BOS304 (with keys), BOS310 (required
inputs), BOS317 (artifacts to artifact inputs, values to parameter inputs)."""

from __future__ import annotations

import validate_support as vs
from bosun.validate import bindings


def with_(**values: str) -> list[vs.Doc]:
    return [
        vs.team(),
        vs.template(),
        vs.pipeline(steps=[vs.prepare_step(), vs.fit_step(**{"with": values})]),
    ]


def test_a_valid_binding() -> None:
    assert vs.run(bindings.check, vs.repository()) == []


def test_an_unknown_template_with_suggestion() -> None:
    docs = [vs.template(), vs.pipeline(steps=[vs.prepare_step(), vs.fit_step(template="fitt")])]
    (diagnostic,) = vs.run(bindings.check, docs)
    assert (diagnostic.code, diagnostic.path, diagnostic.hint) == (
        "BOS302",
        "spec.steps[1].template",
        "did you mean 'fit'?",
    )


def test_an_unknown_template_among_none_says_where_templates_live() -> None:
    (diagnostic,) = vs.run(bindings.check, [vs.pipeline()])
    assert diagnostic.hint is not None and "templates/" in diagnostic.hint


def test_a_template_that_failed_its_schema_is_not_unknown() -> None:
    assert vs.run(bindings.check, [vs.pipeline()], rejected=[("StepTemplate", None, "fit")]) == []


def test_an_unknown_with_key_suggests_the_input() -> None:
    (diagnostic,) = vs.run(
        bindings.check, with_(data="${{ steps.prepare.outputs.data }}", epoch="3")
    )
    assert (diagnostic.code, diagnostic.path, diagnostic.hint) == (
        "BOS304",
        "spec.steps[1].with.epoch",
        "did you mean 'epochs'?",
    )


def test_inputs_with_defaults_are_optional_artifacts_are_not() -> None:
    (diagnostic,) = vs.run(bindings.check, with_(epochs="3"))
    assert (diagnostic.code, diagnostic.path) == ("BOS310", "spec.steps[1].with")
    assert "'data'" in diagnostic.message


def test_a_step_without_with_is_pointed_at_its_template() -> None:
    docs = [
        vs.template(),
        vs.pipeline(steps=[vs.prepare_step(), {"name": "fit", "template": "fit"}]),
    ]
    (diagnostic,) = vs.run(bindings.check, docs)
    assert (diagnostic.code, diagnostic.path) == ("BOS310", "spec.steps[1].template")


def test_a_parameter_without_default_is_required() -> None:
    template = vs.template(
        inputs={"parameters": [{"name": "epochs"}], "artifacts": []}, args=["${{ inputs.epochs }}"]
    )
    step = {"name": "fit", "template": "fit"}
    (diagnostic,) = vs.run(bindings.check, [template, vs.pipeline(steps=[step])])
    assert (
        diagnostic.message == "step 'fit' does not supply required input 'epochs' of template 'fit'"
    )


def test_an_artifact_input_needs_exactly_one_artifact_reference() -> None:
    for value in (
        "s3://bucket/data.csv",
        "${{ params.epochs }}",
        "x-${{ steps.prepare.outputs.data }}",
    ):
        diagnostics = vs.run(bindings.check, with_(data=value))
        assert vs.found(diagnostics) == [("BOS317", "spec.steps[1].with.data")], value


def test_an_artifact_input_given_an_output_parameter() -> None:
    prepare = vs.prepare_step(
        outputs={"artifacts": [{"name": "data"}], "parameters": [{"name": "rows"}]}
    )
    step = vs.fit_step(**{"with": {"data": "${{ steps.prepare.outputs.rows }}"}})
    (diagnostic,) = vs.run(bindings.check, [vs.template(), vs.pipeline(steps=[prepare, step])])
    assert diagnostic.code == "BOS317"
    assert "output parameter 'rows'" in diagnostic.message


def test_a_parameter_input_given_an_artifact() -> None:
    (diagnostic,) = vs.run(
        bindings.check,
        with_(data="${{ steps.prepare.outputs.data }}", epochs="${{ steps.prepare.outputs.data }}"),
    )
    assert (diagnostic.code, diagnostic.path) == ("BOS317", "spec.steps[1].with.epochs")


def test_unknown_steps_and_outputs_are_left_to_the_expression_check() -> None:
    assert vs.run(bindings.check, with_(data="${{ steps.ghost.outputs.data }}")) == []
    assert vs.run(bindings.check, with_(data="${{ steps.prepare.outputs.ghost }}")) == []
