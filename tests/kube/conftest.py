"""A started FakeApiServer per test and official clients pointed at it over real HTTP."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator

import kubernetes
import pytest
from contract import upstream_schemas
from kubernetes.dynamic import DynamicClient

from kube.fake_apiserver import FakeApiServer


@pytest.fixture
def apiserver() -> Iterator[FakeApiServer]:
    if not upstream_schemas.available():
        pytest.skip(upstream_schemas.SKIP_REASON)
    server = FakeApiServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def kube_client(apiserver: FakeApiServer) -> Iterator[kubernetes.client.ApiClient]:
    configuration = kubernetes.client.Configuration()
    configuration.host = apiserver.url
    with kubernetes.client.ApiClient(configuration) as client:
        yield client


@pytest.fixture
def dynamic_client(
    kube_client: kubernetes.client.ApiClient, tmp_path: pathlib.Path
) -> DynamicClient:
    """Discovery cached in tmp_path: the default cache is keyed by host and outlives the test."""
    return DynamicClient(kube_client, cache_file=str(tmp_path / "discovery.json"))
