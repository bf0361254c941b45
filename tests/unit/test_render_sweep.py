"""Trials of a sweep: grid order, the maxTrials cap, and seeded random draws that are the same on
every Python."""

from __future__ import annotations

from bosun.render import names, sweep

DIMENSIONS = {"n_estimators": ["25", "100", "200"], "max_depth": ["4", "8"]}


def test_grid_takes_combinations_in_name_order_last_name_fastest() -> None:
    items = sweep.trials(DIMENSIONS, strategy="grid", max_trials=20, seed=0)
    assert [(i["max_depth"], i["n_estimators"]) for i in items] == [
        ("4", "25"),
        ("4", "100"),
        ("4", "200"),
        ("8", "25"),
        ("8", "100"),
        ("8", "200"),
    ]
    assert [i[sweep.TRIAL_KEY] for i in items] == ["0", "1", "2", "3", "4", "5"]


def test_grid_is_capped_by_max_trials() -> None:
    items = sweep.trials(DIMENSIONS, strategy="grid", max_trials=4, seed=0)
    assert len(items) == 4
    assert items[-1] == {sweep.TRIAL_KEY: "3", "max_depth": "8", "n_estimators": "25"}


def test_key_order_in_the_manifest_changes_nothing() -> None:
    reordered = {"max_depth": ["4", "8"], "n_estimators": ["25", "100", "200"]}
    for strategy in ("grid", "random"):
        a = sweep.trials(DIMENSIONS, strategy=strategy, max_trials=3, seed=7)
        b = sweep.trials(reordered, strategy=strategy, max_trials=3, seed=7)
        assert a == b


def test_random_draws_distinct_combinations_reproducibly() -> None:
    space = {f"p{i}": [str(v) for v in range(10)] for i in range(6)}  # a million combinations
    first = sweep.trials(space, strategy="random", max_trials=50, seed=42)
    again = sweep.trials(space, strategy="random", max_trials=50, seed=42)
    other = sweep.trials(space, strategy="random", max_trials=50, seed=43)
    combos = {tuple(sorted((k, v) for k, v in i.items() if k != sweep.TRIAL_KEY)) for i in first}
    assert first == again
    assert first != other
    assert len(combos) == 50


def test_random_is_pinned_across_python_versions() -> None:
    """Only ``random.random()``'s sequence is guaranteed across versions, and only it is used."""
    items = sweep.trials(DIMENSIONS, strategy="random", max_trials=3, seed=1)
    assert [(i["max_depth"], i["n_estimators"]) for i in items] == [
        ("4", "25"),
        ("8", "100"),
        ("8", "200"),
    ]


def test_random_covering_the_space_is_the_grid() -> None:
    grid = sweep.trials(DIMENSIONS, strategy="grid", max_trials=6, seed=0)
    assert sweep.trials(DIMENSIONS, strategy="random", max_trials=100, seed=5) == grid


def test_long_names_keep_a_readable_head_and_a_hash() -> None:
    long = "a" * 60
    assert names.bounded("short") == "short"
    bounded = names.bounded(long + "-suffix")
    assert len(bounded) == 63 and bounded.startswith("a" * 40)
    assert names.bounded(long + "-x") != names.bounded(long + "-y")
    assert len(names.bounded(long, names.MAX_CRON_NAME)) == 52
    with_hash = names.with_hash("e" * 63, "0123456789")
    assert len(with_hash) == 63 and with_hash.endswith("-0123456789")
    assert names.with_hash("wine-rf", "0123456789") == "wine-rf-0123456789"
