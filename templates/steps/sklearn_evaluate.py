"""Score a saved MLflow model on the held-out DATA/test.csv.

Logs ``test_accuracy`` and ``test_f1`` (macro) to the trial's MLflow run and writes
METRICS_OUT/accuracy, METRICS_OUT/f1 and METRICS_OUT/metrics.json.

    python templates/steps/sklearn_evaluate.py --data DIR --model DIR --metrics-out DIR
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

import common


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, type=pathlib.Path, help="prepared dataset dir")
    parser.add_argument("--model", required=True, type=pathlib.Path, help="MLflow model dir")
    parser.add_argument("--metrics-out", required=True, type=pathlib.Path, dest="metrics_out")
    args = parser.parse_args(argv)
    if not (args.model / "MLmodel").is_file():
        parser.error(f"--model {args.model}: not an MLflow model directory (no MLmodel file)")

    import mlflow  # noqa: PLC0415
    import mlflow.sklearn  # noqa: PLC0415
    from sklearn.metrics import accuracy_score, f1_score  # noqa: PLC0415

    features, labels = common.read_split(args.data, "test")
    predicted = mlflow.sklearn.load_model(str(args.model)).predict(features)
    scores = {
        "accuracy": float(accuracy_score(labels, predicted)),
        "f1": float(f1_score(labels, predicted, average="macro")),
    }
    with common.trial_run() as tracked:
        if tracked:
            mlflow.log_metrics({f"test_{name}": value for name, value in scores.items()})
    for name, value in scores.items():
        common.write_value(args.metrics_out / name, value)
    (args.metrics_out / "metrics.json").write_text(
        json.dumps({**scores, "rows": len(labels)}, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(
        f"held-out ({len(labels)} rows): accuracy {scores['accuracy']:.4f}, f1 {scores['f1']:.4f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
