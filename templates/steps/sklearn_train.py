"""Train a random forest on DATA/train.csv and save it as an MLflow model directory.

Its ``accuracy`` and ``f1`` (macro) are out-of-bag estimates: each tree is scored on the training
rows it did not see, so choosing the best trial by them never looks at the held-out test split
(sklearn_evaluate.py scores that). Logs parameters and metrics to the trial's MLflow run and
writes ``$BOSUN_OUTPUTS/metrics/accuracy`` for the template's output parameter.

    python templates/steps/sklearn_train.py --data DIR --n-estimators 100 --max-depth 5 \\
        --model-out DIR
"""

from __future__ import annotations

import argparse
import pathlib
import shutil
import sys
import warnings
from typing import Any

import common


def positive(text: str) -> str:
    """The text itself, once checked: parameters are logged exactly as the trial passed them."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer: {text!r}")
    return text


def depth(text: str) -> str:
    """A positive integer, or ``none`` (grow until leaves are pure)."""
    return text if text.lower() == "none" else positive(text)


def oob_scores(forest: Any, labels: Any) -> tuple[float, float, int]:
    """Accuracy and macro F1 over the rows that at least one tree left out, and their count (with
    few trees a row can be in every bootstrap sample; it then has no out-of-bag vote)."""
    import numpy  # noqa: PLC0415
    from sklearn.metrics import accuracy_score, f1_score  # noqa: PLC0415

    votes = numpy.asarray(forest.oob_decision_function_)
    seen = ~numpy.isnan(votes).any(axis=1)
    truth = numpy.asarray(labels)[seen]
    guess = numpy.asarray(forest.classes_)[votes[seen].argmax(axis=1)]
    accuracy = float(accuracy_score(truth, guess))
    return accuracy, float(f1_score(truth, guess, average="macro")), int(seen.sum())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, type=pathlib.Path, help="prepared dataset dir")
    parser.add_argument("--n-estimators", required=True, type=positive, dest="n_estimators")
    parser.add_argument("--max-depth", required=True, type=depth, dest="max_depth")
    parser.add_argument("--model-out", required=True, type=pathlib.Path, help="model directory")
    parser.add_argument("--seed", type=int, default=0, help="random_state of the forest")
    args = parser.parse_args(argv)

    import mlflow  # noqa: PLC0415
    import mlflow.models  # noqa: PLC0415
    import mlflow.sklearn  # noqa: PLC0415
    from sklearn.ensemble import RandomForestClassifier  # noqa: PLC0415

    features, labels = common.read_split(args.data, "train")
    forest = RandomForestClassifier(
        n_estimators=int(args.n_estimators),
        max_depth=None if args.max_depth.lower() == "none" else int(args.max_depth),
        oob_score=True,
        random_state=args.seed,
        n_jobs=1,
    )
    with warnings.catch_warnings():  # rows without an out-of-bag vote are counted below
        warnings.filterwarnings("ignore", message="Some inputs do not have OOB scores")
        forest.fit(features, labels)
    accuracy, f1, scored = oob_scores(forest, labels)

    if args.model_out.exists():  # a retried attempt left a partial model behind
        shutil.rmtree(args.model_out)
    mlflow.sklearn.save_model(
        forest,
        str(args.model_out),
        signature=mlflow.models.infer_signature(features, forest.predict(features.head(5))),
        skops_trusted_types=common.TRUSTED_TYPES,
        pip_requirements=mlflow.sklearn.get_default_pip_requirements(include_skops=True),
    )
    with common.trial_run() as tracked:
        if tracked:
            mlflow.log_params(
                {
                    "n_estimators": args.n_estimators,
                    "max_depth": args.max_depth,
                    "random_state": str(args.seed),
                }
            )
            mlflow.log_metrics({"accuracy": accuracy, "f1": f1})
    common.write_output("metrics/accuracy", accuracy)
    print(
        f"random forest ({args.n_estimators} trees): out-of-bag accuracy {accuracy:.4f}, "
        f"f1 {f1:.4f} over {scored} of {len(labels)} training rows"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
