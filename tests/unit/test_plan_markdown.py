"""The pull-request comment of a plan, against a golden file (``UPDATE_GOLDEN=1`` rewrites it;
review the diff)."""

from __future__ import annotations

import os
import pathlib

from bosun.plan import actions, planner
from bosun.reporters import plan_text

from tests.unit import test_planner as t

GOLDEN = pathlib.Path(__file__).parents[1] / "golden" / "plan" / "production.md"


def _plan() -> actions.Plan:
    bigger = t.obj("ResourceQuota", "default", "toy", hard={"cpu": "8"})
    run = actions.RunSpec("toy-run-1", "id-1", "toy-run", "toy", [])
    detail = {
        "run": "8d2f",
        "metrics": {"accuracy": {"candidate": 0.93, "current": 0.9}},
        "gates": ["accuracy 0.93 >= 0.8 (gate >= 0.8)"],
    }
    alias = actions.AliasSpec("wine", "production", "4", "quality/wine-api", "quality", detail)
    live = t.applied(t.NS, t.QUOTA, t.TEMPLATE)
    live = planner.Live(live.live, live.inventory, aliases={("wine", "production"): "3"})
    desired = planner.Desired(t.COMMIT, [t.NS, bigger], [run], [alias])
    return planner.plan("production", desired, live, t.HEAL)


def test_the_markdown_plan_matches_its_golden_file() -> None:
    text = plan_text.markdown(_plan())
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text()


def test_the_text_plan_colours_only_on_request() -> None:
    plain, coloured = plan_text.text(_plan()), plan_text.text(_plan(), color=True)
    assert "\x1b[" not in plain and "\x1b[33m~ update" in coloured
    assert '- spec.hard.cpu: "4"' in plain and '+ spec.hard.cpu: "8"' in plain
