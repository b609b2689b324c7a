"""Tests for per-layer learning-rate multipliers (`LayerwiseLearningRate` optimizers).

Each test compares one training step of a layerwise optimizer with the same step of the
plain Keras optimizer, from identical weights, under MirroredStrategy with 2 replicas.
"""

import keras
import numpy as np
import pytest

from pyimagesearch.transfer import layerwiselearningrate
from pyimagesearch.utils import strategy

DATA = np.random.default_rng(0).random((8, 4)).astype("float32")
TARGETS = np.random.default_rng(1).random((8, 1)).astype("float32")


def two_layer_model():
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(3, name="first", kernel_initializer="ones")(inputs)
    return keras.Model(inputs, keras.layers.Dense(1, name="second", kernel_initializer="ones")(hidden))


def one_step_changes(distribution, optimizer_factory):
    """The weight changes of one full-batch step, per weight array."""
    with distribution.scope():
        model = two_layer_model()
        model.compile(optimizer=optimizer_factory(), loss="mse")
    before = [weight.numpy().copy() for weight in model.weights]
    model.fit(DATA, TARGETS, batch_size=8, epochs=1, verbose=0, shuffle=False)
    return model, [weight.numpy() - old for weight, old in zip(model.weights, before)]


@pytest.mark.parametrize("name", ["sgd", "rmsprop", "adam"])
def test_multiplier_scales_exactly_that_layers_step(name):
    distribution = strategy.get_strategy()
    plain_model, plain = one_step_changes(distribution, lambda: layerwiselearningrate.make_optimizer(name, 0.1))
    model, scaled = one_step_changes(
        distribution, lambda: layerwiselearningrate.make_optimizer(name, 0.1, {"first": 0.25})
    )

    assert type(plain_model.optimizer) is layerwiselearningrate.OPTIMIZERS[name][0]
    assert type(model.optimizer) is layerwiselearningrate.OPTIMIZERS[name][1]
    # first/kernel and first/bias move a quarter as far; second/* exactly as far as without multipliers.
    for index, factor in enumerate([0.25, 0.25, 1.0, 1.0]):
        np.testing.assert_allclose(scaled[index], factor * plain[index], rtol=1e-5, atol=1e-8)
        assert np.abs(plain[index]).sum() > 0
    assert model.optimizer.variable_multipliers() == {
        "first/kernel": 0.25, "first/bias": 0.25, "second/kernel": 1.0, "second/bias": 1.0,
    }


def test_multiplier_composes_with_a_schedule():
    distribution = strategy.get_strategy()
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    _, plain = one_step_changes(distribution, lambda: keras.optimizers.SGD(0.1))
    model, scaled = one_step_changes(
        distribution, lambda: layerwiselearningrate.make_optimizer("sgd", schedule, {"second": 0.5})
    )

    np.testing.assert_allclose(scaled[0], plain[0], rtol=1e-5)  # step 0 of the schedule is 0.1
    np.testing.assert_allclose(scaled[2], 0.5 * plain[2], rtol=1e-5)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)


def test_a_misspelt_layer_fails_at_the_first_step_instead_of_training_at_full_rate():
    distribution = strategy.get_strategy()
    with pytest.raises(ValueError, match=r"\['frist'\].*Received: layer_multipliers="):
        one_step_changes(distribution, lambda: layerwiselearningrate.make_optimizer("sgd", 0.1, {"frist": 0.5}))


def test_saved_model_keeps_the_optimizer_and_its_multipliers(tmp_path):
    distribution = strategy.get_strategy()
    model, _ = one_step_changes(
        distribution, lambda: layerwiselearningrate.make_optimizer("adamw", 0.1, {"first": 0.4}, weight_decay=1e-3)
    )
    path = tmp_path / "model.keras"
    model.save(path)

    loaded = keras.saving.load_model(path)

    assert isinstance(loaded.optimizer, layerwiselearningrate.LayerwiseAdamW)
    assert loaded.optimizer.layer_multipliers == {"first": 0.4}
    assert loaded.optimizer.weight_decay == pytest.approx(1e-3)
    assert int(loaded.optimizer.iterations.numpy()) == 1
    loaded.fit(DATA, TARGETS, batch_size=8, epochs=1, verbose=0)
    assert int(loaded.optimizer.iterations.numpy()) == 2


def test_all_ones_gives_the_plain_optimizer():
    optimizer = layerwiselearningrate.make_optimizer("sgd", 0.01, {"first": 1.0}, momentum=0.9)

    assert type(optimizer) is keras.optimizers.SGD
    assert optimizer.momentum == pytest.approx(0.9)


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"name": "adagrad"}, "Received: name='adagrad'"),
        ({"learning_rate": 0}, "Received: learning_rate=0"),
        ({"learning_rate": "fast"}, "Received: learning_rate='fast'"),
        ({"layer_multipliers": [("first", 0.5)]}, "Received: layer_multipliers="),
        ({"layer_multipliers": {"first": 0}}, "Received: 'first': 0"),
        ({"layer_multipliers": {"first": float("nan")}}, "Received: 'first': nan"),
        ({"layer_multipliers": {"model/first": 0.5}}, "Received: key 'model/first'"),
    ],
)
def test_make_optimizer_refuses_bad_arguments(arguments, message):
    settings = {"name": "sgd", "learning_rate": 0.1} | arguments
    with pytest.raises(ValueError, match=message):
        layerwiselearningrate.make_optimizer(**settings)
