"""YAML text → documents: what the loader refuses and where it says so."""

from __future__ import annotations

import pytest
from bosun.load import nesting, yaml_parse


def codes(text: str) -> list[tuple[str, int, int]]:
    return [(d.code, d.line, d.column) for d in yaml_parse.parse(text, "f.yaml").diagnostics]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\nb: 2\na: 3\n", [("BOS105", 3, 1)]),
        ("a:\n  x: 1\n  y: 2\n  x: 3\n", [("BOS105", 4, 3)]),
        ("a: {x: 1, x: 1}\n", [("BOS105", 1, 11)]),
        ("null: 1\n~: 2\n", [("BOS105", 2, 1)]),
        ("base: &b {x: 1}\nm:\n  <<: *b\n  <<: {y: 2}\n", [("BOS105", 4, 3)]),
        ("base: &b {x: 1}\nm:\n  x: 0\n  <<: *b\n  x: 2\n", [("BOS105", 5, 3)]),
    ],
)
def test_duplicate_keys(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert codes(text) == expected


def test_a_duplicate_key_names_the_first_line_and_hints() -> None:
    (diagnostic,) = yaml_parse.parse("a: 1\nb: 2\na: 3\n", "f.yaml").diagnostics
    assert diagnostic.message == "duplicate key 'a' (first defined on line 1)"
    assert diagnostic.hint is not None and "last one" in diagnostic.hint


def test_merge_keys_that_override_are_not_duplicates() -> None:
    parsed = yaml_parse.parse("base: &b {x: 1, y: 1}\nm:\n  <<: *b\n  x: 2\n", "f.yaml")
    assert parsed.diagnostics == []
    assert parsed.documents[0]["m"] == {"x": 2, "y": 1}
    parsed = yaml_parse.parse("a: &a {x: 1}\nb: &b {y: 2}\nm: {<<: [*a, *b]}\n", "f.yaml")
    assert parsed.documents[0]["m"] == {"x": 1, "y": 2}


def test_keys_of_different_types_are_different_keys() -> None:
    parsed = yaml_parse.parse("a: {1: x, '1': y}\n", "f.yaml")
    assert parsed.diagnostics == [] and parsed.documents == [{"a": {1: "x", "1": "y"}}]


def test_an_alias_bomb_is_refused_without_expanding_it() -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 30)]
    text = "\n".join(levels) + "\n"  # 10**30 nodes once expanded: only a count can finish
    parsed = yaml_parse.parse(text, "bomb.yaml")
    (diagnostic,) = parsed.diagnostics
    assert diagnostic.code == "BOS107"
    assert parsed.documents == [None]
    assert len(diagnostic.message) < 200


def test_shared_anchors_below_the_bound_are_accepted() -> None:
    text = "defaults: &d {cpu: '1', memory: 2Gi}\na: *d\nb: *d\n"
    parsed = yaml_parse.parse(text, "f.yaml")
    assert parsed.diagnostics == []
    assert parsed.documents[0]["b"] == {"cpu": "1", "memory": "2Gi"}


def test_a_recursive_alias() -> None:
    parsed = yaml_parse.parse("a: &a\n  b: *a\n", "f.yaml")
    assert [d.code for d in parsed.diagnostics] == ["BOS108"]
    assert parsed.documents == [None]


def test_a_bad_document_keeps_the_others() -> None:
    parsed = yaml_parse.parse("a: 1\n---\nb: &b [*b]\n---\nc: 3\n", "f.yaml")
    assert parsed.documents == [{"a": 1}, None, {"c": 3}]
    assert [(d.code, d.document) for d in parsed.diagnostics] == [("BOS108", 1)]


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [("a:\n\tb: 1\n", 2, 1), ("a:\n  - x\n\t- y\n", 3, 1), ("spec:\n  owners:\n\t\t- x\n", 3, 1)],
)
def test_tab_indentation(text: str, line: int, column: int) -> None:
    (diagnostic,) = yaml_parse.parse(text, "f.yaml").diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("BOS104", line, column)
    assert diagnostic.hint == "indent with spaces"


def test_a_tab_inside_a_value_is_text() -> None:
    assert yaml_parse.parse("a: 'x\ty'\nb:\tc\n", "f.yaml").documents == [{"a": "x\ty", "b": "c"}]


def test_a_syntax_error_keeps_earlier_documents_and_gives_the_parsers_line() -> None:
    parsed = yaml_parse.parse("a: 1\n---\nb: [1, 2\nc: 3\n", "f.yaml")
    assert parsed.documents == [{"a": 1}]
    (diagnostic,) = parsed.diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.document) == ("BOS103", 4, 1)
    assert diagnostic.message.startswith("YAML syntax error: ")


def test_unhashable_keys_are_syntax_errors() -> None:
    assert [c for c, _, _ in codes("? [a]\n: b\n")] == ["BOS103"]


@pytest.mark.parametrize("depth", [1001, 5000, 200_000])
def test_deep_flow_nesting_is_refused_before_composing(depth: int) -> None:
    (diagnostic,) = yaml_parse.parse("a: " + "[" * depth + "]" * depth + "\n", "f.yaml").diagnostics
    # the document's mapping is the first level, so the refused bracket is number MAX_DEPTH
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == (
        "BOS107",
        1,
        3 + nesting.MAX_DEPTH,
    )


def test_deep_block_nesting_is_refused_before_composing() -> None:
    (diagnostic,) = yaml_parse.parse("a:\n" + "- " * 100_000 + "x\n", "f.yaml").diagnostics
    assert diagnostic.code == "BOS107" and diagnostic.line == 2


def test_deep_nesting_in_a_later_document_names_it() -> None:
    text = "a: 1\n---\nb: " + "{c: " * 3000 + "1" + "}" * 3000 + "\n"
    (diagnostic,) = yaml_parse.parse(text, "f.yaml").diagnostics
    assert (diagnostic.code, diagnostic.document, diagnostic.line) == ("BOS107", 1, 3)


def test_nesting_below_the_limit_but_past_python_recursion_is_refused_too() -> None:
    (diagnostic,) = yaml_parse.parse("a: " + "[" * 999 + "]" * 999 + "\n", "f.yaml").diagnostics
    assert diagnostic.code == "BOS107"


def test_the_nesting_bound_is_cheap_for_ordinary_files() -> None:
    ordinary = "spec:\n  steps:\n    - name: a\n      args: [x, y, {z: 1}]\n" * 50
    assert not nesting.may_be_deep(ordinary)
    assert nesting.may_be_deep("[" * 600)
    assert nesting.may_be_deep(" " * 300 + "x: 1\n")
    assert nesting.too_deep("a: " + "[" * 600 + "]" * 600) is None  # bound tripped, depth fine
    assert nesting.too_deep("a: [1, 2\n" + "[" * 2000) is None  # a syntax error ends the walk


@pytest.mark.parametrize(
    ("text", "documents"),
    [
        ("", []),
        ("# only a comment\n", []),
        ("---\n", [None]),
        ("---\n---\n", [None, None]),
        ("a: 1\n---\n", [{"a": 1}, None]),
        ("---\na: 1\n...\n---\nb: 2\n", [{"a": 1}, {"b": 2}]),
    ],
)
def test_empty_documents(text: str, documents: list[object]) -> None:
    parsed = yaml_parse.parse(text, "f.yaml")
    assert parsed.documents == documents and parsed.diagnostics == []


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [("\x08a: 1\n", 1, 1), ("a: 1\nb: x\x07y\n", 2, 5), ('a: "\ufffe"\n', 1, 5)],
)
def test_characters_yaml_does_not_allow(text: str, line: int, column: int) -> None:
    (diagnostic,) = yaml_parse.parse(text, "f.yaml").diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("BOS103", line, column)
    assert "is not allowed in YAML" in diagnostic.message
