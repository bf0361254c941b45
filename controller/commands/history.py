"""``bosun history``: the audit log, every action, alias move, run and rejection with its
commit and author; ``--model M --at DATE`` answers which version served when."""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from typing import NoReturn

import click
from bosun import cli
from bosun.commands import options
from bosun.gitops import state


def _instant(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO date or time", param_hint="--at"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    if len(value) == 10:  # a date: up to the end of that day
        moment += datetime.timedelta(days=1)
    return moment.timestamp()


@click.command("history")
@click.option("--env", "env", metavar="ENV", help="Only this environment.")
@click.option("--model", metavar="M", help="Only rows about this model (alias moves, serving).")
@click.option("--at", "at", metavar="DATE", help="Rows up to DATE (ISO date or time, UTC).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@options.state_dir("state store.")
def command(
    *, env: str | None, model: str | None, at: str | None, output_format: str, state_dir: str
) -> NoReturn:
    """Print the audit log, oldest first."""
    until = _instant(at)
    rows: list[state.AuditRow] = []
    if state.path_of(Path(state_dir)).exists():
        store = state.Store(Path(state_dir))
        rows = store.history(env=env, model=model, until=until)
        store.close()
    if output_format == "json":
        sys.stdout.write(json.dumps([r.document() for r in rows], indent=2) + "\n")
    else:
        for row in rows:
            d = row.document()
            sys.stdout.write(
                f"{d['time']} {d['env']:<12} {d['commit'][:12]} {d['action']:<7} "
                f"{d['object']}: {d['outcome']}  ({d['author']})\n"
            )
        if model and at and rows:
            moves = [r for r in rows if r.action == "alias" and r.outcome.startswith("applied")]
            if moves:
                last = moves[-1].detail.get("alias", {})
                sys.stdout.write(
                    f"at {at}: {model}@{last.get('alias')} was version {last.get('version')} "
                    f"(commit {moves[-1].commit[:12]}, run {last.get('run', '-')})\n"
                )
    sys.exit(cli.EXIT_OK)
