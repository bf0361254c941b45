"""Value ranges the schema enforces, reported as BOS204 at the offending value."""

from __future__ import annotations

from typing import Any

import pytest
import validate_support as vs
from bosun.load import sources
from bosun.validate import schema


def problems(doc: vs.Doc) -> list[tuple[str, str]]:
    _, found = schema.check_document(sources.Document("f.yaml", 0, doc))
    return [(d.code, d.path) for d in found]


def with_spec(doc: vs.Doc, **changes: Any) -> vs.Doc:
    doc["spec"].update(changes)
    return doc


@pytest.mark.parametrize(
    ("doc", "path"),
    [
        (
            with_spec(vs.serving(), canary={"version": "4", "trafficPercent": 101}),
            "spec.canary.trafficPercent",
        ),
        (
            with_spec(vs.serving(), canary={"version": "4", "trafficPercent": -1}),
            "spec.canary.trafficPercent",
        ),
        (with_spec(vs.serving(), replicas={"min": -1, "max": 2}), "spec.replicas.min"),
        (with_spec(vs.serving(), replicas={"min": 3, "max": 2}), "spec.replicas"),
        (with_spec(vs.serving(), version="0"), "spec.version"),
        (with_spec(vs.quota(), maxParallelSteps=0), "spec.maxParallelSteps"),
        (with_spec(vs.quota(), maxConcurrentWorkflows=0), "spec.maxConcurrentWorkflows"),
        (with_spec(vs.quota(), hard={"gpu": -1}), "spec.hard.gpu"),
        (with_spec(vs.quota(), hard={"cpu": "-1"}), "spec.hard.cpu"),
        (
            with_spec(vs.experiment(), sweep={"maxTrials": 0, "parameters": {"x": ["1"]}}),
            "spec.sweep.maxTrials",
        ),
        (
            with_spec(vs.experiment(), sweep={"maxTrials": 1001, "parameters": {"x": ["1"]}}),
            "spec.sweep.maxTrials",
        ),
        (
            with_spec(vs.experiment(), sweep={"parallelism": 0, "parameters": {"x": ["1"]}}),
            "spec.sweep.parallelism",
        ),
        (with_spec(vs.experiment(), sweep={"parameters": {}}), "spec.sweep.parameters"),
        (with_spec(vs.experiment(), sweep={"parameters": {"x": []}}), "spec.sweep.parameters.x"),
        (with_spec(vs.experiment(), schedule="0 0 32 * *"), "spec.schedule"),
        (
            vs.pipeline(steps=[vs.prepare_step(retries={"limit": 101})]),
            "spec.steps[0].retries.limit",
        ),
        (
            vs.pipeline(steps=[vs.prepare_step(retries={"limit": 1, "factor": 0})]),
            "spec.steps[0].retries.factor",
        ),
        (vs.pipeline(steps=[vs.prepare_step(timeout="0s")]), "spec.steps[0].timeout"),
        (vs.pipeline(steps=[]), "spec.steps"),
        (with_spec(vs.team(), owners=[]), "spec.owners"),
    ],
)
def test_out_of_range(doc: vs.Doc, path: str) -> None:
    assert problems(doc) == [("BOS204", path)]


@pytest.mark.parametrize(
    "doc",
    [
        with_spec(vs.serving(), canary={"version": "4", "trafficPercent": 0}),
        with_spec(vs.serving(), canary={"version": 4, "trafficPercent": 100}),
        with_spec(vs.serving(), replicas={"min": 0, "max": 1}),
        with_spec(
            vs.experiment(), sweep={"maxTrials": 1000, "parallelism": 1, "parameters": {"x": [1]}}
        ),
        vs.pipeline(
            steps=[vs.prepare_step(retries={"limit": 0}), vs.fit_step(retries={"limit": 100})]
        ),
    ],
)
def test_bounds_are_inclusive(doc: vs.Doc) -> None:
    assert problems(doc) == []


def test_rejected_documents_are_remembered_as_far_as_they_can_be_read() -> None:
    assert schema.key_of({"kind": "Pipeline", "metadata": {"name": "p", "team": "ml"}}) == (
        "Pipeline",
        "ml",
        "p",
    )
    assert schema.key_of({"kind": "Pipline", "metadata": {"name": "p", "team": "ml"}}) == (
        "",
        "ml",
        "p",
    )
    assert schema.key_of({"kind": "Pipeline", "metadata": {"name": 3}}) == ("Pipeline", None, "")
    assert schema.key_of({"kind": "Team", "metadata": "x"}) == ("Team", None, "")
    assert schema.key_of({"metadata": {"name": "p"}}) is None
