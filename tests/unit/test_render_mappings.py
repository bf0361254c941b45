"""Field-by-field mappings of docs/render.md: manifests in, Argo/Kubernetes/KServe objects out."""

from __future__ import annotations

import dataclasses
import json

import pytest
import render_support as rs
from bosun import render

QUOTA = """
    apiVersion: bosun.dev/v1alpha1
    kind: Quota
    metadata: {name: default, team: t}
    spec:
      hard: {cpu: "16", memory: 64Gi, gpu: 2}
      maxConcurrentWorkflows: 3
      maxParallelSteps: 3
      defaultStepResources: {cpu: 500m, memory: 1Gi}
"""
TEMPLATE = """
    apiVersion: bosun.dev/v1alpha1
    kind: StepTemplate
    metadata: {name: fit}
    spec:
      image: ghcr.io/acme/steps:1.0
      command: [python, templates/steps/fit.py]
      args: [--data, "${{ inputs.data }}", --depth, "${{ inputs.depth }}",
             --out, "${{ outputs.model }}"]
      env: [{name: MODE, value: fast}]
      inputs:
        parameters: [{name: depth, default: "5"}, {name: seed}]
        artifacts: [{name: data}]
      outputs:
        artifacts: [{name: model}]
        parameters: [{name: accuracy, fromFile: metrics/accuracy}]
      resources: {cpu: "1", memory: 2Gi}
      retries: {limit: 1}
      timeout: 20m
"""
PIPELINE = """
    apiVersion: bosun.dev/v1alpha1
    kind: Pipeline
    metadata: {name: p, team: t}
    spec:
      parameters: [{name: depth, default: "5"}, {name: rate}]
      steps:
        - name: prepare
          image: ghcr.io/acme/tools:1.0
          command: [python, teams/t/prepare.py]
          args: [--rate, "${{ params.rate }}", --out, "${{ outputs.dataset }}"]
          outputs:
            artifacts: [{name: dataset}]
            parameters: [{name: rows}]
          cache: false
        - name: fit
          template: fit
          with:
            depth: "${{ params.depth }}"
            seed: "seed-${{ steps.prepare.outputs.rows }}"
            data: "${{ steps.prepare.outputs.dataset }}"
          env: [{name: TOKEN, secretRef: {name: creds, key: token}}]
          dependsOn: [prepare]
          resources: {gpu: 1}
          retries: {limit: 2, backoff: 10s, factor: 3, maxBackoff: 5m}
          timeout: 90.5s
        - name: report
          image: ghcr.io/acme/tools:1.0
          command: [python, teams/t/report.py]
          args: ["${{ steps.fit.outputs.model }}", "${{ steps.prepare.outputs.rows }}"]
          dependsOn: [fit, prepare]
"""


def experiment(spec: str, name: str = "e") -> str:
    return f"""
        apiVersion: bosun.dev/v1alpha1
        kind: Experiment
        metadata: {{name: {name}, team: t}}
        spec:
          pipeline: p
{spec}
    """


SWEEP = """
          parameters: {rate: "0.1"}
          sweep:
            strategy: grid
            maxTrials: 3
            parallelism: 2
            parameters: {depth: ["3", "6"]}
          objective: {metric: accuracy, goal: minimize}
          register: {model: m, artifact: model, step: fit}
          dataset: {step: prepare, artifact: dataset}
"""


def rendered(
    files: dict[str, str], environment: str = "dev", resolver=None, *, validated: bool = True
) -> list[dict]:
    manifests = rs.catalog_of(files) if validated else rs.schema_only(files)
    return render.render(
        manifests, environment, rs.SOURCE, resolver or render.StaticResolver(), rs.OPTIONS
    )


def repository(experiment_spec: str = SWEEP) -> dict[str, str]:
    return {
        "teams/t/quota.yaml": QUOTA,
        "templates/fit.yaml": TEMPLATE,
        "teams/t/p.yaml": PIPELINE,
        "teams/t/e.yaml": experiment(experiment_spec),
    }


@pytest.fixture(scope="module")
def objects() -> list[dict]:
    return rendered(repository())


@pytest.fixture(scope="module")
def production() -> list[dict]:
    return rendered(repository(), "production")


def test_every_object_carries_ownership_labels_and_its_source(objects: list[dict]) -> None:
    for obj in objects:
        labels, annotations = obj["metadata"]["labels"], obj["metadata"]["annotations"]
        assert labels["app.kubernetes.io/managed-by"] == "bosun"
        assert labels["bosun.dev/environment"] == "dev"
        assert labels["bosun.dev/team"] == (
            "platform" if obj["kind"] == "ClusterWorkflowTemplate" else "t"
        )
        assert annotations["bosun.dev/source-commit"] == rs.SOURCE.commit
        assert annotations["bosun.dev/source-file"].endswith(".yaml")
    assert [o["kind"] for o in objects] == [
        "Namespace",
        "ResourceQuota",
        "LimitRange",
        "ConfigMap",
        "ClusterWorkflowTemplate",
        "WorkflowTemplate",
        "Workflow",
    ]


def test_quota_objects(objects: list[dict], production: list[dict]) -> None:
    assert rs.find(objects, "Namespace")["metadata"]["name"] == "t"
    assert rs.find(production, "Namespace")["metadata"]["name"] == "ml-t"
    quota = rs.find(production, "ResourceQuota")
    assert quota["metadata"]["namespace"] == "ml-t"
    assert quota["spec"]["hard"] == {
        "requests.cpu": "16",
        "limits.cpu": "16",
        "requests.memory": "64Gi",
        "limits.memory": "64Gi",
        "requests.nvidia.com/gpu": "2",
    }
    (limit,) = rs.find(objects, "LimitRange")["spec"]["limits"]
    assert limit == {
        "type": "Container",
        "default": {"cpu": "500m", "memory": "1Gi"},
        "defaultRequest": {"cpu": "500m", "memory": "1Gi"},
    }
    assert rs.find(objects, "ConfigMap")["data"] == {"workflows": "3"}


def test_a_quota_without_defaults_still_gives_argo_containers_resources() -> None:
    quota = QUOTA.replace("      defaultStepResources: {cpu: 500m, memory: 1Gi}\n", "")
    objects = rendered({"teams/t/quota.yaml": quota})
    (limit,) = rs.find(objects, "LimitRange")["spec"]["limits"]
    assert limit["default"] == {"cpu": "100m", "memory": "256Mi"}


def test_pipeline_dag(objects: list[dict]) -> None:
    template = rs.find(objects, "WorkflowTemplate", "p")
    assert template["metadata"]["namespace"] == "t"
    assert template["spec"]["entrypoint"] == "main"
    assert template["spec"]["parallelism"] == 3
    main = rs.template(template, "main")
    tasks = {t["name"]: t for t in main["dag"]["tasks"]}
    assert "depends" not in tasks["prepare"]
    assert tasks["fit"]["depends"] == "prepare"
    assert tasks["report"]["depends"] == "fit && prepare"
    assert main["inputs"]["parameters"] == [
        {"name": "depth", "default": "5"},
        {"name": "rate"},
        {"name": "bosun-run-id", "default": ""},
        {"name": "bosun-trial", "default": "0"},
    ]
    assert main["outputs"] == {
        "parameters": [
            {
                "name": "prepare-rows",
                "valueFrom": {"parameter": "{{tasks.prepare.outputs.parameters.rows}}"},
            },
            {
                "name": "fit-accuracy",
                "valueFrom": {"parameter": "{{tasks.fit.outputs.parameters.accuracy}}"},
            },
        ],
        "artifacts": [
            {"name": "prepare-dataset", "from": "{{tasks.prepare.outputs.artifacts.dataset}}"},
            {"name": "fit-model", "from": "{{tasks.fit.outputs.artifacts.model}}"},
        ],
    }


def test_a_template_step_is_inlined_and_fed_from_with(objects: list[dict]) -> None:
    template = rs.find(objects, "WorkflowTemplate", "p")
    task = next(t for t in rs.template(template, "main")["dag"]["tasks"] if t["name"] == "fit")
    assert task["arguments"] == {
        "parameters": [
            {"name": "bosun-run-id", "value": "{{inputs.parameters.bosun-run-id}}"},
            {"name": "bosun-trial", "value": "{{inputs.parameters.bosun-trial}}"},
            {"name": "depth", "value": "{{inputs.parameters.depth}}"},
            {"name": "seed", "value": "seed-{{tasks.prepare.outputs.parameters.rows}}"},
        ],
        "artifacts": [{"name": "data", "from": "{{tasks.prepare.outputs.artifacts.dataset}}"}],
    }
    fit = rs.template(template, "fit")
    container = fit["container"]
    assert container["image"] == "ghcr.io/acme/steps:1.0"
    assert container["args"] == [
        "--data",
        "/tmp/bosun/inputs/data",
        "--depth",
        "{{inputs.parameters.depth}}",
        "--out",
        "/tmp/bosun/outputs/model",
    ]
    assert container["workingDir"] == "/workspace"
    env = {e["name"]: e for e in container["env"]}
    assert env["MODE"] == {"name": "MODE", "value": "fast"}
    assert env["TOKEN"] == {
        "name": "TOKEN",
        "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token"}},
    }
    assert env["MLFLOW_RUN_ID"]["value"] == "{{inputs.parameters.bosun-run-id}}"
    assert env["MLFLOW_TRACKING_URI"]["value"] == "{{workflow.parameters.bosun-tracking-uri}}"
    assert env["BOSUN_OUTPUTS"]["value"] == "/tmp/bosun/outputs"
    assert fit["inputs"]["parameters"][2:] == [{"name": "depth", "default": "5"}, {"name": "seed"}]
    assert [a["name"] for a in fit["inputs"]["artifacts"]] == ["bosun-source", "data"]
    assert fit["outputs"]["parameters"] == [
        {"name": "accuracy", "valueFrom": {"path": "/tmp/bosun/outputs/metrics/accuracy"}}
    ]
    assert fit["outputs"]["artifacts"] == [{"name": "model", "path": "/tmp/bosun/outputs/model"}]
    assert fit["volumes"] == [{"name": "bosun-outputs", "emptyDir": {}}]


def test_resources_retries_and_timeouts(objects: list[dict]) -> None:
    template = rs.find(objects, "WorkflowTemplate", "p")
    fit = rs.template(template, "fit")
    # The step's gpu, the template's cpu and memory; limits equal requests.
    assert fit["container"]["resources"] == {
        "requests": {"cpu": "1", "memory": "2Gi", "nvidia.com/gpu": "1"},
        "limits": {"cpu": "1", "memory": "2Gi", "nvidia.com/gpu": "1"},
    }
    assert fit["retryStrategy"] == {
        "limit": 2,
        "retryPolicy": "Always",
        "backoff": {"duration": "10s", "factor": 3, "cap": "5m"},
    }
    assert fit["activeDeadlineSeconds"] == 91
    prepare = rs.template(template, "prepare")
    # The quota's defaultStepResources for a step that sets none.
    assert prepare["container"]["resources"]["requests"] == {"cpu": "500m", "memory": "1Gi"}
    assert "retryStrategy" not in prepare and "activeDeadlineSeconds" not in prepare
    assert prepare["metadata"] == {"annotations": {"bosun.dev/cache": "false"}}
    assert "metadata" not in fit


def test_an_inline_step_reads_ancestors_outputs_through_its_inputs(objects: list[dict]) -> None:
    template = rs.find(objects, "WorkflowTemplate", "p")
    report = rs.template(template, "report")
    assert report["container"]["args"] == [
        "/tmp/bosun/inputs/fit-model",
        "{{inputs.parameters.prepare-rows}}",
    ]
    assert {"name": "prepare-rows"} in report["inputs"]["parameters"]
    assert {"name": "fit-model", "path": "/tmp/bosun/inputs/fit-model"} in report["inputs"][
        "artifacts"
    ]
    task = next(t for t in rs.template(template, "main")["dag"]["tasks"] if t["name"] == "report")
    assert {"name": "prepare-rows", "value": "{{tasks.prepare.outputs.parameters.rows}}"} in task[
        "arguments"
    ]["parameters"]
    assert task["arguments"]["artifacts"] == [
        {"name": "fit-model", "from": "{{tasks.fit.outputs.artifacts.model}}"}
    ]


def test_the_source_checkout_needs_a_repository_url() -> None:
    manifests = rs.catalog_of(repository())
    source = render.Source(commit=rs.SOURCE.commit)
    objects = render.render(manifests, "dev", source, render.StaticResolver(), rs.OPTIONS)
    fit = rs.template(rs.find(objects, "WorkflowTemplate", "p"), "fit")
    assert [a["name"] for a in fit["inputs"]["artifacts"]] == ["data"]


def test_a_sweep_fans_out_bounded_by_the_quota(objects: list[dict]) -> None:
    workflow = rs.find(objects, "Workflow")
    assert workflow["metadata"]["name"].startswith("e-")
    assert workflow["metadata"]["labels"]["bosun.dev/experiment"] == "e"
    spec = workflow["spec"]
    assert (spec["entrypoint"], spec["onExit"], spec["parallelism"]) == ("experiment", "finish", 3)
    assert spec["synchronization"] == {
        "semaphores": [{"configMapKeyRef": {"name": "bosun-semaphores", "key": "workflows"}}]
    }
    assert spec["podGC"]["strategy"] == "OnPodSuccess"
    assert set(spec["ttlStrategy"]) == {"secondsAfterSuccess", "secondsAfterFailure"}
    dag = rs.template(workflow, "experiment")
    assert dag["parallelism"] == 2
    start, trials, select, register = dag["dag"]["tasks"]
    assert (start["name"], select["depends"], register["depends"]) == ("start", "trials", "select")
    assert trials["withItems"] == [
        {"bosun-trial": "0", "depth": "3"},
        {"bosun-trial": "1", "depth": "6"},
    ]
    assert trials["arguments"]["parameters"] == [
        {"name": "bosun-parent-run-id", "value": "{{tasks.start.outputs.parameters.run_id}}"},
        {"name": "bosun-trial", "value": "{{item.bosun-trial}}"},
        {"name": "depth", "value": "{{item.depth}}"},
        {"name": "rate", "value": "0.1"},
    ]
    assert register["arguments"]["parameters"] == [
        {"name": "bosun-run-id", "value": "{{tasks.select.outputs.parameters.run_id}}"}
    ]
    select_best = rs.template(workflow, "select-best")["container"]
    assert select_best["command"] == ["python", "-m", "bosun.tracking.steps", "select-best"]
    assert select_best["args"][2:] == ["--metric", "accuracy", "--goal", "minimize"]


def test_sweep_parallelism_never_exceeds_the_quota() -> None:
    # validate refuses this (BOS502); render still holds the bound.
    manifests = rs.schema_only(repository(SWEEP.replace("parallelism: 2", "parallelism: 5")))
    objects = render.render(manifests, "dev", rs.SOURCE, render.StaticResolver(), rs.OPTIONS)
    assert rs.template(rs.find(objects, "Workflow"), "experiment")["parallelism"] == 3


def test_each_trial_logs_its_objective_model_and_dataset(objects: list[dict]) -> None:
    workflow = rs.find(objects, "Workflow")
    _start, pipeline, end = rs.template(workflow, "trial")["dag"]["tasks"]
    assert pipeline["templateRef"] == {"name": "p", "template": "main"}
    assert end["arguments"]["parameters"][1] == {
        "name": "bosun-metric",
        "value": "{{tasks.pipeline.outputs.parameters.fit-accuracy}}",
    }
    assert end["arguments"]["artifacts"] == [
        {"name": "bosun-model", "from": "{{tasks.pipeline.outputs.artifacts.fit-model}}"},
        {"name": "bosun-dataset", "from": "{{tasks.pipeline.outputs.artifacts.prepare-dataset}}"},
    ]
    args = rs.template(workflow, "end-trial")["container"]["args"]
    assert args == [
        "--run-id",
        "{{inputs.parameters.bosun-run-id}}",
        "--metric",
        "accuracy={{inputs.parameters.bosun-metric}}",
        "--model-path",
        "/tmp/bosun/inputs/bosun-model",
        "--model-artifact",
        "model",
        "--dataset-path",
        "/tmp/bosun/inputs/bosun-dataset",
        "--dataset-name",
        "dataset",
    ]
    start_args = rs.template(workflow, "start-trial")["container"]["args"]
    assert start_args[-4:] == [
        "--param",
        "depth={{inputs.parameters.depth}}",
        "--param",
        "rate={{inputs.parameters.rate}}",
    ]


def test_without_a_sweep_one_trial_runs_and_its_run_is_registered() -> None:
    spec = """
          parameters: {rate: "0.1"}
          register: {model: m, artifact: model, step: fit}
    """
    workflow = rs.find(rendered(repository(spec)), "Workflow")
    dag = rs.template(workflow, "experiment")
    _start, trials, register = dag["dag"]["tasks"]
    assert "withItems" not in trials and "parallelism" not in dag
    assert {"name": "bosun-trial", "value": "0"} in trials["arguments"]["parameters"]
    assert {"name": "depth", "value": "5"} in trials["arguments"]["parameters"]
    assert register["depends"] == "trials"
    assert register["arguments"]["parameters"] == [
        {"name": "bosun-run-id", "value": "{{tasks.trials.outputs.parameters.run_id}}"}
    ]
    names = [t["name"] for t in workflow["spec"]["templates"]]
    assert "select-best" not in names


def test_a_schedule_renders_a_cron_workflow_instead() -> None:
    spec = """
          parameters: {rate: "0.1"}
          schedule: "0 3 * * 1-5"
    """
    objects = rendered(repository(spec))
    assert [o for o in objects if o["kind"] == "Workflow"] == []
    cron = rs.find(objects, "CronWorkflow", "e")
    assert cron["spec"]["schedules"] == ["0 3 * * 1-5"]
    assert cron["spec"]["timezone"] == "UTC"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert "app.kubernetes.io/managed-by" not in cron["spec"]["workflowMetadata"]["labels"]
    assert cron["spec"]["workflowSpec"]["entrypoint"] == "experiment"


def test_the_workflow_name_follows_spec_commit_and_environment() -> None:
    def name(files: dict[str, str], environment: str = "dev", commit: str = "a" * 40) -> str:
        manifests = rs.catalog_of(files)
        source = render.Source(commit=commit)
        objects = render.render(manifests, environment, source, render.StaticResolver(), rs.OPTIONS)
        return rs.find(objects, "Workflow")["metadata"]["name"]

    base = name(repository())
    assert base == name(repository())
    assert base != name(repository(), commit="b" * 40)
    assert base != name(repository(), "production")
    assert base != name(repository(SWEEP.replace('"0.1"', '"0.2"')))
    changed_template = repository() | {"templates/fit.yaml": TEMPLATE.replace("fast", "slow")}
    assert base != name(changed_template)


def test_the_workflow_name_follows_every_render_option_that_changes_the_run() -> None:
    """Before, only the manifests and the commit were hashed: two Workflows that differ in the
    tracking URI, system image, repository URL or branch could share a name."""
    manifests = rs.catalog_of(repository())
    base_source = dataclasses.replace(rs.SOURCE, branch="main")

    def rendered(**change: str | None) -> tuple[dict, dict]:
        """The Workflow, and the WorkflowTemplate it runs."""
        source = dataclasses.replace(
            base_source, **{k: v for k, v in change.items() if k in ("branch", "repo_url")}
        )
        options = dataclasses.replace(
            rs.OPTIONS, **{k: v for k, v in change.items() if k not in ("branch", "repo_url")}
        )
        objects = render.render(manifests, "dev", source, render.StaticResolver(), options)
        return rs.find(objects, "Workflow"), rs.find(objects, "WorkflowTemplate")

    variants = [
        {},
        {"tracking_uri": "http://mlflow.other:5000"},
        {"system_image": "ghcr.io/acme/bosun:9.9.9"},
        {"repo_url": "https://github.com/acme/fork.git"},
        {"repo_url": None},
        {"branch": "release"},
        {"source_root": "elsewhere"},  # changes no object: the same name
    ]
    by_spec: dict[str, set[str]] = {}
    by_name: dict[str, set[str]] = {}
    for change in variants:
        workflow, template = rendered(**change)
        spec = json.dumps([workflow["spec"], template["spec"]], sort_keys=True)
        name = workflow["metadata"]["name"]
        assert workflow["metadata"]["annotations"]["bosun.dev/spec-hash"] == name[-10:]
        by_spec.setdefault(spec, set()).add(name)
        by_name.setdefault(name, set()).add(spec)
    assert all(len(found) == 1 for found in by_spec.values()), "equal runs share a name"
    assert all(len(found) == 1 for found in by_name.values()), "different runs never do"
    assert len(by_name) == len(variants) - 1
    assert rendered()[0]["metadata"]["name"] == rendered()[0]["metadata"]["name"]


def test_the_workflow_name_follows_the_pipeline_it_runs() -> None:
    """The Workflow reaches its pipeline through a templateRef: a change that only the
    WorkflowTemplate shows still renames the Workflow."""

    def name(files: dict[str, str]) -> str:
        manifests = rs.catalog_of(files)
        objects = render.render(manifests, "dev", rs.SOURCE, render.StaticResolver(), rs.OPTIONS)
        return rs.find(objects, "Workflow")["metadata"]["name"]

    base = repository()
    assert name(base) != name(base | {"templates/fit.yaml": TEMPLATE.replace("1.0", "1.1")})
    quota = base | {"teams/t/quota.yaml": QUOTA.replace("cpu: 500m", "cpu: 250m")}
    assert name(base) != name(quota)


def test_render_experiment_overrides_and_stops_sweeping_a_parameter() -> None:
    manifests = rs.catalog_of(repository())
    run = render.render_experiment(
        manifests, "dev", "e", source=rs.SOURCE, options=rs.OPTIONS, parameters={"depth": "9"}
    )
    # the semaphore ConfigMap of the quota (maxConcurrentWorkflows), then what runs
    assert [o["kind"] for o in run.objects()] == ["ConfigMap", "WorkflowTemplate", "Workflow"]
    trials = rs.template(run.workflow, "experiment")["dag"]["tasks"][1]
    assert "withItems" not in trials
    assert {"name": "depth", "value": "9"} in trials["arguments"]["parameters"]
    plain = render.render_experiment(manifests, "dev", "e", source=rs.SOURCE, options=rs.OPTIONS)
    assert run.name != plain.name
    assert plain.name == rs.find(rendered(repository()), "Workflow")["metadata"]["name"]


@pytest.mark.parametrize(
    ("call", "code"),
    [
        ({"name": "nope"}, "BOS320"),
        ({"name": "e", "parameters": {"nope": "1"}}, "BOS304"),
        ({"name": "e", "environment": "staging"}, "BOS314"),
    ],
)
def test_render_experiment_refuses_what_it_cannot_run(call: dict, code: str) -> None:
    manifests = rs.catalog_of(repository())
    with pytest.raises(render.RenderError) as raised:
        render.render_experiment(
            manifests,
            call.get("environment", "dev"),
            call["name"],
            source=rs.SOURCE,
            options=rs.OPTIONS,
            parameters=call.get("parameters"),
        )
    assert raised.value.diagnostics[0].code == code


SERVING = """
    apiVersion: bosun.dev/v1alpha1
    kind: ServingTarget
    metadata: {name: api, team: t}
    spec:
      model: m
      external: true
      version: latest
      replicas: {min: 1, max: 3}
      resources: {cpu: "1", memory: 2Gi}
      canary: {version: "5", trafficPercent: 10}
      overrides:
        production:
          version: "4"
          replicas: {min: 2, max: 6}
          canary: {version: "6", trafficPercent: 25}
"""


class Registry:
    def __init__(self, known: set[str]) -> None:
        self.known = known

    def resolve(self, model: str, version: str) -> render.ResolvedModel | None:
        number = "7" if version == "latest" else version
        if number not in self.known:
            return None
        return render.ResolvedModel(number, f"s3://models/{model}/{number}")


def test_a_serving_target_becomes_an_inference_service_with_a_canary() -> None:
    dev = rs.find(
        rendered({"teams/t/s.yaml": SERVING}, "dev", Registry({"5", "7"})), "InferenceService"
    )
    assert dev["metadata"]["namespace"] == "t"
    predictor = dev["spec"]["predictor"]
    assert predictor == {
        "minReplicas": 1,
        "maxReplicas": 3,
        "canaryTrafficPercent": 10,
        "model": {
            "modelFormat": {"name": "mlflow"},
            "protocolVersion": "v2",
            "storageUri": "s3://models/m/5",
            "resources": {
                "requests": {"cpu": "1", "memory": "2Gi"},
                "limits": {"cpu": "1", "memory": "2Gi"},
            },
        },
    }
    assert dev["metadata"]["annotations"]["bosun.dev/model-version"] == "7"
    assert dev["metadata"]["annotations"]["bosun.dev/canary-version"] == "5"
    production = rs.find(
        rendered({"teams/t/s.yaml": SERVING}, "production", Registry({"4", "6"})),
        "InferenceService",
    )
    predictor = production["spec"]["predictor"]
    assert (predictor["minReplicas"], predictor["maxReplicas"]) == (2, 6)
    assert (predictor["canaryTrafficPercent"], predictor["model"]["storageUri"]) == (
        25,
        "s3://models/m/6",
    )
    assert production["metadata"]["namespace"] == "ml-t"


def test_a_version_that_does_not_exist_yet_leaves_the_service_out_with_a_warning() -> None:
    manifests = rs.catalog_of({"teams/t/s.yaml": SERVING})
    result = render.render_result(manifests, "dev", rs.SOURCE, Registry(set()), rs.OPTIONS)
    assert [o for o in result.objects if o["kind"] == "InferenceService"] == []
    (warning,) = result.warnings
    assert (warning.code, warning.severity, warning.file) == ("BOS319", "warning", "teams/t/s.yaml")
    canary_missing = render.render_result(manifests, "dev", rs.SOURCE, Registry({"7"}), rs.OPTIONS)
    service = rs.find(canary_missing.objects, "InferenceService")
    assert "canaryTrafficPercent" not in service["spec"]["predictor"]
    assert service["spec"]["predictor"]["model"]["storageUri"] == "s3://models/m/7"
    assert [w.code for w in canary_missing.warnings] == ["BOS319"]


def test_step_templates_become_cluster_workflow_templates(production: list[dict]) -> None:
    cwt = rs.find(production, "ClusterWorkflowTemplate")
    assert cwt["metadata"]["name"] == "ml-fit"
    assert "namespace" not in cwt["metadata"]
    assert cwt["spec"]["entrypoint"] == "main"
    assert cwt["spec"]["serviceAccountName"] == "bosun-runner"
    (main,) = cwt["spec"]["templates"]
    assert main["container"]["args"][3] == "{{inputs.parameters.depth}}"
    arguments = {p["name"]: p.get("value") for p in cwt["spec"]["arguments"]["parameters"]}
    assert arguments["depth"] == "5" and arguments["seed"] is None
    assert arguments["bosun-tracking-uri"] == "https://mlflow.example.com"


@pytest.mark.parametrize(
    ("step_name", "fragment"),
    [
        ("main", "'main' is reserved"),
        ("bosun", "'bosun' is reserved"),
        ("1st", "'1st' starts with a digit"),
    ],
)
def test_step_names_argo_cannot_take_are_refused(step_name: str, fragment: str) -> None:
    pipeline = PIPELINE.replace("- name: report", f"- name: {step_name}")
    with pytest.raises(render.RenderError) as raised:  # validate refuses it too (BOS318)
        rendered({"templates/fit.yaml": TEMPLATE, "teams/t/p.yaml": pipeline}, validated=False)
    (found,) = raised.value.diagnostics
    assert (found.code, found.loc) == ("BOS318", ("spec", "steps", 2, "name"))
    assert fragment in found.message


def test_env_names_bosun_sets_are_refused() -> None:
    pipeline = PIPELINE.replace("{name: TOKEN, secretRef", "{name: MLFLOW_RUN_ID, secretRef")
    with pytest.raises(render.RenderError) as raised:  # validate refuses it too (BOS318)
        rendered({"templates/fit.yaml": TEMPLATE, "teams/t/p.yaml": pipeline}, validated=False)
    assert raised.value.diagnostics[0].loc == ("spec", "steps", 1, "env", 0, "name")
