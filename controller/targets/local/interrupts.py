"""SIGINT and SIGTERM over a whole command (``bosun run``), not only while steps run.

One handler is installed for the command's lifetime. What a signal does depends on the phase:
while the scheduler runs it is delivered to it (stop the steps, run the exit handler); before
that, it is recorded and the runtime checks it at safe points (while queued for a semaphore,
before the first step); in the command's own code (start-up, the closing summary) it raises
``Interrupted`` where the code allows it. A signal is never lost and never becomes click's
"Aborted!"; the command exits ``128 + signal``.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """Raised by the handler inside a ``raising()`` block. A BaseException, so that the
    ``except Exception`` of ordinary error handling does not swallow it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class Interrupts:
    def __init__(self) -> None:
        self.received: list[int] = []
        self._target: Callable[[int], None] | None = None
        self._raise = False

    @property
    def first(self) -> int | None:
        return self.received[0] if self.received else None

    @contextlib.contextmanager
    def installed(self) -> Iterator[Interrupts]:
        """The handler, for the block; on the main thread only (where Python runs handlers);
        elsewhere nothing is installed and nothing is ever received."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = {s: signal.signal(s, self._handle) for s in SIGNALS}
        try:
            yield self
        finally:
            for signum, old in previous.items():
                signal.signal(signum, old)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.received.append(signum)
        if self._target is not None:
            self._target(signum)
        elif self._raise:
            self._raise = False  # once: the code that catches it must not be interrupted again
            raise Interrupted(signum)

    @contextlib.contextmanager
    def raising(self) -> Iterator[None]:
        """Inside the block, a signal raises ``Interrupted`` (once; a signal that came before
        the block is only in ``received``)."""
        self._raise = True
        try:
            yield
        finally:
            self._raise = False

    @contextlib.contextmanager
    def delivering(self, target: Callable[[int], None]) -> Iterator[None]:
        """Inside the block, each signal is passed to ``target`` (which must be safe to call
        from a signal handler)."""
        self._target = target
        try:
            yield
        finally:
            self._target = None
