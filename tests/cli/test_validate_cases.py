"""The validation corpus, through the real ``bosun validate`` command.

``tests/cases/invalid/<case>/`` is a small repository that breaks exactly one rule. Its
``expected.txt`` lists the ``file:line: CODE`` of every error, in the reporter's order, or
``file:line:column: CODE`` where the column matters (a caret under a key, not its value); an
optional ``args`` file holds extra command-line arguments (``--env production``).
``bosun validate .`` runs with the case as working directory and must exit 1 with exactly those
errors.

``tests/cases/valid/<case>/`` must validate with exit 0, plainly and with ``--env E`` for every
environment it defines.
"""

from __future__ import annotations

import json
import pathlib
import re
import shlex
import subprocess
import sys

import pytest

CASES = pathlib.Path(__file__).resolve().parents[1] / "cases"
BOSUN = str(pathlib.Path(sys.executable).with_name("bosun"))
INVALID = sorted(p for p in (CASES / "invalid").iterdir() if p.is_dir())
VALID = sorted(p for p in (CASES / "valid").iterdir() if p.is_dir())


def validate(case: pathlib.Path, *args: str) -> tuple[int, dict[str, object]]:
    completed = subprocess.run(
        [BOSUN, "validate", ".", "--format", "json", *args],
        cwd=case,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.stderr == "", completed.stderr
    return completed.returncode, json.loads(completed.stdout)


def test_the_corpus_is_large_and_covers_many_codes() -> None:
    codes = {
        line.split(": ", 1)[1]
        for case in INVALID
        for line in (case / "expected.txt").read_text().splitlines()
        if line.strip()
    }
    assert len(INVALID) >= 40
    assert len(codes) >= 40, sorted(codes)


@pytest.mark.parametrize("case", INVALID, ids=[p.name for p in INVALID])
def test_invalid_case(case: pathlib.Path) -> None:
    args_file = case / "args"
    args = shlex.split(args_file.read_text()) if args_file.exists() else []
    expected = [line for line in (case / "expected.txt").read_text().splitlines() if line.strip()]
    assert expected, "an invalid case lists at least one error"
    code, report = validate(case, *args)
    errors = report["errors"]
    assert isinstance(errors, list)
    padded = expected + [""] * len(errors)
    found = [_as_expected(e, line) for e, line in zip(errors, padded[: len(errors)], strict=True)]
    assert found == expected, json.dumps(errors, indent=2)
    assert code == 1
    assert report["valid"] is False


WITH_COLUMN = re.compile(r"^\S+:\d+:\d+: BOS\d{3}$")


def _as_expected(error: dict[str, object], expected: str) -> str:
    """``file:line: CODE``, with the column when the expected line gives one."""
    column = f":{error['column']}" if WITH_COLUMN.match(expected) else ""
    return f"{error['file']}:{error['line']}{column}: {error['code']}"


@pytest.mark.parametrize("case", VALID, ids=[p.name for p in VALID])
def test_valid_case(case: pathlib.Path) -> None:
    environments = sorted(p.stem for p in case.glob("environments/*.yaml"))
    for args in [[]] + [["--env", name] for name in environments]:
        code, report = validate(case, *args)
        assert (code, report["errors"]) == (0, []), (args, report)
        assert report["documents"] >= 3
