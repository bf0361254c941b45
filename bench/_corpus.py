"""A realistic, valid bosun repository of N manifests, for benchmarks.

The mix follows a platform repository with many teams: per team a Team and a Quota (one file),
pipelines of 3-30 steps that use StepTemplates and inline steps, experiments (most in
multi-document batch files, many with sweeps and registrations), and serving targets of the
registered models; shared StepTemplates under ``templates/`` and the environments. Every
manifest is valid with and without ``--env production``, so a benchmark measures the full path,
cross-document checks included. Output is deterministic for a given (n, seed).
"""

from __future__ import annotations

import dataclasses
import hashlib
import pathlib
import random

ENVIRONMENTS = ("dev", "staging", "production")
REGISTRY = "ghcr.io/acme"
_WORDS = (
    "churn",
    "fraud",
    "wine",
    "vision",
    "speech",
    "ranking",
    "search",
    "ads",
    "pricing",
    "demand",
    "forecast",
    "credit",
    "risk",
    "recsys",
    "embed",
    "retrieval",
    "anomaly",
    "ocr",
    "nlp",
    "tabular",
    "sensor",
)
_TEAM_NAMES = (
    "quality",
    "payments",
    "growth",
    "search",
    "vision",
    "speech",
    "ads",
    "risk",
    "pricing",
    "logistics",
    "health",
    "maps",
    "mobile",
    "ranking",
    "trust",
    "safety",
    "infra",
    "research",
    "retail",
    "media",
)


def _digest(*parts: object) -> str:
    return "sha256:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _image(repository: str, rng: random.Random) -> str:
    tag = f"{rng.randint(1, 4)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
    return f"{REGISTRY}/{repository}:{tag}@{_digest(repository, tag)}"


@dataclasses.dataclass(frozen=True)
class Template:
    name: str
    archetype: str  # transform | train | evaluate


@dataclasses.dataclass
class Corpus:
    """What was generated: file count and documents per kind."""

    root: pathlib.Path
    files: int = 0
    documents: int = 0
    kinds: dict[str, int] = dataclasses.field(default_factory=dict)
    bytes: int = 0

    def write(self, relative: str, documents: list[str]) -> None:
        text = "---\n".join(documents)
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.files += 1
        self.bytes += len(text.encode())
        self.documents += len(documents)
        for document in documents:
            kind = document.split("\nkind: ", 1)[1].split("\n", 1)[0]
            self.kinds[kind] = self.kinds.get(kind, 0) + 1


# --- platform-wide kinds -------------------------------------------------------------------------


def _environment(name: str) -> str:
    production = name == "production"
    return f"""\
# yaml-language-server: $schema=../schema/v1alpha1/environment.json
apiVersion: bosun.dev/v1alpha1
kind: Environment
metadata: {{name: {name}}}
spec:
  description: The {name} environment, reconciled from its own branch.
  branch: {"main" if name == "dev" else name}
  target: {{type: kubernetes, context: {name}, namespacePrefix: ml-}}
  tracking: {{uri: "https://mlflow.{name}.acme.internal"}}
  registryAlias: {name}
  policy:
    requirePinnedImages: {str(production).lower()}
    allowedRegistries: [{REGISTRY}]
    requirePinnedModelVersions: {str(production).lower()}
    minGates: [{{metric: accuracy, op: ">=", value: {0.8 if production else 0.7}}}]
    selfHeal: true
    prune: {str(name != "dev").lower()}
"""


_ARCHETYPES = {
    "transform": (
        '  args: [--data, "${{ inputs.data }}", --columns, "${{ inputs.columns }}", '
        '--out, "${{ outputs.dataset }}"]\n'
        "  inputs:\n"
        '    parameters: [{name: columns, default: "all"}]\n'
        "    artifacts: [{name: data}]\n"
        "  outputs:\n"
        "    artifacts: [{name: dataset}]\n"
        "  resources: {cpu: 500m, memory: 1Gi}\n"
    ),
    "train": (
        "  args:\n"
        "    - --data\n"
        "    - ${{ inputs.data }}\n"
        "    - --n-estimators\n"
        "    - ${{ inputs.n_estimators }}\n"
        "    - --max-depth\n"
        "    - ${{ inputs.max_depth }}\n"
        "    - --learning-rate\n"
        "    - ${{ inputs.learning_rate }}\n"
        "    - --model-out\n"
        "    - ${{ outputs.model }}\n"
        "  env:\n"
        '    - {name: OMP_NUM_THREADS, value: "2"}\n'
        "    - {name: LOG_LEVEL, value: info}\n"
        "  inputs:\n"
        "    parameters:\n"
        '      - {name: n_estimators, default: "100", description: Trees in the forest.}\n'
        '      - {name: max_depth, default: "6"}\n'
        '      - {name: learning_rate, default: "0.1"}\n'
        "    artifacts: [{name: data, description: Training split as CSV.}]\n"
        "  outputs:\n"
        "    artifacts: [{name: model}]\n"
        "    parameters: [{name: accuracy, fromFile: metrics/accuracy}]\n"
        '  resources: {cpu: "2", memory: 4Gi}\n'
        "  retries: {limit: 2, backoff: 10s}\n"
        "  timeout: 1h\n"
    ),
    "evaluate": (
        '  args: [--data, "${{ inputs.data }}", --model, "${{ inputs.model }}", '
        '--metrics-out, "${{ outputs.metrics }}"]\n'
        "  inputs:\n"
        "    artifacts: [{name: data}, {name: model}]\n"
        "  outputs:\n"
        "    artifacts: [{name: metrics}]\n"
        "    parameters:\n"
        "      - {name: f1, fromFile: metrics/f1}\n"
        "      - {name: auc, fromFile: metrics/auc}\n"
        '  resources: {cpu: "1", memory: 2Gi}\n'
    ),
}


def _step_template(template: Template, rng: random.Random) -> str:
    return (
        "apiVersion: bosun.dev/v1alpha1\n"
        "kind: StepTemplate\n"
        f"metadata: {{name: {template.name}, labels: {{tier: {template.archetype}}}}}\n"
        "spec:\n"
        f"  description: Platform {template.archetype} step ({template.name}).\n"
        f"  image: {_image('ml-steps', rng)}\n"
        f"  command: [python, templates/steps/{template.archetype}.py]\n"
        + _ARCHETYPES[template.archetype]
    )


def _templates(count: int) -> list[Template]:
    archetypes = ("transform", "train", "evaluate")
    return [
        Template(f"{archetypes[i % 3]}-{_WORDS[i // 3 % len(_WORDS)]}-{i // 3}", archetypes[i % 3])
        for i in range(max(count, 3))
    ]


# --- team-scoped kinds ---------------------------------------------------------------------------


def _team(team: str) -> list[str]:
    return [
        f"""\
# yaml-language-server: $schema=../../schema/v1alpha1/team.json
apiVersion: bosun.dev/v1alpha1
kind: Team
metadata: {{name: {team}}}
spec:
  owners: ["@acme/{team}-ml", "{team}-oncall@acme.example"]
  description: The {team} team's models.
""",
        f"""\
apiVersion: bosun.dev/v1alpha1
kind: Quota
metadata: {{name: default, team: {team}}}
spec:
  environments: [{", ".join(ENVIRONMENTS)}]
  hard: {{cpu: "64", memory: 256Gi, gpu: 4}}
  maxConcurrentWorkflows: 6
  maxParallelSteps: 16
  defaultStepResources: {{cpu: 500m, memory: 1Gi}}
""",
    ]


@dataclasses.dataclass(frozen=True)
class PipelineInfo:
    name: str
    model_step: str  # a step whose outputs hold artifact "model"


def _pipeline(
    team: str, name: str, steps: int, templates: list[Template], rng: random.Random
) -> tuple[str, PipelineInfo]:
    by_kind = {a: [t for t in templates if t.archetype == a] for a in _ARCHETYPES}
    lines = [
        f"# Pipeline {name}: owned by {team}; see teams/{team}/README.md",
        "apiVersion: bosun.dev/v1alpha1",
        "kind: Pipeline",
        f"metadata:\n  name: {name}\n  team: {team}\n  labels: {{domain: {rng.choice(_WORDS)}}}",
        "spec:",
        f"  description: Train and evaluate {name} on the latest snapshot.",
        "  parameters:",
        '    - {name: n_estimators, default: "100"}',
        '    - {name: max_depth, default: "6"}',
        '    - {name: learning_rate, default: "0.1"}',
        '    - {name: test_size, default: "0.2", description: Held-out share.}',
        "  steps:",
        "    - name: prepare",
        f"      image: {_image(team, rng)}",
        f"      command: [python, teams/{team}/steps/prepare.py]",
        '      args: [--test-size, "${{ params.test_size }}", --out, "${{ outputs.dataset }}"]',
        "      env:",
        "        - {name: SOURCE_BUCKET, value: s3://acme-data/raw}",
        "        - name: WAREHOUSE_PASSWORD",
        f"          secretRef: {{name: {team}-warehouse, key: password}}",
        "      outputs: {artifacts: [{name: dataset}]}",
        '      resources: {cpu: "1", memory: 2Gi}',
    ]
    data_step, model_step, previous = "prepare", "", "prepare"
    remaining = steps - 1
    index = 0
    while remaining > 0:
        index += 1
        if remaining >= 2 or not model_step:
            kind = ["transform", "train", "evaluate"][index % 3] if model_step else "train"
        else:
            kind = "evaluate"
        if kind == "evaluate" and not model_step:
            kind = "train"
        template = rng.choice(by_kind[kind])
        step = f"{kind}-{index}"
        lines += [f"    - name: {step}", f"      template: {template.name}", "      with:"]
        depends = {data_step}
        lines.append(f"        data: ${{{{ steps.{data_step}.outputs.dataset }}}}")
        if kind == "train":
            lines += [
                "        n_estimators: ${{ params.n_estimators }}",
                "        max_depth: ${{ params.max_depth }}",
                "        learning_rate: ${{ params.learning_rate }}",
            ]
            lines += [
                f'      resources: {{cpu: "{rng.choice([2, 4, 8])}", memory: '
                f"{rng.choice([4, 8, 16])}Gi, gpu: {rng.choice([0, 0, 1])}}}",
                "      retries: {limit: 2, backoff: 30s}",
                "      timeout: 2h",
            ]
        elif kind == "evaluate":
            lines.append(f"        model: ${{{{ steps.{model_step}.outputs.model }}}}")
            depends.add(model_step)
            lines.append("      timeout: 20m")
        if previous not in depends and rng.random() < 0.5:
            depends.add(previous)
        lines.append(f"      dependsOn: [{', '.join(sorted(depends))}]")
        if kind == "transform":
            data_step = step
        elif kind == "train":
            model_step = step
        previous = step
        remaining -= 1
    return "\n".join(lines) + "\n", PipelineInfo(name, model_step)


def _experiment(team: str, name: str, pipeline: PipelineInfo, rng: random.Random) -> str:
    model = f"{team}-{name}"
    lines = [
        "apiVersion: bosun.dev/v1alpha1",
        "kind: Experiment",
        f"metadata: {{name: {name}, team: {team}}}",
        "spec:",
        f"  description: {rng.choice(_WORDS).title()} model, retrained on new data.",
        f"  pipeline: {pipeline.name}",
        f'  parameters: {{test_size: "0.{rng.randint(1, 3)}"}}',
    ]
    if rng.random() < 0.6:
        lines += [
            "  sweep:",
            f"    strategy: {rng.choice(['grid', 'random'])}",
            f"    maxTrials: {rng.choice([4, 8, 12, 24])}",
            f"    parallelism: {rng.choice([1, 2, 4, 8])}",
            "    parameters:",
            '      n_estimators: ["50", "100", "200", "400"]',
            '      max_depth: ["4", "6", "8"]',
            '      learning_rate: ["0.05", "0.1"]',
        ]
    lines += [
        "  objective: {metric: accuracy, goal: maximize}",
        f"  register: {{model: {model}, artifact: model, step: {pipeline.model_step}}}",
        "  dataset: {step: prepare, artifact: dataset}",
    ]
    if rng.random() < 0.3:
        lines.append(f'  schedule: "{rng.randint(0, 59)} {rng.randint(0, 23)} * * *"')
    return "\n".join(lines) + "\n"


def _serving(team: str, name: str, model: str, rng: random.Random) -> str:
    version = rng.randint(1, 40)
    canary = (
        f'  canary: {{version: "{version + 1}", trafficPercent: {rng.choice([5, 10, 25])}}}\n'
        if rng.random() < 0.3
        else ""
    )
    return (
        "apiVersion: bosun.dev/v1alpha1\n"
        "kind: ServingTarget\n"
        f"metadata: {{name: {name}, team: {team}}}\n"
        "spec:\n"
        f"  model: {model}\n"
        "  version: latest\n"
        "  replicas: {min: 1, max: 3}\n"
        f'  resources: {{cpu: "1", memory: {rng.choice([1, 2, 4])}Gi}}\n'
        f"{canary}"
        f'  gates: [{{metric: accuracy, op: ">=", value: 0.{rng.randint(85, 95)}}}]\n'
        "  overrides:\n"
        f'    staging: {{version: "{version}"}}\n'
        f'    production: {{version: "{version}", replicas: {{min: 2, max: 8}}}}\n'
    )


def _team_files(
    corpus: Corpus, team: str, budget: int, templates: list[Template], rng: random.Random
) -> None:
    """About ``budget`` documents for one team: pipelines, experiments, serving targets."""
    base = f"teams/{team}"
    corpus.write(f"{base}/team.yaml", _team(team))
    budget -= 2
    pipelines = max(1, budget * 2 // 10)
    experiments = max(1, budget * 5 // 10)
    serving = max(0, budget - pipelines - experiments)
    infos: list[PipelineInfo] = []
    for p in range(pipelines):
        steps = rng.choice([3, 4, 5, 6, 8]) if rng.random() < 0.9 else rng.choice([16, 24, 30])
        name = f"{rng.choice(_WORDS)}-pipeline-{p}"
        text, info = _pipeline(team, name, steps, templates, rng)
        corpus.write(f"{base}/pipelines/{name}.yaml", [text])
        infos.append(info)
    models: list[str] = []
    batch: list[str] = []
    for e in range(experiments):
        name = f"exp-{e}"
        pipeline = infos[e % len(infos)]
        batch.append(_experiment(team, name, pipeline, rng))
        models.append(f"{team}-{name}")
        if len(batch) >= rng.choice([1, 1, 4, 8]) or e == experiments - 1:
            corpus.write(f"{base}/experiments/batch-{e:04d}.yaml", batch)
            batch = []
    for s in range(serving):
        model = models[s % len(models)]
        document = _serving(team, f"api-{s}", model, rng)
        corpus.write(f"{base}/serving/{model}-api-{s}.yaml", [document])


def generate(root: pathlib.Path, n: int = 5000, *, seed: int = 7) -> Corpus:
    """Write about ``n`` manifests under ``root`` (an empty or new directory)."""
    rng = random.Random(seed)
    corpus = Corpus(root)
    for environment in ENVIRONMENTS:
        corpus.write(f"environments/{environment}.yaml", [_environment(environment)])
    templates = _templates(max(3, n // 100))
    per_file = 3
    for start in range(0, len(templates), per_file):
        group = templates[start : start + per_file]
        corpus.write(f"templates/{group[0].name}.yaml", [_step_template(t, rng) for t in group])
    teams = max(2, min(len(_TEAM_NAMES), round(n / 250)))
    remaining = n - corpus.documents
    for t in range(teams):
        budget = remaining // (teams - t)
        _team_files(corpus, _TEAM_NAMES[t], budget, templates, rng)
        remaining = n - corpus.documents
    return corpus


if __name__ == "__main__":
    import sys

    out = pathlib.Path(sys.argv[1])
    made = generate(out, int(sys.argv[2]) if len(sys.argv) > 2 else 5000)
    print(f"{made.documents} documents in {made.files} files ({made.bytes:,} bytes): {made.kinds}")
