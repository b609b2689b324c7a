"""A fully connected network with sigmoid units, trained by backpropagation in NumPy.

This is the course's from-scratch network: no framework, so every step of the forward
pass, the chain rule and the weight update is visible. It learns XOR, which the
`Perceptron` cannot, and classifies scikit-learn's 8x8 digits well.
"""

import numbers

import numpy as np

from pyimagesearch.utils import errors, validation


class NeuralNetwork:
    """A multi-layer network of sigmoid units with squared-error loss.

    The weights follow the course exactly, including its bias handling. Inputs get a
    constant 1 appended (the bias trick), and every weight matrix except the last has one
    extra column, so each hidden layer has `layers[i] + 1` units: its last unit is a
    learned sigmoid unit that plays the part of the next layer's bias input. `__repr__`
    prints the nominal sizes ("NeuralNetwork: 2-2-1"), as the course does.

    Args:
        layers: units per layer, input first and output last, e.g. `[2, 2, 1]`.
        alpha: learning rate.
        seed: seed for the initial weights, or None for a random start.
    """

    def __init__(self, layers, alpha=0.1, seed=None):
        layers = list(layers) if isinstance(layers, (list, tuple)) else layers
        if not isinstance(layers, list) or len(layers) < 2 or not all(map(validation.is_positive_integer, layers)):
            raise errors.InvalidArgumentError(
                "`layers` must be a list of at least two positive integers (input size first, "
                f"output size last). Received: layers={layers!r}"
            )
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not alpha > 0:
            raise errors.InvalidArgumentError(f"`alpha` must be a positive number. Received: alpha={alpha!r}")
        self.layers = [int(size) for size in layers]
        self.alpha = float(alpha)
        self.weights = self._initial_weights(self.layers, np.random.default_rng(seed))

    @staticmethod
    def _initial_weights(layers, random_generator):
        # Normal weights scaled by 1/sqrt(fan-in) keep the sigmoid out of saturation at first.
        weights = []
        for index in range(len(layers) - 2):
            shape = (layers[index] + 1, layers[index + 1] + 1)
            weights.append(random_generator.standard_normal(shape) / np.sqrt(layers[index]))
        shape = (layers[-2] + 1, layers[-1])
        weights.append(random_generator.standard_normal(shape) / np.sqrt(layers[-2]))
        return weights

    def __repr__(self):
        return "NeuralNetwork: {}".format("-".join(str(size) for size in self.layers))

    @staticmethod
    def sigmoid(values):
        """The logistic sigmoid, 1 / (1 + e^-x)."""
        return 1.0 / (1.0 + np.exp(-values))

    @staticmethod
    def sigmoid_derivative(activations):
        """The sigmoid's derivative, written in terms of its output: s * (1 - s)."""
        return activations * (1.0 - activations)

    def fit(self, features, targets, epochs=1000, display_update=100):
        """Trains by stochastic gradient descent, one sample at a time, as in the course.

        Args:
            features: array (samples, layers[0]).
            targets: array (samples, layers[-1]), e.g. one-hot labels, or (samples,) when
                the output layer has one unit.
            epochs: number of passes over the data.
            display_update: print the loss at the first epoch and every `display_update`
                epochs; 0 or None trains silently.

        Returns:
            A list of `(epoch, loss)` pairs, one per displayed epoch.
        """
        if not validation.is_positive_integer(epochs):
            raise errors.InvalidArgumentError(f"`epochs` must be a positive integer. Received: epochs={epochs!r}")
        if display_update is not None and (
            isinstance(display_update, bool)
            or not isinstance(display_update, numbers.Integral)
            or display_update < 0
        ):
            raise errors.InvalidArgumentError(
                "`display_update` must be a non-negative integer or None. "
                f"Received: display_update={display_update!r}"
            )
        features = self._add_bias_column(self._check_features(features))
        targets = self._check_targets(targets, features.shape[0])
        history = []
        for epoch in range(1, epochs + 1):
            for sample, target in zip(features, targets):
                self.fit_partial(sample, target)
            if display_update and (epoch == 1 or epoch % display_update == 0):
                loss = self.calculate_loss(features, targets, add_bias=False)
                history.append((epoch, loss))
                print(f"[INFO] epoch={epoch}, loss={loss:.7f}")
        return history

    def fit_partial(self, sample, target):
        """Takes one gradient step on one sample (which already ends with the bias input 1)."""
        gradients = self._backpropagate(np.atleast_2d(sample), np.atleast_2d(target))
        for weights, gradient in zip(self.weights, gradients):
            weights -= self.alpha * gradient

    def compute_gradients(self, features, targets, add_bias=True):
        """Returns the gradient of `calculate_loss` for each weight matrix (a list of arrays).

        This is what `fit_partial` steps along; it is public so that tests and curious
        readers can check backpropagation against finite differences.
        """
        features = np.atleast_2d(np.asarray(features, dtype=float))
        features = self._add_bias_column(self._check_features(features)) if add_bias else features
        targets = self._check_targets(targets, features.shape[0])
        return self._backpropagate(features, targets)

    def _backpropagate(self, features, targets):
        # Forward pass: keep every layer's activations, the input first.
        activations = [features]
        for weights in self.weights:
            activations.append(self.sigmoid(activations[-1].dot(weights)))
        # Backward pass: the chain rule gives each layer's delta from the one after it.
        deltas = [(activations[-1] - targets) * self.sigmoid_derivative(activations[-1])]
        for layer in range(len(activations) - 2, 0, -1):
            delta = deltas[-1].dot(self.weights[layer].T) * self.sigmoid_derivative(activations[layer])
            deltas.append(delta)
        deltas.reverse()
        return [activation.T.dot(delta) for activation, delta in zip(activations, deltas)]

    def predict(self, features, add_bias=True):
        """Returns the output activations, shape (samples, layers[-1]).

        Set `add_bias=False` only when `features` already ends with the column of ones.
        """
        predictions = np.atleast_2d(np.asarray(features, dtype=float))
        if add_bias:
            predictions = self._add_bias_column(self._check_features(predictions))
        elif predictions.shape[1] != self.layers[0] + 1:
            raise errors.InvalidArgumentError(
                "With `add_bias=False`, `features` must have layers[0] + 1 columns "
                f"(the last one the bias input). Received: shape={predictions.shape}"
            )
        for weights in self.weights:
            predictions = self.sigmoid(predictions.dot(weights))
        return predictions

    def calculate_loss(self, features, targets, add_bias=True):
        """Returns the summed squared error, 0.5 * sum((prediction - target) ** 2)."""
        predictions = self.predict(features, add_bias=add_bias)
        targets = self._check_targets(targets, predictions.shape[0])
        return float(0.5 * np.sum((predictions - targets) ** 2))

    def _check_features(self, features):
        features = np.atleast_2d(np.asarray(features, dtype=float))
        if features.ndim != 2 or features.shape[1] != self.layers[0]:
            raise errors.InvalidArgumentError(
                f"`features` must have shape (samples, {self.layers[0]}). Received: shape={features.shape}"
            )
        return features

    def _check_targets(self, targets, samples):
        targets = np.asarray(targets, dtype=float)
        if targets.ndim == 1 and self.layers[-1] == 1:
            targets = targets.reshape(-1, 1)
        targets = np.atleast_2d(targets)
        if targets.shape != (samples, self.layers[-1]):
            raise errors.InvalidArgumentError(
                f"`targets` must have shape ({samples}, {self.layers[-1]}), one row per sample and "
                f"one column per output unit. Received: shape={targets.shape}"
            )
        return targets

    @staticmethod
    def _add_bias_column(features):
        # The bias trick: a constant input of 1 whose weight is the bias.
        return np.c_[features, np.ones(features.shape[0])]
