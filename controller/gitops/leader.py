"""Leader election on one ``coordination.k8s.io/v1`` Lease, with client-go's rules: the holder
renews ``renewTime`` well within ``leaseDurationSeconds``; anyone may take a lease whose renewal
is older than its duration (``leaseTransitions`` + 1); writes carry the resourceVersion read, so
of two candidates exactly one wins; a leader that cannot renew before its lease runs out stops
leading. The Lease itself sits behind ``LeaseStore``; time is injected, so this is plain data."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from typing import Protocol


@dataclasses.dataclass(frozen=True)
class Record:
    """A Lease's spec: holder, duration (seconds), acquire and renew times (seconds since the
    epoch) and the number of holder changes."""

    holder: str = ""
    duration: float = 15.0
    acquired: float | None = None
    renewed: float | None = None
    transitions: int = 0

    def held_by_other(self, identity: str, now: float) -> bool:
        if not self.holder or self.holder == identity or self.renewed is None:
            return False
        return now < self.renewed + self.duration


class ConflictError(Exception):
    """Another writer changed the Lease since it was read (409), or created it first."""


class LeaseError(Exception):
    """The Lease cannot be read or written (unreachable server, missing namespace)."""


class LeaseStore(Protocol):
    def get(self) -> tuple[Record, str] | None:
        """The Lease's record and resourceVersion; None when it does not exist."""
        ...

    def create(self, record: Record) -> None:
        """Raises ``ConflictError`` when it exists already."""
        ...

    def replace(self, record: Record, resource_version: str) -> None:
        """Raises ``ConflictError`` when ``resource_version`` is stale."""
        ...


class Elector:
    def __init__(
        self,
        store: LeaseStore,
        identity: str,
        *,
        duration: float = 15.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.identity = identity
        self.duration = duration
        self.clock = clock
        self.renewed: float | None = None
        """When this candidate last wrote the Lease as its holder (None: never, or released)."""
        self.holder = ""
        """The holder the last read found."""

    @property
    def leading(self) -> bool:
        return self.renewed is not None and self.clock() < self.renewed + self.duration

    def try_acquire_or_renew(self) -> bool:
        """One attempt; True when this candidate holds the Lease now. Errors count as a failed
        attempt: ``leading`` goes False only once the lease has run out."""
        now = self.clock()
        try:
            found = self.store.get()
            if found is None:
                self.store.create(Record(self.identity, self.duration, now, now, 0))
            else:
                record, version = found
                self.holder = record.holder
                if record.held_by_other(self.identity, now):
                    return False
                mine = record.holder == self.identity and self.renewed is not None
                self.store.replace(
                    Record(
                        self.identity,
                        self.duration,
                        record.acquired if mine else now,
                        now,
                        record.transitions if mine else record.transitions + 1,
                    ),
                    version,
                )
        except (ConflictError, LeaseError):
            return False
        self.renewed, self.holder = now, self.identity
        return True

    def release(self) -> None:
        """Give the Lease up at once (a clean stop), so that the other replica need not wait
        for it to run out."""
        if not self.leading:
            return
        self.renewed = None
        try:
            found = self.store.get()
            if found is None or found[0].holder != self.identity:
                return
            record, version = found
            self.store.replace(
                dataclasses.replace(record, holder="", renewed=self.clock(), duration=1),
                version,
            )
        except (ConflictError, LeaseError):
            return


class Leadership:
    """Campaign and renew in a background thread: ``acquired`` is set while leading;
    ``on_lost`` is called once if the lease runs out while leading."""

    def __init__(self, elector: Elector, *, on_lost: Callable[[], None]) -> None:
        self.elector = elector
        self.on_lost = on_lost
        self.acquired = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="leader-election", daemon=True)

    @property
    def period(self) -> float:
        return max(0.1, self.elector.duration / 4)

    def start(self) -> None:
        self._thread.start()

    def wait(self, stop: threading.Event) -> bool:
        """Block until leading (True) or ``stop`` is set (False)."""
        while not stop.is_set():
            if self.acquired.wait(timeout=0.1):
                return True
        return False

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self.elector.release()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.elector.try_acquire_or_renew()
            if self.elector.leading:
                self.acquired.set()
            elif self.acquired.is_set():
                self.acquired.clear()
                self.on_lost()
                return
            self._stop.wait(self.period)
