"""``bosun install``: every object validates strictly against Kubernetes 1.34's schemas, the RBAC
grants exactly the kinds bosun applies with exactly the verbs server-side apply and pruning use,
no Secret is rendered, and the command prints (or writes) parseable YAML."""

from __future__ import annotations

import pathlib
import subprocess
import sys
from typing import Any

import jsonschema
import pytest
import yaml
from bosun import cli, render
from bosun.commands import controller
from bosun.commands import install as install_command
from bosun.render import install
from click.testing import CliRunner
from contract import upstream_schemas

REPO = "https://github.com/acme/ml-platform.git"
SPEC = install.Install(env="production", repo=REPO)


def _objects(spec: install.Install = SPEC) -> list[dict[str, Any]]:
    return install.render(spec)


def _by_kind(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found = {obj["kind"]: obj for obj in objects}
    assert len(found) == len(objects), "one object of each kind"
    return found


@pytest.mark.parametrize(
    "spec",
    [SPEC, install.Install(env="dev", repo="git@github.com:acme/ml.git", namespace="ml-ops")],
    ids=["production", "dev"],
)
def test_every_object_validates_strictly_against_kubernetes(spec: install.Install) -> None:
    for obj in _objects(spec):
        validator = upstream_schemas._kubernetes_validate(obj["apiVersion"], obj["kind"])
        errors = [
            f"{obj['kind']} {'.'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(obj)
        ]
        assert errors == []


def test_strict_validation_refuses_an_unknown_field() -> None:
    deployment = _by_kind(_objects())["Deployment"]
    deployment["spec"]["template"]["spec"]["containers"][0]["securityContext"]["runAsUser "] = 0
    validator = upstream_schemas._kubernetes_validate("apps/v1", "Deployment")
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(deployment)


def test_objects_come_in_apply_order() -> None:
    kinds = [obj["kind"] for obj in _objects()]
    assert kinds == [
        "Namespace",
        "ServiceAccount",
        "ClusterRole",
        "ClusterRoleBinding",
        "Role",
        "RoleBinding",
        "Lease",
        "Service",
        "Deployment",
    ]


def test_no_secret_and_no_label_that_bosun_prunes_by() -> None:
    for obj in _objects():
        assert obj["kind"] != "Secret"
        assert "app.kubernetes.io/managed-by" not in obj["metadata"].get("labels", {})


def test_cluster_role_grants_exactly_the_applied_kinds_and_apply_verbs() -> None:
    rules = _by_kind(_objects())["ClusterRole"]["rules"]
    granted = {
        (group, resource, verb)
        for rule in rules
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }
    applied = {
        ("", "namespaces"),
        ("", "resourcequotas"),
        ("", "limitranges"),
        ("", "configmaps"),
        ("argoproj.io", "workflows"),
        ("argoproj.io", "workflowtemplates"),
        ("argoproj.io", "clusterworkflowtemplates"),
        ("argoproj.io", "cronworkflows"),
        ("serving.kserve.io", "inferenceservices"),
    }
    verbs = {"get", "list", "create", "patch", "delete"}
    crds = {("apiextensions.k8s.io", "customresourcedefinitions", v) for v in ("get", "list")}
    assert granted == {(g, r, v) for g, r in applied for v in verbs} | crds
    assert not any("*" in str(rule) for rule in rules)
    assert all("resourceNames" not in rule for rule in rules)


def test_the_rbac_covers_every_kind_that_render_emits() -> None:
    assert {kind for kind, _, _ in install.APPLIED} == set(render.KIND_ORDER)


def test_role_is_the_lease_only() -> None:
    objects = _by_kind(_objects())
    rules = objects["Role"]["rules"]
    assert {r["apiGroups"][0] for r in rules} == {"coordination.k8s.io"}
    assert {r["resources"][0] for r in rules} == {"leases"}
    verbs = {v: r.get("resourceNames") for r in rules for v in r["verbs"]}
    lease = objects["Lease"]["metadata"]["name"]
    assert verbs == {"get": [lease], "update": [lease], "create": None}
    assert objects["Role"]["metadata"]["namespace"] == objects["Lease"]["metadata"]["namespace"]


def test_bindings_give_the_roles_to_the_service_account() -> None:
    objects = _by_kind(_objects())
    account = objects["ServiceAccount"]["metadata"]
    for binding, role in (("ClusterRoleBinding", "ClusterRole"), ("RoleBinding", "Role")):
        assert objects[binding]["roleRef"] == {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": role,
            "name": objects[role]["metadata"]["name"],
        }
        assert objects[binding]["subjects"] == [
            {"kind": "ServiceAccount", "name": account["name"], "namespace": account["namespace"]}
        ]
    pod = objects["Deployment"]["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == account["name"]


def test_lease_is_named_after_the_environment_in_the_install_namespace() -> None:
    spec = install.Install(env="dev", repo=REPO, namespace="ml-ops")
    lease = _by_kind(_objects(spec))["Lease"]
    assert lease["apiVersion"] == "coordination.k8s.io/v1"
    assert lease["metadata"]["name"] == "bosun-controller-dev"
    assert lease["metadata"]["namespace"] == "ml-ops"
    assert lease["spec"] == {}
    assert _by_kind(_objects(spec))["Namespace"]["metadata"]["name"] == "ml-ops"


def test_deployment_runs_two_leader_elected_controllers() -> None:
    deployment = _by_kind(_objects())["Deployment"]
    assert deployment["spec"]["replicas"] == 2
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"] == render.RenderOptions().system_image
    assert container["command"] == ["bosun"]
    assert container["args"] == [
        "controller",
        "--repo",
        REPO,
        "--webhook-port",
        "8080",
        "--leader-elect",
        "--lease-name",
        "bosun-controller-production",
        "--lease-namespace",
        "bosun-system",
    ]
    pod_name = {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}
    assert pod_name in container["env"]  # the replica's identity in the Lease
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_controller_args_are_options_the_controller_has() -> None:
    known = {opt for p in controller.command.params for opt in p.opts}
    passed = [a for a in install.controller_args(SPEC)[1:] if a.startswith("--")]
    assert set(passed) <= known


def test_probes_hit_the_webhook_servers_healthz() -> None:
    container = _by_kind(_objects())["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    assert container["ports"] == [{"name": "webhook", "containerPort": 8080, "protocol": "TCP"}]
    for probe in ("livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "webhook"}


def test_pod_is_non_root_with_a_read_only_root_and_writable_state() -> None:
    pod = _by_kind(_objects())["Deployment"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    env = {e["name"]: e for e in container["env"]}
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    state = env["BOSUN_STATE_DIR"]["value"]
    assert volumes[mounts[state]] == {"name": mounts[state], "emptyDir": {}}
    assert volumes[mounts["/tmp"]]["emptyDir"] == {}
    assert container["resources"]["requests"] == {"cpu": "250m", "memory": "512Mi"}


def test_webhook_secret_is_an_optional_reference_never_a_value() -> None:
    container = _by_kind(_objects())["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    (secret,) = [e for e in container["env"] if e["name"] == "BOSUN_WEBHOOK_SECRET"]
    assert secret == {
        "name": "BOSUN_WEBHOOK_SECRET",
        "valueFrom": {"secretKeyRef": {"name": "bosun-webhook", "key": "secret", "optional": True}},
    }


def test_service_selects_the_controller_pods_on_the_webhook_port() -> None:
    objects = _by_kind(_objects())
    service, deployment = objects["Service"], objects["Deployment"]
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    assert service["spec"]["ports"] == [
        {"name": "webhook", "port": 8080, "targetPort": "webhook", "protocol": "TCP"}
    ]


@pytest.mark.parametrize(
    ("spec", "option"),
    [
        (install.Install(env="Prod", repo=REPO), "--env"),
        (install.Install(env="e" * 47, repo=REPO), "--env"),
        (install.Install(env="1dev", repo=REPO), "--env"),
        (install.Install(env="dev", repo="./local/path"), "--repo"),
        (install.Install(env="dev", repo="https://u:pw@github.com/a/b.git"), "--repo"),
        (install.Install(env="dev", repo=REPO, image="Bad Image"), "--image"),
        (install.Install(env="dev", repo=REPO, namespace="Bosun_System"), "--namespace"),
    ],
)
def test_bad_arguments_are_refused_naming_the_option(spec: install.Install, option: str) -> None:
    with pytest.raises(install.InstallError, match=f"^{option}: "):
        install.render(spec)


def test_longest_environment_name_still_renders_valid_names() -> None:
    spec = install.Install(env="e" * install.MAX_ENV, repo=REPO)
    for obj in _objects(spec):
        assert len(obj["metadata"]["name"]) <= 63


# --- the command ------------------------------------------------------------------------------


def test_command_prints_parseable_yaml() -> None:
    result = CliRunner().invoke(cli.group, ["install", "--env", "production", "--repo", REPO])
    assert result.exit_code == 0, result.output
    documents = list(yaml.safe_load_all(result.stdout))
    assert documents == _objects()


def test_command_writes_numbered_files(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "deploy"
    argv = ["install", "--env", "dev", "--repo", REPO, "--namespace", "ml-ops", "--out", str(out)]
    result = CliRunner().invoke(cli.group, argv)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    objects = _objects(install.Install(env="dev", repo=REPO, namespace="ml-ops"))
    assert names == install_command.file_names(objects)
    assert names[0] == "01-namespace-ml-ops.yaml"
    assert names[-1] == "09-deployment-bosun-controller-dev.yaml"
    loaded = [yaml.safe_load((out / name).read_text()) for name in names]
    assert loaded == objects


def test_command_defaults_repo_to_origin(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", REPO], check=True)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli.group, ["install", "--env", "dev"])
    assert result.exit_code == 0, result.output
    assert f"- {REPO}" in result.stdout


def test_command_without_repo_or_origin_is_a_usage_error(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = CliRunner().invoke(cli.group, ["install", "--env", "dev"])
    assert result.exit_code == 2
    assert "--repo: no 'origin' remote here" in result.output


def test_command_refuses_bad_options_with_exit_2(tmp_path: pathlib.Path) -> None:
    result = CliRunner().invoke(cli.group, ["install", "--env", "Prod", "--repo", REPO])
    assert result.exit_code == 2
    assert "--env: 'Prod' must be a lowercase DNS label" in result.output


def test_bosun_install_as_a_subprocess(tmp_path: pathlib.Path) -> None:
    bosun = pathlib.Path(sys.executable).parent / "bosun"
    done = subprocess.run(
        [str(bosun), "install", "--env", "staging", "--repo", REPO],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    kinds = [doc["kind"] for doc in yaml.safe_load_all(done.stdout)]
    assert kinds[0] == "Namespace" and kinds[-1] == "Deployment"
