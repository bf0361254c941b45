"""One document against its kind's schema, through the real loader and engine: codes, located
positions, messages and hints of the diagnostics a user sees."""

from __future__ import annotations

import textwrap

import pytest
from bosun import diagnostics
from bosun.load import sources
from bosun.validate import engine

PIPELINE = """\
apiVersion: bosun.dev/v1alpha1
kind: Pipeline
metadata: {name: train, team: ml}
spec:
  steps:
    - name: prepare
      image: ghcr.io/acme/ml:1.0
      command: [python, prepare.py]
      retries: {limit: LIMIT}
"""


def validate(files: dict[str, str]) -> list[diagnostics.Diagnostic]:
    loaded = sources.load_bytes({k: textwrap.dedent(v).encode() for k, v in files.items()})
    return engine.validate_loaded(loaded, engine.Options()).diagnostics


def one(text: str) -> diagnostics.Diagnostic:
    (found,) = [d for d in validate({"teams/ml/pipeline.yaml": text}) if d.code.startswith("BOS2")]
    return found


@pytest.mark.parametrize(
    ("limit", "hint"),
    [
        ('"2"', "write the number without quotes"),
        ("'2'", "write the number without quotes"),
        ('"-1e3"', "write the number without quotes"),
        ("two", None),
        ('"2 times"', None),
        ('"nan"', None),
    ],
)
def test_the_unquote_hint_only_when_the_string_is_a_number(limit: str, hint: str | None) -> None:
    found = one(PIPELINE.replace("LIMIT", limit))
    assert (found.code, found.message) == ("BOS203", "expected an integer, got a string")
    assert (found.line, found.column, found.hint) == (9, 24, hint)


HUGE = "a" * 300_000
TEAM = """\
apiVersion: bosun.dev/v1alpha1
kind: Team
metadata: {name: NAME}
spec: {owners: ["@acme/ml"]}
"""


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (TEAM.replace("NAME", HUGE), "BOS204"),
        (TEAM.replace("NAME", "1" * 4000), "BOS203"),
        (TEAM.replace("kind: Team", f"kind: {HUGE}"), "BOS205"),
        (TEAM.replace("bosun.dev/v1alpha1", HUGE), "BOS206"),
        (TEAM.replace("NAME", f"ml, ? {HUGE} : 1"), "BOS201"),
        (PIPELINE.replace("{limit: LIMIT}", "{limit: 1}\n      timeout: " + "1" * 4000), "BOS204"),
        (PIPELINE.replace("{limit: LIMIT}", "{limit: 1}\n      timeout: x" + HUGE), "BOS204"),
        (PIPELINE.replace("prepare.py]", "prepare.py, '${{ " + HUGE + " }}']"), "BOS207"),
        (PIPELINE.replace("ml:1.0", "ml:1.0" + "A" * 1000), "BOS204"),
    ],
)
def test_a_huge_value_is_quoted_short_with_its_length(text: str, code: str) -> None:
    found = one(text.replace("LIMIT", "1"))
    assert found.code == code
    assert len(found.message) < 400, found.message[:500]
    assert "…" in found.message and " characters)" in found.message


def test_a_huge_union_tag_is_cut_short_too() -> None:
    environment = f"""\
        apiVersion: bosun.dev/v1alpha1
        kind: Environment
        metadata: {{name: dev}}
        spec: {{branch: main, registryAlias: staging, target: {{type: {HUGE}}}}}
    """
    found = one(environment)
    assert found.code == "BOS204" and len(found.message) < 400, found.message[:500]


def test_quote_keeps_short_values_and_cuts_long_ones() -> None:
    assert diagnostics.quote("Prepare_Data") == "'Prepare_Data'"
    assert diagnostics.quote(6) == "6"
    assert diagnostics.quote("x" * 80) == repr("x" * 80)
    assert diagnostics.quote("x" * 81) == "'" + "x" * 80 + "…' (81 characters)"
    assert diagnostics.quote(HUGE).endswith("…' (300,000 characters)")
    assert diagnostics.shorten("y" * 1000) == "y" * 80 + "… (1,000 characters)"
