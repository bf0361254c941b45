"""The values a render takes from outside the manifests (``Source`` and ``RenderOptions``: the
commit, branch, repository URL, system image and tracking URI) and the shape each must have.

They reach Argo verbatim, so none may hold ``{{`` (the injection rule, BOS401), and each must be
what it claims to be (BOS204): a hex commit, a git branch name, a URL git clones, an image
reference. ``bosun render`` checks its options with the same functions, as usage errors."""

from __future__ import annotations

import functools
import re
import typing

import pydantic
from bosun import diagnostics
from bosun.render import context
from bosun.spec.v1alpha1 import types

UNVERSIONED = "unversioned"
"""The commit of a tree that is not in a git repository (or has no commit yet)."""

INJECTION, INVALID = "BOS401", "BOS204"


class Problem(typing.NamedTuple):
    code: str
    message: str


def _braces(value: str) -> Problem | None:
    if "{{" in value:
        return Problem(
            INJECTION,
            f"{value!r} holds '{{{{', which Argo would evaluate as an expression "
            "(template injection)",
        )
    return None


_COMMIT = re.compile(r"[0-9a-f]{4,64}")


def commit(value: str) -> Problem | None:
    """A commit's object name in hex, full (40 or 64 digits) or abbreviated (at least 4)."""
    found = _braces(value)
    if found is None and not _COMMIT.fullmatch(value):
        hint = " (lowercase)" if _COMMIT.fullmatch(value.lower()) else ""
        found = Problem(
            INVALID,
            f"{value!r} is not a commit: give its object name in hex{hint}, "
            "as 'git rev-parse HEAD' prints it",
        )
    return found


_REF_CHARACTERS = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")


def _ref_rule(name: str) -> str | None:
    """The first rule of ``git check-ref-format --branch`` that ``name`` breaks."""
    bad = _REF_CHARACTERS.search(name)
    rules = (
        (not name, "it is empty"),
        (name.startswith("-"), "it starts with '-'"),
        (name == "HEAD", "'HEAD' is not a branch"),
        (bad is not None, f"it holds {bad.group()!r}" if bad else ""),
        (".." in name, "it holds '..'"),
        ("@{" in name, "it holds '@{'"),
        ("//" in name or name.startswith("/") or name.endswith("/"), "it has an empty component"),
        (name.endswith("."), "it ends with '.'"),
        (any(c.startswith(".") for c in name.split("/")), "a component starts with '.'"),
        (any(c.endswith(".lock") for c in name.split("/")), "a component ends with '.lock'"),
    )
    return next((reason for broken, reason in rules if broken), None)


def branch(value: str) -> Problem | None:
    """A name git accepts for a branch (``git check-ref-format --branch``)."""
    found = _braces(value)
    reason = _ref_rule(value) if found is None else None
    if reason is not None:
        found = Problem(INVALID, f"{value!r} is not a git branch name: {reason}")
    return found


_URL = re.compile(r"(?P<scheme>https?|ssh|git|file)://(?P<authority>[^/?#]*)(?P<path>[^?#]*)")
_SCP = re.compile(r"(?:(?P<user>[A-Za-z0-9._~-]+)@)?(?P<host>[A-Za-z0-9.-]+):(?P<path>[^/\\].*)")
_BLANK = re.compile(r"[\x00-\x20\x7f]")
_HOST = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?")


def repo_url(value: str) -> Problem | None:
    """A URL git clones: ``https://host/path`` (or ``http``, ``ssh``, ``git``, ``file``), or
    ``user@host:path``. Never with a password, which would be written into every Workflow."""
    found = _braces(value)
    if found is not None:
        return found
    shape = "use https://host/path, ssh://[user@]host/path or user@host:path"
    if _BLANK.search(value):
        return Problem(INVALID, f"{value!r} is not a repository URL: it holds a blank; {shape}")
    url = _URL.fullmatch(value)
    if url is not None:
        user, _, host = url.group("authority").rpartition("@")
        if ":" in user:
            return Problem(
                INVALID,
                f"{_redacted(value)} holds a password, which would be written into every "
                "Workflow: give the URL without credentials",
            )
        local = url.group("scheme") == "file"
        if (not local and not _HOST.fullmatch(host)) or len(url.group("path")) < 2:
            return Problem(INVALID, f"{value!r} is not a repository URL: {shape}")
        return None
    if _SCP.fullmatch(value) is None or "://" in value:
        return Problem(INVALID, f"{value!r} is not a repository URL: {shape}")
    return None


def _redacted(url: str) -> str:
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


@functools.cache
def _image_type() -> pydantic.TypeAdapter[str]:
    return pydantic.TypeAdapter(types.Image)


def image(value: str) -> Problem | None:
    """An image reference, by the spec's own ``Image`` type (what a step's ``image`` must be)."""
    found = _braces(value)
    if found is None:
        try:
            _image_type().validate_python(value)
        except pydantic.ValidationError as error:
            found = Problem(INVALID, str(error.errors()[0]["msg"]))
    return found


def tracking_uri(value: str) -> Problem | None:
    """Any URI MLflow takes; it only must not hold ``{{``."""
    return _braces(value)


def problems(
    source: context.Source, options: context.RenderOptions
) -> list[diagnostics.Diagnostic]:
    """Every value of ``source`` and ``options`` that cannot be rendered, as diagnostics naming
    the field (and no file: they do not come from a manifest)."""
    checks: list[tuple[str, Problem | None]] = [
        ("Source.commit", None if source.commit == UNVERSIONED else commit(source.commit)),
        ("Source.branch", None if source.branch is None else branch(source.branch)),
        ("Source.repo_url", None if source.repo_url is None else repo_url(source.repo_url)),
        ("RenderOptions.system_image", image(options.system_image)),
        ("RenderOptions.tracking_uri", tracking_uri(options.tracking_uri)),
    ]
    if source.repo_url is not None and source.commit == UNVERSIONED:
        unversioned = Problem(
            INVALID, f"pods clone repo_url at this commit; {UNVERSIONED!r} is none"
        )
        checks.append(("Source.commit", unversioned))
    return [
        diagnostics.Diagnostic(found.code, f"{field}: {found.message}", "")
        for field, found in checks
        if found is not None
    ]
