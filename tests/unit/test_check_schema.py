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
