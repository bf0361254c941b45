"""The controller's memory, one sqlite file (``<state>/bosun.db``): per environment the last
applied commit and its status, the inventory of what was applied, the runs started, the aliases
set, the action journal that makes a crash recoverable, and the append-only audit log."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from bosun.plan import objects

SCHEMA = """
CREATE TABLE IF NOT EXISTS environments (
    env TEXT PRIMARY KEY, status TEXT NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS inventory (
    env TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, commit_sha TEXT NOT NULL,
    team TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (env, key));
CREATE TABLE IF NOT EXISTS runs (
    env TEXT NOT NULL, name TEXT NOT NULL, identity TEXT NOT NULL, experiment TEXT NOT NULL,
    team TEXT NOT NULL, commit_sha TEXT NOT NULL, phase TEXT NOT NULL, message TEXT NOT NULL,
    started REAL NOT NULL, finished REAL, PRIMARY KEY (env, name));
CREATE TABLE IF NOT EXISTS aliases (
    env TEXT NOT NULL, model TEXT NOT NULL, alias TEXT NOT NULL, version TEXT NOT NULL,
    PRIMARY KEY (env, model, alias));
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT, env TEXT NOT NULL, commit_sha TEXT NOT NULL,
    author TEXT NOT NULL, entry TEXT NOT NULL, began REAL NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL, env TEXT NOT NULL,
    commit_sha TEXT NOT NULL, author TEXT NOT NULL, action TEXT NOT NULL, object TEXT NOT NULL,
    outcome TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_env ON audit (env, time);
"""


@dataclasses.dataclass(frozen=True)
class RunRow:
    env: str
    name: str
    identity: str
    experiment: str
    team: str
    commit: str
    phase: str
    message: str
    started: float
    finished: float | None


@dataclasses.dataclass(frozen=True)
class AuditRow:
    time: float
    env: str
    commit: str
    author: str
    action: str
    object: str
    outcome: str
    detail: Mapping[str, Any]

    def document(self) -> dict[str, Any]:
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.time))
        found = {
            "time": when,
            "env": self.env,
            "commit": self.commit,
            "author": self.author,
            "action": self.action,
            "object": self.object,
            "outcome": self.outcome,
        }
        return {**found, **({"detail": dict(self.detail)} if self.detail else {})}


@dataclasses.dataclass(frozen=True)
class JournalEntry:
    id: int
    env: str
    commit: str
    author: str
    entry: Mapping[str, Any]


@dataclasses.dataclass(frozen=True)
class Audit:
    """An audit row to write: ``action`` (create, update, delete, run, alias, reject, ...),
    ``object`` and ``outcome`` as ``bosun history`` shows them."""

    action: str
    object: str
    outcome: str
    detail: Mapping[str, Any] = dataclasses.field(default_factory=dict)


def path_of(state_dir: Path) -> Path:
    return state_dir / "bosun.db"


class Store:
    """Every write is one transaction, counted in ``writes`` (a no-op reconcile makes none)."""

    def __init__(self, state_dir: Path) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path_of(state_dir), timeout=60, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self.writes = 0

    def close(self) -> None:
        self._db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        self.writes += 1

    # environments

    def status(self, env: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT status FROM environments WHERE env=?", (env,)).fetchone()
        return json.loads(row[0]) if row else None

    def environments(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT env FROM environments ORDER BY env")]

    def save_status(self, env: str, status: Mapping[str, Any]) -> bool:
        """Write ``status`` unless it is what is stored already; True when it wrote."""
        if self.status(env) == json.loads(json.dumps(status)):
            return False
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO environments VALUES (?, ?, ?)",
                (env, json.dumps(status, sort_keys=True), time.time()),
            )
        return True

    # inventory

    def inventory(self, env: str) -> dict[objects.ObjectKey, objects.InventoryEntry]:
        rows = self._db.execute(
            "SELECT key, fingerprint, commit_sha, team FROM inventory WHERE env=?", (env,)
        )
        found = {}
        for key, fingerprint, commit, team in rows:
            parsed = objects.ObjectKey.parse(key)
            found[parsed] = objects.InventoryEntry(parsed, fingerprint, commit, team)
        return found

    def applied(self, env: str) -> dict[objects.ObjectKey, dict[str, Any]]:
        """key → the object as bosun last applied it (``bosun plan`` diffs against these)."""
        rows = self._db.execute("SELECT key, body FROM inventory WHERE env=?", (env,))
        return {objects.ObjectKey.parse(key): json.loads(body) for key, body in rows}

    # runs and aliases

    def runs(self, env: str) -> list[RunRow]:
        rows = self._db.execute(
            "SELECT * FROM runs WHERE env=? ORDER BY started, name", (env,)
        ).fetchall()
        return [RunRow(*row) for row in rows]

    def run(self, env: str, name: str) -> RunRow | None:
        row = self._db.execute("SELECT * FROM runs WHERE env=? AND name=?", (env, name)).fetchone()
        return RunRow(*row) if row else None

    def recorded_aliases(self, env: str) -> dict[tuple[str, str], str]:
        rows = self._db.execute("SELECT model, alias, version FROM aliases WHERE env=?", (env,))
        return {(model, alias): version for model, alias, version in rows}

    def set_run_phase(
        self,
        env: str,
        name: str,
        phase: str,
        message: str,
        audit: Audit | None,
        *,
        who: tuple[str, str],
    ) -> None:
        with self.transaction() as db:
            finished = time.time() if phase in {"Succeeded", "Failed", "Error"} else None
            db.execute(
                "UPDATE runs SET phase=?, message=?, finished=? WHERE env=? AND name=?",
                (phase, message, finished, env, name),
            )
            if audit is not None:
                _audit(db, env, who, audit)

    # journal

    def open_entries(self, env: str) -> list[JournalEntry]:
        rows = self._db.execute(
            "SELECT id, env, commit_sha, author, entry FROM journal WHERE env=? ORDER BY id", (env,)
        )
        return [JournalEntry(i, e, c, a, json.loads(entry)) for i, e, c, a, entry in rows]

    def begin(self, env: str, who: tuple[str, str], entry: Mapping[str, Any]) -> int:
        """Journal an action before its effect: a crash leaves the entry open for the next
        reconcile to settle."""
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO journal (env, commit_sha, author, entry, began) VALUES (?,?,?,?,?)",
                (env, who[0], who[1], json.dumps(entry, sort_keys=True), time.time()),
            )
        return int(cursor.lastrowid or 0)

    def complete(self, env: str, entry_id: int, who: tuple[str, str], effect: Effect) -> None:
        """The action's effect recorded, its audit row written and its journal entry closed, in
        one transaction."""
        with self.transaction() as db:
            _record(db, env, who, effect)
            db.execute("DELETE FROM journal WHERE id=?", (entry_id,))

    # audit

    def audit(self, env: str, who: tuple[str, str], row: Audit) -> None:
        with self.transaction() as db:
            _audit(db, env, who, row)

    def history(
        self, *, env: str | None = None, model: str | None = None, until: float | None = None
    ) -> list[AuditRow]:
        query = (
            "SELECT time, env, commit_sha, author, action, object, outcome, detail "
            "FROM audit WHERE 1=1"
        )
        args: list[Any] = []
        if env:
            query += " AND env=?"
            args.append(env)
        if model:
            query += " AND (object LIKE ? OR detail LIKE ?)"
            args += [f"alias {model}@%", f'%"model": "{model}"%']
        if until is not None:
            query += " AND time<=?"
            args.append(until)
        rows = self._db.execute(query + " ORDER BY id", args).fetchall()
        return [
            AuditRow(t, e, c, a, ac, o, out, json.loads(d)) for t, e, c, a, ac, o, out, d in rows
        ]


@dataclasses.dataclass(frozen=True)
class Effect:
    """What an applied action changed in the store besides its audit row."""

    audit: Audit
    inventory: objects.InventoryEntry | None = None
    body: Mapping[str, Any] | None = None
    """The object applied (with ``inventory``)."""
    forget: objects.ObjectKey | None = None
    run: RunRow | None = None
    alias: tuple[str, str, str] | None = None
    """(model, alias, version) bosun set."""


def _record(db: sqlite3.Connection, env: str, who: tuple[str, str], effect: Effect) -> None:
    if effect.inventory is not None:
        e = effect.inventory
        db.execute(
            "INSERT OR REPLACE INTO inventory VALUES (?,?,?,?,?,?)",
            (env, str(e.key), e.fingerprint, e.commit, e.team, json.dumps(effect.body or {})),
        )
    if effect.forget is not None:
        db.execute("DELETE FROM inventory WHERE env=? AND key=?", (env, str(effect.forget)))
    if effect.run is not None:
        r = effect.run
        db.execute(
            "INSERT OR IGNORE INTO runs VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                env,
                r.name,
                r.identity,
                r.experiment,
                r.team,
                r.commit,
                r.phase,
                r.message,
                r.started,
                r.finished,
            ),
        )
    if effect.alias is not None:
        db.execute("INSERT OR REPLACE INTO aliases VALUES (?,?,?,?)", (env, *effect.alias))
    _audit(db, env, who, effect.audit)


def _audit(db: sqlite3.Connection, env: str, who: tuple[str, str], row: Audit) -> None:
    db.execute(
        "INSERT INTO audit (time, env, commit_sha, author, action, object, outcome, detail) "
        "VALUES (?,?,?,?,?,?,?,?)",
        (
            time.time(),
            env,
            who[0],
            who[1],
            row.action,
            row.object,
            row.outcome,
            json.dumps(row.detail, sort_keys=True),
        ),
    )


def identities(runs: Sequence[RunRow]) -> frozenset[str]:
    return frozenset(r.identity for r in runs)
