"""Plaintext secrets (BOS403): credentials must come from a Kubernetes Secret through
``env[].secretRef``, never from Git.

Two signals, both tuned for few false positives:
- a string that has the shape of a well-known credential (AWS access key id, private key block,
  GitHub, GitLab, Slack, Hugging Face, Google, Stripe, OpenAI, Anthropic tokens, a JWT, a URL
  with a password);
- a literal value whose name says it is a credential (``DB_PASSWORD``, ``api_key``,
  ``HF_TOKEN``...), in env entries, ``with``, parameter defaults and experiment parameters, and
  a command-line flag so named (``--password hunter2``, ``--api-token=abc``) in a step's argv.
  ``${{ }}`` references, ``$(VAR)`` env expansions, numbers, booleans and empty strings are not
  literal secrets.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator

from bosun import diagnostics
from bosun.spec import catalog, v1alpha1
from bosun.validate import base, walk

_SHAPES: tuple[tuple[str, str, str], ...] = (
    # (what, pattern, a literal that every match contains: the anchor of the quick filter)
    (
        "an AWS access key id",
        r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}(?![A-Z0-9])",
        "AKIA|ASIA|ABIA|ACCA",
    ),
    ("a private key", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----", "-----BEGIN "),
    (
        "a GitHub token",
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})",
        "gh[pousr]_|github_pat_",
    ),
    ("a GitLab token", r"\bglpat-[A-Za-z0-9_-]{20,}", "glpat-"),
    ("a Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}", "xox"),
    (
        "a Slack webhook",
        r"hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/\w+",
        r"hooks\.slack\.com",
    ),
    ("a Hugging Face token", r"\bhf_[A-Za-z]{34,}", "hf_"),
    ("a Google API key", r"\bAIza[0-9A-Za-z_-]{35}", "AIza"),
    ("a Stripe secret key", r"\b[sr]k_live_[0-9A-Za-z]{20,}", "k_live_"),
    (
        "an OpenAI API key",
        r"\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}"
        r"|\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}",
        "T3BlbkFJ|sk-proj-|sk-svcacct-|sk-admin-",
    ),
    ("an Anthropic API key", r"\bsk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{40,}", "sk-ant-"),
    (
        "a JSON Web Token",
        r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}",
        "eyJ",
    ),
    ("a URL with a password", r"\b[a-z][a-z0-9+.-]*://[^/\s:@]+:(?!\$\{\{)[^/\s@]+@", "://"),
)
_ANCHORS = re.compile("|".join(anchor for _, _, anchor in _SHAPES))
"""Literals only: about five times faster than ``_shape()``, which runs only where this matches."""


@functools.cache
def _shape() -> re.Pattern[str]:
    """One alternation, so that each string is searched once. Compiled on first use (1 ms of
    every start otherwise), as the quick filter rarely lets a string through."""
    return re.compile("|".join(f"(?P<s{i}>{pattern})" for i, (_, pattern, _) in enumerate(_SHAPES)))


_SECRET_WORDS = frozenset(
    {"PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "CREDENTIAL", "CREDENTIALS"}
)
_SECRET_PAIRS = frozenset({("API", "KEY"), ("ACCESS", "KEY"), ("PRIVATE", "KEY"), ("AUTH", "KEY")})
_NOT_THE_SECRET = frozenset(
    {
        "NAME",
        "FILE",
        "PATH",
        "DIR",
        "REF",
        "KEY_NAME",
        "ID",
        "URL",
        "URI",
        "ENDPOINT",
        "HEADER",
        "TYPE",
        "LENGTH",
        "LEN",
        "SIZE",
        "TTL",
        "COUNT",
        "FIELD",
        "ENV",
        "VAR",
        "MOUNT",
    }
)
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_NUMBER_OR_FLAG = re.compile(r"^([-+]?[0-9_.eE]+|true|false|yes|no|on|off|none|null)$", re.I)

HINT = (
    "move it into a Kubernetes Secret and reference it: "
    "env: [{name: NAME, secretRef: {name: SECRET, key: KEY}}]"
)


def check(manifests: catalog.Catalog, options: base.Options) -> Iterator[diagnostics.Diagnostic]:
    for entry in manifests:
        flagged: set[diagnostics.Loc] = set()
        for loc, name, value in _flag_values(entry.manifest):
            if credential_flag(name) and is_literal(value):
                flagged.add(loc)
                yield base.at(
                    entry,
                    "BOS403",
                    f"flag {diagnostics.quote(name)} looks like a credential and has a literal "
                    "value",
                    loc,
                    hint=FLAG_HINT,
                )
        for loc, name, value in _named_values(entry.manifest):
            if credential_name(name) and is_literal(value):
                flagged.add(loc)
                yield base.at(
                    entry,
                    "BOS403",
                    f"'{name}' looks like a credential and has a literal value",
                    loc,
                    hint=HINT,
                )
        for text in walk.strings(entry.manifest, where=_may_have_shape):
            shape = credential_shape(text.value)
            if shape is not None and text.loc not in flagged:
                yield base.at(
                    entry, "BOS403", f"this value looks like {shape}", text.loc, hint=HINT
                )


def credential_shape(value: str) -> str | None:
    """What kind of credential ``value`` contains, if it has a well-known shape."""
    if not _may_have_shape(value):
        return None
    match = _shape().search(value)
    if match is None or match.lastgroup is None:
        return None
    return _SHAPES[int(match.lastgroup[1:])][0]


def _may_have_shape(value: str) -> bool:
    return len(value) >= 10 and _ANCHORS.search(value) is not None


@functools.lru_cache(maxsize=4096)
def credential_name(name: str) -> bool:
    """``DB_PASSWORD``, ``apiKey``, ``hf-token``: yes. ``max_tokens``, ``SECRET_NAME``: no."""
    words = [w.upper() for w in _WORD.findall(name)]
    if not words or words[-1] in _NOT_THE_SECRET:
        return False
    if any(w in _SECRET_WORDS for w in words):
        return True
    return any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words))


def is_literal(value: str | None) -> bool:
    """A value that could be a secret: not empty, no reference, not a number or a flag, not an
    environment variable (``$(DB_PASSWORD)``, which Kubernetes expands in command and args)."""
    if value is None or not value.strip() or "${{" in value:
        return False
    return _NUMBER_OR_FLAG.match(value.strip()) is None and not _ENV_EXPANSION.match(value)


_ENV_EXPANSION = re.compile(
    r"^\$(?:\([A-Za-z_][A-Za-z0-9_]*\)|\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_]\w*)$"
)
_NOT_A_VALUE_FLAG = frozenset({"NO", "USE", "WITH", "WITHOUT", "ENABLE", "DISABLE", "SKIP", "ASK"})

FLAG_HINT = (
    "move it into a Kubernetes Secret, give it to the step as an env var "
    "(env: [{name: NAME, secretRef: {name: SECRET, key: KEY}}]) and let the program read NAME "
    "instead of the flag"
)


@functools.lru_cache(maxsize=4096)
def credential_flag(name: str) -> bool:
    """``--password``, ``--api-key``, ``--hf-token``: yes. ``--password-file``, ``--max-tokens``,
    ``--no-token``: no. The name ends with the credential word, so that a switch such as
    ``--password-prompt`` is not mistaken for a flag that takes a password."""
    words = [w.upper() for w in _WORD.findall(name)]
    if not credential_name(name) or words[0] in _NOT_A_VALUE_FLAG:
        return False
    return words[-1] in _SECRET_WORDS or words[-1] == "KEY"


_FLAG = re.compile(r"^--?([A-Za-z][A-Za-z0-9_.-]*)(?:=(.*))?$", re.DOTALL)


def _flag_values(
    manifest: v1alpha1.Manifest,
) -> Iterator[tuple[diagnostics.Loc, str, str | None]]:
    """(loc of the value, flag, value) of each ``--flag value`` and ``--flag=value`` in argv."""
    for argv in walk.argvs(manifest):
        for (loc, text), following in itertools.zip_longest(argv, argv[1:]):
            if text[:1] != "-":  # most argv elements: no regex
                continue
            match = _FLAG.match(text)
            if match is None:
                continue
            if match.group(2) is not None:
                yield loc, text.partition("=")[0], match.group(2)
            elif following is not None and not following[1].startswith("-"):
                yield following[0], text, following[1]


def _named_values(
    manifest: v1alpha1.Manifest,
) -> Iterator[tuple[diagnostics.Loc, str, str | None]]:
    """(loc of the value, name, value) of everything a name can mark as a credential."""
    if isinstance(manifest, v1alpha1.Pipeline):
        for i, parameter in enumerate(manifest.spec.parameters):
            yield ("spec", "parameters", i, "default"), parameter.name, parameter.default
        for i, step in enumerate(manifest.spec.steps):
            yield from _env(("spec", "steps", i, "env"), step.env)
            for key, value in step.with_.items():
                yield ("spec", "steps", i, "with", key), key, value
    elif isinstance(manifest, v1alpha1.StepTemplate):
        yield from _env(("spec", "env"), manifest.spec.env)
        for i, parameter in enumerate(manifest.spec.inputs.parameters):
            yield ("spec", "inputs", "parameters", i, "default"), parameter.name, parameter.default
    elif isinstance(manifest, v1alpha1.Experiment):
        for key, value in manifest.spec.parameters.items():
            yield ("spec", "parameters", key), key, value
        if manifest.spec.sweep is not None:
            for key, values in manifest.spec.sweep.parameters.items():
                for i, value in enumerate(values):
                    yield ("spec", "sweep", "parameters", key, i), key, value


def _env(
    where: diagnostics.Loc, env: list[v1alpha1.common.EnvVar]
) -> Iterator[tuple[diagnostics.Loc, str, str | None]]:
    for i, variable in enumerate(env):
        yield (*where, i, "value"), variable.name, variable.value
