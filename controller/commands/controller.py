"""``bosun controller``: the long-running reconciler (poll every --interval seconds, webhook on
--webhook-port, scheduled experiments on their cron), stopped cleanly by SIGTERM or SIGINT."""

from __future__ import annotations

import datetime
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NoReturn

import click
from bosun import cli, render
from bosun.commands import gitops_common, options
from bosun.gitops import (
    controller,
    desired,
    journal,
    leader,
    lock,
    metrics,
    reconcile,
    source,
    state,
    webhook,
)
from bosun.plan import actions, ports
from bosun.spec.v1alpha1 import experiment as experiment_spec

EPILOG = """\b
Examples:
  BOSUN_WEBHOOK_SECRET=s3cret bosun controller --repo https://github.com/acme/ml.git \\
      --interval 120 --webhook-port 8080

\b
GitHub: a push webhook to http://HOST:8080/webhook, content type application/json, the secret.
GitLab: a push-events webhook with the secret as its token. docs/controller.md has the rest.
"""


@click.command("controller", epilog=EPILOG)
@gitops_common.repo_option
@click.option(
    "--interval", default=120.0, show_default=True, metavar="S", help="Seconds between polls."
)
@click.option(
    "--webhook-port", type=int, metavar="P", help="Serve POST /webhook, /healthz, /metrics."
)
@click.option("--webhook-host", default="0.0.0.0", show_default=True, help="Address to listen on.")
@click.option(
    "--leader-elect",
    is_flag=True,
    help="Reconcile only while holding the Lease (replicas in a cluster: one active).",
)
@click.option(
    "--lease-name", default="bosun-controller", show_default=True, help="The Lease's name."
)
@click.option(
    "--lease-namespace",
    metavar="NS",
    help="The Lease's namespace (default: the pod's own, else bosun-system).",
)
@click.option(
    "--lease-duration",
    default=15.0,
    show_default=True,
    metavar="S",
    help="Seconds a leader's Lease lasts without renewal; another replica may take it then.",
)
@gitops_common.kubeconfig_option
@options.state_dir("mirror, state store, runs, MLflow store.")
def command(
    *,
    repo: str,
    interval: float,
    webhook_port: int | None,
    webhook_host: str,
    leader_elect: bool,
    lease_name: str,
    lease_namespace: str | None,
    lease_duration: float,
    kubeconfig: str | None,
    state_dir: str,
) -> NoReturn:
    """Reconcile every environment from its branch, forever: on each poll, on each verified
    webhook push (only the pushed branch's environments), and scheduled experiments on cron."""
    stopping: list[controller.Controller] = []
    stop_requested = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):  # first: a stop during start-up is clean too
        signal.signal(signum, lambda *_: _stop(stopping, stop_requested))
    root, mirror, store = gitops_common.open_all(repo, state_dir)
    adapters = gitops_common.adapters(root, kubeconfig=kubeconfig)
    watched = metrics.Metrics()

    def environments() -> Mapping[str, Sequence[str]]:
        mirror.fetch()
        found: dict[str, list[str]] = {}
        for binding in desired.bindings(mirror).values():
            found.setdefault(binding.branch, []).append(binding.env)
        return found

    def reconcile_env(env: str) -> bool:
        started = time.monotonic()
        outcome = reconcile.reconcile(
            env=env, mirror=mirror, store=store, state_dir=root, adapters=adapters, wait=False
        )
        what = f"{outcome.phase} at {(outcome.commit or '-')[:12]}"
        if outcome.applied or not outcome.ok:
            print(
                f"{env}: {what} ({outcome.applied} applied, {time.monotonic() - started:.1f}s)"
                + (f": {outcome.error}" if outcome.error else ""),
                flush=True,
            )
        return outcome.ok

    loop = controller.Controller(
        environments=environments,
        reconcile=reconcile_env,
        interval=interval,
        metrics=watched,
        schedules=lambda: _schedules(mirror),
        start_scheduled=lambda item, tick: _start(
            item, tick, mirror=mirror, store=store, adapters=adapters
        ),
        ticks_file=root / "schedules.json",
    )
    server = None
    if webhook_port is not None:
        secret = os.environ.get("BOSUN_WEBHOOK_SECRET")
        if not secret:
            sys.stderr.write(
                "bosun controller: BOSUN_WEBHOOK_SECRET is not set: every push will get 401\n"
            )
        server = webhook.WebhookServer(
            host=webhook_host, port=webhook_port, secret=secret, on_push=loop.push, metrics=watched
        )
        server.start()
        print(f"webhook on http://{webhook_host}:{server.port}/webhook", flush=True)
    lost: list[bool] = []
    leadership = (
        _lead(
            kubeconfig,
            lease_namespace,
            lease_name,
            lease_duration,
            stop_requested,
            on_lost=lambda: _lost(loop, lost),
        )
        if leader_elect
        else None
    )
    stopping.append(loop)
    print(f"watching {mirror.url} every {interval:g}s (state {root})", flush=True)
    if not stop_requested.is_set():
        loop.run()
    if leadership is not None:
        leadership.stop()
    if server is not None:
        server.stop()
    stopped = gitops_common.stop_serving(root)
    if stopped:
        print(f"stopped {stopped} serving process(es)", flush=True)
    store.close()
    if lost:
        sys.stderr.write("bosun controller: lost the leader-election lease; exiting\n")
        sys.exit(cli.EXIT_INVALID)
    sys.exit(cli.EXIT_OK)


def _stop(stopping: list[controller.Controller], requested: threading.Event) -> None:
    requested.set()
    if stopping:
        stopping[0].stop()


def _lead(
    kubeconfig: str | None,
    namespace: str | None,
    name: str,
    duration: float,
    stop_requested: threading.Event,
    *,
    on_lost: Callable[[], None],
) -> leader.Leadership:
    """Wait until this replica leads (a stop meanwhile exits, reconciling nothing)."""
    leadership = _campaign(kubeconfig, namespace, name, duration, on_lost=on_lost)
    if not leadership.wait(stop_requested):
        leadership.stop()
        sys.exit(cli.EXIT_OK)
    elector = leadership.elector
    print(f"leader: {elector.identity} acquired lease {elector.store}", flush=True)
    return leadership


def _campaign(
    kubeconfig: str | None,
    namespace: str | None,
    name: str,
    duration: float,
    *,
    on_lost: Callable[[], None],
) -> leader.Leadership:
    """Start campaigning for the Lease (the kubernetes client is imported here only)."""
    from bosun.targets.kubernetes import api, config, lease  # noqa: PLC0415 - kubernetes client

    try:
        client = config.connect(kubeconfig, None)
    except config.ConfigError as error:
        sys.stderr.write(f"bosun controller: --leader-elect: {error}\n")
        sys.exit(cli.EXIT_USAGE)
    where = lease.KubernetesLease(api.Api(client), namespace or _pod_namespace(), name)
    identity = os.environ.get("POD_NAME") or f"{socket.gethostname()}-{os.getpid()}"
    elector = leader.Elector(where, identity, duration=duration)
    leadership = leader.Leadership(elector, on_lost=on_lost)
    print(f"leader: {identity} campaigning for lease {where}", flush=True)
    leadership.start()
    return leadership


def _pod_namespace() -> str:
    path = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
    try:
        return path.read_text().strip() or DEFAULT_LEASE_NAMESPACE
    except OSError:
        return DEFAULT_LEASE_NAMESPACE


DEFAULT_LEASE_NAMESPACE = "bosun-system"


def _lost(loop: controller.Controller, lost: list[bool]) -> None:
    lost.append(True)
    loop.stop()


def _schedules(mirror: source.Mirror) -> list[controller.Scheduled]:
    """Scheduled experiments at each environment's branch head (its valid manifests only). On a
    Kubernetes target the applied CronWorkflow is Argo's to start: none is started from here."""
    found: list[controller.Scheduled] = []
    for binding in desired.bindings(mirror).values():
        checked = desired.validated(mirror, binding.commit, binding.env)
        if isinstance(checked, desired.Rejected):
            continue
        if checked.environment.spec.target.type == "kubernetes":
            continue
        for manifest, _ in checked.result.catalog.of_kind(experiment_spec.Experiment):
            if manifest.spec.schedule:
                name = f"{manifest.metadata.team}/{manifest.metadata.name}"
                found.append(controller.Scheduled(binding.env, name, manifest.spec.schedule))
    return found


def _start(
    item: controller.Scheduled,
    tick: datetime.datetime,
    *,
    mirror: source.Mirror,
    store: state.Store,
    adapters: reconcile.Adapters,
) -> None:
    """One run of a scheduled experiment for ``tick``, journaled like any other run."""
    binding = desired.bindings(mirror)[item.env]
    checked = desired.validated(mirror, binding.commit, item.env)
    if isinstance(checked, desired.Rejected):
        return
    team, _, name = item.experiment.partition("/")
    spec = checked.environment.spec
    tracking_uri = adapters.tracking_uri(spec)
    made = render.render_experiment(
        checked.result.catalog,
        item.env,
        name,
        source=render.Source(binding.commit, binding.branch),
        options=render.RenderOptions(tracking_uri=tracking_uri),
        team=team,
    )
    run_name = f"{made.name}-{tick.strftime('%Y%m%d%H%M')}"
    made.workflow["metadata"]["name"] = run_name
    run = actions.RunSpec(run_name, f"{run_name}", name, team, made.objects())
    action = actions.Action(
        verb="run",
        object=f"Workflow/{run_name}",
        team=team,
        phase=actions.RUN_PHASE,
        reason="new inputs",
        run=run,
    )
    request = ports.RunRequest(
        name=run_name,
        identity=run.identity,
        experiment=name,
        team=team,
        commit=binding.commit,
        branch=binding.branch,
        objects=run.objects,
        checkout=mirror.checkout(binding.commit),
        tracking_uri=tracking_uri,
    )
    target = adapters.target(item.env, spec)
    who = (binding.commit, f"schedule {item.cron}")
    with lock.held(mirror.state_dir, item.env):
        journal.apply(
            store, item.env, who=who, action=action, target=target, registry=None, run=request
        )
