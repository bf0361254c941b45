"""What a render takes from outside the manifests (``Source``, ``RenderOptions``) is checked
before anything renders: the Python API raises ``RenderError`` naming the field, never an
internal error, and the shapes agree with git's and the spec's own rules."""

from __future__ import annotations

import dataclasses
import subprocess

import pytest
import render_support as rs
from bosun import render
from bosun.render import values

BAD_SOURCES = {
    "repo_url braces": (dict(repo_url="https://x/{{workflow.uid}}"), "Source.repo_url", "BOS401"),
    "repo_url shape": (dict(repo_url="not a url"), "Source.repo_url", "BOS204"),
    "repo_url password": (dict(repo_url="https://u:pw@h.io/r.git"), "Source.repo_url", "BOS204"),
    "branch braces": (dict(branch="{{workflow.uid}}"), "Source.branch", "BOS401"),
    "branch shape": (dict(branch="a..b"), "Source.branch", "BOS204"),
    "commit braces": (dict(commit="{{workflow.uid}}"), "Source.commit", "BOS401"),
    "commit shape": (dict(commit="HEAD"), "Source.commit", "BOS204"),
    "unversioned clone": (
        dict(commit=values.UNVERSIONED, repo_url="https://h.io/r.git"),
        "Source.commit",
        "BOS204",
    ),
}
BAD_OPTIONS = {
    "image braces": (dict(system_image="ghcr.io/x:{{workflow.uid}}"), "system_image", "BOS401"),
    "image shape": (dict(system_image="ghcr.io/X:1"), "system_image", "BOS204"),
    "tracking braces": (dict(tracking_uri="http://m/{{workflow.uid}}"), "tracking_uri", "BOS401"),
}


def _calls(source: render.Source, options: render.RenderOptions) -> list:
    manifests = rs.demo()
    return [
        lambda: render.render(manifests, "dev", source, render.StaticResolver(), options),
        lambda: render.render_experiment(
            manifests, "dev", "wine-rf", source=source, options=options
        ),
    ]


@pytest.mark.parametrize("case", sorted(BAD_SOURCES))
def test_a_bad_source_value_is_a_render_error_naming_the_field(case: str) -> None:
    change, field, code = BAD_SOURCES[case]
    source = dataclasses.replace(rs.SOURCE, **change)
    for call in _calls(source, rs.OPTIONS):
        with pytest.raises(render.RenderError) as raised:
            call()
        [found] = raised.value.diagnostics
        assert (found.code, found.file) == (code, "")
        assert found.message.startswith(f"{field}: ")


@pytest.mark.parametrize("case", sorted(BAD_OPTIONS))
def test_a_bad_option_value_is_a_render_error_naming_the_field(case: str) -> None:
    change, field, code = BAD_OPTIONS[case]
    options = dataclasses.replace(rs.OPTIONS, **change)
    for call in _calls(rs.SOURCE, options):
        with pytest.raises(render.RenderError) as raised:
            call()
        [found] = raised.value.diagnostics
        assert found.code == code
        assert found.message.startswith(f"RenderOptions.{field}: ")


def test_good_values_render() -> None:
    source = render.Source(
        commit="abc1234", branch="feature/x-1.2", repo_url="git@github.com:acme/ml.git"
    )
    assert render.render(rs.demo(), "dev", source, render.StaticResolver(), rs.OPTIONS)
    tree = render.Source(commit=values.UNVERSIONED)
    assert render.render(rs.demo(), "dev", tree, render.StaticResolver(), rs.OPTIONS)


BRANCHES = [
    "main",
    "feature/x-1.2",
    "release/2024.05",
    "user+topic",
    "ünïcode",
    "{{workflow.uid}}",
    "a{b}c",
    "",
    "-x",
    "HEAD",
    "@",
    "a..b",
    "a b",
    "a~1",
    "a^",
    "a:b",
    "a?",
    "a*",
    "a[b",
    "a\\b",
    "a@{1}",
    "/a",
    "a/",
    "a//b",
    "a.",
    ".a",
    "a/.b",
    "a.lock",
    "a.lock/b",
    "a\x7fb",
    "a\tb",
]


@pytest.mark.parametrize("name", BRANCHES)
def test_branch_names_follow_git(name: str) -> None:
    git = subprocess.run(
        ["git", "check-ref-format", "--branch", name], capture_output=True, check=False
    )
    problem = values.branch(name)
    if "{{" in name:
        assert git.returncode == 0
        assert problem is not None and problem.code == "BOS401"
    else:
        assert (problem is None) == (git.returncode == 0), (name, problem)


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://github.com/acme/ml-platform.git", True),
        ("http://git.internal:8080/acme/ml", True),
        ("ssh://git@github.com/acme/ml.git", True),
        ("ssh://git@[::1]:22/acme/ml.git", True),
        ("git://example.org/ml.git", True),
        ("file:///srv/git/ml.git", True),
        ("git@github.com:acme/ml.git", True),
        ("github.com:acme/ml.git", True),
        ("https://token@github.com/acme/ml.git", True),
        ("https://user:secret@github.com/acme/ml.git", False),
        ("https://github.com", False),
        ("https:///acme/ml.git", False),
        ("ftp://example.org/ml.git", False),
        ("acme/ml", False),
        ("https://github.com/acme/ml platform.git", False),
        ("https://github.com/acme/ml\n.git", False),
        ("", False),
    ],
)
def test_repository_urls(url: str, ok: bool) -> None:
    assert (values.repo_url(url) is None) == ok


def test_a_password_is_not_repeated_in_the_message() -> None:
    problem = values.repo_url("https://user:s3cr3t@github.com/acme/ml.git")
    assert problem is not None and "s3cr3t" not in problem.message


@pytest.mark.parametrize(
    ("commit", "ok"),
    [
        ("4b825dc642cb6eb9a060e54bf8d69288fbee4904", True),
        ("abc1", True),
        ("a" * 64, True),
        ("abc", False),
        ("a" * 65, False),
        ("ABC123", False),
        ("main", False),
        ("HEAD~1", False),
    ],
)
def test_commits_are_hex(commit: str, ok: bool) -> None:
    assert (values.commit(commit) is None) == ok


def test_images_follow_the_spec_type() -> None:
    assert values.image(render.RenderOptions().system_image) is None
    assert values.image("ghcr.io/acme/x@sha256:" + "a" * 64) is None
    problem = values.image("ghcr.io/acme/x:latest latest")
    assert problem is not None and "is not an image reference" in problem.message
