"""Ensembles of classifiers: the course's average of the members' predicted probabilities.

    member_probabilities = ensembles.predict_members(models, test_dataset)  # (members, N, classes)
    probabilities = ensembles.average_probabilities(member_probabilities)   # (N, classes)
    predicted = probabilities.argmax(axis=1)

Averaging probabilities (soft voting) lets a confident member outvote unsure ones, which a
majority vote of the members' labels would not.
"""

import numpy as np

from pyimagesearch.utils import errors


def predict_members(models, dataset):
    """Every model's predicted probabilities on `dataset`, stacked: (members, N, classes).

    `models` may be a generator that loads one member at a time (and frees the one before),
    so the whole ensemble never needs to be in memory at once.
    """
    predictions = [np.asarray(model.predict(dataset, verbose=0), dtype=np.float64) for model in models]
    if not predictions:
        raise errors.InvalidArgumentError("An ensemble needs at least one model. Received: no models")
    return np.stack(predictions)


def average_probabilities(member_probabilities):
    """The members' mean probability per image and class, from (members, N, classes) rows.

    Refuses anything that is not a non-empty 3-D stack of probability rows (each in [0, 1] and
    summing to 1), since averaging e.g. logits would not give the course's ensemble.
    """
    stacked = np.asarray(member_probabilities, dtype=np.float64)
    if stacked.ndim != 3 or 0 in stacked.shape:
        raise errors.InvalidArgumentError(
            "Expected the members' probabilities as a non-empty (members, images, classes) array. "
            f"Received: shape {stacked.shape}"
        )
    sums = stacked.sum(axis=2)
    if not (np.all(np.isfinite(stacked)) and stacked.min() >= 0 and np.allclose(sums, 1.0, atol=1e-3)):
        raise errors.InvalidArgumentError(
            "Every member's row must be probabilities (0..1, summing to 1). "
            f"Received: values {stacked.min():g}..{stacked.max():g}, row sums {sums.min():g}..{sums.max():g}"
        )
    return stacked.mean(axis=0)


def member_accuracies(member_probabilities, true_labels):
    """Each member's accuracy against integer `true_labels`, as a list of floats."""
    stacked = np.asarray(member_probabilities)
    true_labels = np.asarray(true_labels)
    if stacked.ndim != 3 or stacked.shape[1] != len(true_labels):
        raise errors.InvalidArgumentError(
            "Expected (members, images, classes) probabilities with one row per label. "
            f"Received: shape {stacked.shape}, {len(true_labels)} labels"
        )
    return [float(np.mean(np.argmax(rows, axis=1) == true_labels)) for rows in stacked]
