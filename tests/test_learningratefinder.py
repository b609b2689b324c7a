"""The learning-rate range test: exponential rates, per-batch losses, early stop, suggestion, files."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from pyimagesearch.training import learningratefinder


def _data(count=64, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    features = (scale * rng.normal(size=(count, 8))).astype("float32")
    labels = keras.utils.to_categorical((features[:, 0] > 0).astype(int), 2)
    return tf.data.Dataset.from_tensor_slices((features, labels)).batch(8)


def _model(seed=1):
    keras.utils.set_random_seed(seed)
    # Logits, not a softmax layer: the loss on probabilities is clipped at -log(1e-7) = 16.1 on
    # the JAX backend (TensorFlow's quietly uses the softmax's logits), so it could never pass 4
    # times the best there, and the test would depend on the backend.
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss=keras.losses.CategoricalCrossentropy(from_logits=True))
    return model


def test_rates_grow_exponentially_and_the_run_stops_once_the_loss_explodes():
    # Large inputs make SGD at rates near 10 overshoot, so the loss explodes before the last step.
    result = learningratefinder.find_learning_rate(_model(), _data(scale=20.0), steps=60)
    rates = np.array(result.rates)
    assert rates[0] == pytest.approx(1e-7)
    ratios = rates[1:] / rates[:-1]
    assert np.allclose(ratios, (10 / 1e-7) ** (1 / 59))
    assert result.stopped_early and len(rates) < 60
    assert result.suggestion == pytest.approx(result.minimum_rate / 10)
    lowest = int(np.nanargmin(result.smoothed_losses))
    assert result.minimum_rate == result.rates[lowest]
    assert result.steepest_rate <= result.minimum_rate


def test_each_recorded_loss_is_that_batch_s_loss_not_a_running_mean():
    dataset = _data()
    result = learningratefinder.find_learning_rate(_model(), dataset, steps=3)
    batches = list(dataset.take(2).as_numpy_iterator())  # NumPy: JAX cannot read tf.Tensors
    replay = _model()
    first_loss = replay.evaluate(*batches[0], verbose=0)
    replay.optimizer.learning_rate = result.rates[0]
    replay.train_on_batch(*batches[0])
    second_loss = replay.evaluate(*batches[1], verbose=0)
    assert result.losses[0] == pytest.approx(first_loss, rel=1e-4)
    assert result.losses[1] == pytest.approx(second_loss, rel=1e-4)


def test_results_are_written_as_json_and_png(tmp_path):
    result = learningratefinder.find_learning_rate(_model(), _data(), steps=20)
    json_path, plot_path = learningratefinder.write_results(result, tmp_path)
    saved = json.loads(json_path.read_text())
    assert saved["rates"] == result.rates and saved["suggestion"] == result.suggestion
    assert saved["suggestion_rule"] == "rate at the lowest smoothed loss / 10"
    assert plot_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="Received: steps=1"):
        learningratefinder.find_learning_rate(_model(), _data(), steps=1)
    with pytest.raises(ValueError, match="Received: stop=1e-08"):
        learningratefinder.find_learning_rate(_model(), _data(), stop=1e-8)
