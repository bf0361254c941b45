"""Where bosun's output goes wrong: a full disk, an ``--out`` that cannot be created, a reader
that stops early, a closed standard output, a file name that is not UTF-8. The real ``bosun``
executable, real devices (``/dev/full``), real pipes. None of these is a bug in bosun: a one-line
message, or nothing, and never a traceback."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
from typing import IO

import pytest
from bosun.commands import output

BOSUN = str(pathlib.Path(sys.executable).with_name("bosun"))
MAIN = pathlib.Path(__file__).resolve().parents[2]
FULL = "bosun: cannot write standard output: No space left on device\n"


@pytest.fixture
def repo(tmp_path: pathlib.Path) -> pathlib.Path:
    root = tmp_path / "repo"
    for part in ("teams", "environments", "templates"):
        shutil.copytree(MAIN / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.fixture
def noisy_repo(repo: pathlib.Path) -> pathlib.Path:
    """The demo with 400 invalid teams: a report of ~140 KB, more than a pipe holds."""
    for i in range(400):
        (repo / f"teams/quality/extra{i}.yaml").write_text(
            f"apiVersion: bosun.dev/v1alpha1\nkind: Team\nmetadata: {{name: extra{i}}}\n"
            "spec: {owners: [nobody], bogus: 1}\n"
        )
    return repo


def bosun(
    cwd: pathlib.Path, *args: str, stdout: IO[str] | int = subprocess.PIPE
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BOSUN, *args],
        cwd=cwd,
        env={k: v for k, v in os.environ.items() if k != "BOSUN_DEBUG"},
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("output_format", ["text", "sarif"])
def test_a_full_disk_is_named_not_reported_as_a_bug(
    noisy_repo: pathlib.Path, output_format: str
) -> None:
    for repo in (noisy_repo, noisy_repo / "teams/quality/team.yaml"):  # long and short reports
        with open("/dev/full", "w") as full:
            done = bosun(noisy_repo, "validate", str(repo), "--format", output_format, stdout=full)
        assert (done.returncode, done.stderr) == (2, FULL)


def test_help_and_schema_export_to_a_full_disk(tmp_path: pathlib.Path) -> None:
    with open("/dev/full", "w") as full:
        helped = bosun(tmp_path, "--help", stdout=full)
        exported = bosun(tmp_path, "schema", "export", "--out", "schema", stdout=full)
    assert (helped.returncode, helped.stderr) == (2, FULL)
    assert (exported.returncode, exported.stderr) == (2, FULL)


def test_an_out_directory_that_cannot_be_made_is_named(tmp_path: pathlib.Path) -> None:
    (tmp_path / "a-file").write_text("x")
    cases = {
        "/proc/x": "bosun: cannot write /proc/x: No such file or directory\n",
        str(tmp_path / "a-file/x"): f"bosun: cannot write {tmp_path}/a-file/x/v1alpha1: "
        "Not a directory\n",
    }
    for out, message in cases.items():
        done = bosun(tmp_path, "schema", "export", "--out", out)
        assert (done.returncode, done.stdout, done.stderr) == (2, "", message)


def test_a_read_only_out_directory_is_named(tmp_path: pathlib.Path) -> None:
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema/v1alpha1").mkdir(mode=0o500)
    if os.access(tmp_path / "schema/v1alpha1", os.W_OK):  # root writes anywhere: use sysfs
        done = bosun(tmp_path, "schema", "export", "--out", "/sys/bosun-test")
        assert done.returncode == 2
        assert done.stderr.startswith("bosun: cannot write /sys/bosun-test: ")
        return
    done = bosun(tmp_path, "schema", "export", "--out", "schema")
    assert done.returncode == 2
    assert done.stderr.startswith("bosun: cannot write schema/v1alpha1/")
    assert done.stderr.endswith(": Permission denied\n")


def test_a_reader_that_stops_early_ends_bosun_quietly(noisy_repo: pathlib.Path) -> None:
    process = subprocess.Popen(
        [BOSUN, "validate", "."],
        cwd=noisy_repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()  # what ``| head -1`` does: one line, then close
    process.stdout.close()
    errors = process.stderr.read()
    assert process.wait(timeout=120) == 1
    assert first.startswith("teams/quality/extra")
    assert errors == ""


def test_a_closed_stdout_keeps_the_exit_status(repo: pathlib.Path) -> None:
    closed = subprocess.run(
        [
            "bash",
            "-c",
            f"{BOSUN} validate . >&-; echo $?; rm teams/quality/team.yaml;"
            f" {BOSUN} validate . >&-; echo $?",
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (closed.stdout, closed.stderr) == ("0\n1\n", "")


def test_other_os_errors_are_still_bugs(repo: pathlib.Path, tmp_path: pathlib.Path) -> None:
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(
        "from bosun.validate import engine\n"
        "def broken(*args, **kwargs):\n"
        "    open('/nonexistent/state.json')\n"
        "engine.validate_loaded = broken\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [BOSUN, "validate", "."],
        cwd=repo,
        env={**os.environ, "PYTHONPATH": str(hooks)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("bosun: internal error: FileNotFoundError: ")


def test_which_os_errors_are_the_outputs(tmp_path: pathlib.Path) -> None:
    def raised(action: object) -> OSError:
        with pytest.raises(OSError) as caught:
            action()  # type: ignore[operator]
        return caught.value

    missing = tmp_path / "missing/x.json"
    assert output.unwritable(raised(missing.read_text)) is None
    assert output.unwritable(raised(lambda: missing.write_text("x"))) == (
        f"bosun: cannot write {missing}: No such file or directory\n"
    )
    assert output.unwritable(raised(lambda: missing.parent.joinpath("a/b").mkdir())) == (
        f"bosun: cannot write {missing.parent / 'a/b'}: No such file or directory\n"
    )
    assert output.unwritable(raised(missing.unlink)) is not None


def test_a_file_name_that_is_not_utf8_in_sarif(repo: pathlib.Path) -> None:
    quality = os.fsencode(repo / "teams/quality")
    shutil.copy(repo / "teams/quality/serving.yaml", os.fsdecode(quality + b"/s\xff.yaml"))
    done = bosun(repo, "validate", ".", "--format", "sarif")
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    (result,) = json.loads(done.stdout)["runs"][0]["results"]
    uris = [loc["physicalLocation"]["artifactLocation"]["uri"] for loc in result["locations"]]
    assert uris == ["teams/quality/s%FF.yaml"]
