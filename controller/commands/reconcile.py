"""``bosun reconcile``: bring environments to their branch heads, once (for cron and CI)."""

from __future__ import annotations

import json
import sys
import time
from typing import NoReturn

import click
from bosun import cli
from bosun.commands import gitops_common, options
from bosun.gitops import desired, lock, reconcile, source
from bosun.reporters import plan_text

EPILOG = """\b
Examples:
  bosun reconcile --all --once --repo https://github.com/acme/ml-platform.git
  bosun reconcile --env dev --no-wait          # start the runs, do not wait for them
  bosun reconcile --env production --format json

\b
Exit status: 0 every environment Synced (or Progressing with --no-wait), 1 some environment
failed (invalid commit, apply error, a run that failed), 2 usage error.
"""


@click.command("reconcile", epilog=EPILOG)
@click.option("--env", "envs", multiple=True, metavar="ENV", help="Environment (repeatable).")
@click.option("--all", "all_envs", is_flag=True, help="Every environment a branch declares.")
@gitops_common.repo_option
@click.option("--once", is_flag=True, help="One pass, then exit (the default; for cron and CI).")
@click.option("--no-wait", is_flag=True, help="Return once runs are started; status shows them.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@gitops_common.kubeconfig_option
@options.state_dir("mirror, state store, runs, MLflow store.")
def command(
    *,
    envs: tuple[str, ...],
    all_envs: bool,
    repo: str,
    once: bool,
    no_wait: bool,
    output_format: str,
    kubeconfig: str | None,
    state_dir: str,
) -> NoReturn:
    """Reconcile environments from their branches: fetch, validate, render, plan, apply, prune,
    repair drift, start runs and wait for them, and record status and the audit log."""
    if bool(envs) == all_envs:
        raise options.OptionError("name environments with --env, or give --all")
    root, mirror, store = gitops_common.open_all(repo, state_dir)
    try:
        mirror.fetch()
        names = sorted(desired.bindings(mirror)) if all_envs else list(envs)
    except source.SourceError as error:
        gitops_common.fail("reconcile", str(error))
    if not names:
        gitops_common.fail("reconcile", f"no branch of {mirror.url} declares an environment")
    adapters = gitops_common.adapters(root, kubeconfig=kubeconfig)
    text = output_format == "text"
    results = []
    for env in names:
        started = time.monotonic()
        try:
            outcome = reconcile.reconcile(
                env=env,
                mirror=mirror,
                store=store,
                state_dir=root,
                adapters=adapters,
                wait=not no_wait,
                fetch=False,
                note=_printer(env) if text else _quiet,
            )
        except (source.SourceError, lock.BusyError) as error:
            outcome = reconcile.Outcome(env, "Failed", None, str(error))
        seconds = time.monotonic() - started
        results.append((outcome, seconds))
        if text:
            print(_line(outcome, seconds), flush=True)
    if not text:
        document = {
            "environments": {
                o.env: {
                    "phase": o.phase,
                    "commit": o.commit,
                    "error": o.error,
                    "seconds": round(s, 3),
                    "plan": o.plan.document() if o.plan else None,
                }
                for o, s in results
            }
        }
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    store.close()
    sys.exit(cli.EXIT_OK if all(o.ok for o, _ in results) else cli.EXIT_INVALID)


def _printer(env: str) -> reconcile.Note:
    def note(line: str) -> None:
        print(f"  {env}: {line}", flush=True)

    return note


def _quiet(line: str) -> None:
    return None


def _line(outcome: reconcile.Outcome, seconds: float) -> str:
    commit = (outcome.commit or "")[:12]
    what = plan_text.summary(outcome.plan) if outcome.plan else ""
    error = f": {outcome.error}" if outcome.error else ""
    done = f"{what or 'nothing applied'}, {seconds:.1f}s"
    return f"{outcome.env}: {outcome.phase} at {commit or '-'} ({done}){error}"
