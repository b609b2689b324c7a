"""Classification reports: text, metrics.json and a confusion matrix, even when a class is missing."""

import json

import numpy as np
import pytest

from pyimagesearch.training import reports

LABEL_NAMES = ["cat", "dog", "panda"]


def test_report_for_a_test_set_missing_a_class(tmp_path):
    # No "panda" in this small test set, and none predicted: sklearn without labels= would crash
    # on three target names for two classes.
    true_labels = np.array([0, 0, 1, 1])
    predicted_labels = np.array([0, 1, 1, 1])
    metrics = reports.write_classification_report(
        tmp_path, true_labels, predicted_labels, LABEL_NAMES, extra_metrics={"rank5": 1.0}
    )
    text = (tmp_path / "classification_report.txt").read_text()
    assert all(name in text for name in LABEL_NAMES)
    assert metrics["accuracy"] == pytest.approx(0.75)
    assert metrics["samples"] == 4
    assert metrics["per_class_f1"]["cat"] == pytest.approx(2 / 3)
    assert metrics["per_class_f1"]["dog"] == pytest.approx(0.8)
    assert metrics["per_class_f1"]["panda"] == 0.0
    assert metrics["per_class_support"] == {"cat": 2, "dog": 2, "panda": 0}
    assert metrics["macro_f1"] == pytest.approx((2 / 3 + 0.8 + 0.0) / 3)
    assert metrics["macro_precision"] == pytest.approx((1.0 + 2 / 3 + 0.0) / 3)
    assert metrics["macro_recall"] == pytest.approx((0.5 + 1.0 + 0.0) / 3)
    assert metrics["confusion_matrix"] == [[1, 1, 0], [0, 2, 0], [0, 0, 0]]
    assert metrics["rank5"] == 1.0
    assert json.loads((tmp_path / "metrics.json").read_text()) == metrics
    assert (tmp_path / "confusion_matrix.png").read_bytes()[:4] == b"\x89PNG"
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "classification_report.txt", "confusion_matrix.png", "metrics.json"
    ]


def test_probability_rows_are_argmaxed(tmp_path):
    true_one_hot = np.eye(3)[[0, 1, 2]]
    probabilities = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.5, 0.1, 0.4]])
    metrics = reports.write_classification_report(tmp_path, true_one_hot, probabilities, LABEL_NAMES)
    assert metrics["accuracy"] == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("true_labels", "predicted_labels", "kwargs", "message"),
    [
        ([0, 1], [0], {}, "Received: len\\(true_labels\\)=2, len\\(predicted_labels\\)=1"),
        ([0, 3], [0, 1], {}, r"Received: true_labels range \[0, 3\]"),
        ([0.0, 1.0], [0, 1], {}, "Received: true_labels.dtype=float64"),
        ([], [], {}, r"Received: true_labels.shape=\(0,\)"),
        ([0, 1], [0, 1], {"extra_metrics": {"accuracy": 1.0}}, r"Received: keys \['accuracy'\]"),
    ],
)
def test_rejects_bad_input(tmp_path, true_labels, predicted_labels, kwargs, message):
    with pytest.raises(ValueError, match=message):
        reports.write_classification_report(tmp_path, true_labels, predicted_labels, LABEL_NAMES, **kwargs)
    assert not any(tmp_path.iterdir())


def test_evaluate_and_print_writes_the_report_and_names_what_it_scored(tmp_path, capsys):
    import keras
    import tensorflow as tf

    # Always class 1: on labels [1, 1, 0] the accuracy is 2/3.
    bias = keras.initializers.Constant([0, 1, 0])
    always_one = keras.layers.Dense(3, kernel_initializer="zeros", bias_initializer=bias)
    model = keras.Sequential([keras.Input((2,)), always_one])
    dataset = tf.data.Dataset.from_tensor_slices((np.zeros((3, 2), np.float32), np.zeros((3, 3)))).batch(2)
    metrics = reports.evaluate_and_print(model, dataset, np.array([1, 1, 0]), LABEL_NAMES, tmp_path,
                                         on="the held-out split")
    assert metrics["accuracy"] == pytest.approx(2 / 3)
    assert json.loads((tmp_path / "metrics.json").read_text()) == metrics
    printed = capsys.readouterr().out
    assert printed.startswith("[INFO] evaluating on the held-out split...")
    assert f"test accuracy: 0.6667 (report in {tmp_path})" in printed
