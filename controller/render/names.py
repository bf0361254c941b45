"""Names of rendered objects: content hashes, and names bounded to the lengths Kubernetes and Argo
accept (a too-long name keeps a readable head and gains a hash of the whole)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

HASH_LENGTH = 10
MAX_NAME = 63
"""Workflow and template names become label values (``workflows.argoproj.io/workflow``)."""
MAX_CRON_NAME = 52
"""Argo refuses longer CronWorkflow names: it appends ``-<unix time>`` to name each run."""


def canonical_json(value: Any) -> bytes:
    """Key-sorted, whitespace-free JSON: equal data gives equal bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(value: Any, length: int = HASH_LENGTH) -> str:
    """The first ``length`` hex digits of sha256 over the canonical JSON of ``value``."""
    return hashlib.sha256(canonical_json(value)).hexdigest()[:length]


def bounded(name: str, limit: int = MAX_NAME) -> str:
    """``name`` itself when it fits, else its head and a hash of all of it."""
    if len(name) <= limit:
        return name
    head = name[: limit - HASH_LENGTH - 1].rstrip("-")
    return f"{head}-{digest(name)}"


def with_hash(name: str, content_hash: str, limit: int = MAX_NAME) -> str:
    """``<name>-<hash>``, shortening ``name`` so the result fits in ``limit``."""
    head = name[: limit - len(content_hash) - 1].rstrip("-")
    return f"{head}-{content_hash}"
