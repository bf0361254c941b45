"""The layers contract of ``.importlinter`` (DESIGN §6, STYLE "layers enforced, not hoped for")
names every part of the package, so that no import can slip past it; and it really refuses an
import that points upward, checked by running ``lint-imports`` on a copy of bosun."""

from __future__ import annotations

import configparser
import pathlib
import re
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
LINT_IMPORTS = pathlib.Path(sys.executable).with_name("lint-imports")


def layered_modules() -> set[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    layers = config["importlinter:contract:layers"]["layers"]
    return set(re.findall(r"bosun(?:\.\w+)+", layers))


def test_every_part_of_the_package_is_in_a_layer() -> None:
    controller = ROOT / "controller"
    parts = {f"bosun.{p.name}" for p in controller.iterdir() if (p / "__init__.py").is_file()}
    parts |= {f"bosun.{p.stem}" for p in controller.glob("*.py") if p.stem != "__init__"}
    assert parts - layered_modules() == set()


def lint_copy(tmp_path: pathlib.Path, module: str, source: str) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` with bosun's contracts on a copy of bosun holding one more module."""
    copy = tmp_path / "bosun"
    shutil.copytree(ROOT / "controller", copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / module).write_text(source, encoding="utf-8")
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=ROOT,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_spec_may_not_import_a_reporter_or_a_command(tmp_path: pathlib.Path) -> None:
    source = "import bosun.reporters.text\nimport bosun.commands.common\n"
    result = lint_copy(tmp_path, "spec/leak.py", source)
    assert result.returncode != 0, result.stdout
    assert "bosun.spec.leak -> bosun.reporters.text" in result.stdout
    assert "bosun.spec.leak -> bosun.commands.common" in result.stdout


def test_a_reporter_may_not_import_a_command(tmp_path: pathlib.Path) -> None:
    result = lint_copy(tmp_path, "reporters/leak.py", "import bosun.commands.common\n")
    assert result.returncode != 0, result.stdout
    assert "bosun.reporters.leak -> bosun.commands.common" in result.stdout


def test_the_copy_itself_keeps_the_contracts(tmp_path: pathlib.Path) -> None:
    result = lint_copy(tmp_path, "spec/harmless.py", "from bosun import diagnostics\n")
    assert result.returncode == 0, result.stdout
