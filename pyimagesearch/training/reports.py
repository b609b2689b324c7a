"""Evaluation reports for a run folder: classification report, metrics.json, confusion matrix."""

import json
import pathlib

import numpy as np
from sklearn import metrics as sklearn_metrics

from pyimagesearch.utils import atomic, errors, plots, processes

REPORT_NAME = "classification_report.txt"
METRICS_NAME = "metrics.json"
CONFUSION_MATRIX_NAME = "confusion_matrix.png"


def write_classification_report(run_dir, true_labels, predicted_labels, label_names, extra_metrics=None):
    """Writes the evaluation of a classifier into `run_dir` and returns the metrics dict.

    Args:
        run_dir: the run folder; created if missing.
        true_labels: integer labels (N,), or one-hot / probability rows (N, classes).
        predicted_labels: integer predictions (N,), or probability rows (N, classes) (argmax).
        label_names: one name per class, in label order.
        extra_metrics: optional dict merged into metrics.json (e.g. {"rank5": 0.93}).

    Writes, each atomically:
    - `classification_report.txt`: scikit-learn's report over ALL classes
      (`labels=range(len(label_names))`, `zero_division=0`), so a small test set that misses a
      class still gets a report (that class shows support 0) instead of a crash;
    - `metrics.json`: accuracy, macro precision/recall/F1 (over all classes, as in the report),
      the sample count, per-class F1 and support, the confusion matrix, and `extra_metrics`;
    - `confusion_matrix.png`.
    """
    label_names = [str(name) for name in label_names]
    if not label_names:
        raise errors.InvalidArgumentError(f"`label_names` must name at least one class. Received: label_names={label_names}")
    if extra_metrics is not None and not isinstance(extra_metrics, dict):
        raise errors.InvalidArgumentError(
            f"`extra_metrics` must be a dict or None. Received: extra_metrics={type(extra_metrics).__name__}"
        )
    classes = len(label_names)
    true_labels = _as_label_vector("true_labels", true_labels, classes)
    predicted_labels = _as_label_vector("predicted_labels", predicted_labels, classes)
    if len(true_labels) != len(predicted_labels):
        raise errors.InvalidArgumentError(
            "`true_labels` and `predicted_labels` must have the same length. "
            f"Received: len(true_labels)={len(true_labels)}, len(predicted_labels)={len(predicted_labels)}"
        )
    labels = list(range(classes))
    report = sklearn_metrics.classification_report(
        true_labels, predicted_labels, labels=labels, target_names=label_names, zero_division=0, digits=4
    )
    precision, recall, f1, support = sklearn_metrics.precision_recall_fscore_support(
        true_labels, predicted_labels, labels=labels, zero_division=0
    )
    matrix = sklearn_metrics.confusion_matrix(true_labels, predicted_labels, labels=labels)
    result = {
        "accuracy": float(np.mean(true_labels == predicted_labels)),
        "macro_precision": float(np.mean(precision)),
        "macro_recall": float(np.mean(recall)),
        "macro_f1": float(np.mean(f1)),
        "samples": int(len(true_labels)),
        "per_class_f1": {name: float(value) for name, value in zip(label_names, f1)},
        "per_class_support": {name: int(value) for name, value in zip(label_names, support)},
        "confusion_matrix": matrix.tolist(),
    }
    clashes = sorted(set(extra_metrics or {}) & set(result))
    if clashes:
        raise errors.InvalidArgumentError(f"`extra_metrics` would overwrite computed metrics. Received: keys {clashes}")
    result.update(extra_metrics or {})
    run_dir = pathlib.Path(run_dir)
    if processes.is_writer():  # the atomic writes below make no folder on the other processes either
        run_dir.mkdir(parents=True, exist_ok=True)
    atomic.write_text_atomic(run_dir / REPORT_NAME, report)
    atomic.write_json_atomic(run_dir / METRICS_NAME, result)
    plots.plot_confusion_matrix(matrix, label_names, run_dir / CONFUSION_MATRIX_NAME)
    return result


def _as_label_vector(name, values, classes):
    values = np.asarray(values)
    if values.ndim == 2:
        if values.shape[1] != classes:
            raise errors.InvalidArgumentError(
                f"`{name}` rows must have one column per class ({classes}). Received: {name}.shape={values.shape}"
            )
        values = values.argmax(axis=1)
    if values.ndim != 1 or len(values) == 0:
        raise errors.InvalidArgumentError(
            f"`{name}` must be a non-empty vector of integer labels or (N, classes) rows. "
            f"Received: {name}.shape={values.shape}"
        )
    if not np.issubdtype(values.dtype, np.integer):
        raise errors.InvalidArgumentError(f"`{name}` must hold integer labels. Received: {name}.dtype={values.dtype}")
    if values.min() < 0 or values.max() >= classes:
        raise errors.InvalidArgumentError(
            f"`{name}` must be in [0, {classes}) to index `label_names`. "
            f"Received: {name} range [{values.min()}, {values.max()}]"
        )
    return values


def predict_labels(model, dataset):
    """Class indices predicted for every batch of a (images, labels) dataset."""
    probabilities = model.predict(dataset, verbose=0)
    return np.argmax(probabilities, axis=1), probabilities


def evaluate_and_report(model, dataset, true_labels, class_names, run_dir, extra_metrics=None):
    """Predicts `dataset`, writes the classification report into `run_dir`, returns metrics."""
    predicted_labels, _ = predict_labels(model, dataset)
    if len(predicted_labels) != len(true_labels):
        raise errors.InvalidArgumentError(
            "The dataset gave a different number of predictions than labels. "
            f"Received: {len(predicted_labels)} predictions, {len(true_labels)} labels"
        )
    return write_classification_report(
        run_dir, true_labels, predicted_labels, class_names, extra_metrics=extra_metrics
    )


def evaluate_and_print(model, dataset, true_labels, class_names, run_dir, on="the test set"):
    """A train script's last step: scores `dataset` (`on` names it in the log), writes the
    classification report into `run_dir` and prints it (`print_report`). Returns the metrics."""
    print(f"[INFO] evaluating on {on}...")
    metrics = evaluate_and_report(model, dataset, true_labels, class_names, run_dir)
    print_report(run_dir, metrics)
    return metrics


def recorded_accuracy(run_dir):
    """The test accuracy train.py wrote into the run's metrics.json, or None."""
    metrics_path = pathlib.Path(run_dir) / "metrics.json"
    if not metrics_path.is_file():
        return None
    with open(metrics_path, encoding="utf-8") as handle:
        return json.load(handle).get("accuracy")


def print_report(report_dir, metrics, run_dir=None, what="test accuracy"):
    """Prints the classification report and the accuracy; with `run_dir`, also the accuracy
    train.py recorded there, so a re-evaluation can be checked against it. The other processes
    of a multi-process run print the accuracy alone: process 0 wrote the report."""
    if processes.is_writer():
        print((pathlib.Path(report_dir) / "classification_report.txt").read_text(encoding="utf-8"))
    print(f"[INFO] {what}: {metrics['accuracy']:.4f} (report in {report_dir})")
    recorded = recorded_accuracy(run_dir) if run_dir is not None else None
    if recorded is not None:
        print(f"[INFO] accuracy recorded by train.py: {recorded:.4f}")
