"""``bosun validate`` stays light: on its success path it imports no client library, no
reporting or schema library it does not use, and none of bosun's adapters (DESIGN §6)."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import textwrap

ROOT = pathlib.Path(__file__).resolve().parents[2]

FORBIDDEN = (
    "mlflow",
    "kubernetes",
    "kubernetes_validate",
    "jsonschema",
    "rich",
    "sklearn",
    "git",
    "bosun.render",
    "bosun.plan",
    "bosun.gitops",
    "bosun.targets",
    "bosun.tracking",
)

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from bosun import cli
    try:
        cli.group.main(["validate", sys.argv[1], *sys.argv[2:]], standalone_mode=False)
    except SystemExit as done:
        code = done.code
    print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
    """
)


def _imported(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ROOT), *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_validate_imports_no_client_or_adapter() -> None:
    for args in ((), ("--env", "production"), ("--format", "json"), ("--format", "sarif")):
        result = _imported(*args)
        assert result["code"] == 0
        modules = result["modules"]
        assert (
            isinstance(modules, list) and "yaml" in modules and "bosun.validate.engine" in modules
        )
        loaded = [
            name
            for name in modules
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
        ]
        assert loaded == [], f"bosun validate {' '.join(args)} imported {loaded}"
