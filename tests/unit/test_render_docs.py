"""docs/render.md and docs/cli.md match the render code: options, kind order, defaults, codes."""

from __future__ import annotations

import pathlib
import re

from bosun import diagnostics, render
from bosun.commands import render as render_command
from bosun.render import experiment, quota, system, wf_defaults
from bosun.spec.v1alpha1 import reserved

ROOT = pathlib.Path(__file__).resolve().parents[2]
RENDER_DOC = (ROOT / "docs/render.md").read_text(encoding="utf-8")


def test_every_option_is_documented_in_both_pages() -> None:
    cli_doc = (ROOT / "docs/cli.md").read_text(encoding="utf-8")
    for parameter in render_command.command.params:
        for option in parameter.opts:
            if option.startswith("--"):
                assert f"`{option}" in cli_doc, f"docs/cli.md does not document {option}"
                assert f"`{option}" in RENDER_DOC, f"docs/render.md does not document {option}"


def test_the_order_table_is_the_code_order() -> None:
    rows = re.findall(r"^\| (\d) \| `[^`]*?(\w+)` `", RENDER_DOC, re.MULTILINE)
    assert [kind for _, kind in rows] == list(render.KIND_ORDER)


def test_defaults_in_the_docs_are_the_code_defaults() -> None:
    ttl = wf_defaults.TTL
    assert f"secondsAfterSuccess: {ttl['secondsAfterSuccess']}" in RENDER_DOC
    assert f"secondsAfterFailure: {ttl['secondsAfterFailure']}" in RENDER_DOC
    assert (
        f"strategy: {wf_defaults.POD_GC['strategy']}, "
        f"deleteDelayDuration: {wf_defaults.POD_GC['deleteDelayDuration']}"
    ) in RENDER_DOC
    fallback = quota.FALLBACK_DEFAULTS
    assert f"`cpu: {fallback.cpu}, memory: {fallback.memory}`" in RENDER_DOC
    assert f"ConfigMap `{quota.SEMAPHORE_CONFIGMAP}`" in RENDER_DOC
    assert f"`data.{quota.SEMAPHORE_KEY}: " in RENDER_DOC
    cron = experiment.CRON_DEFAULTS
    for key in (
        "timezone",
        "concurrencyPolicy",
        "successfulJobsHistoryLimit",
        "failedJobsHistoryLimit",
    ):
        assert f"`{key}: {cron[key]}`" in RENDER_DOC
    assert f"{system.RESOURCES.cpu} CPU / {system.RESOURCES.memory}" in RENDER_DOC
    assert f"{system.RETRIES.limit} retries" in RENDER_DOC
    for name in reserved.RESERVED_STEP_NAMES:
        assert f"`{name}`" in RENDER_DOC


def test_codes_the_docs_name_exist_with_that_meaning() -> None:
    for code in set(re.findall(r"BOS\d{3}", RENDER_DOC)):
        assert code in diagnostics.CODES, code
    assert diagnostics.CODES["BOS318"].startswith("name reserved")
    assert diagnostics.CODES["BOS319"].startswith("model version")
