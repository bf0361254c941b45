"""The terminal view of a run (rich): running steps with their elapsed time and a summary line
stay at the bottom; finished steps scroll above them."""

from __future__ import annotations

import time
from typing import IO

from bosun.targets.local import progress
from rich.console import Console, RenderableType
from rich.live import Live as RichLive
from rich.table import Table
from rich.text import Text

SHOWN = 20
"""Running steps listed at most; the summary line counts the rest."""


class Live:
    def __init__(self, stream: IO[str]) -> None:
        self.console = Console(file=stream)
        self.running: dict[str, tuple[float, int]] = {}
        self.counts = {"ok": 0, "cached": 0, "reused": 0, "failed": 0}
        self.live = RichLive(self._render(), console=self.console, refresh_per_second=4)
        self.live.start()

    def _render(self) -> RenderableType:
        table = Table.grid(padding=(0, 2))
        now = time.monotonic()
        for node_id, (since, attempt) in list(self.running.items())[:SHOWN]:
            extra = f" (attempt {attempt})" if attempt > 1 else ""
            table.add_row(Text("running", "cyan"), Text(node_id + extra), f"{now - since:.0f}s")
        summary = "".join(f", {n} {k}" for k, n in self.counts.items() if n)
        table.add_row("", Text(f"{len(self.running)} running{summary}", "dim"), "")
        return table

    def _print(self, text: str, style: str = "") -> None:
        self.live.update(self._render(), refresh=True)
        self.live.console.print(Text(text, style=style))

    def started(self, node_id: str, attempt: int) -> None:
        self.running[node_id] = (time.monotonic(), attempt)
        self.live.update(self._render(), refresh=True)

    def finished(
        self, node_id: str, phase: str, *, seconds: float, how: str, message: str, log: str
    ) -> None:
        self.running.pop(node_id, None)
        ok = phase == "Succeeded"
        self.counts["failed" if not ok else "ok" if how == "ran" else how] += 1
        text = progress.finished_text(
            node_id, phase, seconds=seconds, how=how, message=message, log=log
        )
        self._print(text, "green" if ok else "red")

    def retrying(self, node_id: str, attempt: int, delay: float, message: str) -> None:
        self.running.pop(node_id, None)
        self._print(progress.retry_text(node_id, attempt, delay, message), "yellow")

    def note(self, text: str) -> None:
        self._print(text)

    def close(self) -> None:
        self.live.stop()
