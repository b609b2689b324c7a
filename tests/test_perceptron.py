"""Tests for the NumPy perceptron: it learns AND and OR, and (as the course shows) not XOR."""

import numpy as np
import pytest

from pyimagesearch.nn import Perceptron

INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
TRUTH_TABLES = {
    "and": np.array([0, 0, 0, 1]),
    "or": np.array([0, 1, 1, 1]),
    "xor": np.array([0, 1, 1, 0]),
}


@pytest.mark.parametrize("function_name", ["and", "or"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_learns_linearly_separable_functions(function_name, seed):
    targets = TRUTH_TABLES[function_name]
    perceptron = Perceptron(input_size=2, alpha=0.1, seed=seed)

    # The perceptron convergence theorem guarantees a finite number of updates; from these
    # starts it needs up to 28 epochs (the course's 20 suffice for small initial weights).
    errors_per_epoch = perceptron.fit(INPUTS, targets, epochs=50)

    assert errors_per_epoch[-1] == 0
    np.testing.assert_array_equal(perceptron.predict(INPUTS), targets)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_cannot_learn_xor(seed):
    # XOR is not linearly separable, so a single layer keeps misclassifying at least one
    # input however long it trains: the course's case for hidden layers.
    perceptron = Perceptron(input_size=2, alpha=0.1, seed=seed)

    errors_per_epoch = perceptron.fit(INPUTS, TRUTH_TABLES["xor"], epochs=100)

    assert min(errors_per_epoch) > 0
    assert np.any(perceptron.predict(INPUTS) != TRUTH_TABLES["xor"])


def test_accepts_course_shaped_targets_and_single_samples():
    # The course writes targets as a column, y = [[0], [0], [0], [1]], and predicts one row.
    perceptron = Perceptron(2, seed=0)
    perceptron.fit(INPUTS, TRUTH_TABLES["and"].reshape(-1, 1), epochs=50)

    assert perceptron.predict([1, 1]).tolist() == [1]
    assert perceptron.predict(np.array([0, 1])).tolist() == [0]


def test_bias_is_the_last_weight():
    perceptron = Perceptron(3, seed=0)
    perceptron.weights = np.array([0.0, 0.0, 0.0, 0.5])

    # All-zero inputs: only the bias weight contributes, through the appended 1.
    assert perceptron.predict(np.zeros((2, 3))).tolist() == [1, 1]
    with_bias = np.array([[0.0, 0.0, 0.0, 1.0]])
    assert perceptron.predict(with_bias, add_bias=False).tolist() == [1]


def test_update_rule_moves_weights_against_the_error():
    perceptron = Perceptron(2, alpha=0.5, seed=0)
    perceptron.weights = np.array([1.0, 1.0, 1.0])

    # Prediction is 1 for target 0: w -= alpha * (1 - 0) * [x, 1].
    perceptron.fit(np.array([[1.0, 2.0]]), np.array([0]), epochs=1)

    np.testing.assert_allclose(perceptron.weights, [0.5, 0.0, 0.5])


def test_step_activation():
    np.testing.assert_array_equal(Perceptron.step(np.array([-1.0, 0.0, 1e-9, 3.0])), [0, 0, 1, 1])


def test_same_seed_gives_same_weights():
    np.testing.assert_array_equal(Perceptron(4, seed=7).weights, Perceptron(4, seed=7).weights)
    assert Perceptron(4, seed=7).weights.shape == (5,)


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"input_size": 0}, r"Received: input_size=0$"),
        ({"input_size": 2.5}, r"Received: input_size=2.5$"),
        ({"input_size": True}, r"Received: input_size=True$"),
        ({"input_size": 2, "alpha": 0}, r"Received: alpha=0$"),
        ({"input_size": 2, "alpha": -0.1}, r"Received: alpha=-0.1$"),
    ],
)
def test_rejects_bad_constructor_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        Perceptron(**arguments)


def test_rejects_bad_fit_and_predict_inputs():
    perceptron = Perceptron(2, seed=0)
    with pytest.raises(ValueError, match=r"Received: shape=\(4, 3\)$"):
        perceptron.fit(np.zeros((4, 3)), TRUTH_TABLES["and"])
    with pytest.raises(ValueError, match=r"Received: 4 feature rows and 3 targets$"):
        perceptron.fit(INPUTS, [0, 1, 1])
    with pytest.raises(ValueError, match=r"Received: epochs=0$"):
        perceptron.fit(INPUTS, TRUTH_TABLES["and"], epochs=0)
    with pytest.raises(ValueError, match=r"Received: shape=\(1, 3\)$"):
        perceptron.predict([1, 2, 3])
    with pytest.raises(ValueError, match=r"Received: shape=\(4, 2\)$"):
        perceptron.predict(INPUTS, add_bias=False)
