"""``bosun schema export`` / ``bosun schema check`` through the installed executable."""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
BOSUN = str(pathlib.Path(sys.executable).parent / "bosun")


def bosun(*args: str, cwd: pathlib.Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BOSUN, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_committed_schemas_and_reference_are_current() -> None:
    result = bosun("schema", "check", "--docs", "docs/reference", cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_check_names_stale_files_and_export_repairs_them(tmp_path: pathlib.Path) -> None:
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    shutil.copytree(ROOT / "docs/reference", tmp_path / "docs/reference")
    (tmp_path / "docs/reference/notes.md").write_text("# kept: not generated\n", encoding="utf-8")
    pipeline = tmp_path / "schema/v1alpha1/pipeline.json"
    schema = json.loads(pipeline.read_text(encoding="utf-8"))
    schema["$defs"]["Step"]["additionalProperties"] = True
    pipeline.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
    (tmp_path / "schema/v1alpha1/team.json").unlink()
    (tmp_path / "schema/v1alpha1/old.json").write_text("{}\n", encoding="utf-8")

    stale = bosun("schema", "check", "--docs", "docs/reference", cwd=tmp_path)
    assert stale.returncode == 1
    assert "stale: schema/v1alpha1/pipeline.json: out of date" in stale.stderr
    assert "stale: schema/v1alpha1/team.json: missing" in stale.stderr
    assert "stale: schema/v1alpha1/old.json: no longer generated" in stale.stderr
    assert "bosun schema export --out schema --docs docs/reference" in stale.stderr
    assert "notes.md" not in stale.stderr

    exported = bosun("schema", "export", "--docs", "docs/reference", cwd=tmp_path)
    assert exported.returncode == 0
    assert "wrote schema/v1alpha1/pipeline.json" in exported.stdout
    assert bosun("schema", "check", "--docs", "docs/reference", cwd=tmp_path).returncode == 0
    assert (tmp_path / "docs/reference/notes.md").is_file()
    assert not (tmp_path / "schema/v1alpha1/old.json").exists()
    for name in ("pipeline.json", "team.json"):
        assert (tmp_path / "schema/v1alpha1" / name).read_bytes() == (
            ROOT / "schema/v1alpha1" / name
        ).read_bytes()


def test_export_into_an_empty_directory(tmp_path: pathlib.Path) -> None:
    result = bosun("schema", "export", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0
    written = sorted(p.name for p in (tmp_path / "out/v1alpha1").iterdir())
    assert written == sorted(p.name for p in (ROOT / "schema/v1alpha1").iterdir())
    text = (tmp_path / "out/v1alpha1/all.json").read_text(encoding="utf-8")
    assert text.endswith("}\n") and text.startswith('{\n  "$schema"')
