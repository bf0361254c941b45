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


def test_an_out_directory_inside_the_manifests_is_not_read_back(repo: pathlib.Path) -> None:
    """The rendered objects are not manifests: a second render into the same directory, and a
    validate of the tree, must not trip over them."""
    for _ in range(2):
        done = run(BOSUN, "render", "--env", "dev", "--out", "rendered", cwd=repo)
        assert done.returncode == 0, done.stderr
        assert "wrote 9 objects" in done.stderr
    assert (repo / "rendered" / ".bosun-render.json").is_file()
    done = run(BOSUN, "validate", ".", "--format", "json", cwd=repo)
    assert done.returncode == 0, done.stdout
    files = run("git", "ls-files", "*.yaml", cwd=repo).stdout.split()
    assert json.loads(done.stdout)["documents"] == sum(
        len([d for d in yaml.safe_load_all((repo / f).read_text()) if d]) for f in files
    )


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


@pytest.mark.parametrize(
    ("option", "value", "reason"),
    [
        ("--repo-url", "https://x/{{workflow.uid}}", "template injection"),
        ("--repo-url", "acme/ml", "is not a repository URL"),
        ("--repo-url", "https://me:hunter2@github.com/acme/ml.git", "holds a password"),
        ("--branch", "{{workflow.uid}}", "template injection"),
        ("--branch", "fix..it", "is not a git branch name: it holds '..'"),
        ("--commit", "{{workflow.uid}}", "template injection"),
        ("--commit", "HEAD~1", "is not a commit"),
        ("--system-image", "ghcr.io/x:{{workflow.uid}}", "template injection"),
        ("--system-image", "ghcr.io/Acme/bosun:1", "is not an image reference"),
        ("--state-dir", "/tmp/{{workflow.uid}}", "template injection"),
    ],
)
def test_bad_option_values_are_usage_errors_that_name_the_option(
    repo: pathlib.Path, option: str, value: str, reason: str
) -> None:
    done = run(BOSUN, "render", "--env", "dev", option, value, cwd=repo)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith(f"bosun render: {option}: "), done.stderr
    assert reason in done.stderr
    assert "internal error" not in done.stderr and "BOS" not in done.stderr
    assert "hunter2" not in done.stderr


def test_bosun_run_refuses_the_same_state_dir(repo: pathlib.Path) -> None:
    done = run(BOSUN, "run", "wine-rf", "--env", "dev", "--state-dir", "s{{x}}", cwd=repo)
    assert done.returncode == 2
    assert done.stderr.startswith("bosun run: --state-dir: "), done.stderr
    assert not (repo / "s{{x}}").exists()


def test_a_current_branch_argo_would_evaluate_needs_branch(repo: pathlib.Path) -> None:
    git(repo, "checkout", "-q", "-b", "{{workflow.uid}}")
    done = run(BOSUN, "render", "--env", "dev", cwd=repo)
    assert done.returncode == 2
    assert "bosun render: the current branch of" in done.stderr
    assert "pass --branch" in done.stderr
    assert run(BOSUN, "render", "--env", "dev", "--branch", "main", cwd=repo).returncode == 0


def test_an_out_directory_that_cannot_be_written_is_a_usage_error(repo: pathlib.Path) -> None:
    blocker = repo.parent / "file"
    blocker.write_text("not a directory\n")
    done = run(BOSUN, "render", "--env", "dev", "--out", str(blocker / "x"), cwd=repo)
    assert done.returncode == 2
    assert done.stderr.startswith(f"bosun render: cannot write {blocker / 'x'}"), done.stderr
    assert "Not a directory" in done.stderr
    assert "internal error" not in done.stderr


def test_out_prunes_only_files_bosun_wrote(repo: pathlib.Path) -> None:
    out = repo.parent / "rendered"
    mine = out / "Workflow" / "quality" / "hand-written.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\n")
    foreign = out / "Workflow" / "other" / "kept.yaml"
    foreign.parent.mkdir(parents=True)
    foreign.write_text("metadata:\n  labels:\n    app.kubernetes.io/managed-by: bosun\n")
    assert run(BOSUN, "render", "--env", "dev", "--out", str(out), cwd=repo).returncode == 0
    service = out / "InferenceService" / "quality" / "wine-api.yaml"
    template = out / "WorkflowTemplate" / "quality" / "train-classifier.yaml"
    assert service.is_file() and template.is_file()
    template.write_text(template.read_text() + "# edited by hand\n")
    (repo / "teams/quality/serving.yaml").unlink()
    pipeline = repo / "teams/quality/pipeline.yaml"
    pipeline.write_text(pipeline.read_text().replace("{name: train-classifier", "{name: fit"))
    experiment = repo / "teams/quality/experiment.yaml"
    experiment.write_text(experiment.read_text().replace(": train-classifier", ": fit"))
    done = run(BOSUN, "render", "--env", "dev", "--out", str(out), cwd=repo)
    assert done.returncode == 0, done.stderr
    assert "removed 2 it no longer renders" in done.stderr  # the service and the old Workflow
    assert not service.exists()
    assert not service.parent.exists() and not service.parent.parent.exists()
    assert template.is_file(), "a file changed since bosun wrote it is not bosun's any more"
    assert mine.is_file() and foreign.is_file()
    index = json.loads((out / ".bosun-render.json").read_text())
    assert "WorkflowTemplate/quality/fit.yaml" in index["files"]
    assert "InferenceService/quality/wine-api.yaml" not in index["files"]


def test_uncommitted_changes_are_announced_and_annotated(repo: pathlib.Path) -> None:
    (repo / ".bosunignore").write_text("rendered/\n")
    git(repo, "add", ".bosunignore")
    git(repo, "commit", "-q", "-m", "rendered/ holds no manifests")
    head = git(repo, "rev-parse", "HEAD")
    (repo / ".bosun").mkdir()
    (repo / ".bosun" / "mlflow.db").write_bytes(b"")
    for _ in range(2):
        clean = run(BOSUN, "render", "--env", "dev", "--out", "rendered", cwd=repo)
        assert clean.returncode == 0, clean.stderr
        assert "warning" not in clean.stderr, "the state and --out directories are not changes"
    written = (repo / "rendered" / "Namespace" / "_cluster" / "quality.yaml").read_text()
    assert "bosun.dev/source-commit" in written and "source-dirty" not in written
    experiment = repo / "teams/quality/experiment.yaml"
    experiment.write_text(experiment.read_text() + "# not committed\n")
    done = run(BOSUN, "render", "--env", "dev", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert (
        f"bosun render: warning: uncommitted changes in {repo.resolve()}; the objects name "
        f"commit {head}, which does not contain them"
    ) in done.stderr
    objects = list(yaml.safe_load_all(done.stdout))
    assert {o["metadata"]["annotations"].get("bosun.dev/source-dirty") for o in objects} == {"true"}


def test_pods_do_not_clone_a_commit_without_the_changes_unless_allowed(
    repo: pathlib.Path,
) -> None:
    url = "https://github.com/acme/ml-platform.git"
    assert run(BOSUN, "render", "--env", "dev", "--repo-url", url, cwd=repo).returncode == 0
    (repo / "teams/quality/train_extra.py").write_text("print('new step code')\n")
    done = run(BOSUN, "render", "--env", "dev", "--repo-url", url, cwd=repo)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(f"bosun render: uncommitted changes in {repo.resolve()}")
    assert "--allow-dirty" in done.stderr
    allowed = run(BOSUN, "render", "--env", "dev", "--repo-url", url, "--allow-dirty", cwd=repo)
    assert allowed.returncode == 0, allowed.stderr
    assert "warning: uncommitted changes" in allowed.stderr
    for obj in yaml.safe_load_all(allowed.stdout):
        assert obj["metadata"]["annotations"]["bosun.dev/source-dirty"] == "true"


def test_a_repository_url_needs_a_commit(tmp_path: pathlib.Path) -> None:
    for folder in DEMO:
        shutil.copytree(ROOT / folder, tmp_path / folder)
    url = "https://github.com/acme/ml-platform.git"
    done = run(BOSUN, "render", "--env", "dev", "--repo-url", url, cwd=tmp_path)
    assert done.returncode == 2
    assert "pass --commit" in done.stderr
    given = run(
        BOSUN, "render", "--env", "dev", "--repo-url", url, "--commit", "abc1", cwd=tmp_path
    )
    assert given.returncode == 0, given.stderr
