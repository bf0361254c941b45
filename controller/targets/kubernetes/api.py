"""Requests to the API server through the official client's ``ApiClient`` (its configuration,
TLS and credentials), answered as plain JSON, with API errors as ``ApiError`` carrying the
server's Status. One small surface so the target reads as Kubernetes verbs, not HTTP."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import kubernetes
import urllib3

APPLY_PATCH = "application/apply-patch+yaml"
FIELD_MANAGER = "bosun"
TIMEOUT = 30.0


class ApiError(Exception):
    """A non-2xx answer: ``code``, the Status's ``reason`` and ``message``, and its causes."""

    def __init__(self, code: int, reason: str, message: str, causes: list[Mapping[str, Any]]):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.causes = causes


class Api:
    def __init__(self, client: kubernetes.client.ApiClient) -> None:
        self.client = client
        self.requests = 0
        self.writes = 0
        """Requests that can change the cluster: every non-GET that is not a dry run."""

    def get(self, path: str, **query: str) -> dict[str, Any] | None:
        """The object or list at ``path``; None on 404."""
        try:
            return self.request("GET", path, query)
        except ApiError as error:
            if error.code == 404:
                return None
            raise

    def apply(
        self, path: str, obj: Mapping[str, Any], *, force: bool, dry_run: bool = False
    ) -> dict[str, Any]:
        """Server-side apply of ``obj`` as field manager ``bosun``."""
        query = {"fieldManager": FIELD_MANAGER, "force": "true" if force else "false"}
        if dry_run:
            query["dryRun"] = "All"
        return self.request("PATCH", path, query, body=obj, content_type=APPLY_PATCH)

    def create(self, path: str, obj: Mapping[str, Any]) -> dict[str, Any]:
        return self.request("POST", path, {"fieldManager": FIELD_MANAGER}, body=obj)

    def delete(self, path: str) -> bool:
        """False when the object was gone already."""
        try:
            self.request("DELETE", path, {"propagationPolicy": "Background"})
        except ApiError as error:
            if error.code == 404:
                return False
            raise
        return True

    def request(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        *,
        body: Mapping[str, Any] | None = None,
        content_type: str = "application/json",
    ) -> dict[str, Any]:
        self.requests += 1
        if method != "GET" and "dryRun" not in query:
            self.writes += 1
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = content_type
        serialized = self.client.param_serialize(
            method=method,
            resource_path=path,
            query_params=list(query.items()),
            header_params=headers,
            body=dict(body) if body is not None else None,
            auth_settings=["BearerToken"],
        )
        method, url, headers, payload = serialized[0], serialized[1], serialized[2], serialized[3]
        try:
            response = self.client.call_api(
                method, url, header_params=headers, body=payload, _request_timeout=TIMEOUT
            )
            data = response.read()  # type: ignore[no-untyped-call]
            status = response.status
        except kubernetes.client.exceptions.ApiException as error:
            data, status = (error.body or b""), int(error.status or 0)
        except (OSError, urllib3.exceptions.HTTPError) as error:  # refused, reset, timed out
            raise ApiError(0, "Unreachable", f"cannot reach {self.host}: {error}", []) from None
        found = _json(data)
        if status >= 400:
            raise _error(status, found)
        return found

    @property
    def host(self) -> str:
        return str(self.client.configuration.host)


def _json(data: bytes | str | None) -> dict[str, Any]:
    if not data:
        return {}
    try:
        found = json.loads(data)
    except ValueError:
        text = data.decode(errors="replace") if isinstance(data, bytes) else data
        return {"message": text.strip()[:500]}
    return found if isinstance(found, dict) else {}


def _error(code: int, status: Mapping[str, Any]) -> ApiError:
    details = status.get("details") or {}
    causes = [c for c in details.get("causes") or [] if isinstance(c, Mapping)]
    message = str(status.get("message") or f"HTTP {code}")
    return ApiError(code, str(status.get("reason") or ""), message, causes)
