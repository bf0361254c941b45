"""A sweep → its trials: the parameter sets that the experiment fans out over.

Dimensions are taken in name order, so reordering keys in a manifest changes nothing. ``grid``
takes the first ``maxTrials`` combinations of the cartesian product (the last name varies
fastest). ``random`` draws ``maxTrials`` distinct combinations with Floyd's algorithm from a
generator seeded by ``seed``; it uses only ``random.Random.random``, whose sequence Python
guarantees across versions, so a seed gives the same trials everywhere.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence

TRIAL_KEY = "bosun-trial"
"""The trial index in each item; ``-`` keeps it apart from parameter names."""


def combinations(dimensions: Mapping[str, Sequence[str]]) -> int:
    return math.prod(len(values) for values in dimensions.values())


def trials(
    dimensions: Mapping[str, Sequence[str]], *, strategy: str, max_trials: int, seed: int
) -> list[dict[str, str]]:
    """Items ``{"bosun-trial": "0", "<param>": "<value>", ...}``, one per trial."""
    names = sorted(dimensions)
    total = combinations(dimensions)
    count = min(max_trials, total)
    if strategy == "random" and count < total:
        indices = sorted(_sample(total, count, random.Random(seed)))
    else:
        indices = list(range(count))
    items: list[dict[str, str]] = []
    for trial, index in enumerate(indices):
        item = {TRIAL_KEY: str(trial)}
        item.update(_decode(index, names, dimensions))
        items.append(item)
    return items


def _decode(
    index: int, names: list[str], dimensions: Mapping[str, Sequence[str]]
) -> dict[str, str]:
    """The ``index``-th combination in product order (mixed radix, last name fastest)."""
    values: dict[str, str] = {}
    for name in reversed(names):
        options = dimensions[name]
        index, position = divmod(index, len(options))
        values[name] = options[position]
    return {name: values[name] for name in names}


def _sample(population: int, count: int, rng: random.Random) -> set[int]:
    """``count`` distinct integers below ``population`` (Floyd), in O(count)."""
    chosen: set[int] = set()
    for upper in range(population - count, population):
        pick = int(rng.random() * (upper + 1))
        chosen.add(upper if pick in chosen else pick)
    return chosen
