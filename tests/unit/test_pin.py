from __future__ import annotations

from bosun.gitops import pin

BLOCK = """\
kind: ServingTarget   # keep me
spec:
  model: iris
  version: 'latest'
  overrides:
    dev:
      replicas: {min: 1, max: 1}
"""


def test_quoted_value_keeps_its_quotes_and_the_rest_of_the_line() -> None:
    pinned = pin.pin(BLOCK, document=0, environment="production", version="5")
    assert pinned == BLOCK.replace("version: 'latest'", "version: '5'")


def test_override_without_a_version_gains_one() -> None:
    text = BLOCK.replace("dev:", "production:")
    pinned = pin.pin(text, document=0, environment="production", version="3")
    assert "# keep me" in pinned and "version: 'latest'" in pinned
    assert "production:\n      replicas: {min: 1, max: 1}\n      version: '3'\n" in pinned


def test_only_targets_of_the_model_are_found() -> None:
    text = BLOCK + "---\nkind: ServingTarget\nspec: {model: other}\n---\n" + BLOCK
    assert pin.serving_targets(text, "iris") == [0, 2]
