"""Tests for MiniVGGNet: shapes, exact parameter counts with and without BN, training."""

import keras
import numpy as np
import pytest

from pyimagesearch.nn.conv import MiniVGGNet
from pyimagesearch.utils import strategy
from tests import channelsfirst


def convolution_parameters(kernel, inputs, filters):
    return kernel * kernel * inputs * filters + filters


def dense_parameters(inputs, units):
    return inputs * units + units


def expected_parameter_counts(width, height, depth, classes, batch_norm=True):
    """Returns (total, trainable): BN has 4 parameters per channel, 2 of them trainable."""
    convolutions = (
        convolution_parameters(3, depth, 32)
        + convolution_parameters(3, 32, 32)
        + convolution_parameters(3, 32, 64)
        + convolution_parameters(3, 64, 64)
    )
    # "Same" convolutions keep the size; two 2x2 poolings divide it by 4 (floor).
    flattened = (height // 2 // 2) * (width // 2 // 2) * 64
    dense = dense_parameters(flattened, 512) + dense_parameters(512, classes)
    normalized_channels = (32 + 32 + 64 + 64 + 512) if batch_norm else 0
    total = convolutions + dense + 4 * normalized_channels
    trainable = convolutions + dense + 2 * normalized_channels
    return total, trainable


def trainable_count(model):
    return sum(int(np.prod(weight.shape)) for weight in model.trainable_weights)


@pytest.mark.parametrize("batch_norm", [True, False])
@pytest.mark.parametrize("width, height, depth, classes", [(32, 32, 3, 10), (64, 64, 3, 17), (36, 20, 1, 3)])
def test_shapes_and_parameter_counts(width, height, depth, classes, batch_norm):
    model = MiniVGGNet.build(width, height, depth, classes, batch_norm=batch_norm)

    assert model.name == "minivggnet"
    assert model.input_shape == (None, height, width, depth)
    assert model.output_shape == (None, classes)
    total, trainable = expected_parameter_counts(width, height, depth, classes, batch_norm)
    assert model.count_params() == total
    assert trainable_count(model) == trainable


def test_layer_structure_with_batch_norm():
    model = MiniVGGNet.build(32, 32, 3, 10)

    block = ["Conv2D", "Activation", "BatchNormalization"] * 2 + ["MaxPooling2D", "Dropout"]
    head = ["Flatten", "Dense", "Activation", "BatchNormalization", "Dropout", "Dense", "Activation"]
    assert [type(layer).__name__ for layer in model.layers] == block + block + head
    rates = [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert rates == [0.25, 0.25, 0.5]
    filters = [layer.filters for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert filters == [32, 32, 64, 64]
    assert model.get_layer("fc1").units == 512


def test_without_batch_norm_has_no_normalization_layers():
    model = MiniVGGNet.build(32, 32, 3, 10, batch_norm=False)

    block = ["Conv2D", "Activation"] * 2 + ["MaxPooling2D", "Dropout"]
    head = ["Flatten", "Dense", "Activation", "Dropout", "Dense", "Activation"]
    assert [type(layer).__name__ for layer in model.layers] == block + block + head


def test_trains_one_step_on_two_replicas():
    # The train scripts build inside get_strategy().scope(); the tests have 2 CPU replicas.
    distribution = strategy.get_strategy()
    random_generator = np.random.default_rng(0)
    images = random_generator.random((8, 32, 32, 3), dtype=np.float32)
    labels = keras.utils.to_categorical(random_generator.integers(0, 10, 8), 10)
    with distribution.scope():
        model = MiniVGGNet.build(32, 32, 3, 10)
        assert not model.compiled
        model.compile(optimizer=keras.optimizers.SGD(0.01), loss="categorical_crossentropy")
    before = [weights.copy() for weights in model.get_weights()]

    history = model.fit(images, labels, batch_size=4 * distribution.num_replicas_in_sync, epochs=1, verbose=0)

    assert np.isfinite(history.history["loss"][0])
    # Every weight moves: kernels and biases by SGD, BN moving statistics by the update.
    assert all(not np.array_equal(old, new) for old, new in zip(before, model.get_weights()))


def test_trains_one_step_without_batch_norm():
    model = MiniVGGNet.build(16, 16, 3, 2, batch_norm=False)
    random_generator = np.random.default_rng(1)
    images = random_generator.random((4, 16, 16, 3), dtype=np.float32)
    labels = keras.utils.to_categorical([0, 1, 0, 1], 2)
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="categorical_crossentropy")

    history = model.fit(images, labels, batch_size=4, epochs=1, verbose=0)

    assert np.isfinite(history.history["loss"][0])


def test_channels_first(channels_first):
    model = MiniVGGNet.build(32, 24, 3, 10)

    assert model.input_shape == (None, 3, 24, 32)
    assert model.count_params() == expected_parameter_counts(32, 24, 3, 10)[0]
    axes = [layer.axis for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert axes == [1] * 5
    output = channelsfirst.call(model, np.zeros((2, 3, 24, 32), dtype="float32"))
    assert tuple(output.shape) == (2, 10)


def test_rejects_a_batch_norm_that_is_not_a_bool():
    # The size arguments are checked for every network in test_conv_contracts.py.
    with pytest.raises(ValueError, match=r"Received: batch_norm='yes'$"):
        MiniVGGNet.build(32, 32, 3, 10, batch_norm="yes")
