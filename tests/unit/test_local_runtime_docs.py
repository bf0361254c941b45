"""docs/local-runtime.md matches the code: every executed and ignored Argo field, every option
of ``bosun run``, the env a step inherits and the env the cache key leaves out."""

from __future__ import annotations

import pathlib

import pytest
from bosun.commands import run
from bosun.targets.local import cache, runtime, subset

TEXT = (pathlib.Path(__file__).resolve().parents[2] / "docs/local-runtime.md").read_text()

NAMES = {
    "workflow spec": subset.SPEC_RUN | subset.SPEC_IGNORED,
    "template": subset.TEMPLATE_RUN | subset.TEMPLATE_IGNORED,
    "container": subset.CONTAINER_RUN | subset.CONTAINER_IGNORED,
    "task": subset.TASK_RUN,
    "retry policy": subset.RETRY_POLICIES,
    "inherited env": runtime.INHERITED_ENV,
    "per-run env": cache.PER_RUN_ENV,
}


@pytest.mark.parametrize("group", sorted(NAMES))
def test_every_name_is_documented(group: str) -> None:
    missing = sorted(name for name in NAMES[group] if f"`{name}`" not in TEXT)
    assert missing == [], f"docs/local-runtime.md does not mention these {group} names"


def test_every_option_of_bosun_run_is_documented() -> None:
    for parameter in run.command.params:
        for option in parameter.opts:
            if option.startswith("--"):
                assert f"`{option}" in TEXT, option
