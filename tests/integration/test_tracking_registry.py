"""The MLflow registry adapter against a real sqlite store, and copy_version against a real
``mlflow server`` process on 127.0.0.1."""

from __future__ import annotations

import pathlib

import pytest
import registry_support
from bosun.tracking import registry
from registry_support import MODEL


@pytest.fixture(scope="module")
def uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    return registry_support.make_registry(tmp_path_factory.mktemp("registry"))


def test_version_carries_source_run_metrics_and_files(uri: str) -> None:
    reg = registry.MlflowRegistry(uri)
    first = reg.version(MODEL, "1")
    assert first is not None and first.metrics == {"accuracy": 0.80}
    assert first.run_id and pathlib.Path(first.storage_uri, "MLmodel").is_file()
    latest = reg.version(MODEL, "latest")
    assert latest is not None and latest.version == "2" and latest.metrics["accuracy"] == 0.92
    assert reg.version(MODEL, "7") is None
    assert reg.version("no-such-model", "latest") is None
    assert reg.version("no-such-model", "1") is None
    assert reg.writes == 0


def test_alias_and_tags_count_writes(uri: str) -> None:
    reg = registry.MlflowRegistry(uri)
    assert reg.alias(MODEL, "production") is None
    reg.set_alias(MODEL, "production", "1")
    assert reg.alias(MODEL, "production") == "1"
    reg.set_alias(MODEL, "production", "2")
    reg.tag_version(MODEL, "2", {"bosun.dev/commit": "abc123", "bosun.dev/environment": "prod"})
    assert reg.alias(MODEL, "production") == "2"
    found = reg.version(MODEL, "2")
    assert found is not None and found.tags["bosun.dev/commit"] == "abc123"
    assert reg.writes == 4
    assert reg.alias("no-such-model", "production") is None


@pytest.mark.slow
def test_copy_version_to_a_real_mlflow_server(uri: str, tmp_path: pathlib.Path) -> None:
    with registry_support.mlflow_server(tmp_path) as remote:
        source = registry.MlflowRegistry(uri)
        copied = source.copy_version(MODEL, "2", to_uri=remote)
        target = registry.MlflowRegistry(remote)
        found = target.version(MODEL, copied)
        assert found is not None and found.metrics == {"accuracy": 0.92}
        assert found.tags["bosun.dev/source-version"] == "2"
        assert list((tmp_path / "remote-art").rglob("MLmodel"))
        with pytest.raises(LookupError):
            source.copy_version(MODEL, "9", to_uri=remote)
