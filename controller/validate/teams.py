"""Team ownership: ``metadata.team`` names a declared Team (BOS313) and matches the
``teams/<team>/`` folder the manifest lives in (BOS312), whose CODEOWNERS review it."""

from __future__ import annotations

from collections.abc import Iterator

from bosun import diagnostics
from bosun.spec import catalog, v1alpha1
from bosun.validate import base, index, suggest


def check(manifests: catalog.Catalog, options: base.Options) -> Iterator[diagnostics.Diagnostic]:
    found = index.of(manifests)
    for entry in manifests:
        if isinstance(entry.manifest, v1alpha1.Team):
            yield from _folder(entry, entry.name, ("metadata", "name"))
            continue
        team = entry.team
        if team is None:
            continue
        yield from _folder(entry, team, ("metadata", "team"))
        if team not in found.teams and not found.is_rejected("Team", team):
            yield base.at(
                entry,
                "BOS313",
                f"team '{team}' is not declared by any Team manifest",
                ("metadata", "team"),
                hint=suggest.did_you_mean(team, found.teams)
                or f"add a Team manifest named '{team}' (teams/{team}/team.yaml)",
            )


def folder_team(file: str) -> str | None:
    """The ``<team>`` of a path ``.../teams/<team>/...``, or None outside a team folder."""
    parts = file.replace("\\", "/").split("/")
    for position in range(len(parts) - 3, -1, -1):
        if parts[position] == "teams":
            return parts[position + 1]
    return None


def _folder(
    entry: catalog.Entry, declared: str, loc: diagnostics.Loc
) -> Iterator[diagnostics.Diagnostic]:
    folder = folder_team(entry.source.file)
    if folder is None or folder == declared:
        return
    what = "metadata.name" if loc[-1] == "name" else "metadata.team"
    yield base.at(
        entry,
        "BOS312",
        f"{what} is '{declared}' but the file is in teams/{folder}/",
        loc,
        hint=f"set {what}: {folder}, or move the file to teams/{declared}/",
    )
