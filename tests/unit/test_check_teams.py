"""BOS312 (metadata.team against the teams/<team>/ folder) and BOS313 (declared teams)."""

from __future__ import annotations

import pytest
import validate_support as vs
from bosun.validate import teams


@pytest.mark.parametrize(
    ("file", "team"),
    [
        ("teams/ml/pipeline.yaml", "ml"),
        ("teams/ml/sub/dir/pipeline.yaml", "ml"),
        ("../repo/teams/search/x.yaml", "search"),
        ("/home/teams/repo/teams/vision/x.yaml", "vision"),
        ("teams/x.yaml", None),
        ("templates/fit.yaml", None),
        ("pipeline.yaml", None),
        ("teams\\ml\\pipeline.yaml", "ml"),
    ],
)
def test_folder_team(file: str, team: str | None) -> None:
    assert teams.folder_team(file) == team


def test_matching_folders_pass() -> None:
    assert vs.run(teams.check, vs.repository()) == []


def test_a_manifest_in_another_teams_folder() -> None:
    docs = [vs.team("ml"), vs.team("search"), ("teams/ml/p.yaml", vs.pipeline(team_name="search"))]
    (diagnostic,) = vs.run(teams.check, docs)
    assert (diagnostic.code, diagnostic.path) == ("BOS312", "metadata.team")
    assert "teams/ml/" in diagnostic.message
    assert diagnostic.hint == "set metadata.team: ml, or move the file to teams/search/"


def test_a_team_manifest_is_named_after_its_folder() -> None:
    (diagnostic,) = vs.run(teams.check, [("teams/ml/team.yaml", vs.team("mlteam"))])
    assert (diagnostic.code, diagnostic.path) == ("BOS312", "metadata.name")


def test_manifests_outside_team_folders_are_not_checked_for_folders() -> None:
    assert vs.run(teams.check, [vs.team(), ("pipelines/train.yaml", vs.pipeline())]) == []


def test_an_undeclared_team_with_a_suggestion() -> None:
    docs = [
        ("teams/mls/team.yaml", vs.team("mls")),
        ("elsewhere/p.yaml", vs.pipeline(team_name="ml")),
    ]
    (diagnostic,) = vs.run(teams.check, docs)
    assert (diagnostic.code, diagnostic.path, diagnostic.hint) == (
        "BOS313",
        "metadata.team",
        "did you mean 'mls'?",
    )


def test_a_team_whose_manifest_failed_its_schema_is_not_unknown() -> None:
    docs = [("elsewhere/p.yaml", vs.pipeline(team_name="ml"))]
    assert vs.run(teams.check, docs, rejected=[("Team", None, "ml")]) == []
    assert vs.run(teams.check, docs, rejected=[("Team", None, "")]) == []
    assert [d.code for d in vs.run(teams.check, docs, rejected=[("Team", None, "other")])] == [
        "BOS313"
    ]
