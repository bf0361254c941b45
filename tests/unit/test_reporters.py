"""The four output formats, as pure functions of a report."""

from __future__ import annotations

import json
import os
import pathlib
import re
import urllib.parse

import jsonschema
import pytest
from bosun import diagnostics, reporters
from bosun.reporters import github, sarif

SARIF_SCHEMA = pathlib.Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json"

PIPELINE = """\
apiVersion: bosun.dev/v1alpha1
kind: Pipeline
metadata: {name: train, team: quality}
spec:
  steps:
    - name: prepare
      comand: [python, prepare.py]
"""

UNKNOWN = diagnostics.Diagnostic(
    "BOS201",
    "unknown field 'comand'",
    "teams/quality/pipeline.yaml",
    ("spec", "steps", 0, "comand"),
    line=7,
    column=7,
    hint="did you mean 'command'?",
    kind="Pipeline",
    name="train",
)
NOT_UTF8_NAME = diagnostics.Diagnostic(  # a file named b"s\xff.yaml", as os.listdir decodes it
    "BOS301",
    "defined twice: here and in teams/quality/s\udcff.yaml",
    "teams/quality/s\udcff.yaml",
    line=4,
    column=12,
)
URI_REFERENCE = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-F]{2})*")
"""RFC 3986 characters, and every '%' the start of an escaped byte."""
SYNTAX = diagnostics.Diagnostic(
    "BOS103", "YAML syntax error: mapping values are not allowed here", "a.yaml", line=3, column=9
)


def report(*found: diagnostics.Diagnostic, documents: int = 12, files: int = 3) -> reporters.Report:
    return reporters.Report(list(found), documents, files, {UNKNOWN.file: PIPELINE})


# --- text ---------------------------------------------------------------------------------------


def test_text_shows_location_code_source_caret_and_hint() -> None:
    out = reporters.render("text", report(UNKNOWN))
    assert out.splitlines() == [
        "teams/quality/pipeline.yaml:7:7: BOS201 unknown field 'comand'",
        "    7 |       comand: [python, prepare.py]",
        "      |       ^~~~~~",
        "  hint: did you mean 'command'?",
        "1 error in 1 file (12 documents checked)",
    ]


def test_text_without_source_prints_no_snippet() -> None:
    out = reporters.render("text", report(SYNTAX, UNKNOWN))
    lines = out.splitlines()
    assert lines[0] == "a.yaml:3:9: BOS103 YAML syntax error: mapping values are not allowed here"
    assert lines[1].startswith("teams/quality/pipeline.yaml:7:7:")
    assert lines[-1] == "2 errors in 2 files (12 documents checked)"


def test_text_summary_when_valid_or_empty() -> None:
    assert reporters.render("text", report()) == "12 documents valid\n"
    assert reporters.render("text", report(documents=1)) == "1 document valid\n"
    assert reporters.render("text", report(documents=0, files=0)).startswith("no manifests found")


def test_text_caret_keeps_tabs_and_cuts_long_lines() -> None:
    tabbed = diagnostics.Diagnostic("BOS104", "tab", "t.yaml", line=1, column=3)
    lines = reporters.render("text", reporters.Report([tabbed], 0, 1, {"t.yaml": "\t\tx: 1\n"}))
    assert lines.splitlines()[2] == "      | \t\t^"
    long_line = "k: [" + ", ".join(["1"] * 400) + ", oops]"
    far = diagnostics.Diagnostic(
        "BOS103", "bad", "l.yaml", line=1, column=long_line.index("oops") + 1
    )
    out = reporters.render(
        "text", reporters.Report([far], 0, 1, {"l.yaml": long_line})
    ).splitlines()
    assert len(out[1]) < 230
    assert out[1].index("oops") == out[2].index("^")


def test_text_colors_only_when_asked() -> None:
    assert "\x1b[" not in reporters.render("text", report(UNKNOWN))
    colored = reporters.render("text", report(UNKNOWN), color=True)
    assert "\x1b[1;31mBOS201\x1b[0m" in colored


def test_lines_are_counted_as_libyaml_counts_them() -> None:
    text = "a: 1\r\nb: 2\rc: 3\u2028d: 4\n"
    found = diagnostics.Diagnostic("BOS201", "x", "f.yaml", line=4, column=1)
    assert reporters.Report([found], 1, 1, {"f.yaml": text}).source_line(found) == "d: 4"


# --- json ---------------------------------------------------------------------------------------


def test_json_has_exactly_the_design_shape_sorted_by_file_then_line() -> None:
    later = diagnostics.Diagnostic("BOS204", "bad", UNKNOWN.file, line=9, column=1)
    out = json.loads(reporters.render("json", report(later, UNKNOWN, SYNTAX)))
    assert list(out) == ["valid", "documents", "errors"]
    assert out["valid"] is False
    assert out["documents"] == 12
    assert [(e["file"], e["line"]) for e in out["errors"]] == [
        ("a.yaml", 3),
        (UNKNOWN.file, 7),
        (UNKNOWN.file, 9),
    ]
    assert out["errors"][1] == {
        "file": UNKNOWN.file,
        "line": 7,
        "column": 7,
        "kind": "Pipeline",
        "name": "train",
        "path": "spec.steps[0].comand",
        "code": "BOS201",
        "message": "unknown field 'comand'",
        "hint": "did you mean 'command'?",
    }
    assert out["errors"][0]["kind"] is None
    assert out["errors"][0]["hint"] is None


def test_json_when_valid() -> None:
    assert json.loads(reporters.render("json", report())) == {
        "valid": True,
        "documents": 12,
        "errors": [],
    }


# --- sarif --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )


@pytest.mark.parametrize(
    "found",
    [
        (),
        (UNKNOWN, SYNTAX),
        (diagnostics.Diagnostic("BOS109", "no such file", "/abs/dir with space/x.yaml"),),
        (NOT_UTF8_NAME, diagnostics.Diagnostic("BOS109", "no such file", "/abs/s\udcff.yaml")),
    ],
)
def test_sarif_is_valid_sarif_2_1_0(
    sarif_validator: jsonschema.Draft7Validator, found: tuple[diagnostics.Diagnostic, ...]
) -> None:
    out = reporters.render("sarif", report(*found))
    out.encode("utf-8")  # no lone surrogate: the log can be written as UTF-8
    log = json.loads(out)
    errors = [f"{list(e.path)}: {e.message}" for e in sarif_validator.iter_errors(log)]
    assert errors == []
    for result in log["runs"][0]["results"]:  # the schema's "uri-reference" is not checked
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert URI_REFERENCE.fullmatch(uri), uri


def test_sarif_has_every_code_as_a_rule_and_locates_results() -> None:
    log = json.loads(reporters.render("sarif", report(UNKNOWN)))
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(diagnostics.CODES)
    (result,) = run["results"]
    assert rules[result["ruleIndex"]]["id"] == "BOS201"
    assert rules[result["ruleIndex"]]["name"] == "UnknownField"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {
        "uri": "teams/quality/pipeline.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    assert location["region"]["startLine"] == 7
    assert location["region"]["startColumn"] == 7
    assert result["message"]["text"] == "unknown field 'comand'\nhint: did you mean 'command'?"


def test_sarif_names_a_file_whose_name_is_not_utf8_by_its_bytes() -> None:
    (result,) = json.loads(reporters.render("sarif", report(NOT_UTF8_NAME)))["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "teams/quality/s%FF.yaml", "uriBaseId": "%SRCROOT%"}
    assert urllib.parse.unquote_to_bytes(location["uri"]) == os.fsencode(NOT_UTF8_NAME.file)
    assert result["message"]["text"] == "defined twice: here and in teams/quality/s\ufffd.yaml"


def test_sarif_uris_are_encoded() -> None:
    assert sarif.artifact_location("a b/c.yaml") == {
        "uri": "a%20b/c.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    assert sarif.artifact_location("/tmp/x y.yaml") == {"uri": "file:///tmp/x%20y.yaml"}


# --- github -------------------------------------------------------------------------------------


def test_github_workflow_commands() -> None:
    out = reporters.render("github", report(UNKNOWN)).splitlines()
    assert out == [
        "::error file=teams/quality/pipeline.yaml,line=7,col=7,title=BOS201::"
        "unknown field 'comand'%0Ahint: did you mean 'command'?",
        "bosun: 1 error in 1 file (12 documents checked)",
    ]


def test_github_escaping() -> None:
    found = diagnostics.Diagnostic("BOS103", "100% bad\r\nyes", "odd,name:x.yaml", line=1, column=2)
    assert github.command(found) == (
        "::error file=odd%2Cname%3Ax.yaml,line=1,col=2,title=BOS103::100%25 bad%0D%0Ayes"
    )
    assert github.escape_property("a%b") == "a%25b"


def test_every_format_ends_with_a_newline() -> None:
    for name in reporters.FORMATS:
        assert reporters.render(name, report(UNKNOWN)).endswith("\n")
