"""BOS301 (same kind, team and name in two places) and BOS316 (a name twice inside one manifest)."""

from __future__ import annotations

import validate_support as vs
from bosun.validate import uniqueness


def test_a_valid_repository_has_no_duplicates() -> None:
    assert vs.run(uniqueness.check, vs.repository()) == []


def test_a_second_pipeline_of_the_same_team_names_the_first_file() -> None:
    docs = [vs.team(), ("teams/ml/a.yaml", vs.pipeline()), ("teams/ml/b.yaml", vs.pipeline())]
    (diagnostic,) = vs.run(uniqueness.check, docs)
    assert (diagnostic.code, diagnostic.file, diagnostic.path) == (
        "BOS301",
        "teams/ml/b.yaml",
        "metadata.name",
    )
    assert "teams/ml/a.yaml" in diagnostic.message
    assert diagnostic.kind == "Pipeline" and diagnostic.name == "train"


def test_a_duplicate_in_the_same_file_names_the_document() -> None:
    docs = [("templates/all.yaml", vs.template()), ("templates/all.yaml", vs.template())]
    (diagnostic,) = vs.run(uniqueness.check, docs)
    assert diagnostic.document == 1
    assert "earlier in this file (document 1)" in diagnostic.message


def test_the_same_name_in_two_teams_or_two_kinds_is_fine() -> None:
    docs = [
        vs.team("ml"),
        vs.team("search"),
        vs.pipeline(team_name="ml"),
        vs.pipeline(team_name="search"),
        vs.experiment(name="train"),
    ]
    assert vs.run(uniqueness.check, docs) == []


def test_names_inside_a_pipeline() -> None:
    doc = vs.pipeline(
        parameters=[{"name": "epochs"}, {"name": "epochs", "default": "3"}],
        steps=[
            vs.prepare_step(
                outputs={"artifacts": [{"name": "data"}], "parameters": [{"name": "data"}]},
                env=[{"name": "A", "value": "1"}, {"name": "A", "value": "2"}],
            ),
            vs.fit_step(),
            vs.fit_step(),
        ],
    )
    assert vs.found(vs.run(uniqueness.check, [doc])) == [
        ("BOS316", "spec.parameters[1].name"),
        ("BOS316", "spec.steps[0].env[1].name"),
        ("BOS316", "spec.steps[0].outputs.artifacts[0].name"),
        ("BOS316", "spec.steps[2].name"),
    ]


def test_template_inputs_share_one_namespace_and_so_do_outputs() -> None:
    doc = vs.template(
        inputs={"parameters": [{"name": "data"}], "artifacts": [{"name": "data"}]},
        outputs={"parameters": [{"name": "model"}], "artifacts": [{"name": "model"}]},
        args=[],
    )
    assert vs.found(vs.run(uniqueness.check, [doc])) == [
        ("BOS316", "spec.inputs.artifacts[0].name"),
        ("BOS316", "spec.outputs.artifacts[0].name"),
    ]


def test_a_quota_listing_an_environment_twice() -> None:
    doc = vs.quota(environments=["dev", "production", "dev"])
    assert vs.found(vs.run(uniqueness.check, [doc])) == [("BOS316", "spec.environments[2]")]
