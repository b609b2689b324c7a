"""rank5_accuracy over all samples, with integer or one-hot labels."""

import numpy as np
import pytest

from pyimagesearch.utils import ranked


def _scores(top_orders, classes=10):
    """Rows whose classes rank in the given order (first = highest score)."""
    predictions = np.zeros((len(top_orders), classes))
    for row, order in enumerate(top_orders):
        for rank, label in enumerate(order):
            predictions[row, label] = 1.0 - rank * 0.1
    return predictions


def test_counts_every_sample_not_just_the_first():
    predictions = _scores([[3, 1, 2, 4, 5], [0, 1, 2, 4, 5], [9, 8, 7, 6, 5], [1, 2, 3, 4, 5]])
    labels = np.array([3, 2, 0, 0])
    # Sample 0: rank 1. Sample 1: rank 3. Samples 2 and 3: outside the top 5.
    # A loop that returns after the first sample would give (1.0, 1.0).
    assert ranked.rank5_accuracy(predictions, labels) == (0.25, 0.5)


def test_one_hot_labels_equal_integer_labels():
    generator = np.random.default_rng(0)
    predictions = generator.random((50, 8))
    labels = generator.integers(0, 8, size=50)
    one_hot = np.eye(8)[labels]
    result = ranked.rank5_accuracy(predictions, labels)
    assert ranked.rank5_accuracy(predictions, one_hot) == result
    expected_rank1 = np.mean(predictions.argmax(axis=1) == labels)
    expected_rank5 = np.mean([label in np.argsort(row)[::-1][:5] for row, label in zip(predictions, labels)])
    assert result == pytest.approx((expected_rank1, expected_rank5))
    assert all(isinstance(value, float) for value in result)


def test_fewer_than_five_classes():
    assert ranked.rank5_accuracy(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([0, 0])) == (0.5, 1.0)


@pytest.mark.parametrize(
    ("predictions", "labels", "message"),
    [
        (np.zeros(5), np.zeros(5, int), r"Received: predictions.shape=\(5,\)"),
        (np.zeros((0, 5)), np.zeros(0, int), r"Received: predictions.shape=\(0, 5\)"),
        (np.zeros((3, 5)), np.zeros(4, int), r"Received: labels.shape=\(4,\)"),
        (np.zeros((3, 5)), np.zeros((3, 4)), r"Received: labels.shape=\(3, 4\)"),
        (np.zeros((3, 5)), np.array([0, 1, 5]), r"Received: labels range \[0, 5\]"),
        (np.zeros((3, 5)), np.array([0.0, 1.0, 2.0]), "Received: labels.dtype=float64"),
    ],
)
def test_rejects_bad_shapes(predictions, labels, message):
    with pytest.raises(ValueError, match=message):
        ranked.rank5_accuracy(predictions, labels)
