"""The local runtime's small rules, without processes: Argo variables and ``depends``, path
mapping, durations and backoff, what is cacheable, secret variable names."""

from __future__ import annotations

import pathlib
import time

import pytest
from bosun.targets.local import cache, expressions, paths, resolve, secrets


@pytest.mark.parametrize(
    ("variable", "kind", "first", "second"),
    [
        ("workflow.name", "workflow", "name", ""),
        ("workflow.status", "workflow", "status", ""),
        ("workflow.parameters.bosun-tracking-uri", "workflow.parameters", "bosun-tracking-uri", ""),
        ("inputs.parameters.n_estimators", "inputs.parameters", "n_estimators", ""),
        ("inputs.artifacts.data.path", "inputs.artifacts.path", "data", ""),
        ("tasks.start.outputs.parameters.run_id", "tasks.parameters", "start", "run_id"),
        (
            "tasks.pipeline.outputs.artifacts.train-model",
            "tasks.artifacts",
            "pipeline",
            "train-model",
        ),
        ("item", "item", "", ""),
        ("item.bosun-trial", "item.key", "bosun-trial", ""),
    ],
)
def test_supported_variables(variable: str, kind: str, first: str, second: str) -> None:
    assert expressions.classify(variable) == expressions.Ref(kind, first, second)


@pytest.mark.parametrize(
    "variable",
    ["=sprig.upper(item)", "steps.a.outputs.result", "workflow.failures", "pod.name", "retries"],
)
def test_other_variables_are_unknown(variable: str) -> None:
    assert expressions.classify(variable) is None


def test_substitution_is_a_single_pass() -> None:
    values = {"inputs.parameters.a": "{{inputs.parameters.b}}", "inputs.parameters.b": "no"}
    text = "{{ inputs.parameters.a }}-{{inputs.parameters.b}}"
    assert expressions.substitute(text, values.__getitem__) == "{{inputs.parameters.b}}-no"


@pytest.mark.parametrize(
    ("expression", "names"),
    [
        ("a", ["a"]),
        ("a && b-2", ["a", "b-2"]),
        ("a.Succeeded&&b", ["a", "b"]),
        ("a || b", None),
        ("!a", None),
        ("a.Failed", None),
        ("(a && b)", None),
    ],
)
def test_depends_subset(expression: str, names: list[str] | None) -> None:
    assert expressions.parse_depends(expression) == names


def test_container_paths_map_to_the_node_and_the_repository() -> None:
    mapping = paths.Mapping(pathlib.Path("/s/runs/r/nodes/n"), pathlib.Path("/repo"))
    assert mapping.value("/tmp/bosun/outputs/model") == "/s/runs/r/nodes/n/outputs/model"
    assert mapping.value("/tmp/bosun") == "/s/runs/r/nodes/n"
    assert mapping.value("--out=/tmp/bosun/outputs/x") == "--out=/s/runs/r/nodes/n/outputs/x"
    assert mapping.value("/workspace/teams/a.py") == "/repo/teams/a.py"
    for untouched in ("/tmp/bosunx", "x=/tmp/bosun/a", "see /tmp/bosun/a", "/tmp/other"):
        assert mapping.value(untouched) == untouched
    with pytest.raises(ValueError, match="leaves"):
        mapping.local("/tmp/bosun/../../escape")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("5", 5.0), ("0.2", 0.2), ("5s", 5.0), ("2m", 120.0), ("1h30m", 5400.0), ("1.5s", 1.5)],
)
def test_durations(text: str, seconds: float) -> None:
    assert resolve.parse_duration(text) == seconds


def test_backoff_grows_by_factor_up_to_the_cap_and_stops_at_the_limit() -> None:
    retry = resolve.Retry(
        limit=3, policy="OnFailure", backoff=5, factor=2, max_duration=None, cap=12
    )
    assert [retry.delay(n) for n in (1, 2, 3)] == [5, 10, 12]
    now = time.time()
    assert retry.allows("Failed", 3, now) and not retry.allows("Failed", 4, now)
    assert not retry.allows("Error", 1, now), "OnFailure does not retry errors"
    short = resolve.Retry(limit=9, policy="Always", backoff=5, factor=1, max_duration=8)
    assert short.allows("Error", 1, now) and not short.allows("Failed", 1, now - 4)


def _template(argv: list[str], cache_annotation: str | None = None) -> dict[str, object]:
    metadata = {"annotations": {cache.ANNOTATION: cache_annotation}} if cache_annotation else {}
    return {"metadata": metadata, "container": {"command": argv[:1], "args": argv[1:]}}


def test_what_is_cacheable() -> None:
    assert cache.cacheable(_template(["python", "train.py"]))
    assert not cache.cacheable(_template(["python", "train.py"], "false"))
    assert not cache.cacheable(_template(["python", "-m", "bosun.tracking.steps", "register"]))


def test_secret_variable_names() -> None:
    assert secrets.env_var("db-creds", "api.token") == "BOSUN_SECRET_DB_CREDS_API_TOKEN"
