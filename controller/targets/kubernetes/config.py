"""The client of a cluster: from a kubeconfig (``--kubeconfig``, ``$KUBECONFIG``,
``~/.kube/config``) and a context, or from the pod's service account inside a cluster."""

from __future__ import annotations

import os
from pathlib import Path

import kubernetes


class ConfigError(Exception):
    pass


def connect(kubeconfig: str | None, context: str | None) -> kubernetes.client.ApiClient:
    path = kubeconfig or os.environ.get("KUBECONFIG") or _default_kubeconfig()
    if path:
        try:
            client: kubernetes.client.ApiClient = kubernetes.config.new_client_from_config(  # type: ignore[no-untyped-call]
                config_file=path.split(os.pathsep)[0], context=context, persist_config=False
            )
            return client
        except (kubernetes.config.ConfigException, OSError, ValueError) as error:
            where = f"context {context!r} of " if context else ""
            raise ConfigError(f"cannot load {where}kubeconfig {path}: {error}") from None
    configuration = kubernetes.client.Configuration()
    try:
        kubernetes.config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
    except kubernetes.config.ConfigException as error:
        raise ConfigError(
            f"no kubeconfig (--kubeconfig, $KUBECONFIG, ~/.kube/config) and not in a cluster: "
            f"{error}"
        ) from None
    return kubernetes.client.ApiClient(configuration)


def _default_kubeconfig() -> str | None:
    path = Path.home() / ".kube" / "config"
    return str(path) if path.is_file() else None
