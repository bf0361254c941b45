"""The injection rule (DESIGN §2, argo-workflows#12534): values reach a process only as whole argv
elements or env vars, and no user text can produce an Argo ``{{`` expression."""

from __future__ import annotations

import json
import re

import pytest
import render_support as rs
from bosun import render
from bosun.render import argo_text

HOSTILE = '"; rm -rf / #'

PIPELINE = """
    apiVersion: bosun.dev/v1alpha1
    kind: Pipeline
    metadata: {name: p, team: t}
    spec:
      parameters: [{name: message}]
      steps:
        - name: say
          image: ghcr.io/acme/tools:1.0
          command: [python, teams/t/say.py]
          args: [--message, "${{ params.message }}", "--also=${{ params.message }}"]
          env: [{name: MESSAGE, value: "${{ params.message }}"}]
"""


def experiment(value: str) -> str:
    return f"""
        apiVersion: bosun.dev/v1alpha1
        kind: Experiment
        metadata: {{name: e, team: t}}
        spec:
          pipeline: p
          parameters: {{message: {json.dumps(value)}}}
    """


def substitute(text: str, values: dict[str, str]) -> str:
    """Argo's substitution of simple tags: one pass, no re-evaluation of what it inserts."""
    return re.sub(r"\{\{([^{}]+)\}\}", lambda m: values.get(m.group(1), m.group(0)), text)


def argv_of_step(objects: list[dict]) -> tuple[list[str], dict[str, str]]:
    """Follow the value from the Workflow's arguments down to the step's container, level by
    level, as Argo resolves ``{{inputs.parameters.X}}``: the argv and env the process gets."""
    workflow = rs.find(objects, "Workflow")
    trials = rs.template(workflow, "experiment")["dag"]["tasks"][1]
    level = {p["name"]: p["value"] for p in trials["arguments"]["parameters"]}
    trial = rs.template(workflow, "trial")["dag"]["tasks"][1]
    level = {
        p["name"]: substitute(p["value"], {f"inputs.parameters.{k}": v for k, v in level.items()})
        for p in trial["arguments"]["parameters"]
    }
    pipeline = rs.find(objects, "WorkflowTemplate", "p")
    task = rs.template(pipeline, "main")["dag"]["tasks"][0]
    level = {
        p["name"]: substitute(p["value"], {f"inputs.parameters.{k}": v for k, v in level.items()})
        for p in task["arguments"]["parameters"]
    }
    container = rs.template(pipeline, "say")["container"]
    scope = {f"inputs.parameters.{k}": v for k, v in level.items()}
    argv = [substitute(a, scope) for a in container["command"] + container.get("args", [])]
    env = {e["name"]: substitute(e["value"], scope) for e in container["env"] if "value" in e}
    return argv, env


def test_a_hostile_value_arrives_verbatim_as_one_argv_element() -> None:
    manifests = rs.catalog_of({"teams/t/p.yaml": PIPELINE, "teams/t/e.yaml": experiment(HOSTILE)})
    objects = render.render(manifests, "dev", rs.SOURCE, render.StaticResolver(), rs.OPTIONS)
    container = rs.template(rs.find(objects, "WorkflowTemplate", "p"), "say")["container"]
    assert container["command"] == ["python", "teams/t/say.py"]
    assert container["args"] == [
        "--message",
        "{{inputs.parameters.message}}",
        "--also={{inputs.parameters.message}}",
    ]
    argv, env = argv_of_step(objects)
    assert argv == ["python", "teams/t/say.py", "--message", HOSTILE, f"--also={HOSTILE}"]
    assert env["MESSAGE"] == HOSTILE


def test_a_hostile_override_of_bosun_run_arrives_verbatim() -> None:
    manifests = rs.catalog_of({"teams/t/p.yaml": PIPELINE, "teams/t/e.yaml": experiment("hi")})
    run = render.render_experiment(
        manifests, "dev", "e", source=rs.SOURCE, options=rs.OPTIONS, parameters={"message": HOSTILE}
    )
    argv, _ = argv_of_step(run.objects())
    assert argv[3] == HOSTILE


def test_no_container_runs_a_shell_or_a_script() -> None:
    objects = render.render(rs.demo("dev"), "dev", rs.SOURCE, render.StaticResolver(), rs.OPTIONS)
    shells = {"sh", "bash", "/bin/sh", "/bin/bash", "zsh", "dash"}
    for obj in objects:
        spec = obj.get("spec", {}).get("workflowSpec", obj.get("spec", {}))
        for template in spec.get("templates", []):
            assert "script" not in template
            if "container" in template:
                assert template["container"]["command"][0] not in shells


@pytest.mark.parametrize(
    "value",
    ["{{workflow.name}}", "{{=sprig.env('HOME')}}", "a{{b", "{{inputs.parameters.message}}"],
)
def test_a_parameter_value_cannot_produce_an_argo_expression(value: str) -> None:
    files = {"teams/t/p.yaml": PIPELINE, "teams/t/e.yaml": experiment(value)}
    with pytest.raises(AssertionError, match="BOS401"):  # validate refuses it first ...
        rs.catalog_of(files)
    manifests = rs.schema_only(files)  # ... and render refuses it too
    with pytest.raises(render.RenderError) as raised:
        render.render(manifests, "dev", rs.SOURCE, render.StaticResolver(), rs.OPTIONS)
    (found,) = raised.value.diagnostics
    assert (found.code, found.file, found.loc) == (
        "BOS401",
        "teams/t/e.yaml",
        ("spec", "parameters", "message"),
    )


def test_an_override_cannot_produce_an_argo_expression() -> None:
    manifests = rs.catalog_of({"teams/t/p.yaml": PIPELINE, "teams/t/e.yaml": experiment("hi")})
    with pytest.raises(render.RenderError, match="BOS401"):
        render.render_experiment(
            manifests,
            "dev",
            "e",
            source=rs.SOURCE,
            options=rs.OPTIONS,
            parameters={"message": "{{x}}"},
        )


def test_a_brace_before_a_reference_cannot_fuse_with_it() -> None:
    fused = PIPELINE.replace('"--also=${{ params.message }}"', '"x{${{ params.message }}"')
    manifests = rs.schema_only({"teams/t/p.yaml": fused, "teams/t/e.yaml": experiment("hi")})
    with pytest.raises(render.RenderError) as raised:
        render.render(manifests, "dev", rs.SOURCE, render.StaticResolver(), rs.OPTIONS)
    assert raised.value.diagnostics[0].code == "BOS401"
    assert raised.value.diagnostics[0].loc == ("spec", "steps", 0, "args", 2)


def test_a_tracking_uri_cannot_produce_an_argo_expression() -> None:
    manifests = rs.catalog_of({"teams/t/p.yaml": PIPELINE, "teams/t/e.yaml": experiment("hi")})
    options = render.RenderOptions(tracking_uri="sqlite:///{{workflow.name}}.db")
    with pytest.raises(render.RenderError, match="BOS401"):
        render.render(manifests, "dev", rs.SOURCE, render.StaticResolver(), options)


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("{{inputs.parameters.x}}", True),
        ("--a={{inputs.parameters.x}}-{{workflow.name}}", True),
        ("{{tasks.train.outputs.artifacts.model}}", True),
        ("{{item.bosun-trial}}", True),
        ("{{workflow.uid}}", False),
        ("{{=1+1}}", False),
        ("{{{inputs.parameters.x}}", False),
        ("{{ inputs.parameters.x }}", False),
        ("plain } and { text", True),
    ],
)
def test_the_output_scan_knows_what_bosun_writes(text: str, safe: bool) -> None:
    assert (list(argo_text.unsafe_strings({"a": [text]})) == []) is safe
