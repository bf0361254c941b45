"""Cron ticks: a missed tick starts once, several missed collapse into one, none replays."""

from __future__ import annotations

import datetime

from bosun.plan import schedule

UTC = datetime.UTC


def at(hour: int, minute: int = 0, day: int = 5) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def test_a_tick_is_due_once() -> None:
    tick = schedule.due(
        "0 3 * * *", last=at(3, day=4), now=at(3, 0) + datetime.timedelta(seconds=20)
    )
    assert tick == at(3)
    assert schedule.due("0 3 * * *", last=tick, now=at(4)) is None


def test_missed_ticks_collapse_into_the_latest() -> None:
    assert schedule.due("0 * * * *", last=at(1), now=at(5, 30)) == at(5)


def test_a_new_schedule_does_not_fire_for_a_tick_before_it_existed() -> None:
    assert schedule.due("0 3 * * *", last=None, now=at(9)) is None
    assert schedule.due(
        "*/5 * * * *", last=None, now=at(9, 0) + datetime.timedelta(seconds=5)
    ) == at(9)


def test_next_tick() -> None:
    assert schedule.next_tick("30 2 * * *", at(3)) == at(2, 30, day=6)
