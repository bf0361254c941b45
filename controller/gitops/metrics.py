"""The controller's Prometheus metrics, in a registry of its own (not the process-global one)."""

from __future__ import annotations

import time

import prometheus_client


class Metrics:
    def __init__(self) -> None:
        self.registry = prometheus_client.CollectorRegistry()
        self.reconciles = prometheus_client.Counter(
            "bosun_reconciles",
            "Reconciles by environment and outcome.",
            ["env", "outcome"],
            registry=self.registry,
        )
        self.failures = prometheus_client.Counter(
            "bosun_reconcile_failures", "Reconciles that failed.", ["env"], registry=self.registry
        )
        self.duration = prometheus_client.Histogram(
            "bosun_reconcile_duration_seconds",
            "Time of one reconcile.",
            ["env"],
            registry=self.registry,
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
        )
        self.last_success = prometheus_client.Gauge(
            "bosun_last_success_timestamp_seconds",
            "Last successful reconcile.",
            ["env"],
            registry=self.registry,
        )
        self.webhooks = prometheus_client.Counter(
            "bosun_webhook_requests",
            "Webhook requests by outcome.",
            ["outcome"],
            registry=self.registry,
        )

    def observe(self, env: str, outcome: str, seconds: float) -> None:
        self.reconciles.labels(env=env, outcome=outcome).inc()
        self.duration.labels(env=env).observe(seconds)
        if outcome == "Failed":
            self.failures.labels(env=env).inc()
        else:
            self.last_success.labels(env=env).set(time.time())

    def render(self) -> bytes:
        return prometheus_client.generate_latest(self.registry)
