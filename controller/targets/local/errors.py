"""Operational failures of the local runtime. Each carries a message fit for the user."""

from __future__ import annotations


class LocalRuntimeError(Exception):
    """A run could not be started or recorded."""


class UnsupportedError(LocalRuntimeError):
    """The objects use Argo features outside the subset the local runtime executes, or refer
    to templates, tasks, inputs or outputs that do not exist.

    Raised before anything starts, with every problem found, so one attempt shows them all.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"the workflow cannot run on the local runtime (see docs/local-runtime.md):\n{listed}"
        )


class MissingSecretsError(LocalRuntimeError):
    """``secretKeyRef`` env vars whose value has no local source."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"secrets needed by the workflow are not available locally:\n{listed}")


class RunBusyError(LocalRuntimeError):
    """Another bosun process is executing this run."""


class StoppedError(LocalRuntimeError):
    """SIGINT or SIGTERM arrived before any step started: nothing ran. A fresh run leaves no run
    directory; a resumed one is left as it was, resumable as before."""

    def __init__(self, signum: int, run: str, *, kept: bool) -> None:
        self.signum = signum
        self.run = run
        self.kept = kept
        name = signal_name(signum)
        where = f"run {run} is unchanged" if kept else f"run {run} was not created"
        super().__init__(f"stopped by {name} before any step started: nothing ran ({where})")


def signal_name(signum: int) -> str:
    import signal  # noqa: PLC0415

    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"
