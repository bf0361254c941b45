"""A plan as people read it in a terminal or a PR comment: one line per action that writes or
drifted, then its field changes (``-`` before, ``+`` after), grouped by team in markdown."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from bosun.plan import actions, diff

SYMBOL = {"create": "+", "update": "~", "delete": "-", "run": ">", "alias": "@", "noop": "!"}
COLOR = {"create": "32", "update": "33", "delete": "31", "run": "36", "alias": "35", "noop": "33"}
MAX_VALUE = 120


def shown(plan: actions.Plan) -> list[actions.Action]:
    """What a reader needs: every write, and every drift (also the ones not repaired)."""
    return [a for a in plan.actions if a.writes or a.drift or a.refused]


def summary(plan: actions.Plan) -> str:
    counts = plan.counts()
    parts = [
        f"{counts[v]} {v}" for v in ("create", "update", "delete", "run", "alias") if counts.get(v)
    ]
    refused = sum(1 for a in plan.actions if a.refused)
    if refused:
        parts.append(f"{refused} refused")
    drift = len(plan.drift)
    if drift:
        parts.append(f"{drift} drifted")
    return ", ".join(parts) or "no changes"


def text(plan: actions.Plan, *, color: bool = False) -> str:
    def paint(code: str, value: str) -> str:
        return f"\x1b[{code}m{value}\x1b[0m" if color else value

    lines = [f"plan for {plan.env} at {plan.commit[:12]}: {summary(plan)}"]
    if plan.blocked:
        lines.append(paint("31", f"BLOCKED: {plan.blocked}"))
    for action in shown(plan):
        head = f"{SYMBOL[action.verb]} {action.verb:<6} {action.object}  ({_why(action)})"
        lines.append(paint(COLOR[action.verb], head))
        for change in action.changes:
            if not change.added:
                lines.append(paint("31", f"    - {change.path}: {_value(change.before)}"))
            if not change.removed:
                lines.append(paint("32", f"    + {change.path}: {_value(change.after)}"))
        lines.extend(f"    {line}" for line in _alias_lines(action))
    return "\n".join(lines) + "\n"


def markdown(plan: actions.Plan) -> str:
    """The pull-request comment: a summary, then per team a table of actions and the field
    changes in a diff block."""
    out = [f"### bosun plan: `{plan.env}` at `{plan.commit[:12]}`", "", f"**{summary(plan)}**", ""]
    if plan.blocked:
        out += [f"> :no_entry: **Blocked:** {plan.blocked}", ""]
    acting = shown(plan)
    if not acting:
        out.append("Nothing to apply: the environment already matches this commit.")
    for team in sorted({a.team for a in acting}):
        out += [
            f"#### team `{team or '(platform)'}`",
            "",
            "| action | object | why |",
            "|---|---|---|",
        ]
        mine = [a for a in acting if a.team == team]
        out += [f"| {a.verb} | `{a.object}` | {_why(a)} |" for a in mine]
        out.append("")
        for action in mine:
            body = [*_diff_lines(action.changes), *_alias_lines(action)]
            if body:
                out += [f"<details><summary><code>{action.object}</code></summary>", ""]
                out += ["```diff", *body, "```", "", "</details>", ""]
    return "\n".join(out).rstrip() + "\n"


def json_document(plan: actions.Plan) -> str:
    return json.dumps(plan.document(), indent=2, default=str) + "\n"


def _why(action: actions.Action) -> str:
    if action.drift and action.verb == "noop":
        return f"{action.reason}: {action.drift}; not repaired (selfHeal is off)"
    return f"{action.reason}: {action.drift}" if action.drift else action.reason


def _diff_lines(changes: Iterable[diff.Change]) -> list[str]:
    lines: list[str] = []
    for change in changes:
        if not change.added:
            lines.append(f"- {change.path}: {_value(change.before)}")
        if not change.removed:
            lines.append(f"+ {change.path}: {_value(change.after)}")
    return lines


def _alias_lines(action: actions.Action) -> list[str]:
    if action.alias is None:
        return []
    spec = action.alias
    lines = [f"alias {spec.alias}: version {action.previous or '(none)'} -> {spec.version}"]
    for metric, delta in sorted(dict(spec.detail.get("metrics", {})).items()):
        lines.append(f"  {metric}: {_metric(delta)}")
    if "reason" in spec.detail:
        lines.append(f"  {spec.detail['reason']}")
    return lines


def _metric(delta: Any) -> str:
    if isinstance(delta, dict):
        current, candidate = delta.get("current"), delta.get("candidate")
        if isinstance(current, (int, float)) and isinstance(candidate, (int, float)):
            return f"{current:.4g} -> {candidate:.4g} ({candidate - current:+.4g})"
        if isinstance(candidate, (int, float)):
            return f"(none) -> {candidate:.4g}"
        return f"{current} -> {candidate}"
    return str(delta)


def _value(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 3] + "..."
