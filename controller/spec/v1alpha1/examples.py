"""One example manifest per kind, as YAML text: the reference pages show them, and tests prove
that each is valid under both the models and the exported JSON Schema, and that together they
form a valid repository (``EXAMPLE_PATHS`` says where each file lives)."""

from __future__ import annotations

EXAMPLES: dict[str, str] = {
    "Team": """\
# yaml-language-server: $schema=../../schema/v1alpha1/team.json
apiVersion: bosun.dev/v1alpha1
kind: Team
metadata: {name: quality}
spec:
  owners: ["@acme/quality-ml"]        # becomes CODEOWNERS for teams/quality/
  description: Wine quality models
""",
    "Quota": """\
# yaml-language-server: $schema=../../schema/v1alpha1/quota.json
apiVersion: bosun.dev/v1alpha1
kind: Quota
metadata: {name: default, team: quality}
spec:
  environments: [production]         # optional, default: all
  hard: {cpu: "16", memory: 64Gi, gpu: 2}
  maxConcurrentWorkflows: 3          # further runs queue; they do not fail
  maxParallelSteps: 8
  defaultStepResources: {cpu: 500m, memory: 1Gi}
""",
    "StepTemplate": """\
# yaml-language-server: $schema=../schema/v1alpha1/steptemplate.json
apiVersion: bosun.dev/v1alpha1
kind: StepTemplate
metadata: {name: sklearn-train}
spec:
  image: ghcr.io/acme/ml-steps:2.1.0@sha256:131e530c710967d767a72b7b7e5c742c0b7381198cf8bf172085a134ecd00853
  command: [python, templates/steps/sklearn_train.py]
  args: ["--data", "${{ inputs.data }}", "--n-estimators", "${{ inputs.n_estimators }}",
         "--model-out", "${{ outputs.model }}"]
  inputs:
    parameters: [{name: n_estimators, default: "100"}]
    artifacts: [{name: data}]
  outputs:
    artifacts: [{name: model}]
    parameters: [{name: accuracy, fromFile: metrics/accuracy}]
  resources: {cpu: "1", memory: 2Gi}
""",  # noqa: E501 (a pinned image reference is long)
    "Pipeline": """\
# yaml-language-server: $schema=../../schema/v1alpha1/pipeline.json
apiVersion: bosun.dev/v1alpha1
kind: Pipeline
metadata: {name: train-classifier, team: quality}
spec:
  parameters: [{name: n_estimators, default: "100"}]
  steps:
    - name: prepare
      image: ghcr.io/acme/quality:1.4.2@sha256:41d2716470181ec66d93829380405dfde17cbd5162268f9c7a699cdb2cbfbb00
      command: [python, teams/quality/steps/prepare.py]
      args: ["--out", "${{ outputs.dataset }}"]
      outputs: {artifacts: [{name: dataset}]}
    - name: train
      template: sklearn-train                  # a StepTemplate, or inline image + command
      with:
        n_estimators: "${{ params.n_estimators }}"
        data: "${{ steps.prepare.outputs.dataset }}"
      dependsOn: [prepare]
      resources: {cpu: "2", memory: 4Gi, gpu: 0}
      retries: {limit: 2, backoff: 10s}
      timeout: 30m
""",  # noqa: E501 (a pinned image reference is long)
    "Experiment": """\
# yaml-language-server: $schema=../../schema/v1alpha1/experiment.json
apiVersion: bosun.dev/v1alpha1
kind: Experiment
metadata: {name: wine-rf, team: quality}
spec:
  pipeline: train-classifier
  sweep:                              # optional: fan-out of trials
    strategy: grid                    # grid | random
    maxTrials: 12
    parallelism: 4                    # never above the quota's maxParallelSteps
    parameters: {n_estimators: ["50", "100", "200"]}
  objective: {metric: accuracy, goal: maximize}
  register: {model: wine-classifier, artifact: model, step: train}   # the best trial's artifact
  schedule: "0 3 * * *"              # optional: a CronWorkflow; without it, runs once per change
""",
    "ServingTarget": """\
# yaml-language-server: $schema=../../schema/v1alpha1/servingtarget.json
apiVersion: bosun.dev/v1alpha1
kind: ServingTarget
metadata: {name: wine-api, team: quality}
spec:
  model: wine-classifier
  version: latest                    # a registry version, or "latest" where policy allows it
  replicas: {min: 1, max: 3}
  resources: {cpu: "1", memory: 2Gi}
  canary: {version: "5", trafficPercent: 10}        # optional
  gates: [{metric: accuracy, op: ">=", value: 0.9}] # checked on the version's source run
  overrides: {production: {version: "4", replicas: {min: 2, max: 6}}}   # per-environment values
""",
    "Environment": """\
# yaml-language-server: $schema=../schema/v1alpha1/environment.json
apiVersion: bosun.dev/v1alpha1
kind: Environment
metadata: {name: production}
spec:
  branch: production
  target: {type: local}              # or {type: kubernetes, context: prod, namespacePrefix: ml-}
  tracking: {uri: null}              # null: embedded sqlite under the state directory
  registryAlias: production
  policy:
    requirePinnedImages: true        # images must be pinned by @sha256 digest
    allowedRegistries: [ghcr.io/acme]
    requirePinnedModelVersions: true
    minGates: [{metric: accuracy, op: ">=", value: 0.8}]
    selfHeal: true
    prune: true
""",
}
"""Kind → a manifest of that kind, with the editor modeline for the path in ``EXAMPLE_PATHS``."""

EXAMPLE_PATHS: dict[str, str] = {
    "Team": "teams/quality/team.yaml",
    "Quota": "teams/quality/quota.yaml",
    "StepTemplate": "templates/sklearn-train.yaml",
    "Pipeline": "teams/quality/pipeline.yaml",
    "Experiment": "teams/quality/experiment.yaml",
    "ServingTarget": "teams/quality/serving.yaml",
    "Environment": "environments/production.yaml",
}
"""Where each example lives in a platform repository (its modeline is relative to it)."""
