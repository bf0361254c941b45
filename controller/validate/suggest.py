"""'Did you mean' suggestions for misspelled fields and names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest candidate, else the known ones (when there are few)."""
    options = sorted(set(candidates))
    match = closest(word, options)
    if match is not None:
        return f"did you mean '{match}'?"
    if options and len(options) <= 12:
        return "known: " + ", ".join(f"'{o}'" for o in options)
    return None
