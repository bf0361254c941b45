"""``bosun demo``: the end-to-end tour on a temporary repository made from this project's
manifests: reconcile dev (train, register, alias), promote by a branch merged into production,
reconcile production behind its gates, and a candidate its gate refuses. Each step prints the
command it runs, so the tour can be repeated by hand."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import NoReturn

import click
from bosun import cli

PROJECT = ("teams", "templates", "environments")
AUTHOR = {
    "GIT_AUTHOR_NAME": "bosun demo",
    "GIT_AUTHOR_EMAIL": "demo@bosun.invalid",
    "GIT_COMMITTER_NAME": "bosun demo",
    "GIT_COMMITTER_EMAIL": "demo@bosun.invalid",
}


@click.command("demo")
@click.option(
    "--dir",
    "where",
    type=click.Path(file_okay=False),
    help="Where to build the demo repository and state (default: a new temporary directory).",
)
@click.option(
    "--source",
    type=click.Path(exists=True, file_okay=False),
    default=".",
    show_default=True,
    help="The project whose manifests the demo repository starts from.",
)
@click.option(
    "--keep-serving",
    is_flag=True,
    help="Leave the dev and production endpoints running when the tour ends.",
)
def command(*, where: str | None, source: str, keep_serving: bool) -> NoReturn:
    """Show GitOps promotion end to end on this machine (about two minutes)."""
    root = Path(where or tempfile.mkdtemp(prefix="bosun-demo-")).resolve()
    repo, state = root / "platform", root / "state"
    if repo.exists() or state.exists():
        _fail(f"{root} holds a demo already: remove it or pass another --dir")
    _make_repo(Path(source).resolve(), repo)
    bosun = str(Path(sys.executable).parent / "bosun")
    at = ["--repo", str(repo), "--state-dir", str(state)]
    _say("1. dev reconciles from main: quotas, templates, wine-rf trained, registered, aliased")
    _run([bosun, "reconcile", "--env", "dev", *at])
    version = _latest_version(bosun, state)
    _say(f"2. promote version {version}: a branch off production, reviewed as a pull request")
    _run(
        [
            bosun,
            "promote",
            "wine-classifier",
            "--version",
            version,
            "--repo",
            str(repo),
            "--state-dir",
            str(state),
        ]
    )
    _run(
        [
            bosun,
            "plan",
            "--env",
            "production",
            *at,
            "--rev",
            f"promote/wine-classifier-v{version}",
            "--format",
            "markdown",
        ]
    )
    _say("3. the pull request is merged into production; production reconciles behind its gates")
    _git(repo, "checkout", "-q", "production")
    _git(
        repo,
        "merge",
        "-q",
        "--no-ff",
        "-m",
        f"Merge promote/wine-classifier-v{version}",
        f"promote/wine-classifier-v{version}",
    )
    _run([bosun, "reconcile", "--env", "production", *at])
    urls = _urls(bosun, state)
    production = urls.get("production", "")
    if not production:
        _fail("production serves nothing after the merge (see bosun status)")
    _say(f"   the production endpoint answers a real prediction ({production}/invocations)")
    _predict(production)
    _say("4. a stricter gate on production: the version is refused, nothing moves, status says why")
    serving = repo / "teams/quality/serving.yaml"
    serving.write_text(serving.read_text().replace("value: 0.85}", "value: 0.999}"))
    _git(repo, "commit", "-q", "-am", "production: require accuracy >= 0.999")
    _run([bosun, "reconcile", "--env", "production", *at], check=False)
    _run([bosun, "status", "--state-dir", str(state)])
    _run([bosun, "history", "--model", "wine-classifier", "--state-dir", str(state)])
    _say("done")
    endpoints = "\n".join(f"  {env:<12} {url}/invocations" for env, url in sorted(urls.items()))
    print(f"""
{endpoints}
  repository   {repo}   (branches main and production)
  state        {state}
  MLflow UI    {Path(sys.executable).parent / "mlflow"} ui --port 5000 \\
                 --backend-store-uri sqlite:///{state}/mlflow.db
  try next     edit {repo}/teams/quality/team.yaml, commit, then
               {bosun} plan --env dev {" ".join(at)} --format markdown
""")
    if keep_serving:
        stop = f"{sys.executable} -m bosun.targets.local.serving --stop {state}"
        print(f"  the endpoints keep serving; stop them with:\n    {stop}")
    else:
        from bosun.commands import gitops_common  # noqa: PLC0415 - only at the end of the tour

        stopped = gitops_common.stop_serving(state)
        print(
            f"  stopped {stopped} serving process(es); `bosun reconcile --all {' '.join(at)}`"
            " serves again on the same ports (or run the demo with --keep-serving)"
        )
    sys.exit(cli.EXIT_OK)


def _make_repo(source: Path, repo: Path) -> None:
    repo.mkdir(parents=True)
    for folder in PROJECT:
        if not (source / folder).is_dir():
            _fail(f"{source} has no {folder}/: run it in the bosun repository or pass --source")
        shutil.copytree(
            source / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "the platform's manifests")
    _git(repo, "branch", "production")


def _latest_version(bosun: str, state: Path) -> str:
    done = subprocess.run(
        [bosun, "status", "--format", "json", "--state-dir", str(state)],
        capture_output=True,
        text=True,
        check=True,
    )
    serving = json.loads(done.stdout)["environments"]["dev"]["serving"]
    versions = [s["version"] for s in serving.values() if s.get("version")]
    if not versions:
        _fail("dev serves no version: the training run did not register one (see bosun status)")
    return str(versions[0])


def _urls(bosun: str, state: Path) -> dict[str, str]:
    """Environment → the url its ServingTarget answers on (from ``bosun status``)."""
    done = subprocess.run(
        [bosun, "status", "--format", "json", "--state-dir", str(state)],
        capture_output=True,
        text=True,
        check=True,
    )
    found = {}
    for env, status in json.loads(done.stdout)["environments"].items():
        for serving in status.get("serving", {}).values():
            if serving.get("url"):
                found[env] = str(serving["url"])
    return found


def _predict(url: str) -> None:
    """POST three rows of the wine data set and print what the served version answers."""
    from sklearn.datasets import load_wine  # noqa: PLC0415 - ~1 s, only here

    rows = load_wine(as_frame=True).data.head(3)
    body = {"dataframe_split": {"columns": list(rows.columns), "data": rows.values.tolist()}}
    print(f"$ curl -s {url}/invocations -H 'Content-Type: application/json' -d @rows.json")
    request = urllib.request.Request(
        f"{url}/invocations", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            version = answer.headers.get("X-Bosun-Model-Version", "?")
            print(f"{answer.read().decode().strip()}   (served by version {version})", flush=True)
    except OSError as error:
        _fail(f"the endpoint {url} did not answer: {error}")


def _say(text: str) -> None:
    print(f"\n== {text}", flush=True)


def _run(command: list[str], *, check: bool = True) -> None:
    print(
        "$ " + " ".join(shlex.quote(Path(c).name if i == 0 else c) for i, c in enumerate(command)),
        flush=True,
    )
    done = subprocess.run(command, check=False)
    if check and done.returncode != 0:
        _fail(f"step failed (exit {done.returncode}): {' '.join(command)}")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, env={**os.environ, **AUTHOR})


def _fail(message: str) -> NoReturn:
    sys.stderr.write(f"bosun demo: {message}\n")
    sys.exit(cli.EXIT_INVALID)
