"""Rank-1 and rank-5 accuracy, as reported for ImageNet-style classifiers."""

import numpy as np

from pyimagesearch.utils import errors

TOP_RANKS = 5


def rank5_accuracy(predictions, labels):
    """Returns `(rank1, rank5)`: the fraction of samples whose true class is the top prediction,
    and the fraction whose true class is among the 5 highest-scoring predictions.

    Args:
        predictions: scores or probabilities, shape (N, classes).
        labels: integer labels (N,), or one-hot rows (N, classes).

    Computed over all N samples at once with NumPy (a public port of the course code returned
    from inside its loop, after the first sample). Ties keep the lower class index first. With
    fewer than 5 classes every class is in the top 5, so rank5 is 1.0.
    """
    predictions = np.asarray(predictions)
    if predictions.ndim != 2 or predictions.shape[0] == 0 or predictions.shape[1] == 0:
        raise errors.InvalidArgumentError(
            f"`predictions` must be a non-empty (N, classes) array. Received: predictions.shape={predictions.shape}"
        )
    samples, classes = predictions.shape
    labels = _as_label_vector(labels, samples, classes)
    # A stable sort of the negated scores puts the highest score first and keeps ties in index order.
    ranked = np.argsort(-predictions, axis=1, kind="stable")[:, :TOP_RANKS]
    hits = ranked == labels[:, np.newaxis]
    rank1 = float(np.mean(hits[:, 0]))
    rank5 = float(np.mean(hits.any(axis=1)))
    return rank1, rank5


def _as_label_vector(labels, samples, classes):
    labels = np.asarray(labels)
    if labels.ndim == 2:
        if labels.shape != (samples, classes):
            raise errors.InvalidArgumentError(
                "One-hot `labels` must have the shape of `predictions` "
                f"({samples}, {classes}). Received: labels.shape={labels.shape}"
            )
        return labels.argmax(axis=1)
    if labels.shape != (samples,):
        raise errors.InvalidArgumentError(
            f"`labels` must be ({samples},) integer labels or ({samples}, {classes}) one-hot rows. "
            f"Received: labels.shape={labels.shape}"
        )
    if not np.issubdtype(labels.dtype, np.integer):
        raise errors.InvalidArgumentError(f"Integer `labels` must have an integer dtype. Received: labels.dtype={labels.dtype}")
    if labels.min() < 0 or labels.max() >= classes:
        raise errors.InvalidArgumentError(
            f"`labels` must be in [0, {classes}). Received: labels range [{labels.min()}, {labels.max()}]"
        )
    return labels
