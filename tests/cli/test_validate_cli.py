"""``bosun validate`` as users and CI run it: the installed executable, in small repositories."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BOSUN = str(pathlib.Path(sys.executable).parent / "bosun")
DEMO = ("teams", "templates", "environments")


def bosun(
    *args: str, cwd: pathlib.Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("BOSUN_DEBUG", "NO_COLOR")}
    environment.update(env or {})
    return subprocess.run(
        [BOSUN, *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def valid_repo(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A copy of the demo manifests."""
    repo = tmp_path_factory.mktemp("valid")
    for folder in DEMO:
        shutil.copytree(ROOT / folder, repo / folder)
    return repo


@pytest.fixture(scope="module")
def invalid_repo(
    valid_repo: pathlib.Path, tmp_path_factory: pytest.TempPathFactory
) -> pathlib.Path:
    """The demo with a misspelled field in the pipeline's first step."""
    repo = tmp_path_factory.mktemp("invalid")
    for folder in DEMO:
        shutil.copytree(valid_repo / folder, repo / folder)
    pipeline = repo / "teams/quality/pipeline.yaml"
    text = pipeline.read_text(encoding="utf-8")
    assert "      command: [python, teams/quality/steps/prepare.py]" in text
    pipeline.write_text(
        text.replace("      command: [python, teams", "      comand: [python, teams")
    )
    return repo


def _typo_line(repo: pathlib.Path) -> int:
    lines = (repo / "teams/quality/pipeline.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if "comand:" in line)


def test_valid_repo_in_every_format(valid_repo: pathlib.Path) -> None:
    text = bosun("validate", cwd=valid_repo)
    assert (text.returncode, text.stderr) == (0, "")
    assert text.stdout.endswith("documents valid\n")

    as_json = json.loads(bosun("validate", "--format", "json", cwd=valid_repo).stdout)
    assert as_json["valid"] is True
    assert as_json["errors"] == []
    assert as_json["documents"] >= 7

    sarif = bosun("validate", "--format", "sarif", cwd=valid_repo)
    assert sarif.returncode == 0
    assert json.loads(sarif.stdout)["runs"][0]["results"] == []

    github = bosun("validate", "--format", "github", cwd=valid_repo)
    assert github.returncode == 0
    assert "::error" not in github.stdout


def test_invalid_repo_in_every_format(invalid_repo: pathlib.Path) -> None:
    line = _typo_line(invalid_repo)
    where = f"teams/quality/pipeline.yaml:{line}:7"

    text = bosun("validate", cwd=invalid_repo)
    assert text.returncode == 1
    assert f"{where}: BOS201 unknown field 'comand'" in text.stdout
    assert "hint: did you mean 'command'?" in text.stdout
    assert "      |       ^~~~~~" in text.stdout
    assert "\x1b[" not in text.stdout  # not a terminal

    result = bosun("validate", "--format", "json", cwd=invalid_repo)
    assert result.returncode == 1
    as_json = json.loads(result.stdout)
    assert as_json["valid"] is False
    first = as_json["errors"][0]
    assert (first["file"], first["line"], first["column"], first["code"]) == (
        "teams/quality/pipeline.yaml",
        line,
        7,
        "BOS201",
    )
    assert first["path"] == "spec.steps[0].comand"

    sarif = bosun("validate", "--format", "sarif", cwd=invalid_repo)
    assert sarif.returncode == 1
    results = json.loads(sarif.stdout)["runs"][0]["results"]
    assert results[0]["ruleId"] == "BOS201"
    assert results[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == line

    github = bosun("validate", "--format", "github", cwd=invalid_repo)
    assert github.returncode == 1
    assert github.stdout.startswith(
        f"::error file=teams/quality/pipeline.yaml,line={line},col=7,title=BOS201::"
    )


def test_paths_and_env(valid_repo: pathlib.Path) -> None:
    assert bosun("validate", ".", "--env", "dev", cwd=valid_repo).returncode == 0
    assert bosun("validate", "--env", "production", cwd=valid_repo).returncode == 0
    assert bosun("validate", str(valid_repo), cwd=ROOT).returncode == 0


def test_color_is_opt_in_outside_a_terminal(invalid_repo: pathlib.Path) -> None:
    forced = bosun("validate", "--color", "always", cwd=invalid_repo)
    assert "\x1b[1;31mBOS201\x1b[0m" in forced.stdout
    assert "\x1b[" not in bosun("validate", "--color", "never", cwd=invalid_repo).stdout
    env = {"FORCE_COLOR": "1", "NO_COLOR": "1"}
    assert "\x1b[" not in bosun("validate", cwd=invalid_repo, env=env).stdout


def test_garbage_never_gives_a_traceback(tmp_path: pathlib.Path) -> None:
    (tmp_path / "binary.yaml").write_bytes(bytes(range(256)) * 2)
    (tmp_path / "list.yml").write_text("- a\n- b\n", encoding="utf-8")
    (tmp_path / "huge.yaml").write_text("a: " + "x" * 2000 + "\n", encoding="utf-8")
    result = bosun("validate", "--max-file-size", "1000", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "binary.yaml:" in result.stdout and "BOS102" in result.stdout
    assert "huge.yaml:1:1: BOS101" in result.stdout
    assert "list.yml:1:1: BOS106" in result.stdout


def test_usage_errors_exit_2(tmp_path: pathlib.Path) -> None:
    missing = bosun("validate", "no/such/dir", cwd=tmp_path)
    assert missing.returncode == 2
    assert "does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr
    assert bosun("validate", "--format", "xml", cwd=tmp_path).returncode == 2
    assert bosun("validate", "--max-file-size", "0", cwd=tmp_path).returncode == 2


def test_empty_directory_is_valid_but_says_so(tmp_path: pathlib.Path) -> None:
    result = bosun("validate", cwd=tmp_path)
    assert result.returncode == 0
    assert "no manifests found" in result.stdout


def test_internal_error_is_one_line_unless_debugging(
    valid_repo: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    """A fault injected into the real process (through sitecustomize) stands for a bug."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(
        "from bosun.validate import engine\n"
        "def broken(*args, **kwargs):\n"
        "    raise RuntimeError('injected fault\\nsecond line')\n"
        "engine.validate_loaded = broken\n",
        encoding="utf-8",
    )
    env = {"PYTHONPATH": str(hooks)}
    result = bosun("validate", cwd=valid_repo, env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "bosun: internal error: RuntimeError: injected fault second line "
        "(a bug in bosun; BOSUN_DEBUG=1 shows the traceback)"
    ]
    debug = bosun("validate", cwd=valid_repo, env={**env, "BOSUN_DEBUG": "1"})
    assert debug.returncode != 0
    assert "Traceback" in debug.stderr


def test_help_has_examples_and_exit_codes(tmp_path: pathlib.Path) -> None:
    result = bosun("validate", "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "Examples:" in result.stdout
    assert "0 valid, 1 invalid, 2 usage or internal error" in result.stdout


def test_an_ascii_only_terminal_gets_the_report(tmp_path: pathlib.Path) -> None:
    (tmp_path / "team.yaml").write_text(
        "apiVersion: bosun.dev/v1alpha1\nkind: Team\nmetadata: {name: qualité}\n"
        'spec: {owners: ["@acme/quality"]}\n',
        encoding="utf-8",
    )
    result = bosun("validate", cwd=tmp_path, env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 1
    assert "team.yaml:3:18: BOS204 'qualit?' is not a DNS-1123 label" in result.stdout
