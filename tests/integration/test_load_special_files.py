"""What the loader does with files that are not plain manifests: named pipes, devices, symbolic
links out of the repository, files that claim a wrong size. Real FIFOs, real links, real
``bosun validate`` processes (with a time and memory limit, so that a hang or a runaway read
fails the test instead of the machine)."""

from __future__ import annotations

import json
import os
import pathlib
import resource
import shutil
import subprocess
import sys
import threading

import pytest
from bosun.load import files, sources

BOSUN = str(pathlib.Path(sys.executable).with_name("bosun"))
MAIN = pathlib.Path(__file__).resolve().parents[2]
PASSWD_LINE = "root:x:0:0:"


@pytest.fixture
def repo(tmp_path: pathlib.Path) -> pathlib.Path:
    """A copy of the demo manifests, a Git repository (its top is where links must stay)."""
    root = tmp_path / "repo"
    for part in ("teams", "environments", "templates"):
        shutil.copytree(MAIN / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def validate(cwd: pathlib.Path, *args: str) -> subprocess.CompletedProcess[str]:
    def limits() -> None:  # a runaway read hits this instead of the machine's memory
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run(
        [BOSUN, "validate", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=limits,
    )


def test_a_named_pipe_is_refused_without_being_opened(repo: pathlib.Path) -> None:
    os.mkfifo(repo / "teams/quality/pipe.yaml")  # no writer: opening it would block for ever
    done = validate(repo, ".")
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[:2] == [
        "teams/quality/pipe.yaml:1:1: BOS109 a named pipe (FIFO), not a regular file; "
        "it was not opened",
        "  hint: bosun reads regular files only: remove it, or list it in .bosunignore",
    ]
    assert done.stderr == ""
    named = validate(repo, "teams/quality/pipe.yaml")  # named, not found by the walk
    assert "BOS109 a named pipe (FIFO)" in named.stdout


def test_a_pipe_swapped_in_after_the_checks_cannot_block(tmp_path: pathlib.Path) -> None:
    os.mkfifo(tmp_path / "swapped.yaml")
    outcome: list[BaseException] = []

    def read() -> None:
        try:
            files.read_regular(tmp_path / "swapped.yaml", limit=100, follow=False)
        except BaseException as error:  # handed to the test's thread
            outcome.append(error)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive(), "opening a pipe without a writer blocked"
    (error,) = outcome
    assert isinstance(error, files.Refused) and "named pipe" in error.message


def test_a_link_to_dev_zero_is_refused_without_reading_it(repo: pathlib.Path) -> None:
    os.symlink("/dev/zero", repo / "teams/quality/z.yaml")
    done = validate(repo, ".")
    assert done.returncode == 1, done.stderr
    assert (
        "teams/quality/z.yaml:1:1: BOS109 symbolic link to '/dev/zero' leads outside "
        "the repository; it was not read"
    ) in done.stdout.splitlines()
    assert done.stderr == ""


def test_a_device_is_not_opened_and_a_file_that_understates_its_size_is_cut() -> None:
    with pytest.raises(files.Refused, match="a character device"):
        files.read(pathlib.Path("/dev/zero"), limit=100, inside=pathlib.Path("/"))
    maps = pathlib.Path("/proc/self/maps")  # its size is 0 for stat, thousands of bytes to read
    assert os.stat(maps).st_size == 0
    with pytest.raises(files.TooLarge) as refused:
        files.read(maps, limit=100, inside=pathlib.Path("/"))
    assert refused.value.size == 101
    assert len(files.read(maps, limit=1 << 20, inside=pathlib.Path("/"))) > 100


@pytest.mark.parametrize("output", ["text", "json", "sarif", "github"])
def test_a_link_out_of_the_repository_is_refused_and_its_target_never_printed(
    repo: pathlib.Path, output: str
) -> None:
    os.symlink("/etc/passwd", repo / "teams/quality/pw.yaml")
    done = validate(repo, ".", "--format", output)
    assert done.returncode == 1, done.stderr
    assert "symbolic link to '/etc/passwd' leads outside the repository" in done.stdout
    assert "teams/quality/pw.yaml" in done.stdout
    assert PASSWD_LINE not in done.stdout + done.stderr


def test_a_link_named_on_the_command_line_is_judged_by_where_it_is(repo: pathlib.Path) -> None:
    os.symlink("/etc/passwd", repo / "teams/quality/pw.yaml")  # as pre-commit passes it
    done = validate(repo, "teams/quality/pw.yaml", "teams/quality/team.yaml")
    assert done.returncode == 1
    assert done.stdout.startswith(
        "teams/quality/pw.yaml:1:1: BOS109 symbolic link to '/etc/passwd' leads outside"
    )
    assert PASSWD_LINE not in done.stdout


def test_links_inside_the_repository_are_followed_but_not_into_hidden_entries(
    repo: pathlib.Path,
) -> None:
    (repo / "shared").mkdir()
    shutil.move(repo / "teams/quality/team.yaml", repo / "shared/quality-team.yaml")
    os.symlink("../../shared/quality-team.yaml", repo / "teams/quality/team.yaml")
    valid = validate(repo, "teams", "templates", "environments", "--format", "json")
    assert (valid.returncode, json.loads(valid.stdout)["errors"]) == (0, [])
    (repo / ".git/secret.yaml").write_text("token: hunter2\n")
    os.symlink("../../.git/secret.yaml", repo / "teams/quality/secret.yaml")
    hidden = validate(repo, ".")
    assert "leads into a hidden entry; it was not read" in hidden.stdout
    assert "hunter2" not in hidden.stdout


def test_outside_git_a_link_stays_in_the_directory_named(tmp_path: pathlib.Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b.yaml").write_text("kind: Team\n")
    os.symlink("../b.yaml", tmp_path / "a/b.yaml")
    assert files.boundary(tmp_path / "a") == tmp_path / "a"
    contents, problems = sources.read_named(
        {"a/b.yaml": tmp_path / "a/b.yaml"},
        max_file_size=100,
        roots={"a/b.yaml": tmp_path / "a"},
    )
    assert contents == {}
    assert [p.message for p in problems] == [
        f"symbolic link to '../b.yaml' leads outside '{(tmp_path / 'a').as_posix()}'; "
        "it was not read"
    ]
    contents, problems = sources.read_named(
        {"a/b.yaml": tmp_path / "a/b.yaml"}, max_file_size=100, roots={"a/b.yaml": tmp_path}
    )
    assert (contents, problems) == ({"a/b.yaml": b"kind: Team\n"}, [])


def test_an_ignore_file_that_is_a_pipe_is_not_read(tmp_path: pathlib.Path) -> None:
    os.mkfifo(tmp_path / ".bosunignore")
    assert sources.read_ignore_patterns(tmp_path) == []
