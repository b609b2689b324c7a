"""A fully connected network with sigmoid units, trained by backpropagation in NumPy.

This is the course's from-scratch network: no framework, so every step of the forward
pass, the chain rule and the weight update is visible. It learns XOR, which the
`Perceptron` cannot, and classifies scikit-learn's 8x8 digits well.

The course's network (the default) has sigmoid outputs, a squared-error loss and per-sample
updates in the data's order. `loss="cross_entropy"` gives it a softmax output layer with the
cross-entropy loss instead, and `fit(batch_size=..., shuffle=True)` mini-batches in a fresh
order every epoch: the usual recipe for classification, kept as options so the course's
network stays exactly as it was. `weight_decay=` adds an L2 penalty on the weights to the loss
(and so to every step), which the course's network does not have.
"""

import numbers

import numpy as np

from pyimagesearch.utils import errors, validation


LOSSES = ("squared_error", "cross_entropy")


class NeuralNetwork:
    """A multi-layer network of sigmoid units, with squared-error or cross-entropy loss.

    The weights follow the course exactly, including its bias handling. Inputs get a
    constant 1 appended (the bias trick), and every weight matrix except the last has one
    extra column, so each hidden layer has `layers[i] + 1` units: its last unit is a
    learned sigmoid unit that plays the part of the next layer's bias input. `__repr__`
    prints the nominal sizes ("NeuralNetwork: 2-2-1"), as the course does.

    Args:
        layers: units per layer, input first and output last, e.g. `[2, 2, 1]`.
        alpha: learning rate.
        seed: seed for the initial weights (and for `fit`'s shuffling), or None for a
            random start.
        loss: `"squared_error"` (the course's: sigmoid outputs, 0.5 * summed squared
            error) or `"cross_entropy"` (softmax outputs, summed -target * log(output);
            targets are one-hot rows, and the output layer needs at least two units).
        weight_decay: L2 penalty per sample, >= 0 (0, the default, is the course's network).
            The loss over n samples gains `0.5 * weight_decay * n * sum(weights ** 2)`
            over every weight matrix (bias rows included, as they are ordinary weights in
            this layout), so each step along a batch's mean gradient shrinks the weights by
            `alpha * weight_decay * weights` whatever the batch size.
    """

    def __init__(self, layers, alpha=0.1, seed=None, loss="squared_error", weight_decay=0.0):
        layers = list(layers) if isinstance(layers, (list, tuple)) else layers
        if not isinstance(layers, list) or len(layers) < 2 or not all(map(validation.is_positive_integer, layers)):
            raise errors.InvalidArgumentError(
                "`layers` must be a list of at least two positive integers (input size first, "
                f"output size last). Received: layers={layers!r}"
            )
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not alpha > 0:
            raise errors.InvalidArgumentError(f"`alpha` must be a positive number. Received: alpha={alpha!r}")
        if isinstance(weight_decay, bool) or not isinstance(weight_decay, numbers.Real) or not 0 <= weight_decay < np.inf:
            raise errors.InvalidArgumentError(
                f"`weight_decay` must be a finite non-negative number. Received: weight_decay={weight_decay!r}"
            )
        if loss not in LOSSES:
            raise errors.InvalidArgumentError(f"`loss` must be one of {', '.join(LOSSES)}. Received: loss={loss!r}")
        if loss == "cross_entropy" and layers[-1] < 2:
            raise errors.InvalidArgumentError(
                "A softmax over one output unit is always 1: `loss='cross_entropy'` needs at least two output "
                f"units. Received: layers={layers!r}"
            )
        self.layers = [int(size) for size in layers]
        self.alpha = float(alpha)
        self.loss = loss
        self.weight_decay = float(weight_decay)
        self.random_generator = np.random.default_rng(seed)
        self.weights = self._initial_weights(self.layers, self.random_generator)

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

    @staticmethod
    def softmax(values):
        """Row-wise softmax; the row maximum is subtracted first so `exp` cannot overflow."""
        exponentials = np.exp(values - values.max(axis=1, keepdims=True))
        return exponentials / exponentials.sum(axis=1, keepdims=True)

    def fit(self, features, targets, epochs=1000, display_update=100, batch_size=1, shuffle=False):
        """Trains by gradient descent; the defaults are the course's per-sample updates in order.

        Args:
            features: array (samples, layers[0]).
            targets: array (samples, layers[-1]), e.g. one-hot labels, or (samples,) when
                the output layer has one unit.
            epochs: number of passes over the data.
            display_update: print the loss at the first epoch and every `display_update`
                epochs; 0 or None trains silently.
            batch_size: samples per update. Each update steps along the batch's mean
                gradient, so `alpha` means the same for every batch size (with 1 it is the
                course's per-sample step).
            shuffle: visit the samples in a new random order every epoch (drawn from the
                network's seeded generator) instead of the data's order.

        Returns:
            A list of `(epoch, loss)` pairs, one per displayed epoch.
        """
        if not validation.is_positive_integer(epochs):
            raise errors.InvalidArgumentError(f"`epochs` must be a positive integer. Received: epochs={epochs!r}")
        if not validation.is_positive_integer(batch_size):
            raise errors.InvalidArgumentError(
                f"`batch_size` must be a positive integer. Received: batch_size={batch_size!r}"
            )
        validation.check_booleans(shuffle=shuffle)
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
            self._train_one_epoch(features, targets, batch_size, shuffle)
            if display_update and (epoch == 1 or epoch % display_update == 0):
                loss = self.calculate_loss(features, targets, add_bias=False)
                history.append((epoch, loss))
                print(f"[INFO] epoch={epoch}, loss={loss:.7f}")
        return history

    def _train_one_epoch(self, features, targets, batch_size, shuffle):
        if batch_size == 1 and not shuffle:
            # The course's loop, kept literally so its results do not move by a rounding.
            for sample, target in zip(features, targets):
                self.fit_partial(sample, target)
            return
        order = self.random_generator.permutation(len(features)) if shuffle else np.arange(len(features))
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            self.fit_partial(features[batch], targets[batch])

    def fit_partial(self, sample, target):
        """Takes one gradient step on one sample, or on a batch of rows along their mean gradient.

        The sample (or every row) already ends with the bias input 1.
        """
        samples = np.atleast_2d(sample)
        gradients = self._backpropagate(samples, np.atleast_2d(target))
        step = self.alpha / samples.shape[0]
        for weights, gradient in zip(self.weights, gradients):
            weights -= step * gradient

    def compute_gradients(self, features, targets, add_bias=True):
        """Returns the gradient of `calculate_loss` for each weight matrix (a list of arrays).

        This is what `fit_partial` steps along; it is public so that tests and curious
        readers can check backpropagation against finite differences.
        """
        features = np.atleast_2d(np.asarray(features, dtype=float))
        features = self._add_bias_column(self._check_features(features)) if add_bias else features
        targets = self._check_targets(targets, features.shape[0])
        return self._backpropagate(features, targets)

    def _forward(self, features):
        """Every layer's activations, the input first: sigmoids, and softmax outputs for cross-entropy."""
        activations = [features]
        for index, weights in enumerate(self.weights):
            values = activations[-1].dot(weights)
            is_output = index == len(self.weights) - 1
            activations.append(self.softmax(values) if is_output and self.loss == "cross_entropy"
                               else self.sigmoid(values))
        return activations

    def _backpropagate(self, features, targets):
        activations = self._forward(features)
        # Backward pass: the chain rule gives each layer's delta from the one after it.
        deltas = [self._output_delta(activations[-1], targets)]
        for layer in range(len(activations) - 2, 0, -1):
            delta = deltas[-1].dot(self.weights[layer].T) * self.sigmoid_derivative(activations[layer])
            deltas.append(delta)
        deltas.reverse()
        gradients = [activation.T.dot(delta) for activation, delta in zip(activations, deltas)]
        if self.weight_decay:
            # The penalty's derivative, scaled by the samples like the loss it is added to.
            samples = features.shape[0]
            gradients = [gradient + self.weight_decay * samples * weights
                         for gradient, weights in zip(gradients, self.weights)]
        return gradients

    def _output_delta(self, outputs, targets):
        """The loss's derivative by the output layer's inputs (before its activation)."""
        if self.loss == "cross_entropy":
            # Softmax and cross-entropy together: the Jacobian of the softmax cancels the
            # 1 / output of the log, leaving output - target.
            return outputs - targets
        return (outputs - targets) * self.sigmoid_derivative(outputs)

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
        return self._forward(predictions)[-1]

    def calculate_loss(self, features, targets, add_bias=True):
        """Returns the summed loss over the samples, with the weight-decay penalty if any.

        Squared error: 0.5 * sum((prediction - target) ** 2). Cross-entropy:
        -sum(target * log(prediction)), with predictions clipped away from 0 so that a
        saturated softmax gives a large finite loss rather than infinity. With
        `weight_decay`, plus 0.5 * weight_decay * samples * sum(weights ** 2).
        """
        predictions = self.predict(features, add_bias=add_bias)
        targets = self._check_targets(targets, predictions.shape[0])
        if self.loss == "cross_entropy":
            loss = -np.sum(targets * np.log(np.clip(predictions, 1e-300, None)))
        else:
            loss = 0.5 * np.sum((predictions - targets) ** 2)
        if self.weight_decay:
            penalty = sum(np.sum(weights ** 2) for weights in self.weights)
            loss += 0.5 * self.weight_decay * predictions.shape[0] * penalty
        return float(loss)

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
