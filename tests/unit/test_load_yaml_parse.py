"""YAML text → documents: what the loader refuses and where it says so."""

from __future__ import annotations

import time

import hypothesis
import pytest
import yaml
from bosun.load import nesting, yaml_parse
from hypothesis import strategies as st


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


def merge_bomb(levels: int) -> str:
    """Each level merges the previous one twice: PyYAML's merge copies 2**levels key pairs."""
    lines = ["a0: &a0 {k0: v}"]
    lines += [f"a{i}: &a{i} {{<<: [*a{i - 1}, *a{i - 1}], k{i}: v}}" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_a_merge_key_bomb_is_refused_where_it_crosses_the_bound() -> None:
    # 2**20 copied pairs build a 20-key mapping: the built value is small, the work is not
    parsed = yaml_parse.parse(merge_bomb(20), "bomb.yaml")
    (diagnostic,) = parsed.diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("BOS107", 15, 6)
    assert parsed.documents == [None]
    assert "merge keys (<<)" in (diagnostic.hint or "")


def test_a_deep_merge_key_bomb_is_counted_not_built() -> None:
    started = time.perf_counter()
    (diagnostic,) = yaml_parse.parse(merge_bomb(2000), "bomb.yaml").diagnostics
    assert diagnostic.code == "BOS107"
    assert time.perf_counter() - started < 5  # 2**2000 pairs: only a count can finish


@pytest.mark.parametrize("key", ["<<", "!!merge m", "!<tag:yaml.org,2002:m%65rge> m"])
def test_merge_keys_are_counted_however_they_are_spelled(key: str) -> None:
    # no alias at all, but each of 300 levels copies the 500 pairs below it: quadratic work
    inner = "{" + ", ".join(f"k{i}: v" for i in range(500)) + "}"
    text = "a: " + f"{{{key}: " * 300 + inner + "}" * 300 + "\n"
    assert [d.code for d in yaml_parse.parse(text, "f.yaml").diagnostics] == ["BOS107"]


def test_a_mapping_that_merges_itself_is_a_recursive_alias() -> None:
    (diagnostic,) = yaml_parse.parse("a: &a {x: 1, <<: *a}\n", "f.yaml").diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("BOS108", 1, 4)


def test_merges_within_the_bound_build_what_pyyaml_builds() -> None:
    text = merge_bomb(12) + "m: {<<: [*a3, *a11], own: 1}\n"
    parsed = yaml_parse.parse(text, "f.yaml")
    assert parsed.diagnostics == []
    assert parsed.documents == list(yaml.load_all(text, Loader=yaml.CSafeLoader))


def test_shared_anchors_below_the_bound_are_accepted() -> None:
    text = "defaults: &d {cpu: '1', memory: 2Gi}\na: *d\nb: *d\n"
    parsed = yaml_parse.parse(text, "f.yaml")
    assert parsed.diagnostics == []
    assert parsed.documents[0]["b"] == {"cpu": "1", "memory": "2Gi"}


def test_a_recursive_alias() -> None:
    parsed = yaml_parse.parse("x: 1\na: &a\n  b: *a\n", "f.yaml")
    assert [(d.code, d.line) for d in parsed.diagnostics] == [("BOS108", 2)]  # the anchor
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
    assert nesting.too_deep("a: @x\n" + "[" * 2000) is None  # a syntax error ends the walk


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


# --- aliases and merge keys, against PyYAML and an independent count ------------------------------

_anchor = st.tuples(
    st.integers(min_value=0, max_value=3),  # own keys
    st.lists(st.integers(min_value=1, max_value=4), max_size=3),  # merged: this many anchors back
    st.lists(st.integers(min_value=1, max_value=4), max_size=2),  # alias values: as many back
    st.booleans(),  # merge a single alias (``<<: *a``) rather than a list (``<<: [*a]``)
)
_doubling = st.tuples(  # merges two or three recent anchors: the size grows geometrically
    st.integers(min_value=0, max_value=3),
    st.lists(st.integers(min_value=1, max_value=2), min_size=2, max_size=3),
    st.lists(st.integers(min_value=1, max_value=4), max_size=2),
    st.just(False),
)


def anchored_text(specs: list[tuple[int, list[int], list[int], bool]]) -> tuple[str, int]:
    """A document of anchored mappings that merge and alias earlier ones, and the number of nodes
    it expands to (key and value nodes of every merged pair included), counted on the spec."""
    lines, sizes = [], []
    for i, (own, merges_back, aliases_back, single) in enumerate(specs):
        merges = [max(i - back, 0) for back in merges_back] if i else []
        aliases = [max(i - back, 0) for back in aliases_back] if i else []
        entries = [f"k{i}_{j}: v" for j in range(own)]
        if len(merges) == 1 and single:
            entries.append(f"<<: *a{merges[0]}")
        elif merges:
            entries.append("<<: [" + ", ".join(f"*a{m}" for m in merges) + "]")
        entries += [f"r{i}_{j}: *a{a}" for j, a in enumerate(aliases)]
        lines.append(f"a{i}: &a{i} {{{', '.join(entries)}}}")
        size = 1 + 2 * own + sum(sizes[m] - 1 for m in merges) + sum(1 + sizes[a] for a in aliases)
        sizes.append(size)
    return "\n".join(lines) + "\n", 1 + sum(1 + size for size in sizes)


@hypothesis.given(specs=st.lists(_anchor | _doubling, min_size=1, max_size=40))
@hypothesis.settings(max_examples=300, deadline=None)
def test_property_aliases_and_merges_are_bounded_before_being_built(
    specs: list[tuple[int, list[int], list[int], bool]],
) -> None:
    text, expanded = anchored_text(specs)
    hypothesis.event("refused" if expanded > yaml_parse.MAX_EXPANDED_NODES else "accepted")
    parsed = yaml_parse.parse(text, "f.yaml")
    if expanded > yaml_parse.MAX_EXPANDED_NODES:
        assert [d.code for d in parsed.diagnostics] == ["BOS107"]
        assert parsed.documents == [None]
    else:  # merges copy each pair into one mapping only: no work beyond the expansion itself
        assert parsed.diagnostics == []
        assert parsed.documents == list(yaml.load_all(text, Loader=yaml.CSafeLoader))


def test_a_parser_error_past_the_depth_limit_is_refused_whatever_its_wording() -> None:
    text = "a: " + "[" * nesting.MAX_DEPTH + "x"
    mark = yaml.Mark("f.yaml", 0, 0, len(text) - 1, None, None)
    error = yaml.scanner.ScannerError(problem="any words a parser release picks", problem_mark=mark)
    assert nesting._limit_reached(error, text, depth=2, document=0) == (0, 1, len(text))
    shallow = "a: [[x"
    mark = yaml.Mark("f.yaml", 0, 0, 5, None, None)
    error = yaml.scanner.ScannerError(problem="x", problem_mark=mark)
    assert nesting._limit_reached(error, shallow, depth=2, document=0) is None
