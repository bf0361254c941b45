"""The ``bosun`` command: a click group whose subcommands are imported only when invoked, so that
``bosun validate`` never pays for render, MLflow or Kubernetes imports."""

from __future__ import annotations

import gc
import importlib
import os
import sys
from typing import NoReturn

import click
from bosun import __version__
from bosun.commands import output

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

_ENTRY_POINT = False
"""True in the ``bosun`` process itself (set by ``main``), not in a caller such as a test."""

COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("bosun.commands.validate", "Validate manifests (for CI and pre-commit)."),
    "schema": ("bosun.commands.schema", "Export or check the JSON Schemas of the manifest kinds."),
    "run": ("bosun.commands.run", "Run one experiment now on this machine (local runtime)."),
    "render": ("bosun.commands.render", "Print an environment's Argo, Kubernetes, KServe objects."),
    "plan": ("bosun.commands.plan", "What reconciling a revision would change (the PR check)."),
    "reconcile": ("bosun.commands.reconcile", "Bring environments to their branch heads, once."),
    "demo": ("bosun.commands.demo", "The end-to-end GitOps tour on a temporary repository."),
    "controller": ("bosun.commands.controller", "Reconcile forever: poll, webhook, schedules."),
    "status": ("bosun.commands.status", "Each environment's commit, phase, runs and serving."),
    "history": ("bosun.commands.history", "The audit log: actions, alias moves, runs, authors."),
    "promote": ("bosun.commands.promote", "Branch a model version's promotion off production."),
    "install": (
        "bosun.commands.install",
        "Print the objects that run the controller in a cluster.",
    ),
}
"""name → (module defining ``command``, one-line help shown by ``bosun --help``)."""


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module = importlib.import_module(COMMANDS[cmd_name][0])
        _resume_collector()
        command: click.Command = module.command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bosun")
def group() -> None:
    """bosun: declarative GitOps for ML experiments, pipelines, quotas and serving.

    Manifests (apiVersion bosun.dev/v1alpha1) live in Git; bosun validates them, renders them into
    Argo Workflows, Kubernetes quotas and KServe InferenceServices, and runs them locally with
    MLflow.
    """


def main() -> None:
    """Console entry point. Usage errors exit 2; an unexpected error never shows a traceback
    unless BOSUN_DEBUG is set."""
    global _ENTRY_POINT  # noqa: PLW0603 - set once, by the console script only
    _ENTRY_POINT = True
    gc.disable()  # start-up creates long-lived objects only (modules, classes); see below
    output.guard_stdout()
    try:
        group.main(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (``bosun validate | head``): not an error worth a message.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_INVALID)
    except Exception as error:
        if os.environ.get("BOSUN_DEBUG"):
            raise
        # the user's output failing (disk full, no --out directory) is not a bug in bosun
        unwritable = output.unwritable(error) if isinstance(error, OSError) else None
        sys.stderr.write(unwritable or internal_error_message(error))
        sys.exit(EXIT_USAGE)


def _resume_collector() -> None:
    """Once the command's modules are imported, freeze what start-up created (the collector
    never scans it again) and resume collecting. Pausing it while importing saves 6 ms of the
    cold start of ``bosun validate``, which then pauses it for its own run."""
    if _ENTRY_POINT and not gc.isenabled():
        gc.freeze()
        gc.enable()


def finish(code: int) -> NoReturn:
    """Exit with ``code`` once the output is flushed.

    In the ``bosun`` process itself this skips the interpreter's teardown, which frees every
    module and object one by one: 20 ms of the 230 ms of ``bosun validate`` on the demo
    (bench/validate.py). Only for commands that hold nothing to release: no open runs, servers,
    child processes or temporary files.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    if _ENTRY_POINT:
        os._exit(code)
    sys.exit(code)


def internal_error_message(error: BaseException) -> str:
    """One line naming the failure, never a traceback (BOSUN_DEBUG=1 shows it)."""
    text = " ".join(str(error).split())
    detail = f"{type(error).__name__}: {text[:300]}" if text else type(error).__name__
    return f"bosun: internal error: {detail} (a bug in bosun; BOSUN_DEBUG=1 shows the traceback)\n"
