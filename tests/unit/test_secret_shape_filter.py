"""The quick filter of the secrets check (literal anchors) lets through every credential shape:
it may only make the check faster, never blind."""

from __future__ import annotations

import pytest
from bosun.validate import secrets

EXAMPLES = {
    "an AWS access key id": "key AKIAIOSFODNN7EXAMPLE",
    "a private key": "-----BEGIN OPENSSH PRIVATE KEY-----",
    "a GitHub token": "ghp_" + "a1" * 18,
    "a GitLab token": "glpat-" + "x" * 20,
    "a Slack token": "xoxb-" + "1" * 12,
    "a Slack webhook": "https://hooks.slack.com/services/T0001/B0001/abcdef",
    "a Hugging Face token": "hf_" + "abc" * 12,
    "a Google API key": "AIza" + "b" * 35,
    "a Stripe secret key": "sk_live_" + "c" * 24,
    "an OpenAI API key": "sk-proj-" + "d" * 20 + "T3BlbkFJ" + "e" * 20,
    "an Anthropic API key": "sk-ant-api03-" + "f" * 90,
    "a JSON Web Token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
    "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "a URL with a password": "postgres://ml:hunter22@db.internal/features",
}


def test_every_shape_has_an_example() -> None:
    assert set(EXAMPLES) == {what for what, _, _ in secrets._SHAPES}


@pytest.mark.parametrize(("what", "value"), sorted(EXAMPLES.items()))
def test_the_filter_passes_every_shape(what: str, value: str) -> None:
    assert secrets._may_have_shape(value)
    assert secrets.credential_shape(value) == what


def test_fine_grained_github_tokens_pass_too() -> None:
    assert secrets.credential_shape("github_pat_" + "f" * 60) == "a GitHub token"


@pytest.mark.parametrize(
    "value",
    [
        "sk-proj-" + "Ab3_-" * 8,
        "sk-svcacct-" + "x9" * 20,
        "sk-admin-" + "Q" * 40,
        "OPENAI_API_KEY=sk-proj-" + "a1" * 78,
    ],
)
def test_current_openai_keys_need_no_legacy_marker(value: str) -> None:
    """Project, service-account and admin keys no longer contain ``T3BlbkFJ``."""
    assert secrets._may_have_shape(value)
    assert secrets.credential_shape(value) == "an OpenAI API key"


@pytest.mark.parametrize(
    "value",
    [
        "ghcr.io/acme/ml-steps:2.1.0",
        "--n-estimators",
        "s3://acme-data/raw",
        "https://x.io/a",
        "sk-proj-short",
        "eyJhbGciOiJub25lIn0",
        "teams/eyJ/steps.py",
    ],
)
def test_ordinary_text_is_not_a_credential(value: str) -> None:
    assert secrets.credential_shape(value) is None
