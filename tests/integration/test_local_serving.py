"""Local serving with real MLflow scoring servers and the real router on 127.0.0.1: predictions,
a stable url, self-heal of a killed server, a version swap under a request loop with no failed
request, a canary split over 200 requests, per-version /metrics, and a clean stop."""

from __future__ import annotations

import collections
import json
import os
import pathlib
import signal
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from bosun.targets.local import router, serving

from tests.integration import registry_support as r

pytestmark = pytest.mark.slow

ROWS = json.dumps({"dataframe_split": {"columns": ["x"], "data": [[0.0], [3.0]]}}).encode()


def _service(version: str, canary: str | None = None, percent: int = 0) -> dict[str, Any]:
    annotations = {serving.rendered.MODEL_NAME: r.MODEL, serving.rendered.MODEL_VERSION: version}
    predictor: dict[str, Any] = {"model": {"storageUri": f"models:/{r.MODEL}/{version}"}}
    if canary is not None:
        annotations[serving.rendered.CANARY_VERSION] = canary
        predictor["canaryTrafficPercent"] = percent
    return {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": "iris-api", "namespace": "toy", "annotations": annotations},
        "spec": {"predictor": predictor},
    }


@pytest.fixture(scope="module")
def registry_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[pathlib.Path, str]:
    state = tmp_path_factory.mktemp("serving")
    return state, r.make_registry(state)


@pytest.fixture
def manager(registry_dir: tuple[pathlib.Path, str]) -> Iterator[serving.ServingManager]:
    state, uri = registry_dir
    made = serving.ServingManager(state_dir=state, env=f"e{time.monotonic_ns()}", tracking_uri=uri)
    yield made
    made.stop_all()


def predict(url: str) -> tuple[str, list[int]]:
    request = urllib.request.Request(
        f"{url}/invocations", data=ROWS, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        version = answer.headers[router.VERSION_HEADER]
        return version, json.loads(answer.read())["predictions"]


def test_a_version_is_served_at_a_stable_url_and_a_killed_server_is_restarted(
    manager: serving.ServingManager,
) -> None:
    service = _service("1")
    manager.apply(service)
    url = manager.url(service)
    assert url.startswith("http://127.0.0.1:")
    assert predict(url) == ("1", [0, 1])
    assert manager.problem(service) is None

    record = json.loads(manager._record_path("toy.iris-api").read_text())
    os.killpg(record["backends"][0]["pid"], signal.SIGKILL)
    deadline = time.monotonic() + 10
    while manager.problem(service) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert manager.problem(service) == "the scoring server of version 1 is not running"

    manager.apply(service)  # what a self-healing reconcile does with that drift
    assert manager.problem(service) is None
    assert manager.url(service) == url
    assert predict(url)[0] == "1"


def test_a_version_change_swaps_without_a_failed_request(manager: serving.ServingManager) -> None:
    manager.apply(_service("1"))
    url = manager.url(_service("1"))
    seen: collections.Counter[str] = collections.Counter()
    failures: list[str] = []
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                seen[predict(url)[0]] += 1
            except (OSError, urllib.error.HTTPError) as error:
                failures.append(str(error))
            time.sleep(0.01)

    worker = threading.Thread(target=loop)
    worker.start()
    try:
        time.sleep(0.5)
        manager.apply(_service("2"))
        time.sleep(0.5)
    finally:
        stop.set()
        worker.join()
    assert failures == []
    assert seen["1"] > 0 and seen["2"] > 0
    assert predict(url)[0] == "2"
    assert manager.url(_service("2")) == url
    old = json.loads(manager._record_path("toy.iris-api").read_text())
    assert [b["version"] for b in old["backends"]] == ["2"]


def test_a_canary_gets_its_share_of_200_requests_and_metrics_count_per_version(
    manager: serving.ServingManager,
) -> None:
    service = _service("1", canary="2", percent=10)
    manager.apply(service)
    url = manager.url(service)
    counts = collections.Counter(predict(url)[0] for _ in range(200))
    assert abs(counts["2"] - 20) <= 5 and counts["1"] + counts["2"] == 200
    with urllib.request.urlopen(f"{url}/metrics", timeout=10) as answer:
        metrics = answer.read().decode()
    assert f'bosun_serving_requests_total{{version="2"}} {float(counts["2"])}' in metrics
    assert 'bosun_serving_request_duration_seconds_count{version="1"}' in metrics
    assert manager.problem(_service("1")) == "version 1 gets 90% of requests, not 100%"


def test_a_version_that_cannot_be_served_leaves_the_last_one_serving(
    manager: serving.ServingManager,
) -> None:
    manager.apply(_service("1"))
    url = manager.url(_service("1"))
    with pytest.raises(serving.ServingError, match="version 9 did not start"):
        manager.apply(_service("9"))
    assert predict(url)[0] == "1"
    problem = manager.problem(_service("9")) or ""
    assert problem.startswith("the scoring server of iris-classifier version 9 did not start: ")
    assert problem.endswith("not found") and "|" not in problem


def test_stop_all_ends_every_process_and_remove_forgets_the_service(
    manager: serving.ServingManager,
) -> None:
    service = _service("1")
    manager.apply(service)
    record = json.loads(manager._record_path("toy.iris-api").read_text())
    pids = [record["routerPid"], record["backends"][0]["pid"]]
    assert manager.stop_all() == 2
    assert not any(serving._alive(pid) for pid in pids)
    assert manager.problem(service) is not None
    manager.apply(service)  # the next reconcile brings it back on the same port
    assert manager.url(service) == f"http://127.0.0.1:{record['port']}"
    manager.remove("iris-api")
    assert manager.problem(service) == "not being served"
    assert manager.url(service) == ""
