"""Did-you-mean hints."""

from __future__ import annotations

import pytest
from bosun.validate import suggest


@pytest.mark.parametrize(
    ("word", "candidates", "hint"),
    [
        ("comand", ["command", "args", "image"], "did you mean 'command'?"),
        ("Command", ["command", "commands"], "did you mean 'command'?"),
        ("prod", ["dev", "production"], "did you mean 'production'?"),
        ("pro", ["production", "prototype"], "known: 'production', 'prototype'"),
        ("xyz", ["a", "b"], "known: 'a', 'b'"),
        ("xyz", [], None),
        ("xyz", [f"name{i}" for i in range(20)], None),
    ],
)
def test_did_you_mean(word: str, candidates: list[str], hint: str | None) -> None:
    assert suggest.did_you_mean(word, candidates) == hint
