"""``bosun status``: per environment the commit applied, phase, error and diagnostics, objects,
runs, serving and drift, from the state store (DESIGN §3's shape)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click
from bosun import cli
from bosun.commands import options
from bosun.gitops import state

SHAPE = ("branch", "commit", "phase", "error", "diagnostics", "objects", "runs", "serving")


@click.command("status")
@click.option("--env", "env", metavar="ENV", help="Only this environment.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@options.state_dir("state store.")
def command(*, env: str | None, output_format: str, state_dir: str) -> NoReturn:
    """Show the last reconcile of each environment: commit, phase, objects, runs, serving."""
    found: dict[str, Any] = {}
    if state.path_of(Path(state_dir)).exists():
        store = state.Store(Path(state_dir))
        for name in [env] if env else store.environments():
            status = store.status(name)
            if status is not None:
                found[name] = {**{k: status.get(k) for k in SHAPE}, **_extra(status)}
        store.close()
    if env and env not in found:
        sys.stderr.write(f"bosun status: environment {env} has not been reconciled yet\n")
        sys.exit(cli.EXIT_INVALID)
    if output_format == "json":
        sys.stdout.write(json.dumps({"environments": found}, indent=2) + "\n")
    else:
        sys.stdout.write(_text(found))
    sys.exit(cli.EXIT_OK)


def _extra(status: dict[str, Any]) -> dict[str, Any]:
    return {k: status[k] for k in ("attemptedCommit", "drift") if status.get(k)}


def _text(found: dict[str, Any]) -> str:
    if not found:
        return "no environment reconciled yet (bosun reconcile --all)\n"
    lines: list[str] = []
    for name, s in sorted(found.items()):
        lines.append(f"{name}: {s['phase']} at {(s['commit'] or '-')[:12]} from {s['branch']}")
        if s.get("error"):
            lines.append(f"  error: {s['error']}")
        for d in s.get("diagnostics") or []:
            lines.append(f"    {d['file']}:{d['line']}: {d['code']} {d['message']}")
        lines.append(f"  objects: {s['objects']}")
        for run in s.get("runs") or []:
            lines.append(f"  run {run['workflow']} ({run['experiment']}): {run['phase']}")
        for target, serving in sorted((s.get("serving") or {}).items()):
            reason = f" ({serving['reason']})" if serving.get("reason") else ""
            lines.append(
                f"  serving {target}: {serving['phase']} {serving['model']} "
                f"v{serving['version']} {serving.get('url', '')}{reason}"
            )
        for drifted in s.get("drift") or []:
            lines.append(f"  drift: {drifted}")
    return "\n".join(lines) + "\n"
