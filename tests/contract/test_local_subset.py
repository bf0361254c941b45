"""The renderer emits only what the local runtime executes: every experiment of the demo, of every
valid case and of random valid repositories renders (``render_experiment``, as ``bosun run``
calls it) into objects that the runtime's subset check accepts without a single refusal."""

from __future__ import annotations

import pathlib
import textwrap

import manifest_strategies
import pytest
import sample_environments
from bosun import render
from bosun.load import sources
from bosun.spec import catalog, v1alpha1
from bosun.targets.local import bundle, subset
from bosun.validate import engine
from hypothesis import HealthCheck, assume, given, settings

ROOT = pathlib.Path(__file__).resolve().parents[2]
VALID_CASES = sorted(p for p in (ROOT / "tests" / "cases" / "valid").glob("*") if p.name[0] != ".")
SOURCE = render.Source(commit="4b825dc642cb6eb9a060e54bf8d69288fbee4904", branch="main")
OPTIONS = render.RenderOptions(tracking_uri="sqlite:////tmp/state/mlflow.db")
ENVIRONMENTS = sample_environments.ENVIRONMENTS


def load(root: pathlib.Path) -> sources.Loaded:
    files, problems = sources.discover([str(root)])
    assert not problems
    contents = {f.resolve().relative_to(root.resolve()).as_posix(): f.read_bytes() for f in files}
    if not any(name.startswith("environments/") for name in contents):
        contents |= {k: textwrap.dedent(v).encode() for k, v in ENVIRONMENTS.items()}
    return sources.load_bytes(contents)


def assert_runs_locally(manifests: catalog.Catalog) -> int:
    checked = 0
    for environment in sorted(manifests.environments()):
        for experiment in manifests.experiments():
            run = render.render_experiment(
                manifests,
                environment,
                experiment.metadata.name,
                source=SOURCE,
                options=OPTIONS,
                team=experiment.metadata.team,
            )
            assert subset.check(bundle.from_objects(run.objects())) == []
            checked += 1
    return checked


@pytest.mark.parametrize("environment", ["dev", "production"])
def test_the_demo_runs_locally(environment: str) -> None:
    result = engine.validate_loaded(load(ROOT), engine.Options(environment=environment))
    assert result.valid
    assert assert_runs_locally(result.catalog) >= 2


@pytest.mark.parametrize("case", VALID_CASES, ids=[p.name for p in VALID_CASES])
def test_every_valid_case_runs_locally(case: pathlib.Path) -> None:
    loaded = load(case) if case.is_dir() else sources.load_paths([str(case)])
    result = engine.validate_loaded(loaded, engine.Options())
    assert result.valid
    if result.catalog.of_kind(v1alpha1.Experiment) and result.catalog.environments():
        assert_runs_locally(result.catalog)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(manifest_strategies.repositories())
def test_random_valid_repositories_run_locally(files: dict[str, str]) -> None:
    texts = {k: textwrap.dedent(v) for k, v in ENVIRONMENTS.items()} | files
    loaded = sources.load_bytes({k: v.encode() for k, v in texts.items()})
    result = engine.validate_loaded(loaded, engine.Options())
    assume(result.valid)
    assert_runs_locally(result.catalog)
