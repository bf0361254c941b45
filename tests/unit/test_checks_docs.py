"""docs/diagnostics-checks.md shows real output: each example line and hint is what ``bosun
validate`` reports for one of the invalid cases, and every code of the checks is described."""

from __future__ import annotations

import pathlib
import re
import shlex

import pytest
from bosun.load import sources
from bosun.validate import checks, engine

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs/diagnostics-checks.md").read_text(encoding="utf-8")
EXAMPLE = re.compile(r"^(\S+:\d+:\d+: BOS\d{3} .*)$", re.MULTILINE)
HINT = re.compile(r"^  hint: (.*)$", re.MULTILINE)


def corpus_output(monkeypatch: pytest.MonkeyPatch) -> tuple[set[str], set[str]]:
    lines: set[str] = set()
    hints: set[str] = set()
    for case in sorted((ROOT / "tests/cases/invalid").iterdir()):
        args_file = case / "args"
        args = shlex.split(args_file.read_text()) if args_file.exists() else []
        environment = args[args.index("--env") + 1] if "--env" in args else None
        size = int(args[args.index("--max-file-size") + 1]) if "--max-file-size" in args else None
        monkeypatch.chdir(case)
        loaded = sources.load_paths(["."], max_file_size=size or sources.DEFAULT_MAX_FILE_SIZE)
        result = engine.validate_loaded(loaded, engine.Options(environment=environment))
        for d in result.diagnostics:
            lines.add(f"{d.file}:{d.line}:{d.column}: {d.code} {d.message}")
            if d.hint:
                hints.add(d.hint)
    return lines, hints


def test_every_example_is_real_output(monkeypatch: pytest.MonkeyPatch) -> None:
    lines, hints = corpus_output(monkeypatch)
    examples = EXAMPLE.findall(PAGE)
    assert len(examples) >= 15
    assert [e for e in examples if e not in lines] == []
    assert [h for h in HINT.findall(PAGE) if h not in hints] == []


def test_every_code_of_the_checks_is_described() -> None:
    codes = set(re.findall(r"BOS\d{3}", PAGE))
    assert len(checks.ALL) == 14
    assert {f"BOS{n}" for n in (301, 302, 303, 304, 305, 306, 307, 308, 309, 310)} <= codes
    assert {f"BOS{n}" for n in (311, 312, 313, 314, 315, 316, 317, 318, 401, 402, 403)} <= codes
    assert {f"BOS{n}" for n in (501, 502, 503, 601, 602, 603, 604)} <= codes
