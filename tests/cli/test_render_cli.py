"""``bosun render`` as users run it: the installed executable, in a real git repository."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
BOSUN = str(pathlib.Path(sys.executable).parent / "bosun")
DEMO = ("teams", "templates", "environments")


def run(*args: str, cwd: pathlib.Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOSUN_")}
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def git(repo: pathlib.Path, *args: str) -> str:
    done = run("git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args, cwd=repo)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: pathlib.Path) -> pathlib.Path:
    """The demo manifests, committed on branch main."""
    root = tmp_path / "platform"
    for folder in DEMO:
        shutil.copytree(ROOT / folder, root / folder)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "demo")
    return root


def test_prints_one_stream_of_every_object(repo: pathlib.Path) -> None:
    done = run(BOSUN, "render", "--env", "dev", cwd=repo)
    assert done.returncode == 0, done.stderr
    objects = list(yaml.safe_load_all(done.stdout))
    kinds = [o["kind"] for o in objects]
    assert kinds == [
        "Namespace",
        "ResourceQuota",
        "LimitRange",
        "ConfigMap",
        "ClusterWorkflowTemplate",
        "ClusterWorkflowTemplate",
        "WorkflowTemplate",
        "InferenceService",
        "Workflow",
    ]
    head = git(repo, "rev-parse", "HEAD")
    for obj in objects:
        assert obj["metadata"]["annotations"]["bosun.dev/source-commit"] == head
        assert obj["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "bosun"
    workflow = objects[-1]
    assert {"name": "bosun-git-branch", "value": "main"} in workflow["spec"]["arguments"][
        "parameters"
    ]
    tracking = next(
        p["value"]
        for p in workflow["spec"]["arguments"]["parameters"]
        if p["name"] == "bosun-tracking-uri"
    )
    assert tracking == f"sqlite:///{(repo / '.bosun' / 'mlflow.db').resolve()}"


def test_output_does_not_depend_on_the_working_directory(repo: pathlib.Path) -> None:
    here = run(BOSUN, "render", "--env", "production", "--state-dir", "/srv/bosun", cwd=repo)
    above = run(
        BOSUN,
        "render",
        "--env",
        "production",
        "--state-dir",
        "/srv/bosun",
        repo.name,
        cwd=repo.parent,
    )
    assert here.returncode == above.returncode == 0
    assert here.stdout == above.stdout
    assert "bosun.dev/source-file: teams/quality/pipeline.yaml" in here.stdout


def test_writes_one_file_per_object_and_removes_stale_ones(repo: pathlib.Path) -> None:
    out = repo.parent / "rendered"
    done = run(BOSUN, "render", "--env", "dev", "--out", str(out), cwd=repo)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "wrote 9 objects" in done.stderr
    service = out / "InferenceService" / "quality" / "wine-api.yaml"
    assert yaml.safe_load(service.read_text())["kind"] == "InferenceService"
    assert (out / "Namespace" / "_cluster" / "quality.yaml").is_file()
    (repo / "teams/quality/serving.yaml").unlink()
    done = run(BOSUN, "render", "--env", "dev", "--out", str(out), cwd=repo)
    assert done.returncode == 0, done.stderr
    assert not service.exists()
    assert len(list(out.glob("*/*/*.yaml"))) == 8


def test_json_is_one_kubernetes_list(repo: pathlib.Path) -> None:
    done = run(BOSUN, "render", "--env", "dev", "--format", "json", "--commit", "abc123", cwd=repo)
    assert done.returncode == 0, done.stderr
    listing = json.loads(done.stdout)
    assert (listing["apiVersion"], listing["kind"]) == ("v1", "List")
    assert {o["metadata"]["annotations"]["bosun.dev/source-commit"] for o in listing["items"]} == {
        "abc123"
    }


def test_invalid_manifests_print_validate_diagnostics_and_exit_1(repo: pathlib.Path) -> None:
    pipeline = repo / "teams/quality/pipeline.yaml"
    pipeline.write_text(
        pipeline.read_text().replace(
            "      command: [python, teams", "      comand: [python, teams"
        )
    )
    done = run(BOSUN, "render", "--env", "dev", cwd=repo)
    assert done.returncode == 1
    assert done.stdout == ""
    assert "teams/quality/pipeline.yaml:14:7: BOS201 unknown field 'comand'" in done.stderr
    assert "did you mean 'command'?" in done.stderr


def test_what_argo_cannot_take_is_located_in_the_manifest(repo: pathlib.Path) -> None:
    pipeline = repo / "teams/quality/pipeline.yaml"
    pipeline.write_text(pipeline.read_text().replace("- name: evaluate", "- name: main"))
    done = run(BOSUN, "render", "--env", "dev", cwd=repo)
    assert done.returncode == 1
    assert done.stdout == ""
    line = next(
        i for i, text in enumerate(pipeline.read_text().splitlines(), 1) if "- name: main" in text
    )
    assert f"teams/quality/pipeline.yaml:{line}:" in done.stderr
    assert "BOS318 step name 'main' is reserved by bosun" in done.stderr


def test_the_environment_policy_is_enforced(repo: pathlib.Path) -> None:
    pipeline = repo / "teams/quality/pipeline.yaml"
    text = pipeline.read_text()
    pinned = "ghcr.io/acme/quality:1.4.2@sha256:" + "41d2716470181ec66d93829380405dfd"
    pinned += "e17cbd5162268f9c7a699cdb2cbfbb00"
    pipeline.write_text(text.replace(pinned, "ghcr.io/acme/quality:1.4.2"))
    assert run(BOSUN, "render", "--env", "dev", cwd=repo).returncode == 0
    done = run(BOSUN, "render", "--env", "production", cwd=repo)
    assert done.returncode == 1
    assert "BOS601" in done.stderr


def test_usage_errors_exit_2(repo: pathlib.Path) -> None:
    assert run(BOSUN, "render", cwd=repo).returncode == 2
    done = run(BOSUN, "render", "--env", "dev", "--out", "x", "--format", "json", cwd=repo)
    assert done.returncode == 2
    assert "cannot be combined" in done.stderr
