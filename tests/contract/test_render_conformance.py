"""Every rendered object is accepted by the real APIs: strictly against the upstream CRDs (Argo
Workflows v4, KServe) and Kubernetes core schemas in ../shared/schemas, and by the checks Argo's
controller runs before it starts a workflow. Over the demo, every valid test case, and random valid
repositories."""

from __future__ import annotations

import pathlib
import textwrap
from typing import Any

import argo_semantics
import manifest_strategies
import pytest
import sample_environments
import upstream_schemas
import yaml
from bosun import render
from bosun.load import sources
from bosun.render import emit
from bosun.spec import catalog, v1alpha1
from bosun.validate import engine
from hypothesis import HealthCheck, Phase, assume, event, find, given, settings

ROOT = pathlib.Path(__file__).resolve().parents[2]
VALID_CASES = sorted(p for p in (ROOT / "tests" / "cases" / "valid").glob("*") if p.name[0] != ".")
SOURCES = {
    "with-repo-url": render.Source(
        commit="4b825dc642cb6eb9a060e54bf8d69288fbee4904",
        branch="main",
        repo_url="https://github.com/acme/ml-platform.git",
    ),
    "working-tree": render.Source(commit="4b825dc642cb6eb9a060e54bf8d69288fbee4904"),
}
OPTIONS = render.RenderOptions(tracking_uri="http://mlflow.mlflow.svc.cluster.local:5000")

pytestmark = pytest.mark.skipif(
    not upstream_schemas.available(), reason=upstream_schemas.SKIP_REASON
)


class Resolver:
    """Every model has versions 1-9; "latest" is 9; URIs like a registry's artifact store."""

    def resolve(self, model: str, version: str) -> render.ResolvedModel | None:
        number = "9" if version == "latest" else version
        return render.ResolvedModel(number, f"s3://mlflow/artifacts/{model}/{number}/model")


def load(root: pathlib.Path, extra: dict[str, bytes] | None = None) -> sources.Loaded:
    files, problems = sources.discover([str(root)])
    assert not problems
    contents = {f.resolve().relative_to(root.resolve()).as_posix(): f.read_bytes() for f in files}
    return sources.load_bytes({**(extra or {}), **contents})


def problems(objects: list[dict[str, Any]]) -> list[str]:
    found = [
        f"{obj['kind']} {obj['metadata']['name']}: {error}"
        for obj in objects
        for error in upstream_schemas.errors(obj)
    ]
    return found + argo_semantics.errors(objects)


def yaml_anchors(objects: list[dict[str, Any]]) -> list[str]:
    """Anchors or aliases in the YAML bosun prints (``&id001``/``*id001``): never wanted."""
    text = emit.stream(objects)
    found = [
        f"YAML {type(event).__name__} {event.anchor}"
        for event in yaml.parse(text, Loader=yaml.CSafeLoader)
        if getattr(event, "anchor", None) is not None
    ]
    return found + [f"YAML text holds {m!r}" for m in ("&id", "*id") if m in text]


def assert_conforms(manifests: catalog.Catalog, environment: str, source: render.Source) -> None:
    """Every object of the environment, and each experiment's Workflow as `bosun run` gets it
    (scheduled ones included)."""
    objects = render.render(manifests, environment, source, Resolver(), OPTIONS)
    assert objects
    assert problems(objects) == []
    assert yaml_anchors(objects) == []
    for experiment, _ in manifests.of_kind(v1alpha1.Experiment):
        run = render.render_experiment(
            manifests,
            environment,
            experiment.metadata.name,
            team=experiment.metadata.team,
            source=source,
            options=OPTIONS,
        )
        assert problems(run.objects()) == []


@pytest.mark.parametrize("source", sorted(SOURCES))
@pytest.mark.parametrize("environment", ["dev", "production"])
def test_the_demo_conforms(environment: str, source: str) -> None:
    loaded = load(ROOT)
    result = engine.validate_loaded(loaded, engine.Options(environment=environment))
    assert result.valid
    assert_conforms(result.catalog, environment, SOURCES[source])


def _case_environments() -> dict[str, bytes]:
    """The demo's environments, for cases that bring none of their own."""
    return {
        f"environments/{p.name}": p.read_bytes()
        for p in sorted((ROOT / "environments").glob("*.yaml"))
    }


@pytest.mark.parametrize("case", VALID_CASES, ids=[p.name for p in VALID_CASES])
def test_every_valid_case_conforms(case: pathlib.Path) -> None:
    loaded = load(case) if case.is_dir() else sources.load_paths([str(case)])
    result = engine.validate_loaded(loaded, engine.Options())
    assert result.valid
    manifests = result.catalog
    if not manifests.environments():
        loaded = load(case, _case_environments()) if case.is_dir() else loaded
        if not case.is_dir():
            extra = sources.load_bytes(_case_environments())
            loaded.documents += extra.documents
        manifests = engine.validate_loaded(loaded, engine.Options()).catalog
    for environment in sorted(manifests.environments()):
        assert_conforms(manifests, environment, SOURCES["with-repo-url"])


ENVIRONMENTS = sample_environments.ENVIRONMENTS
RANDOM_EXAMPLES = 100
"""Random repositories rendered per run: about 0.2 s each on 2 cores (the test takes ~20 s)."""
COVERAGE_EXAMPLES = 50
"""Repositories generated (not rendered, ~50 ms each) to check that every feature comes up."""


def _specs(files: dict[str, str], kind: str) -> list[dict[str, Any]]:
    return [
        doc["spec"]
        for text in files.values()
        for doc in yaml.safe_load_all(text)
        if doc and doc["kind"] == kind
    ]


def _gpu(resources: dict[str, Any] | None) -> bool:
    return bool((resources or {}).get("gpu"))


def feature_flags(files: dict[str, str]) -> dict[str, bool]:
    """Whether a generated repository exercises each feature the property must cover."""
    experiments = _specs(files, "Experiment")
    steps = [step for spec in _specs(files, "Pipeline") for step in spec["steps"]]
    templates = _specs(files, "StepTemplate")
    services = _specs(files, "ServingTarget")
    quotas = _specs(files, "Quota")
    overrides = [o for spec in services for o in spec.get("overrides", {}).values()]
    found = {
        "sweep (grid)": any(e.get("sweep", {}).get("strategy") == "grid" for e in experiments),
        "sweep (random)": any(e.get("sweep", {}).get("strategy") == "random" for e in experiments),
        "schedule": any("schedule" in e for e in experiments),
        "schedule with sweep": any("schedule" in e and "sweep" in e for e in experiments),
        "register": any("register" in e for e in experiments),
        "dataset": any("dataset" in e for e in experiments),
        "step template": any("template" in step for step in steps),
        "gpu step": any(_gpu(x.get("resources")) for x in [*steps, *templates]),
        "gpu serving": any(_gpu(x.get("resources")) for x in [*services, *overrides]),
        "canary": any("canary" in x for x in services),
        "canary override": any("canary" in o for o in overrides),
        "override dev": any("dev" in x.get("overrides", {}) for x in services),
        "override production": any("production" in x.get("overrides", {}) for x in services),
        "override version": any("version" in o for o in overrides),
        "override replicas": any("replicas" in o for o in overrides),
        "override resources": any("resources" in o for o in overrides),
        "semaphore": any("maxConcurrentWorkflows" in q for q in quotas),
        "max parallel steps": any("maxParallelSteps" in q for q in quotas),
        "retries": any("retries" in x for x in [*steps, *templates]),
        "timeout": any("timeout" in x for x in [*steps, *templates]),
    }
    return found


def features(files: dict[str, str]) -> set[str]:
    return {name for name, present in feature_flags(files).items() if present}


ALL_FEATURES = frozenset(feature_flags({}))


@settings(
    max_examples=RANDOM_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(manifest_strategies.repositories())
def test_random_valid_repositories_conform(files: dict[str, str]) -> None:
    texts = {k: textwrap.dedent(v) for k, v in ENVIRONMENTS.items()} | files
    loaded = sources.load_bytes({k: v.encode() for k, v in texts.items()})
    result = engine.validate_loaded(loaded, engine.Options())
    assume(result.valid)
    for feature in sorted(features(files)):
        event(feature)
    for environment in ("dev", "production"):
        assert_conforms(result.catalog, environment, SOURCES["with-repo-url"])


def test_random_repositories_exercise_every_feature() -> None:
    """The property above is only as strong as what it generates: half a run's worth of
    examples holds nearly every feature, and the rarest ones (about 1 repository in 10) are then
    searched for, so that each is shown reachable whatever the seed (the property's own run shows
    how often each comes up, as hypothesis events: pytest --hypothesis-show-statistics)."""
    seen: set[str] = set()

    @settings(
        max_examples=COVERAGE_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(manifest_strategies.repositories())
    def collect(files: dict[str, str]) -> None:
        seen.update(features(files))

    collect()
    search = settings(
        max_examples=1000,
        phases=[Phase.generate],
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    for feature in sorted(ALL_FEATURES - seen):
        found = find(
            manifest_strategies.repositories(),
            lambda files, wanted=feature: wanted in features(files),
            settings=search,
        )
        seen.update(features(found))
    assert sorted(ALL_FEATURES - seen) == []
