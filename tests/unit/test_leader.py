"""Leader election's rules on plain data: an in-memory Lease with resourceVersions, a clock."""

from __future__ import annotations

import dataclasses

import pytest
from bosun.gitops import leader


@dataclasses.dataclass
class MemoryLease:
    record: leader.Record | None = None
    version: int = 0
    failing: bool = False

    def get(self) -> tuple[leader.Record, str] | None:
        if self.failing:
            raise leader.LeaseError("unreachable")
        return None if self.record is None else (self.record, str(self.version))

    def create(self, record: leader.Record) -> None:
        if self.record is not None:
            raise leader.ConflictError("exists")
        self.record, self.version = record, self.version + 1

    def replace(self, record: leader.Record, resource_version: str) -> None:
        if self.failing:
            raise leader.LeaseError("unreachable")
        if resource_version != str(self.version):
            raise leader.ConflictError("stale")
        self.record, self.version = record, self.version + 1


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _elector(lease: MemoryLease, name: str, clock: Clock) -> leader.Elector:
    return leader.Elector(lease, name, duration=15, clock=clock)


def test_the_first_candidate_creates_the_lease_and_renews_it(clock: Clock) -> None:
    lease = MemoryLease()
    a = _elector(lease, "a", clock)
    assert a.try_acquire_or_renew() and a.leading
    assert lease.record == leader.Record("a", 15, 1_000.0, 1_000.0, 0)
    clock.now += 5
    assert a.try_acquire_or_renew()
    assert lease.record == leader.Record("a", 15, 1_000.0, 1_005.0, 0)  # acquired stays


def test_a_live_lease_is_not_taken_and_an_expired_one_is(clock: Clock) -> None:
    lease = MemoryLease()
    a, b = _elector(lease, "a", clock), _elector(lease, "b", clock)
    assert a.try_acquire_or_renew()
    clock.now += 14
    assert not b.try_acquire_or_renew() and b.holder == "a" and not b.leading
    clock.now += 2  # 16 s since a's renewal
    assert b.try_acquire_or_renew() and b.leading
    assert lease.record == leader.Record("b", 15, 1_016.0, 1_016.0, 1)
    assert not a.leading  # a's own lease ran out too: it knows without asking
    assert not a.try_acquire_or_renew()


def test_of_two_candidates_reading_the_same_version_one_wins(clock: Clock) -> None:
    lease = MemoryLease(leader.Record("gone", 15, 0.0, 0.0, 3), version=7)
    a, b = _elector(lease, "a", clock), _elector(lease, "b", clock)
    seen = lease.get()
    assert a.try_acquire_or_renew()
    assert seen is not None
    with pytest.raises(leader.ConflictError):  # b's write with what it read is stale now
        lease.replace(leader.Record("b", 15, clock.now, clock.now, 4), seen[1])
    assert not b.try_acquire_or_renew()
    assert lease.record is not None and lease.record.holder == "a"
    assert lease.record.transitions == 4


def test_a_leader_that_cannot_renew_stops_leading_when_its_lease_runs_out(clock: Clock) -> None:
    lease = MemoryLease()
    a = _elector(lease, "a", clock)
    assert a.try_acquire_or_renew()
    lease.failing = True
    clock.now += 10
    assert not a.try_acquire_or_renew() and a.leading  # still within its lease
    clock.now += 6
    assert not a.try_acquire_or_renew() and not a.leading


def test_release_hands_the_lease_over_at_once(clock: Clock) -> None:
    lease = MemoryLease()
    a, b = _elector(lease, "a", clock), _elector(lease, "b", clock)
    assert a.try_acquire_or_renew()
    a.release()
    assert not a.leading
    assert lease.record is not None and lease.record.holder == ""
    clock.now += 1
    assert b.try_acquire_or_renew()
    assert lease.record.transitions == 1


def test_release_leaves_a_lease_someone_else_holds(clock: Clock) -> None:
    lease = MemoryLease()
    a = _elector(lease, "a", clock)
    assert a.try_acquire_or_renew()
    lease.record = leader.Record("b", 15, clock.now, clock.now, 1)
    a.release()
    assert lease.record.holder == "b"


def test_leadership_calls_on_lost_once_when_renewals_fail() -> None:
    lease = MemoryLease()
    lost: list[bool] = []
    elector = leader.Elector(lease, "a", duration=0.4)
    leadership = leader.Leadership(elector, on_lost=lambda: lost.append(True))
    leadership.start()
    assert leadership.acquired.wait(timeout=5)
    lease.failing = True
    for _ in range(50):
        if lost:
            break
        leadership._stop.wait(0.1)
    leadership.stop()
    assert lost == [True] and not elector.leading
