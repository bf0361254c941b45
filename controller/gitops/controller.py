"""The long-running loop of ``bosun controller``: reconcile every environment each interval (with
jitter), and at once the environment whose branch a webhook says was pushed; start scheduled
experiments on their cron. Reconciles run one at a time, so an environment is never reconciled
twice at once, and one environment's failure (or exception) never stops another's."""

from __future__ import annotations

import dataclasses
import datetime
import json
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from bosun.gitops import metrics as metrics_module
from bosun.plan import schedule


@dataclasses.dataclass(frozen=True)
class Scheduled:
    env: str
    experiment: str
    """``team/name``."""
    cron: str


@dataclasses.dataclass
class Controller:
    environments: Callable[[], Mapping[str, Sequence[str]]]
    """branch → the environments it reconciles (re-read each cycle: fetches the mirror)."""
    reconcile: Callable[[str], bool]
    interval: float
    metrics: metrics_module.Metrics
    schedules: Callable[[], Sequence[Scheduled]] = lambda: ()
    start_scheduled: Callable[[Scheduled, datetime.datetime], None] = lambda s, tick: None
    ticks_file: Path | None = None
    """Where the last started tick per (env, experiment) is kept across restarts."""
    jitter: float = 0.1
    stop_event: threading.Event = dataclasses.field(default_factory=threading.Event)
    _wake: threading.Event = dataclasses.field(default_factory=threading.Event)
    _queued: set[str] = dataclasses.field(default_factory=set)
    _lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)
    _bindings: dict[str, list[str]] = dataclasses.field(default_factory=dict)

    def push(self, branch: str) -> bool:
        """The webhook's callback: queue the branch's environments; False when it has none."""
        envs = self._bindings.get(branch) or list(self.environments().get(branch, ()))
        if not envs:
            return False
        with self._lock:
            self._queued.update(envs)
        self._wake.set()
        return True

    def stop(self) -> None:
        self.stop_event.set()
        self._wake.set()

    def run(self, *, cycles: int | None = None) -> None:
        """Poll, serve pushes and schedules until ``stop`` (or ``cycles`` polls, for tests)."""
        next_poll = time.monotonic()
        polls = 0
        while not self.stop_event.is_set():
            now = time.monotonic()
            if now >= next_poll:
                self._poll()
                polls += 1
                if cycles is not None and polls >= cycles:
                    return
                next_poll = now + self.interval * (1 + random.uniform(0, self.jitter))
            with self._lock:
                queued, self._queued = sorted(self._queued), set()
            for env in queued:
                self._one(env)
            self._run_schedules()
            self._wake.wait(timeout=max(0.0, min(next_poll - time.monotonic(), 30.0)))
            self._wake.clear()

    def _poll(self) -> None:
        try:
            self._bindings = {b: list(e) for b, e in self.environments().items()}
        except Exception:  # a failed fetch is retried at the next poll
            self.metrics.observe("*", "Failed", 0.0)
            return
        for env in sorted({e for envs in self._bindings.values() for e in envs}):
            self._one(env)

    def _one(self, env: str) -> None:
        started = time.monotonic()
        try:
            ok = self.reconcile(env)
        except Exception:  # one environment's failure never stops another's
            ok = False
        self.metrics.observe(env, "Synced" if ok else "Failed", time.monotonic() - started)

    def _run_schedules(self) -> None:
        try:
            wanted = list(self.schedules())
        except Exception:  # schedules are read again next cycle
            return
        if not wanted:
            return
        ticks = self._load_ticks()
        now = datetime.datetime.now(datetime.UTC)
        for item in wanted:
            key = f"{item.env}/{item.experiment}"
            last = datetime.datetime.fromisoformat(ticks[key]) if key in ticks else None
            tick = schedule.due(item.cron, last=last, now=now)
            if tick is None:
                continue
            ticks[key] = tick.isoformat()
            self._save_ticks(ticks)  # before starting: a crash never replays the tick
            try:
                self.start_scheduled(item, tick)
            except Exception:  # the next tick tries again
                continue

    def _load_ticks(self) -> dict[str, str]:
        if self.ticks_file is None or not self.ticks_file.exists():
            return {}
        try:
            found: dict[str, str] = json.loads(self.ticks_file.read_text())
            return found
        except ValueError:
            return {}

    def _save_ticks(self, ticks: Mapping[str, str]) -> None:
        if self.ticks_file is None:
            return
        self.ticks_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.ticks_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(dict(ticks), indent=2, sort_keys=True))
        temporary.replace(self.ticks_file)
