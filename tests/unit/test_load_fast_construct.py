"""The fast construction path builds exactly what ``yaml.load_all(..., CSafeLoader)`` builds, and
hands every unusual node back to the loader's constructor (which refuses what bosun refuses)."""

from __future__ import annotations

import datetime
from typing import Any

import hypothesis
import pytest
import yaml
from bosun.load import construct, yaml_parse
from hypothesis import strategies as st


def reference(text: str) -> list[Any]:
    return list(yaml.load_all(text, Loader=yaml.CSafeLoader))


def fast(text: str) -> list[Any]:
    assert "&" not in text, "the fast path is for documents without anchors"
    parsed = yaml_parse.parse(text, "f.yaml")
    assert not parsed.diagnostics, parsed.diagnostics
    return parsed.documents


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: [x, 'y', \"z\"]\nc: {d: null, e: ~, f: yes, g: off, h: 1.5, i: 0x1f, j: 0o17}\n",
        "k: 2024-05-01\nl: 2024-05-01T10:00:00Z\nm: 1_000\nn: .inf\no: -.nan\np: 190:20:30\n",
        "empty:\nlist: []\nmap: {}\n",
        "2: int key\ntrue: bool key\nnull: null key\n'1': str key\n",
        "= : value key\n",
        "bin: !!binary aGVsbG8=\nset: !!set {a, b}\nomap: !!omap [{a: 1}, {b: 2}]\n",
        "str: !!str 123\nint: !!int '7'\nfloat: !!float '1'\n",
        "pairs: !!pairs [{a: 1}, {a: 2}]\n",
        "--- a\n--- [1, 2]\n---\n--- {x: y}\n",
        "",
        "# only a comment\n",
        "multi: |\n  line one\n  line two\nfolded: >\n  folded\n  text\n",
        "nested: {a: [{b: [{c: {d: [1, 2, {e: f}]}}]}]}\n",
        'unicode: "caf\\u00e9 \\U0001F600"\nplain: naïve\n',
    ],
)
def test_same_values_as_csafeloader(text: str) -> None:
    assert fast(text) == reference(text)


def test_types_are_exactly_yaml_11() -> None:
    [document] = fast("a: yes\nb: 2024-01-02\nc: '5'\nd: 5\ne: 5.0\nf: ~\n")
    assert document == {
        "a": True,
        "b": datetime.date(2024, 1, 2),
        "c": "5",
        "d": 5,
        "e": 5.0,
        "f": None,
    }
    assert type(document["d"]) is int


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("a: 1\nb: 2\na: 3\n", "BOS105"),
        ("spec:\n  x: 1\n  'x': 2\n", "BOS105"),
        ("null: 1\n~: 2\n", "BOS105"),
        ("yes: 1\ntrue: 2\n", "BOS105"),
        ("? [a, b]\n: c\n", "BOS103"),
        ("a: !custom x\n", "BOS103"),
    ],
)
def test_refusals_match_the_slow_path(text: str, code: str) -> None:
    fast_path = yaml_parse.parse(text, "f.yaml").diagnostics
    slow_path = yaml_parse.parse("# R&D: an '&' anywhere takes the slow path\n" + text, "f.yaml")
    assert [d.code for d in fast_path] == [code]
    assert [d.code for d in slow_path.diagnostics] == [code]
    assert fast_path[0].line == slow_path.diagnostics[0].line - 1


def test_duplicate_key_names_both_lines() -> None:
    [problem] = yaml_parse.parse("a: 1\nb: 2\na: 3\n", "f.yaml").diagnostics
    assert (problem.line, problem.column) == (3, 1)
    assert "first defined on line 1" in problem.message


def test_resolver_cache_keeps_plain_and_quoted_apart() -> None:
    assert fast("a: 'yes'\nb: yes\nc: 'yes'\nd: yes\n") == [
        {"a": "yes", "b": True, "c": "yes", "d": True}
    ]
    assert "yes" in construct._RESOLVED


_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.dates()
)
_keys = st.text(max_size=12) | st.integers(min_value=-100, max_value=100) | st.booleans()
_documents = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(_keys, children, max_size=5),
    max_leaves=30,
)


@hypothesis.given(
    documents=st.lists(_documents, min_size=1, max_size=3),
    flow=st.sampled_from([None, True, False]),
)
@hypothesis.settings(max_examples=300, deadline=None)
def test_property_same_as_csafeloader(documents: list[Any], flow: bool | None) -> None:
    text = yaml.dump_all(documents, Dumper=yaml.CSafeDumper, default_flow_style=flow)
    hypothesis.assume("&" not in text)
    assert fast(text) == reference(text)


def test_the_loader_has_no_path_resolvers() -> None:
    """CachedResolver skips path-resolver bookkeeping: it is only right without any."""
    assert not yaml_parse.Loader.yaml_path_resolvers
