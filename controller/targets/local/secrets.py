"""Local sources of ``secretKeyRef`` values: an environment variable, else a file under the state
directory. Values are resolved before a run starts, so a missing one fails it up front."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from bosun.targets.local import bundle, errors

Key = tuple[str, str]
"""(secret name, key)."""


def env_var(name: str, key: str) -> str:
    """``BOSUN_SECRET_<NAME>_<KEY>``: upper case, every other character than A-Z0-9 as ``_``."""
    return "BOSUN_SECRET_" + re.sub(r"[^A-Z0-9]", "_", f"{name}_{key}".upper())


def file_path(state_dir: Path, name: str, key: str) -> Path:
    return state_dir / "secrets" / name / key


def lookup(name: str, key: str, *, state_dir: Path, environ: Mapping[str, str]) -> str | None:
    if env_var(name, key) in environ:
        return environ[env_var(name, key)]
    path = file_path(state_dir, name, key)
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        return text[:-1] if text.endswith("\n") else text
    return None


def resolve(
    objects: bundle.Bundle, *, state_dir: Path, environ: Mapping[str, str]
) -> dict[Key, str]:
    """Every secret the reachable templates use; MissingSecretsError names each absent one."""
    values: dict[Key, str] = {}
    missing: list[str] = []
    for template in bundle.reachable(objects):
        for env in (template.body.get("container") or {}).get("env") or []:
            ref = (env.get("valueFrom") or {}).get("secretKeyRef")
            if ref is None:
                continue
            name, key = str(ref.get("name")), str(ref.get("key"))
            value = lookup(name, key, state_dir=state_dir, environ=environ)
            if value is not None:
                values[(name, key)] = value
            elif not ref.get("optional"):
                missing.append(
                    f"{template.label()} env {env.get('name')}: secret '{name}' key '{key}': "
                    f"set {env_var(name, key)} or write {file_path(state_dir, name, key)}"
                )
    if missing:
        raise errors.MissingSecretsError(sorted(set(missing)))
    return values
