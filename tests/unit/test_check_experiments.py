"""Experiments: BOS303 (pipeline of the same team), BOS304 (parameters), BOS310 (required
parameters), BOS305/BOS315 (register and dataset point at an output artifact of a step)."""

from __future__ import annotations

import validate_support as vs
from bosun.validate import experiments


def run(
    *docs: vs.Doc, rejected: list[tuple[str, str | None, str]] | None = None
) -> list[tuple[str, str]]:
    return vs.found(
        vs.run(experiments.check, [vs.template(), vs.pipeline(), *docs], rejected=rejected or [])
    )


def test_a_valid_experiment() -> None:
    assert run(vs.experiment()) == []


def test_an_unknown_pipeline_suggests_one_of_the_team() -> None:
    (diagnostic,) = vs.run(experiments.check, [vs.pipeline(), vs.experiment(pipeline="trian")])
    assert (diagnostic.code, diagnostic.path, diagnostic.hint) == (
        "BOS303",
        "spec.pipeline",
        "did you mean 'train'?",
    )


def test_a_pipeline_of_another_team_is_named() -> None:
    (diagnostic,) = vs.run(experiments.check, [vs.pipeline(team_name="search"), vs.experiment()])
    assert diagnostic.code == "BOS303"
    assert diagnostic.hint is not None and "belongs to team 'search'" in diagnostic.hint


def test_a_pipeline_that_failed_its_schema_is_not_unknown() -> None:
    docs = [vs.experiment(pipeline="other")]
    assert run(*docs, rejected=[("Pipeline", "ml", "other")]) == []
    assert run(*docs, rejected=[("Pipeline", None, "other")]) == []
    assert run(*docs, rejected=[("Pipeline", "search", "other")]) == [("BOS303", "spec.pipeline")]


def test_unknown_parameters_fixed_and_swept() -> None:
    doc = vs.experiment(
        parameters={"epoch": "3"},
        sweep={"parameters": {"lr": ["0.1"], "epochs": ["1", "2"]}},
    )
    assert run(doc) == [("BOS304", "spec.parameters.epoch"), ("BOS304", "spec.sweep.parameters.lr")]


def test_required_parameters_are_supplied_fixed_or_swept() -> None:
    parameters = [{"name": "epochs", "default": "10"}, {"name": "region"}, {"name": "seed"}]
    docs = [vs.template(), vs.pipeline(parameters=parameters)]
    (diagnostic,) = vs.run(experiments.check, [*docs, vs.experiment(parameters={"seed": "1"})])
    assert (diagnostic.code, diagnostic.path) == ("BOS310", "spec.parameters")
    assert "'region'" in diagnostic.message
    swept = vs.experiment(parameters={"seed": "1"}, sweep={"parameters": {"region": ["eu", "us"]}})
    assert vs.run(experiments.check, [*docs, swept]) == []
    (missing,) = vs.run(experiments.check, [*docs, vs.experiment(parameters={})])
    assert missing.path == "spec.pipeline"


def test_register_names_a_step_and_an_output_artifact() -> None:
    assert run(vs.experiment(register={"model": "m", "artifact": "model", "step": "train"})) == [
        ("BOS305", "spec.register.step")
    ]
    (diagnostic,) = vs.run(
        experiments.check,
        [
            vs.template(),
            vs.pipeline(),
            vs.experiment(register={"model": "m", "artifact": "accuracy", "step": "fit"}),
        ],
    )
    assert (diagnostic.code, diagnostic.path) == ("BOS315", "spec.register.artifact")
    assert diagnostic.hint == "'accuracy' is an output parameter; register needs an output artifact"


def test_dataset_names_an_output_artifact() -> None:
    assert run(vs.experiment(dataset={"step": "prepare", "artifact": "data"})) == []
    assert run(vs.experiment(dataset={"step": "prepare", "artifact": "dataset"})) == [
        ("BOS315", "spec.dataset.artifact")
    ]
    assert run(vs.experiment(dataset={"step": "clean", "artifact": "data"})) == [
        ("BOS305", "spec.dataset.step")
    ]


def test_outputs_of_an_unknown_template_are_not_guessed() -> None:
    docs = [vs.pipeline(steps=[vs.prepare_step(), vs.fit_step(template="ghost")]), vs.experiment()]
    assert vs.run(experiments.check, docs) == []


def test_a_document_of_unknown_kind_may_be_the_pipeline() -> None:
    docs = [vs.experiment(pipeline="other")]
    assert run(*docs, rejected=[("", "ml", "other")]) == []
    assert run(*docs, rejected=[("", "ml", "unrelated")]) == [("BOS303", "spec.pipeline")]
