"""Options that every ``bosun`` command takes (DESIGN §3), and how commands refuse a bad option
value: up front, as a usage error (exit 2) naming the option, ``bosun <command>: --opt: ...``."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


class OptionError(click.UsageError):
    """A usage error printed as one line, ``bosun <command>: <message>`` (exit 2), without
    click's usage banner: the message says what to change."""

    def show(self, file: IO[Any] | None = None) -> None:
        command = self.ctx.command_path if self.ctx is not None else "bosun"
        click.echo(f"{command}: {self.format_message()}", err=True)


def checked(check: Callable[[str], object | None]) -> Callable[..., Any]:
    """A click callback refusing a value that ``check`` finds a problem with (its ``message``
    attribute, or its text, is the reason)."""

    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is not None:
            problem = check(value)
            if problem is not None:
                reason = getattr(problem, "message", problem)
                raise OptionError(f"{param.opts[0]}: {reason}", ctx)
        return value

    return callback


def _no_braces(value: str) -> str | None:
    if "{{" in value:
        return (
            f"{value!r} holds '{{{{': the MLflow tracking URI sqlite:///<state-dir>/mlflow.db "
            "reaches Argo, which would evaluate it as an expression (template injection)"
        )
    return None


def state_dir(purpose: str) -> Callable[[F], F]:
    """``--state-dir`` (env BOSUN_STATE_DIR, default ``.bosun``). It may not hold ``{{``: render
    and run make it the tracking URI that workflows carry (one rule for every command)."""
    return click.option(
        "--state-dir",
        envvar="BOSUN_STATE_DIR",
        default=".bosun",
        show_default=True,
        type=click.Path(file_okay=False),
        callback=checked(_no_braces),
        help=f"State directory (env BOSUN_STATE_DIR): {purpose}",
    )
