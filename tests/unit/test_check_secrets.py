"""BOS403: plaintext credentials, by shape and by name, with few false positives."""

from __future__ import annotations

import pytest
import validate_support as vs
from bosun.validate import secrets


@pytest.mark.parametrize(
    "name",
    [
        "DB_PASSWORD",
        "password",
        "api_key",
        "apiKey",
        "APIKey",
        "OPENAI_API_KEY",
        "HF_TOKEN",
        "hf-token",
        "AWS_SECRET_ACCESS_KEY",
        "client_secret",
        "GIT_CREDENTIALS",
        "ssh_passphrase",
        "MLFLOW_TRACKING_TOKEN",
        "private_key",
        "accessKey",
    ],
)
def test_credential_names(name: str) -> None:
    assert secrets.credential_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "max_tokens",
        "tokenizer",
        "TOKENIZERS_PARALLELISM",
        "SECRET_NAME",
        "PASSWORD_FILE",
        "api_key_path",
        "AWS_ACCESS_KEY_ID",
        "epochs",
        "key",
        "monkey",
        "secretariat",
        "num_tokens",
        "token_ttl",
    ],
)
def test_names_that_are_not_credentials(name: str) -> None:
    assert not secrets.credential_name(name)


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("hunter2", True),
        ("", False),
        ("  ", False),
        (None, False),
        ("${{ params.pw }}", False),
        ("512", False),
        ("0.5", False),
        ("true", False),
        ("Off", False),
        ("s3cr3t-${{ params.x }}", False),
    ],
)
def test_literal_values(value: str | None, literal: bool) -> None:
    assert secrets.is_literal(value) is literal


@pytest.mark.parametrize(
    ("value", "shape"),
    [
        ("AKIAIOSFODNN7EXAMPLE", "an AWS access key id"),
        ("--key=ASIAQWERTYUIOPASDFGH", "an AWS access key id"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIE...", "a private key"),
        ("-----BEGIN PRIVATE KEY-----", "a private key"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", "a private key"),
        ("ghp_" + "a1B2" * 9, "a GitHub token"),
        ("github_pat_" + "x" * 82, "a GitHub token"),
        ("glpat-abcdefghij0123456789", "a GitLab token"),
        ("xoxb-123456789012-abcdefghij", "a Slack token"),
        ("https://hooks.slack.com/services/T000/B000/XXXXXXXX", "a Slack webhook"),
        ("hf_" + "abcdefghij" * 4, "a Hugging Face token"),
        ("AIza" + "b" * 35, "a Google API key"),
        ("sk_live_" + "0" * 24, "a Stripe secret key"),
        ("postgresql://mlflow:pw@db/mlflow", "a URL with a password"),
    ],
)
def test_credential_shapes(value: str, shape: str) -> None:
    assert secrets.credential_shape(value) == shape


@pytest.mark.parametrize(
    "value",
    [
        "AKIA",
        "akiaiosfodnn7example",
        "XAKIAIOSFODNN7EXAMPLEX",
        "-----BEGIN CERTIFICATE-----",
        "https://mlflow.acme.example",
        "postgresql://mlflow@db/mlflow",
        "postgresql://mlflow:${{ params.pw }}@db/mlflow",
        "ghcr.io/acme/ml:1.0@sha256:" + "ab" * 32,
        "teams/ml/steps/hf_prepare_dataset.py",
        "sk-not-a-key",
    ],
)
def test_ordinary_values(value: str) -> None:
    assert secrets.credential_shape(value) is None


def test_credentials_by_name_in_every_place_a_name_marks_a_value() -> None:
    template = vs.template(
        env=[{"name": "HF_TOKEN", "value": "abc123xyz"}],
        inputs={
            "parameters": [
                {"name": "epochs", "default": "5"},
                {"name": "api_key", "default": "k-123"},
            ],
            "artifacts": [{"name": "data"}],
        },
    )
    prepare = vs.prepare_step(env=[{"name": "DB_PASSWORD", "value": "hunter2"}])
    fit = vs.fit_step(
        **{
            "with": {
                "data": "${{ steps.prepare.outputs.data }}",
                "epochs": "3",
                "api_key": "zzz999",
            }
        }
    )
    pipeline = vs.pipeline(
        parameters=[{"name": "epochs"}, {"name": "db_password", "default": "changeme"}],
        steps=[prepare, fit],
    )
    experiment = vs.experiment(
        parameters={"epochs": "3"}, sweep={"parameters": {"token": ["t1-secret", "${{ x }}x"]}}
    )
    found = vs.found(vs.run(secrets.check, [template, pipeline, experiment]))
    assert found == [
        ("BOS403", "spec.env[0].value"),
        ("BOS403", "spec.inputs.parameters[1].default"),
        ("BOS403", "spec.parameters[1].default"),
        ("BOS403", "spec.steps[0].env[0].value"),
        ("BOS403", "spec.steps[1].with.api_key"),
        ("BOS403", "spec.sweep.parameters.token[0]"),
    ]


def test_secret_refs_and_references_are_fine() -> None:
    prepare = vs.prepare_step(
        env=[
            {"name": "DB_PASSWORD", "secretRef": {"name": "db", "key": "password"}},
            {"name": "API_TOKEN", "value": "${{ params.token }}"},
            {"name": "MAX_TOKENS", "value": "512"},
        ]
    )
    pipeline = vs.pipeline(
        parameters=[{"name": "epochs"}, {"name": "token"}], steps=[prepare, vs.fit_step()]
    )
    assert vs.run(secrets.check, [vs.template(), pipeline]) == []


def test_a_credential_shape_anywhere_is_reported_once_with_the_hint() -> None:
    prepare = vs.prepare_step(env=[{"name": "AWS_SECRET", "value": "AKIAIOSFODNN7EXAMPLE"}])
    (diagnostic,) = vs.run(secrets.check, [vs.pipeline(steps=[prepare])])
    assert diagnostic.hint is not None and "secretRef" in diagnostic.hint
    (shaped,) = vs.run(
        secrets.check,
        [vs.team() | {"spec": {"owners": ["@a/b"], "description": "key AKIAIOSFODNN7EXAMPLE"}}],
    )
    assert (shaped.path, shaped.message) == (
        "spec.description",
        "this value looks like an AWS access key id",
    )


@pytest.mark.parametrize(
    ("args", "path"),
    [
        (["--password", "hunter2"], "spec.steps[0].args[1]"),
        (["--api-token=abcdef123"], "spec.steps[0].args[0]"),
        (["--db-password=s3cr3t", "--epochs", "3"], "spec.steps[0].args[0]"),
        (["--hf-token", "hf_abc"], "spec.steps[0].args[1]"),
        (["-apiKey", "k-123"], "spec.steps[0].args[1]"),
        (["--aws-secret-access-key", "wJalrXUtnFEMI"], "spec.steps[0].args[1]"),
    ],
)
def test_a_credential_flag_with_a_literal_value(args: list[str], path: str) -> None:
    step = vs.prepare_step(args=[*args, "--out", "${{ outputs.data }}"])
    found = vs.run(secrets.check, [vs.pipeline(steps=[step, vs.fit_step()])])
    assert vs.found(found) == [("BOS403", path)]
    assert found[0].hint is not None and "secretRef" in found[0].hint


@pytest.mark.parametrize(
    "args",
    [
        ["--password", "${{ params.epochs }}"],
        ["--password=${{ params.epochs }}"],
        ["--password", "$(DB_PASSWORD)"],
        ["--password-file", "/run/secrets/db"],
        ["--token-path=/var/run/token"],
        ["--max-tokens", "512"],
        ["--no-token", "data.csv"],
        ["--password-prompt", "data.csv"],
        ["--secret-name", "db-creds"],
        ["--password", "--epochs", "3"],
        ["--password="],
        ["--tokenizer", "bert-base"],
    ],
)
def test_credential_flags_without_a_literal_secret(args: list[str]) -> None:
    step = vs.prepare_step(args=[*args, "--out", "${{ outputs.data }}"])
    assert vs.run(secrets.check, [vs.pipeline(steps=[step, vs.fit_step()])]) == []


def test_credential_flags_in_a_step_template() -> None:
    template = vs.template(command=["python", "fit.py", "--api-key", "abc123"], args=[])
    assert vs.found(vs.run(secrets.check, [template])) == [("BOS403", "spec.command[3]")]
