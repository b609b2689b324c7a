"""Grid-searched logistic regression on features: index split, skops save/load, reports."""

import json

import numpy as np
import pytest

from pyimagesearch.io.hdf5datasetwriter import HDF5DatasetWriter
from pyimagesearch.transfer import classifiers


def _blobs(rows=90, classes=3, dims=6, seed=0, spread=0.6):
    """Separable Gaussian blobs: class k is centred at 2 * e_k."""
    generator = np.random.default_rng(seed)
    labels = np.arange(rows) % classes
    centres = np.eye(classes, dims) * 2.0
    features = centres[labels] + generator.normal(0, spread, (rows, dims))
    order = generator.permutation(rows)
    return features[order].astype(np.float32), labels[order]


class _Untrusted:
    """A type skops does not know: loading it could run arbitrary code."""


def _features_file(path, features, labels, names):
    with HDF5DatasetWriter(features.shape, path, data_key="features") as writer:
        writer.store_class_labels(names)
        writer.add(features, labels)
    return path


def test_index_split_is_the_course_split():
    assert classifiers.index_split(1360) == 1020
    assert classifiers.index_split(10, 0.75) == 7
    with pytest.raises(ValueError, match=r"Received: train_fraction=1\.5"):
        classifiers.index_split(10, 1.5)
    with pytest.raises(ValueError, match=r"Received: rows=3"):
        classifiers.index_split(3, 0.2)


def test_grid_search_picks_a_c_and_learns(tmp_path):
    features, labels = _blobs()
    # Unbalanced classes: a tiny C shrinks the weights until the intercept (the majority
    # class) wins everywhere, so cross-validation must prefer C=1.
    keep = (labels == 0) | (np.arange(len(labels)) % 4 == 0)
    features, labels = features[keep], labels[keep]
    search = classifiers.fit_logistic_regression(features, labels, c_values=(1e-5, 1.0))
    assert search.best_params_["C"] == 1.0
    assert search.best_score_ == max(search.cv_results_["mean_test_score"])
    assert search.best_estimator_.score(features, labels) > 0.95


def test_save_and_load_with_explicit_trusted_types(tmp_path):
    features, labels = _blobs()
    classifier = classifiers.fit_logistic_regression(features, labels, c_values=(1.0,)).best_estimator_
    path = classifiers.save_classifier(classifier, tmp_path / "model.skops")
    loaded = classifiers.load_classifier(path)
    np.testing.assert_array_equal(loaded.predict_proba(features), classifier.predict_proba(features))
    # A file holding a type outside the list is refused by name, and not loaded.
    import skops.io

    skops.io.dump({"classifier": classifier, "extra": _Untrusted()}, tmp_path / "other.skops")
    with pytest.raises(ValueError, match=r"not trusted.*_Untrusted.*Received: trusted="):
        classifiers.load_classifier(tmp_path / "other.skops")
    with pytest.raises(ValueError, match=r"Received: path="):
        classifiers.load_classifier(tmp_path / "missing.skops")


def test_probabilities_have_a_column_for_every_class():
    features, labels = _blobs(classes=3)
    keep = labels != 1  # class 1 never seen in training
    classifier = classifiers.fit_logistic_regression(features[keep], labels[keep], c_values=(1.0,)).best_estimator_
    probabilities = classifiers.class_probabilities(classifier, features, 4)
    assert probabilities.shape == (len(features), 4)
    assert np.all(probabilities[:, [1, 3]] == 0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)


def test_train_from_features_writes_the_run(tmp_path):
    features, labels = _blobs(rows=120, classes=3)
    path = _features_file(tmp_path / "features.hdf5", features, labels, ["ant", "bee", "cat"])
    metrics = classifiers.train_from_features(path, tmp_path / "run", c_values=(0.01, 1.0), verbose=False)
    assert metrics["train_rows"] == 90 and metrics["test_rows"] == 30 and metrics["samples"] == 30
    assert metrics["accuracy"] > 0.9 and metrics["rank1"] == metrics["accuracy"]
    assert metrics["rank5"] == 1.0  # 3 classes: every class is in the top 5
    written = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert written["best_C"] in (0.01, 1.0)
    assert "ant" in (tmp_path / "run" / "classification_report.txt").read_text()
    classifier = classifiers.load_classifier(tmp_path / "run" / classifiers.CLASSIFIER_NAME)
    # Only the first 75% of rows trained it: the test rows are the last 25%.
    held_out, held_labels, names = classifiers.held_out_rows(path)
    np.testing.assert_array_equal(held_labels, labels[90:])
    assert names == ["ant", "bee", "cat"]
    assert np.mean(classifier.predict(held_out) == held_labels) == pytest.approx(metrics["accuracy"])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"c_values": (0.0, 1.0)}, r"Received: c_values=\(0\.0, 1\.0\)"),
        ({"folds": 1}, r"Received: folds=1"),
        ({"jobs": 0}, r"Received: jobs=0"),
        ({"max_iter": 0}, r"Received: max_iter=0"),
    ],
)
def test_arguments_are_checked(arguments, message):
    features, labels = _blobs()
    with pytest.raises(ValueError, match=message):
        classifiers.fit_logistic_regression(features, labels, **arguments)


def test_too_few_rows_per_class_for_the_folds():
    features, labels = _blobs(rows=12, classes=3)
    labels[:] = 0
    labels[:2] = 1
    with pytest.raises(ValueError, match=r"at least 3 training rows.*Received: rows per class=\{0: 10, 1: 2\}"):
        classifiers.fit_logistic_regression(features, labels)


def test_a_boolean_c_value_is_refused():
    # float(True) once turned c_values=(True,) into C=1.0.
    features, labels = _blobs()
    with pytest.raises(ValueError, match=r"Received: c_values=\(True,\)$"):
        classifiers.fit_logistic_regression(features, labels, c_values=(True,))
    with pytest.raises(ValueError, match=r"Received: c_values=\(0\.1, False\)$"):
        classifiers.fit_logistic_regression(features, labels, c_values=(0.1, False))


def test_a_test_split_missing_classes_says_so(tmp_path, capsys):
    features, labels = _blobs(rows=120, classes=3)
    order = np.argsort(labels, kind="stable")  # class order, as an unshuffled extraction gives
    path = _features_file(tmp_path / "sorted.hdf5", features[order], labels[order], ["ant", "bee", "cat"])
    metrics = classifiers.train_from_features(path, tmp_path / "run", c_values=(1.0,), verbose=False)
    assert metrics["missing_test_classes"] == ["ant", "bee"]
    written = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert written["missing_test_classes"] == ["ant", "bee"]
    warning = [line for line in capsys.readouterr().out.splitlines() if line.startswith("[WARN]")]
    assert len(warning) == 1
    assert "hold no row of 2 of 3 classes: ant, bee" in warning[0] and "--shuffle" in warning[0]

    shuffled = _features_file(tmp_path / "shuffled.hdf5", features, labels, ["ant", "bee", "cat"])
    metrics = classifiers.train_from_features(shuffled, tmp_path / "run2", c_values=(1.0,), verbose=False)
    assert metrics["missing_test_classes"] == []
    assert "[WARN]" not in capsys.readouterr().out
