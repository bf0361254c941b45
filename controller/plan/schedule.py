"""When a scheduled experiment is due (pure): the latest cron tick in ``(last, now]``. Missed
ticks collapse into one start, and a tick already started is never started again."""

from __future__ import annotations

import datetime

from croniter import croniter


def due(
    cron: str, *, last: datetime.datetime | None, now: datetime.datetime
) -> datetime.datetime | None:
    """The tick to start now, or None. With no ``last`` (never started), only a tick within the
    last minute counts: a new schedule does not fire for a tick before it existed."""
    previous: datetime.datetime = croniter(cron, now).get_prev(datetime.datetime)
    floor = last if last is not None else now - datetime.timedelta(minutes=1)
    return previous if previous > floor else None


def next_tick(cron: str, after: datetime.datetime) -> datetime.datetime:
    found: datetime.datetime = croniter(cron, after).get_next(datetime.datetime)
    return found
