"""The exported JSON Schemas and the pydantic models agree: on every valid manifest we have, on
invalid documents that a schema can express, and (by name) on the few rules only the validator
checks, which docs/schema.md lists."""

from __future__ import annotations

import copy
import json
import pathlib
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import jsonschema
import pydantic
import pytest
import yaml
from bosun.spec import schema_export, v1alpha1
from bosun.spec.v1alpha1 import examples, refs
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMAS = {name: json.loads(text) for name, text in schema_export.export().items()}
MODELINE = re.compile(r"^#\s*yaml-language-server:\s*\$schema=(\S+)", re.MULTILINE)


def validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        SCHEMAS[name], format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


VALIDATORS = {name: validator(name) for name in SCHEMAS}


def schema_accepts(document: dict[str, Any]) -> bool:
    """The kind's own schema and all.json must give the same answer."""
    kind_file = schema_export.filename(str(document.get("kind")))
    union = VALIDATORS["v1alpha1/all.json"].is_valid(document)
    if kind_file in VALIDATORS:
        assert VALIDATORS[kind_file].is_valid(document) == union, "kind schema ≠ all.json"
    return union


def model_accepts(document: dict[str, Any]) -> bool:
    model = v1alpha1.KINDS.get(str(document.get("kind")))
    if model is None:
        return False
    try:
        model.model_validate(document)
    except pydantic.ValidationError:
        return False
    return True


# --- every valid example we have --------------------------------------------------------------


def _yaml_files() -> Iterator[pathlib.Path]:
    for folder in ("teams", "templates", "environments", "tests/cases/valid"):
        yield from sorted((ROOT / folder).rglob("*.yaml"))
        yield from sorted((ROOT / folder).rglob("*.yml"))


def _docs_examples() -> Iterator[tuple[str, str]]:
    """YAML blocks of docs/**/*.md that hold a bosun manifest."""
    for page in sorted((ROOT / "docs").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        for number, block in enumerate(re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)):
            if "apiVersion: bosun.dev/v1alpha1" in block:
                yield f"{page.relative_to(ROOT)}#{number}", block


def valid_sources() -> list[tuple[str, str]]:
    sources = [(f"examples:{kind}", text) for kind, text in examples.EXAMPLES.items()]
    sources += [(str(path.relative_to(ROOT)), path.read_text("utf-8")) for path in _yaml_files()]
    sources += list(_docs_examples())
    return sources


def _manifests(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.load_all(text, Loader=yaml.CSafeLoader) if isinstance(doc, dict)]


@pytest.mark.parametrize(("source", "text"), valid_sources(), ids=lambda v: str(v)[:60])
def test_valid_manifests_pass_both(source: str, text: str) -> None:
    for document in _manifests(text):
        assert model_accepts(document), f"{source}: the model refuses {document.get('kind')}"
        errors = [e.message for e in VALIDATORS["v1alpha1/all.json"].iter_errors(document)]
        assert schema_accepts(document), f"{source}: the schema refuses it: {errors}"


def test_there_are_examples_of_every_kind() -> None:
    kinds = {doc.get("kind") for _, text in valid_sources() for doc in _manifests(text)}
    assert kinds >= set(v1alpha1.KINDS)


def _with_modeline() -> list[pathlib.Path]:
    return [path for path in _yaml_files() if MODELINE.search(path.read_text("utf-8"))]


@pytest.mark.parametrize("path", _with_modeline(), ids=lambda p: str(p.relative_to(ROOT)))
def test_modelines_name_a_schema_that_accepts_the_file(path: pathlib.Path) -> None:
    text = path.read_text("utf-8")
    match = MODELINE.search(text)
    assert match is not None
    schema_path = (path.parent / match.group(1)).resolve()
    assert schema_path.is_file(), f"{path}: modeline names a missing file {match.group(1)}"
    schema = json.loads(schema_path.read_text("utf-8"))
    for document in _manifests(text):
        assert jsonschema.Draft202012Validator(schema).is_valid(document), (
            f"{path}: a {document.get('kind')} document is refused by {match.group(1)}; "
            "a file holding several kinds should use all.json"
        )


# --- invalid documents a schema can express ----------------------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def _base(kind: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.load(examples.EXAMPLES[kind], Loader=yaml.CSafeLoader)
    return document


def _set(path: str, value: Any) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        *parents, last = _parts(path)
        node: Any = document
        for part in parents:
            node = node[part]
        node[last] = value

    return mutate


def _drop(path: str) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        *parents, last = _parts(path)
        node: Any = document
        for part in parents:
            node = node[part]
        del node[last]

    return mutate


def _parts(path: str) -> list[str | int]:
    return [int(p) if p.isdigit() else p for p in path.split(".")]


PIPELINE_INLINE = "spec.steps.0"
PIPELINE_TEMPLATED = "spec.steps.1"
INVALID: list[tuple[str, str, Mutation]] = [
    ("unknown top-level field", "Pipeline", _set("status", {})),
    ("unknown spec field", "Pipeline", _set("spec.stepz", [])),
    ("misspelled step field", "Pipeline", _set(f"{PIPELINE_INLINE}.comand", ["x"])),
    ("unknown metadata field", "Team", _set("metadata.owner", "x")),
    ("missing spec", "Team", _drop("spec")),
    ("missing owners", "Team", _drop("spec.owners")),
    ("missing metadata.team", "Pipeline", _drop("metadata.team")),
    ("missing registryAlias", "Environment", _drop("spec.registryAlias")),
    ("null required name", "Team", _set("metadata.name", None)),
    ("wrong apiVersion", "Team", _set("apiVersion", "bosun.dev/v1")),
    ("steps is a mapping", "Pipeline", _set("spec.steps", {"a": 1})),
    ("replicas.min is a string", "ServingTarget", _set("spec.replicas.min", "1")),
    ("gpu is a string", "Quota", _set("spec.hard.gpu", "2")),
    ("cache is a string", "Pipeline", _set(f"{PIPELINE_INLINE}.cache", "yes")),
    ("boolean description", "Team", _set("spec.description", True)),
    ("date where a version goes", "ServingTarget", _set("spec.version", "2024-01-01")),
    ("float model version", "ServingTarget", _set("spec.version", 1.5)),
    ("model version 0", "ServingTarget", _set("spec.version", "0")),
    ("name with capitals", "Team", _set("metadata.name", "Quality")),
    ("name of 64 characters", "Team", _set("metadata.name", "a" * 64)),
    ("serving name starting with a digit", "ServingTarget", _set("metadata.name", "1api")),
    ("serving name of 46 characters", "ServingTarget", _set("metadata.name", "a" * 46)),
    ("owner without @", "Team", _set("spec.owners", ["nobody"])),
    ("memory in GB", "Quota", _set("spec.hard.memory", "64GB")),
    ("negative cpu", "Quota", _set("spec.hard.cpu", -1)),
    ("duration without unit", "Pipeline", _set(f"{PIPELINE_TEMPLATED}.timeout", "30")),
    ("zero duration", "Pipeline", _set(f"{PIPELINE_TEMPLATED}.timeout", "0s")),
    ("cron with four fields", "Experiment", _set("spec.schedule", "0 3 * *")),
    ("image with capitals", "StepTemplate", _set("spec.image", "ghcr.io/acme/ML-steps:1")),
    ("short digest", "StepTemplate", _set("spec.image", "ghcr.io/acme/x@sha256:abc")),
    ("reserved alias", "Environment", _set("spec.registryAlias", "latest")),
    ("bad branch", "Environment", _set("spec.branch", "a..b")),
    ("fromFile leaves outputs", "StepTemplate", _set("spec.outputs.parameters.0.fromFile", "../x")),
    ("absolute fromFile", "StepTemplate", _set("spec.outputs.parameters.0.fromFile", "/etc/x")),
    ("retries over 100", "Pipeline", _set(f"{PIPELINE_TEMPLATED}.retries.limit", 101)),
    ("traffic over 100", "ServingTarget", _set("spec.canary.trafficPercent", 150)),
    ("zero maxTrials", "Experiment", _set("spec.sweep.maxTrials", 0)),
    ("zero replicas.max", "ServingTarget", _set("spec.replicas.max", 0)),
    ("unknown sweep strategy", "Experiment", _set("spec.sweep.strategy", "bayes")),
    ("unknown goal", "Experiment", _set("spec.objective.goal", "max")),
    ("unknown gate op", "ServingTarget", _set("spec.gates.0.op", "=>")),
    ("unknown target type", "Environment", _set("spec.target", {"type": "docker"})),
    ("kubernetes field on local", "Environment", _set("spec.target.context", "prod")),
    ("no steps", "Pipeline", _set("spec.steps", [])),
    ("no owners", "Team", _set("spec.owners", [])),
    ("empty command", "Pipeline", _set(f"{PIPELINE_INLINE}.command", [])),
    ("bad with key", "Pipeline", _set(f"{PIPELINE_TEMPLATED}.with.bad-key", "x")),
    ("bad override key", "ServingTarget", _set("spec.overrides.Prod", {})),
    ("bad parameter key", "Experiment", _set("spec.parameters", {"1x": "a"})),
    ("literal {{", "Pipeline", _set(f"{PIPELINE_INLINE}.args", ["{{workflow.name}}"])),
    ("unterminated reference", "Pipeline", _set(f"{PIPELINE_INLINE}.args", ["${{ params.x"])),
    ("unknown reference root", "Pipeline", _set(f"{PIPELINE_INLINE}.args", ["${{ foo.x }}"])),
    ("template and image", "Pipeline", _set(f"{PIPELINE_TEMPLATED}.image", "ghcr.io/acme/x:1")),
    ("neither template nor image", "Pipeline", _drop(f"{PIPELINE_INLINE}.image")),
    ("with on an inline step", "Pipeline", _set(f"{PIPELINE_INLINE}.with", {"a": "b"})),
    (
        "env with value and secretRef",
        "StepTemplate",
        _set("spec.env", [{"name": "A", "value": "x", "secretRef": {"name": "s", "key": "k"}}]),
    ),
    ("env with neither", "StepTemplate", _set("spec.env", [{"name": "A"}])),
    ("sweep without objective", "Experiment", _drop("spec.objective")),
]


@pytest.mark.parametrize(("case", "kind", "mutate"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid_documents_fail_both(case: str, kind: str, mutate: Mutation) -> None:
    document = _base(kind)
    assert model_accepts(document) and schema_accepts(document)
    mutated = copy.deepcopy(document)
    mutate(mutated)
    assert not model_accepts(mutated), f"{case}: the model accepts it"
    assert not schema_accepts(mutated), f"{case}: the schema accepts it"


VALIDATOR_ONLY: list[tuple[str, str, Mutation]] = [
    ("cron field out of range", "Experiment", _set("spec.schedule", "61 3 * * *")),
    ("replicas.max below min", "ServingTarget", _set("spec.replicas", {"min": 3, "max": 2})),
    (
        "parameter both fixed and swept",
        "Experiment",
        _set("spec.parameters", {"n_estimators": "10"}),
    ),
    ("integer written as 2.0", "Quota", _set("spec.maxParallelSteps", 2.0)),
    ("duration over 366 days", "Pipeline", _set(f"{PIPELINE_TEMPLATED}.timeout", "8785h")),
]
"""Rules JSON Schema cannot express; docs/schema.md names each of them."""


@pytest.mark.parametrize(
    ("case", "kind", "mutate"), VALIDATOR_ONLY, ids=[c[0] for c in VALIDATOR_ONLY]
)
def test_rules_only_the_validator_checks(case: str, kind: str, mutate: Mutation) -> None:
    document = _base(kind)
    mutate(document)
    assert not model_accepts(document)
    assert schema_accepts(document), f"{case}: the schema now checks it; update docs/schema.md"
    assert case in (ROOT / "docs/schema.md").read_text("utf-8")


# --- the reference grammar as one pattern ------------------------------------------------------

_PIECES = st.sampled_from(
    [
        *("${{", "}}", "{", "}", "$", " ", "\n", "-", "x", "Z", "a_1", "prep"),
        *("params.", "steps.", ".outputs.", "inputs.", "outputs.", "{{"),
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=10).map("".join))
def test_expression_pattern_agrees_with_the_parser(text: str) -> None:
    try:
        refs.parse(text)
        parsed = True
    except refs.ReferenceSyntaxError:
        parsed = False
    assert (re.search(refs.EXPRESSION_RE, text) is not None) == parsed, text


# --- the schemas themselves ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schemas_are_valid_draft_2020_12(name: str) -> None:
    schema = SCHEMAS[name]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://bosun.dev/schema/{name}"
    jsonschema.Draft202012Validator.check_schema(schema)


_CONDITIONS = frozenset({"if", "then", "else", "not"})


def _objects(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Object types, skipping conditions (``if``/``then``/``oneOf`` constraints that only test
    a field's type, such as ``{"type": "object"}``)."""
    if isinstance(node, dict):
        if node.get("type") == "object":
            yield where, node
        for key, value in node.items():
            if key in _CONDITIONS:
                continue
            if key in ("oneOf", "anyOf", "allOf"):
                members = [m for m in value if "type" in m or "$ref" in m]
                yield from _objects(members, f"{where}/{key}")
            else:
                yield from _objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _objects(value, f"{where}/{index}")


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schemas_are_strict(name: str) -> None:
    """Objects with fields are closed; maps constrain their keys or take any string."""
    for where, node in _objects(SCHEMAS[name]):
        assert "patternProperties" not in node, where
        if name.endswith("all.json") and where == "":
            continue  # the union's root: each kind's branch is closed; an unknown kind is refused
        if "properties" in node:
            assert node.get("additionalProperties") is False, f"{name}{where} is open"
        else:
            assert isinstance(node.get("additionalProperties"), dict), f"{name}{where}"


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield value
            else:
                yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


def test_patterns_are_ecma_262_as_json_schema_requires() -> None:
    """Editors run the patterns in JavaScript (with the ``u`` flag); Python-only syntax such as
    ``(?P<name>...)`` would make them reject the schema."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed; cannot compile the patterns as ECMA-262")
    patterns = sorted({p for schema in SCHEMAS.values() for p in _patterns(schema)})
    script = "for (const p of JSON.parse(require('fs').readFileSync(0))) new RegExp(p, 'u');"
    result = subprocess.run(
        [node, "-e", script],
        input=json.dumps(patterns),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
