"""Team: a group of people that owns ``teams/<name>/``."""

from __future__ import annotations

from typing import Annotated, Literal

from bosun.spec.v1alpha1 import common, types
from pydantic import Field


class TeamSpec(common.Model):
    owners: Annotated[list[types.Owner], Field(min_length=1)] = Field(
        description="Owners of teams/<name>/, written to CODEOWNERS (@org/team, @user or email)."
    )
    description: common.Text | None = None


class Team(common.Model):
    """A team: its name is the ``teams/<name>/`` folder and its manifests' ``metadata.team``."""

    apiVersion: Literal["bosun.dev/v1alpha1"]
    kind: Literal["Team"]
    metadata: common.Metadata
    spec: TeamSpec
