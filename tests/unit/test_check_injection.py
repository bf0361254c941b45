"""BOS401: ``{{`` in user text outside the fields that take ``${{ }}`` references."""

from __future__ import annotations

import pytest
import validate_support as vs
from bosun.render import argo_text
from bosun.spec import v1alpha1
from bosun.validate import injection, walk


def test_clean_manifests_pass() -> None:
    assert vs.run(injection.check, vs.repository()) == []


@pytest.mark.parametrize(
    ("doc", "path"),
    [
        (
            vs.team() | {"metadata": {"name": "ml", "labels": {"x": "{{workflow.name}}"}}},
            "metadata.labels.x",
        ),
        (
            vs.team() | {"metadata": {"name": "ml", "annotations": {"{{a}}": "b"}}},
            "metadata.annotations.{{a}}",
        ),
        (
            vs.pipeline(parameters=[{"name": "p", "default": "{{inputs.parameters.x}}"}]),
            "spec.parameters[0].default",
        ),
        (vs.experiment(parameters={"epochs": "{{=sprig.env('HOME')}}"}), "spec.parameters.epochs"),
        (vs.experiment(description="uses ${{ params.epochs }}"), "spec.description"),
        (vs.environment(allowedRegistries=["ghcr.io/{{x}}"]), "spec.policy.allowedRegistries[0]"),
        (vs.template(description="{{ inputs.data }}"), "spec.description"),
    ],
)
def test_braces_in_plain_text(doc: vs.Doc, path: str) -> None:
    (diagnostic,) = vs.run(injection.check, [doc])
    assert (diagnostic.code, diagnostic.path) == ("BOS401", path)


def test_references_in_a_plain_field_get_a_specific_hint() -> None:
    (diagnostic,) = vs.run(
        injection.check, [vs.experiment(description="uses ${{ params.epochs }}")]
    )
    assert (
        diagnostic.hint is not None
        and "only in command, args, env values and with" in diagnostic.hint
    )


def test_fields_that_take_references_are_recognized() -> None:
    step = v1alpha1.Pipeline.model_validate(
        vs.pipeline(
            steps=[
                vs.prepare_step(env=[{"name": "E", "value": "${{ params.epochs }}"}]),
                vs.fit_step(),
            ]
        )
    )
    texts = {t.loc: t for t in walk.strings(step)}
    assert texts[("spec", "steps", 0, "args", 1)].expression
    assert texts[("spec", "steps", 0, "command", 0)].expression
    assert texts[("spec", "steps", 0, "env", 0, "value")].expression
    assert texts[("spec", "steps", 1, "with", "data")].expression
    assert texts[("spec", "steps", 1, "with", "data")].is_key is False
    assert texts[("spec", "steps", 0, "env", 0, "name")].expression is False
    assert texts[("spec", "steps", 0, "image")].expression is False
    assert texts[("metadata", "name")].expression is False
    keys = [t for t in walk.strings(step) if t.is_key]
    assert {t.value for t in keys} == {"data", "epochs"}
    assert all(not t.expression for t in keys)


def test_aliases_are_the_yaml_keys() -> None:
    manifest = v1alpha1.Experiment.model_validate(vs.experiment())
    locs = {t.loc for t in walk.strings(manifest)}
    assert ("spec", "register", "model") in locs


@pytest.mark.parametrize(
    "arg",
    [
        "{${{ params.epochs }}",
        "${{ params.epochs }}{=sprig.upper(workflow.name)}}",
        "${{ params.epochs }}${{ params.epochs }}",
        "x${{ params.epochs }}}",
    ],
)
def test_a_reference_touching_a_brace_or_another_reference(arg: str) -> None:
    doc = vs.pipeline(steps=[vs.prepare_step(args=["--out", "${{ outputs.data }}", arg])])
    (diagnostic,) = vs.run(injection.check, [doc])
    assert (diagnostic.code, diagnostic.path) == ("BOS401", "spec.steps[0].args[2]")
    assert diagnostic.hint is not None and "another character" in diagnostic.hint


def test_render_refuses_fused_references_too() -> None:
    """Defence in depth: without validate's checks, translate applies the same rule."""
    values = {"a": "x{", "b": "{workflow.name}}"}
    with pytest.raises(argo_text.TextError, match="another reference"):
        argo_text.translate("${{ params.a }}${{ params.b }}", lambda ref: values[ref.name])
    assert argo_text.translate("${{ params.a }} ${{ params.b }}", lambda ref: "v") == "v v"
    assert not argo_text.is_safe({"args": ["x{{{inputs.parameters.a}}"]})
    assert not argo_text.is_safe({"args": ["{{inputs.parameters.a}}{{inputs.parameters.b}}"]})
    assert not argo_text.is_safe({"args": ["{{inputs.parameters.a}}}"]})
    assert argo_text.is_safe({"args": ["{{inputs.parameters.a}}-{{workflow.name}}"]})
