"""The demo rendered for dev and production, byte for byte. Regenerate after an intended change
with ``UPDATE_GOLDEN=1 pytest tests/golden/test_render_golden.py`` and review the diff; CI never
regenerates."""

from __future__ import annotations

import os
import pathlib

import pytest
from bosun import render
from bosun.load import sources
from bosun.render import emit
from bosun.validate import engine

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN = pathlib.Path(__file__).parent / "render"
SOURCE = render.Source(
    commit="4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    branch=None,
    repo_url="https://github.com/acme/ml-platform.git",
)
OPTIONS = render.RenderOptions(tracking_uri="http://mlflow.mlflow.svc.cluster.local:5000")


class Registry:
    """wine-classifier has versions 1 to 3 in an S3 artifact store."""

    def resolve(self, model: str, version: str) -> render.ResolvedModel | None:
        number = "3" if version == "latest" else version
        return render.ResolvedModel(number, f"s3://mlflow/1/{model}-v{number}/artifacts/model")


def rendered(environment: str) -> str:
    files, problems = sources.discover([str(ROOT)])
    assert not problems
    contents = {f.relative_to(ROOT).as_posix(): f.read_bytes() for f in files}
    result = engine.validate_loaded(sources.load_bytes(contents), engine.Options(environment))
    assert result.valid, result.diagnostics
    objects = render.render(result.catalog, environment, SOURCE, Registry(), OPTIONS)
    return emit.stream(objects)


@pytest.mark.parametrize("environment", ["dev", "production"])
def test_the_demo_renders_as_recorded(environment: str) -> None:
    golden = GOLDEN / f"{environment}.yaml"
    text = rendered(environment)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"{golden} is missing: run with UPDATE_GOLDEN=1 and review it"
    assert text == golden.read_text(encoding="utf-8"), (
        f"rendering changed; if intended, regenerate with UPDATE_GOLDEN=1 and review {golden}"
    )
