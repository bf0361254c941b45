"""Positions of diagnostics (lazy, per file) and the reading of files: ignore patterns, BOM,
encodings, size limits, multi-document files."""

from __future__ import annotations

import pathlib

import pytest
from bosun import diagnostics
from bosun.load import positions, sources

TEXT = """\
apiVersion: bosun.dev/v1alpha1
kind: Pipeline
metadata: {name: train, team: ml}
spec:
  steps:
    - name: prepare
      image: x:1
      command: [python, prepare.py]
---
kind: Team
metadata:
  name: ml
"""


def at(loc: diagnostics.Loc, document: int = 0, code: str = "BOS204") -> tuple[int, int]:
    (located,) = positions.locate(
        [diagnostics.Diagnostic(code, "m", "f.yaml", loc, document)], {"f.yaml": TEXT}
    )
    return located.line, located.column


@pytest.mark.parametrize(
    ("loc", "document", "position"),
    [
        ((), 0, (1, 1)),
        (("kind",), 0, (2, 7)),
        (("metadata", "team"), 0, (3, 31)),
        (("spec", "steps", 0, "command", 1), 0, (8, 25)),
        (("spec", "steps", 0, "missing"), 0, (6, 7)),
        (("spec", "steps", 7), 0, (6, 5)),
        (("metadata", "name"), 1, (12, 9)),
        (("kind",), 5, (1, 1)),
    ],
)
def test_value_positions(loc: diagnostics.Loc, document: int, position: tuple[int, int]) -> None:
    assert at(loc, document) == position


def test_key_positions_for_codes_about_the_field() -> None:
    assert at(("metadata", "team"), code="BOS201") == (3, 25)
    assert at(("spec", "steps", 0, "image"), code="BOS202") == (7, 7)


def test_located_diagnostics_and_unknown_files_are_left_alone() -> None:
    placed = diagnostics.Diagnostic("BOS101", "m", "f.yaml", line=4, column=2)
    elsewhere = diagnostics.Diagnostic("BOS204", "m", "other.yaml", ("kind",))
    assert positions.locate([placed, elsewhere], {"f.yaml": TEXT}) == [placed, elsewhere]


def test_positions_after_a_syntax_error_keep_the_documents_before_it() -> None:
    text = "a: 1\nb: 2\n---\nc: [\n"
    (located,) = positions.locate(
        [diagnostics.Diagnostic("BOS204", "m", "f.yaml", ("b",))], {"f.yaml": text}
    )
    assert (located.line, located.column) == (2, 4)


def load(files: dict[str, bytes], **options: int) -> sources.Loaded:
    return sources.load_bytes(files, **options)


def test_multi_document_files_and_non_mappings() -> None:
    loaded = load({"a.yaml": b"kind: A\n---\n- 1\n---\n\n---\njust text\n---\nkind: B\n"})
    assert [(d.index, d.data) for d in loaded.documents] == [(0, {"kind": "A"}), (4, {"kind": "B"})]
    assert [(d.code, d.document) for d in loaded.diagnostics] == [("BOS106", 1), ("BOS106", 3)]


def test_a_utf8_bom_is_accepted() -> None:
    loaded = load({"a.yaml": b"\xef\xbb\xbfkind: Team\n"})
    assert loaded.diagnostics == [] and loaded.documents[0].data == {"kind": "Team"}


@pytest.mark.parametrize(
    ("raw", "line", "column"),
    [
        (b"kind: Team\nname: caf\xe9\n", 2, 10),
        (b"\xef\xbb\xbfa: 1\nb: 2\nc: \xff\n", 3, 4),
        (b"\xc3", 1, 1),
        (b"a: \xc3\xa9\xc3\n", 1, 6),
    ],
)
def test_non_utf8_bytes_are_located(raw: bytes, line: int, column: int) -> None:
    loaded = load({"a.yaml": raw})
    (diagnostic,) = loaded.diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("BOS102", line, column)
    assert "a.yaml" not in loaded.texts and loaded.documents == []


def test_the_size_limit_refuses_without_parsing() -> None:
    loaded = load({"big.yaml": b"a: [" * 100, "small.yaml": b"a: 1\n"}, max_file_size=100)
    assert [(d.code, d.file, d.line) for d in loaded.diagnostics] == [("BOS101", "big.yaml", 1)]
    assert [d.file for d in loaded.documents] == ["small.yaml"]


@pytest.mark.parametrize(
    ("path", "patterns", "ignored"),
    [
        ("tests/cases/x.yaml", ["tests/"], True),
        ("tests", ["tests/"], True),
        ("a/tests/x.yaml", ["tests/"], True),
        ("bench/data/x.yaml", ["bench/data"], True),
        ("other/bench/data/x.yaml", ["bench/data"], False),
        ("teams/ml/secret.values.yaml", ["*.values.yaml"], True),
        ("teams/ml/pipeline.yaml", ["*.values.yaml", "tests/"], False),
        ("charts/app/templates/x.yaml", ["charts/*/templates"], True),
    ],
)
def test_ignore_patterns(path: str, patterns: list[str], ignored: bool) -> None:
    assert sources.is_ignored(path, patterns) is ignored


def write(root: pathlib.Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_discovery_skips_hidden_ignored_and_non_yaml(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        tmp_path,
        {
            ".bosunignore": "# fixtures\nfixtures/\n*.values.yaml\n",
            "teams/ml/a.yaml": "kind: A\n",
            "teams/ml/b.yml": "kind: B\n",
            "teams/ml/notes.md": "# notes\n",
            "teams/ml/x.values.yaml": "a: 1\n",
            "fixtures/bad.yaml": ": :\n",
            ".github/workflows/ci.yaml": "on: push\n",
            "node_modules/pkg/x.yaml": "a: 1\n",
            "teams/.hidden.yaml": "a: 1\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    files, problems = sources.discover(["."])
    assert [sources.display_path(f) for f in files] == ["teams/ml/a.yaml", "teams/ml/b.yml"]
    assert problems == []
    loaded = sources.load_paths(["teams", "teams/ml/a.yaml", "missing"])
    assert sorted(d.file for d in loaded.documents) == ["teams/ml/a.yaml", "teams/ml/b.yml"]
    assert [(d.code, d.file) for d in loaded.diagnostics] == [("BOS109", "missing")]


def test_files_over_the_limit_are_not_read(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"big.yaml": "a: " + "x" * 500 + "\n", "ok.yaml": "a: 1\n"})
    monkeypatch.chdir(tmp_path)
    loaded = sources.load_paths(["."], max_file_size=100)
    assert [(d.code, d.file) for d in loaded.diagnostics] == [("BOS101", "big.yaml")]
    assert "big.yaml" not in loaded.texts
    assert loaded.files == 2


@pytest.mark.parametrize(
    ("relative", "under", "ignored"),
    [
        ("cases/x.yaml", "tests/", False),
        ("data/x.yaml", "bench/", True),
        ("x.yaml", "bench/data/", False),
        ("ml/tests/x.yaml", "teams/", True),
        ("ml/x.values.yaml", "teams/", True),
    ],
)
def test_patterns_below_a_validated_subdirectory(relative: str, under: str, ignored: bool) -> None:
    patterns = ["tests/", "bench/data", "*.values.yaml"]
    assert sources.is_ignored(relative, patterns, under=under) is ignored


def test_a_subdirectory_honours_the_repositorys_ignore_file(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        tmp_path,
        {
            ".bosunignore": "*.values.yaml\nteams/ml/fixtures\n",
            "teams/ml/a.yaml": "kind: A\n",
            "teams/ml/x.values.yaml": "a: 1\n",
            "teams/ml/fixtures/bad.yaml": ": :\n",
        },
    )
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path / "teams")
    files, _ = sources.discover(["."])
    assert [sources.display_path(f) for f in files] == ["ml/a.yaml"]
    monkeypatch.chdir(tmp_path / "teams" / "ml" / "fixtures")
    files, _ = sources.discover(["."])
    assert [sources.display_path(f) for f in files] == ["bad.yaml"]  # named on purpose


def test_the_search_for_an_ignore_file_stops_at_the_repository_top(tmp_path: pathlib.Path) -> None:
    write(tmp_path, {".bosunignore": "*\n", "repo/a.yaml": "kind: A\n"})
    (tmp_path / "repo" / ".git").mkdir()
    assert sources.find_ignore_patterns(tmp_path / "repo") == ("", [])
    assert sources.find_ignore_patterns(tmp_path) == ("", ["*"])
