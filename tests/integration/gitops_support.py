"""A platform repository made in a tmp dir (main → dev, production → production) with one team
whose experiment runs a one-line step, and helpers to commit, merge and reconcile it."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import textwrap
from collections.abc import Mapping

from bosun.commands import gitops_common
from bosun.gitops import reconcile, source, state

AUTHOR = {
    "GIT_AUTHOR_NAME": "Ann Author",
    "GIT_AUTHOR_EMAIL": "ann@example.com",
    "GIT_COMMITTER_NAME": "Ann Author",
    "GIT_COMMITTER_EMAIL": "ann@example.com",
}

ENVIRONMENT = """\
apiVersion: bosun.dev/v1alpha1
kind: Environment
metadata: {{name: {name}}}
spec:
  branch: {branch}
  target: {{type: local}}
  registryAlias: {alias}
  policy: {{selfHeal: {heal}, prune: true{extra}}}
"""

FILES = {
    "teams/toy/team.yaml": """\
        apiVersion: bosun.dev/v1alpha1
        kind: Team
        metadata: {name: toy}
        spec: {owners: ["@acme/toy"]}
        """,
    "teams/toy/pipeline.yaml": """\
        apiVersion: bosun.dev/v1alpha1
        kind: Pipeline
        metadata: {name: p, team: toy}
        spec:
          steps:
            - name: work
              image: python:3.11
              command: [python, teams/toy/step.py]
        """,
    "teams/toy/experiment.yaml": """\
        apiVersion: bosun.dev/v1alpha1
        kind: Experiment
        metadata: {name: toy-run, team: toy}
        spec: {pipeline: p}
        """,
    "teams/toy/step.py": "print('trained')\n",
}

QUOTA = """\
apiVersion: bosun.dev/v1alpha1
kind: Quota
metadata: {name: default, team: toy}
spec: {hard: {cpu: "4", memory: 8Gi}}
"""


def git(root: pathlib.Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **AUTHOR},
    )
    return done.stdout.strip()


def write(root: pathlib.Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def commit_all(root: pathlib.Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")


def environment(name: str, branch: str, *, heal: bool = True, allow_empty: bool = False) -> str:
    extra = ", allowEmpty: true" if allow_empty else ""
    alias = "production" if name == "production" else "staging"
    return ENVIRONMENT.format(
        name=name, branch=branch, alias=alias, heal=str(heal).lower(), extra=extra
    )


def platform(root: pathlib.Path, *, heal: bool = True) -> pathlib.Path:
    """main (dev) and production (production), both at the first commit."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    write(root, FILES)
    write(root, {"environments/dev.yaml": environment("dev", "main", heal=heal)})
    commit_all(root, "dev environment and the toy team")
    git(root, "checkout", "-q", "-b", "production")
    write(root, {"environments/production.yaml": environment("production", "production")})
    commit_all(root, "production environment")
    git(root, "checkout", "-q", "main")
    return root


def run(
    repo: pathlib.Path, state_dir: pathlib.Path, env: str, *, wait: bool = True
) -> reconcile.Outcome:
    """One in-process reconcile of ``env`` with the adapters ``bosun reconcile`` wires."""
    mirror = source.Mirror(url=str(repo), state_dir=state_dir)
    store = state.Store(state_dir)
    try:
        return reconcile.reconcile(
            env=env,
            mirror=mirror,
            store=store,
            state_dir=state_dir,
            adapters=gitops_common.adapters(state_dir),
            wait=wait,
        )
    finally:
        store.close()


def bosun(*args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(pathlib.Path(sys.executable).parent / "bosun"), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
