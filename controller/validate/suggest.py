"""'Did you mean' suggestions for misspelled fields and names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``word`` most likely misspells: same letters in another case, a close
    spelling, or the one candidate it abbreviates (``prod`` → ``production``)."""
    options = sorted(set(candidates))
    folded = [o for o in options if o.lower() == word.lower()]
    if folded:
        return folded[0]
    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    if len(word) >= 3:
        prefixed = [o for o in options if o.lower().startswith(word.lower())]
        if len(prefixed) == 1:
            return prefixed[0]
    return None


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest candidate, else the known ones (when there are few)."""
    options = sorted(set(candidates))
    match = closest(word, options)
    if match is not None:
        return f"did you mean '{match}'?"
    if options and len(options) <= 12:
        return "known: " + ", ".join(f"'{o}'" for o in options)
    return None
