"""BOS404: a ``${{ }}`` reference never reaches a process spliced into ``sh -c`` or ``python -c``
source; it goes through an env var or as one whole argv element."""

from __future__ import annotations

import pytest
import validate_support as vs
from bosun.validate import inline_code

MSG = "${{ params.epochs }}"


def step(command: list[str], args: list[str] | None = None) -> vs.Doc:
    return vs.prepare_step(command=command, args=args or ["--out", "${{ outputs.data }}"])


def spliced(command: list[str], args: list[str] | None = None) -> list[tuple[str, str]]:
    return vs.found(vs.run(inline_code.check, [vs.pipeline(steps=[step(command, args)])]))


@pytest.mark.parametrize(
    ("command", "where"),
    [
        (["sh", "-c", f"python a.py {MSG}"], "command[2]"),
        (["/bin/bash", "-lc", f"python a.py '{MSG}'"], "command[2]"),
        (["bash", "-ec", f"echo {MSG}"], "command[2]"),
        (["bash", "-xc", f"echo {MSG}"], "command[2]"),
        (["bash", "-o", "pipefail", "-c", f"echo {MSG}"], "command[4]"),
        (["bash", "-c", "-eo", "pipefail", f"echo {MSG}"], "command[4]"),
        (["bash", "--norc", "-c", "--", f"echo {MSG}"], "command[4]"),
        (["zsh", "-c", f"echo {MSG}"], "command[2]"),
        (["/usr/bin/dash", "-c", f"echo {MSG}"], "command[2]"),
        (["ash", "-c", f"echo {MSG}"], "command[2]"),
        (["ksh", "-c", f"echo {MSG}"], "command[2]"),
        (["busybox", "sh", "-c", f"echo {MSG}"], "command[3]"),
        (["/bin/busybox", "ash", "-c", f"echo {MSG}"], "command[3]"),
        (["env", "sh", "-c", f"echo {MSG}"], "command[3]"),
        (["/usr/bin/env", "-i", "A=1", "B=2", "bash", "-c", f"echo {MSG}"], "command[6]"),
        (["env", "-u", "HOME", "sh", "-c", f"echo {MSG}"], "command[5]"),
        (["python", "-c", f"print('{MSG}')"], "command[2]"),
        (["python3", "-u", "-c", f"print('{MSG}')"], "command[3]"),
        (["/usr/local/bin/python3.11", "-Bc", f"print({MSG})"], "command[2]"),
        (["python", f"-cprint({MSG})"], "command[1]"),
        (["python", "-W", "ignore", "-c", f"print({MSG})"], "command[4]"),
        (["perl", "-e", f"print '{MSG}'"], "command[2]"),
        (["perl", "-ne", f"print if /{MSG}/"], "command[2]"),
        (["ruby", "-e", f"puts '{MSG}'"], "command[2]"),
        (["node", "-e", f"console.log('{MSG}')"], "command[2]"),
        (["node", f"--eval=console.log('{MSG}')"], "command[1]"),
        (["Rscript", "-e", f"print('{MSG}')"], "command[2]"),
    ],
)
def test_a_reference_in_inline_code_is_refused(command: list[str], where: str) -> None:
    assert spliced(command) == [("BOS404", f"spec.steps[0].{where}")]


def test_the_code_may_be_in_args() -> None:
    assert spliced(["sh"], ["-c", f"python a.py {MSG}"]) == [("BOS404", "spec.steps[0].args[1]")]


@pytest.mark.parametrize(
    "command",
    [
        ["python", "a.py", MSG],
        ["python", "-m", "pkg.train", "-c", MSG],
        ["python", "-c", "import sys; print(sys.argv[1])", MSG],
        ["sh", "-c", 'python a.py "$1"', "sh", MSG],
        ["sh", "-c", 'python a.py "$EPOCHS"'],
        ["sh", "script.sh", "-c", MSG],
        ["bash", "-e", "run.sh", MSG],
        ["perl", "script.pl", "-e", MSG],
        ["env", "EPOCHS=" + MSG, "python", "a.py"],
        ["shellcheck", "-c", MSG],
        ["pythonic", "-c", MSG],
        ["ruby", "-I", MSG, "a.rb"],
    ],
)
def test_references_as_whole_arguments_or_data_are_fine(command: list[str]) -> None:
    assert spliced(command) == []


def test_the_hint_says_how_each_language_reads_the_environment() -> None:
    (shell,) = vs.run(inline_code.check, [vs.pipeline(steps=[step(["sh", "-c", f"a {MSG}"])])])
    assert shell.hint is not None
    assert 'env: [{name: EPOCHS, value: "${{ params.epochs }}"}]' in shell.hint
    assert '"$EPOCHS"' in shell.hint
    (python,) = vs.run(
        inline_code.check, [vs.pipeline(steps=[step(["python", "-c", f"print({MSG})"])])]
    )
    assert python.hint is not None and 'os.environ["EPOCHS"]' in python.hint


def test_step_templates_are_checked_too() -> None:
    template = vs.template(command=["bash", "-c", "python fit.py --epochs ${{ inputs.epochs }}"])
    assert vs.found(vs.run(inline_code.check, [template])) == [("BOS404", "spec.command[2]")]


def test_the_sample_repository_passes() -> None:
    assert vs.run(inline_code.check, vs.repository()) == []
