"""Prepare the wine dataset: scikit-learn's bundled copy (no download), split into stratified
train and test sets.

Writes OUT/train.csv and OUT/test.csv: a header of the 13 feature names plus ``target`` (the
class index, 0-2), one row per sample. The bytes depend only on --test-size and --seed, so the
dataset digest bosun logs to MLflow is the same on every run.

    python teams/quality/steps/prepare.py --test-size 0.25 --out /tmp/wine
"""

from __future__ import annotations

import argparse
import csv
import pathlib
import sys
from collections.abc import Iterable
from typing import Any

LABEL = "target"


def fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (exclusive): {text!r}")
    return value


def write(
    path: pathlib.Path, header: list[str], features: Iterable[Any], labels: Iterable[Any]
) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow([*header, LABEL])
        for row, label in zip(features, labels, strict=True):
            out.writerow([*(repr(float(value)) for value in row), int(label)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=pathlib.Path, help="output directory")
    parser.add_argument("--test-size", type=fraction, default=0.25, help="held-out fraction")
    parser.add_argument("--seed", type=int, default=42, help="seed of the split")
    args = parser.parse_args(argv)

    from sklearn.datasets import load_wine  # noqa: PLC0415  (after argument errors, ~1 s)
    from sklearn.model_selection import train_test_split  # noqa: PLC0415

    wine = load_wine()
    x_train, x_test, y_train, y_test = train_test_split(
        wine.data,
        wine.target,
        test_size=args.test_size,
        random_state=args.seed,
        stratify=wine.target,
    )
    args.out.mkdir(parents=True, exist_ok=True)
    header = list(wine.feature_names)
    write(args.out / "train.csv", header, x_train, y_train)
    write(args.out / "test.csv", header, x_test, y_test)
    print(f"wine: {len(y_train)} train and {len(y_test)} test rows in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
