"""Benchmark of rendering: 1,000 experiments with sweeps (and their pipelines, templates, quotas)
rendered for one environment, against only serialising the same output objects with
``yaml.dump_all(..., Dumper=yaml.CSafeDumper)``, measured in the same run.

    python bench/render.py [--experiments 1000] [--runs 3]

The floor (dumping the objects to YAML) is work any renderer that prints YAML must do; the ratio
says what building the objects costs on top of it. Goal: render / dump <= 1.0 (building the
objects costs no more than printing them). Each figure is the best of ``--runs``, interleaved.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import time

import yaml
from bosun import render
from bosun.load import sources
from bosun.render import emit
from bosun.spec import catalog
from bosun.validate import engine

GOAL = 1.0
TEAMS = 10
PIPELINES_PER_TEAM = 2

TEMPLATE = """
apiVersion: bosun.dev/v1alpha1
kind: StepTemplate
metadata: {name: train}
spec:
  image: ghcr.io/acme/ml-steps:2.1.0
  command: [python, templates/steps/train.py]
  args: [--data, "${{ inputs.data }}", --n, "${{ inputs.n }}", --depth, "${{ inputs.depth }}",
         --model-out, "${{ outputs.model }}"]
  inputs:
    parameters: [{name: n, default: "100"}, {name: depth, default: "5"}]
    artifacts: [{name: data}]
  outputs:
    artifacts: [{name: model}]
    parameters: [{name: accuracy, fromFile: metrics/accuracy}]
  resources: {cpu: "1", memory: 2Gi}
"""
ENVIRONMENT = """
apiVersion: bosun.dev/v1alpha1
kind: Environment
metadata: {name: dev}
spec:
  branch: main
  registryAlias: staging
  target: {type: kubernetes, namespacePrefix: ml-}
  tracking: {uri: "http://mlflow:5000"}
"""


def team_files(team: str, experiments: int) -> dict[str, str]:
    files = {
        f"teams/{team}/team.yaml": f"""
apiVersion: bosun.dev/v1alpha1
kind: Team
metadata: {{name: {team}}}
spec: {{owners: ["@acme/{team}"]}}
---
apiVersion: bosun.dev/v1alpha1
kind: Quota
metadata: {{name: default, team: {team}}}
spec:
  hard: {{cpu: "64", memory: 256Gi}}
  maxConcurrentWorkflows: 3
  maxParallelSteps: 8
  defaultStepResources: {{cpu: 500m, memory: 1Gi}}
"""
    }
    for p in range(PIPELINES_PER_TEAM):
        files[f"teams/{team}/pipeline-{p}.yaml"] = f"""
apiVersion: bosun.dev/v1alpha1
kind: Pipeline
metadata: {{name: pipe-{p}, team: {team}}}
spec:
  parameters: [{{name: n, default: "100"}}, {{name: depth, default: "5"}}, {{name: size}}]
  steps:
    - name: prepare
      image: ghcr.io/acme/tools:1.0
      command: [python, teams/{team}/steps/prepare.py]
      args: [--size, "${{{{ params.size }}}}", --out, "${{{{ outputs.dataset }}}}"]
      outputs: {{artifacts: [{{name: dataset}}]}}
    - name: train
      template: train
      with: {{n: "${{{{ params.n }}}}", depth: "${{{{ params.depth }}}}",
             data: "${{{{ steps.prepare.outputs.dataset }}}}"}}
      dependsOn: [prepare]
      retries: {{limit: 2, backoff: 5s}}
      timeout: 10m
"""
    docs = []
    for e in range(experiments):
        docs.append(f"""
apiVersion: bosun.dev/v1alpha1
kind: Experiment
metadata: {{name: exp-{e}, team: {team}}}
spec:
  pipeline: pipe-{e % PIPELINES_PER_TEAM}
  parameters: {{size: "0.{e % 9 + 1}"}}
  sweep:
    strategy: {"grid" if e % 2 else "random"}
    maxTrials: 6
    parallelism: 2
    seed: {e}
    parameters: {{n: ["50", "100", "200"], depth: ["3", "6", "9"]}}
  objective: {{metric: accuracy}}
  register: {{model: model-{e}, artifact: model, step: train}}
  dataset: {{step: prepare, artifact: dataset}}
""")
    files[f"teams/{team}/experiments.yaml"] = "---".join(docs)
    return files


def corpus(experiments: int) -> catalog.Catalog:
    files = {"templates/train.yaml": TEMPLATE, "environments/dev.yaml": ENVIRONMENT}
    per_team = experiments // TEAMS
    for t in range(TEAMS):
        count = per_team + (1 if t < experiments % TEAMS else 0)
        files.update(team_files(f"team-{t}", count))
    loaded = sources.load_bytes({k: textwrap.dedent(v).encode() for k, v in files.items()})
    result = engine.validate_loaded(loaded, engine.Options(environment="dev"))
    if not result.valid:
        sys.exit(f"the generated corpus is invalid: {result.diagnostics[:3]}")
    return result.catalog


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    manifests = corpus(args.experiments)
    source = render.Source("4b825dc642cb6eb9a060e54bf8d69288fbee4904", "main")
    options = render.RenderOptions()
    resolver = render.StaticResolver()
    render_times, dump_times, emit_times = [], [], []
    objects: list[dict[str, object]] = []
    for _ in range(args.runs):
        started = time.perf_counter()
        objects = render.render(manifests, "dev", source, resolver, options)
        render_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        yaml.dump_all(objects, Dumper=yaml.CSafeDumper)
        dump_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        emit.stream(objects)
        emit_times.append(time.perf_counter() - started)
    rendered, dumped, emitted = min(render_times), min(dump_times), min(emit_times)
    workflows = sum(1 for o in objects if o["kind"] == "Workflow")
    ratio = rendered / dumped
    print(f"objects: {len(objects):,} ({workflows:,} Workflows, sweeps of 6 trials)")
    per_experiment = rendered / workflows * 1e3
    print(f"render:                         {rendered:7.3f} s ({per_experiment:.2f} ms each)")
    print(f"yaml.dump_all (CSafeDumper):    {dumped:7.3f} s   <- floor")
    print(f"bosun's YAML emitter (for info): {emitted:6.3f} s")
    print(f"ratio render / dump: {ratio:.2f} (goal <= {GOAL})")


if __name__ == "__main__":
    main()
