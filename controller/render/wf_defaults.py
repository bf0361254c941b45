"""What every rendered workflow spec carries besides its templates: pod garbage collection, a
time to live, and the environment's service account."""

from __future__ import annotations

from typing import Any

from bosun.render import context

POD_GC = {"strategy": "OnPodSuccess", "deleteDelayDuration": "60s"}
"""Succeeded pods go a minute after they finish; failed ones stay for ``kubectl logs``."""

TTL = {"secondsAfterSuccess": 3 * 24 * 3600, "secondsAfterFailure": 7 * 24 * 3600}
"""Finished workflows are deleted after 3 days (7 when they failed). MLflow and bosun's audit log
keep the record; the Argo archive, where configured, keeps the object."""


def spec(ctx: context.Context) -> dict[str, Any]:
    out: dict[str, Any] = {"podGC": dict(POD_GC), "ttlStrategy": dict(TTL)}
    account = ctx.service_account
    if account is not None:
        out["serviceAccountName"] = account
    return out
