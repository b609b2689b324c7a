"""Rosenblatt's perceptron in NumPy: the course's first look at learning weights.

A single layer of weights with a step activation. It learns any linearly separable
function (AND, OR) and provably cannot learn XOR, which is the course's motivation for
multi-layer networks and backpropagation (see `NeuralNetwork`).
"""

import numbers

import numpy as np

from pyimagesearch.utils import errors


class Perceptron:
    """A perceptron with a step activation and the bias trick.

    The bias is folded into the weight vector as one extra weight, fed by a constant
    input of 1 that `fit` and `predict` append to every feature vector, so learning the
    bias needs no special case.

    Args:
        input_size: number of features per sample (the course's `N`).
        alpha: learning rate.
        seed: seed for the initial weights, or None for a random start.
    """

    def __init__(self, input_size, alpha=0.1, seed=None):
        if isinstance(input_size, bool) or not isinstance(input_size, numbers.Integral) or input_size < 1:
            raise errors.InvalidArgumentError(
                f"`input_size` must be a positive integer. Received: input_size={input_size!r}"
            )
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not alpha > 0:
            raise errors.InvalidArgumentError(f"`alpha` must be a positive number. Received: alpha={alpha!r}")
        self.input_size = int(input_size)
        self.alpha = float(alpha)
        # Scaling by 1/sqrt(N) keeps the initial weighted sum of order 1, as in the course.
        random_generator = np.random.default_rng(seed)
        self.weights = random_generator.standard_normal(self.input_size + 1) / np.sqrt(self.input_size)

    @staticmethod
    def step(values):
        """The step activation: 1 where `values` > 0, else 0."""
        return (np.asarray(values) > 0).astype(int)

    def fit(self, features, targets, epochs=10):
        """Trains with the perceptron rule, one sample at a time, for `epochs` passes.

        Only misclassified samples move the weights: `w -= alpha * (prediction - target) * x`.

        Args:
            features: array (samples, input_size).
            targets: 0/1 labels, shape (samples,) or (samples, 1) as in the course.
            epochs: number of passes over the data.

        Returns:
            The number of misclassified samples in each epoch (a list), so callers can see
            whether training converged (a last count of 0).
        """
        if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 1:
            raise errors.InvalidArgumentError(f"`epochs` must be a positive integer. Received: epochs={epochs!r}")
        features = self._check_features(features)
        targets = np.asarray(targets).reshape(-1)
        if targets.shape[0] != features.shape[0]:
            raise errors.InvalidArgumentError(
                "`features` and `targets` must have the same number of samples. "
                f"Received: {features.shape[0]} feature rows and {targets.shape[0]} targets"
            )
        features = self._add_bias_column(features)
        mistakes_per_epoch = []
        for _ in range(epochs):
            mistakes = 0
            for sample, target in zip(features, targets):
                prediction = self.step(np.dot(sample, self.weights))
                if prediction != target:
                    mistakes += 1
                    self.weights += -self.alpha * (prediction - target) * sample
            mistakes_per_epoch.append(mistakes)
        return mistakes_per_epoch

    def predict(self, features, add_bias=True):
        """Returns 0/1 predictions, shape (samples,), for one sample or a batch.

        Set `add_bias=False` only when `features` already ends with the column of ones.
        """
        features = np.atleast_2d(np.asarray(features, dtype=float))
        if add_bias:
            features = self._add_bias_column(self._check_features(features))
        elif features.ndim != 2 or features.shape[1] != self.input_size + 1:
            raise errors.InvalidArgumentError(
                "With `add_bias=False`, `features` must have input_size + 1 columns "
                f"(the last one the bias input). Received: shape={features.shape}"
            )
        return self.step(np.dot(features, self.weights))

    def _check_features(self, features):
        features = np.atleast_2d(np.asarray(features, dtype=float))
        if features.ndim != 2 or features.shape[1] != self.input_size:
            raise errors.InvalidArgumentError(
                f"`features` must have shape (samples, {self.input_size}). Received: shape={features.shape}"
            )
        return features

    @staticmethod
    def _add_bias_column(features):
        # The bias trick: a constant input of 1 whose weight is the bias.
        return np.c_[features, np.ones(features.shape[0])]
