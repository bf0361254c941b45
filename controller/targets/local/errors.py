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
