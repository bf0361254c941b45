"""The ``${{ ... }}`` reference grammar."""

from __future__ import annotations

import pydantic
import pytest
from bosun.spec.v1alpha1 import refs


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("plain", ("plain",)),
        ("", ()),
        ("${{ params.epochs }}", (refs.ParamRef("epochs"),)),
        ("${{params.epochs}}", (refs.ParamRef("epochs"),)),
        ("--n=${{ params.n }}!", ("--n=", refs.ParamRef("n"), "!")),
        ("${{ steps.prepare-data.outputs.rows }}", (refs.StepOutputRef("prepare-data", "rows"),)),
        (
            "${{ inputs.data }}-${{ outputs.model }}",
            (refs.InputRef("data"), "-", refs.OutputRef("model")),
        ),
        ("a } b { c", ("a } b { c",)),
        ("${ not a ref }", ("${ not a ref }",)),
    ],
)
def test_parse(text: str, parts: tuple[refs.Part, ...]) -> None:
    assert refs.parse(text) == parts


def test_references_render_back_to_their_syntax() -> None:
    assert [str(r) for r in refs.references("${{params.a}} ${{ steps.s.outputs.o }}")] == [
        "${{ params.a }}",
        "${{ steps.s.outputs.o }}",
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("${{ param.x }}", "BOS207"),
        ("${{ params.1x }}", "BOS207"),
        ("${{ steps.Prepare.outputs.x }}", "BOS207"),
        ("${{ steps.s.output.x }}", "BOS207"),
        ("${{ params.x", "BOS207"),
        ("${{ }}", "BOS207"),
        ("${{ params.x | upper }}", "BOS207"),
        ("${{ params." + "a" * 129 + " }}", "BOS207"),
        ("${{ steps." + "s" * 64 + ".outputs.x }}", "BOS207"),
        ("{{workflow.name}}", "BOS401"),
        ("x {{ inputs.parameters.a }}", "BOS401"),
        ("${{ params.a }}{{x}}", "BOS401"),
        ("{{=sprig.env('HOME')}}", "BOS401"),
    ],
)
def test_malformed_references_and_stray_braces(text: str, code: str) -> None:
    with pytest.raises(refs.ReferenceSyntaxError) as raised:
        refs.parse(text)
    assert raised.value.code == code


def test_plain_fields_refuse_references_and_braces() -> None:
    assert refs.check_literal("plain text") == "plain text"
    for text, code in (("${{ params.x }}", "BOS207"), ("{{x}}", "BOS401")):
        with pytest.raises(refs.ReferenceSyntaxError) as raised:
            refs.check_literal(text)
        assert raised.value.code == code


def test_expression_fields_report_the_code_as_the_error_type() -> None:
    adapter = pydantic.TypeAdapter(refs.Expression)
    assert adapter.validate_python("--x=${{ params.x }}") == "--x=${{ params.x }}"
    with pytest.raises(pydantic.ValidationError) as raised:
        adapter.validate_python("{{workflow.name}}")
    assert raised.value.errors()[0]["type"] == "BOS401"


@pytest.mark.parametrize(
    "text",
    [
        "{${{ params.test_size }}",
        "}${{ params.a }}",
        "${{ params.msg }}{=sprig.upper(workflow.name)}}",
        "${{ params.a }}}",
        "${{ params.a }}${{ params.b }}",
        "--x=${{ inputs.a }}${{ outputs.b }}",
    ],
)
def test_a_reference_may_not_touch_a_brace_or_another_reference(text: str) -> None:
    """After Argo substitutes ``x{`` and ``{workflow.name}}``, its next pass over the pod sees
    ``x{{workflow.name}}``: the rule holds whatever the values are."""
    parts = refs.parse(text)  # the grammar itself accepts it ...
    with pytest.raises(refs.ReferenceSyntaxError) as raised:
        refs.reject_fused(parts)  # ... the fusion rule does not
    assert raised.value.code == "BOS401"


@pytest.mark.parametrize(
    "text",
    [
        "${{ params.a }}",
        "${{ params.a }}-${{ params.b }}",
        '{"lr": "${{ params.a }}"}',
        "a } b { c",
        "{ ${{ params.a }} }",
        "--x=${{ params.a }}",
    ],
)
def test_references_separated_from_braces_are_fine(text: str) -> None:
    assert refs.reject_fused(refs.parse(text)) == refs.parse(text)
