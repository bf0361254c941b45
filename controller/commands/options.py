"""Options that every ``bosun`` command takes (DESIGN §3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def state_dir(purpose: str) -> Callable[[F], F]:
    """``--state-dir`` (env BOSUN_STATE_DIR, default ``.bosun``)."""
    return click.option(
        "--state-dir",
        envvar="BOSUN_STATE_DIR",
        default=".bosun",
        show_default=True,
        type=click.Path(file_okay=False),
        help=f"State directory (env BOSUN_STATE_DIR): {purpose}",
    )
