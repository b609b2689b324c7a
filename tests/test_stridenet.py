"""Tests for StrideNet: volume sizes, exact parameter counts, layer structure, small inputs."""

import keras
import numpy as np
import pytest

from pyimagesearch.nn.conv.stridenet import MINIMUM_SIZE, StrideNet
from pyimagesearch.utils import errors


def strided(side):
    """A 3x3 stride-2 valid convolution's output side."""
    return (side - 3) // 2 + 1


def expected_parameter_count(width, height, depth, classes):
    pooled_height, pooled_width = strided(strided(height)) - 1, strided(strided(width)) - 1
    convolutions = (3 * 3 * depth * 32 + 32) + (3 * 3 * 32 * 32 + 32) + (32 * 16 + 16)
    dense = pooled_height * pooled_width * 16 * 512 + 512
    return convolutions + dense + 512 * classes + classes


@pytest.mark.parametrize("width, height, depth, classes", [(32, 32, 3, 10), (28, 28, 1, 10), (40, 24, 1, 2)])
def test_shapes_and_parameter_count(width, height, depth, classes):
    model = StrideNet.build(width, height, depth, classes)

    assert model.name == "stridenet"
    assert model.input_shape == (None, height, width, depth)
    assert model.output_shape == (None, classes)
    assert model.count_params() == expected_parameter_count(width, height, depth, classes)


def test_cifar_volume_sizes():
    # 32 -> 15 -> 7 -> 6 (pool 2x2, stride 1) -> 6 x 6 x 16 = 576 features for the dense layer.
    model = StrideNet.build(32, 32, 3, 10)
    shapes = {layer.name: layer.output.shape[1:] for layer in model.layers}

    assert shapes["conv1"] == (15, 15, 32)
    assert shapes["conv2"] == (7, 7, 32)
    assert shapes["pool"] == (6, 6, 32)
    assert shapes["conv3"] == (6, 6, 16)
    assert shapes["flatten"] == (576,)
    assert shapes["fc1"] == (512,)
    assert model.count_params() == 311_226


def test_layer_structure_has_no_normalisation_or_dropout():
    model = StrideNet.build(32, 32, 3, 10)

    assert [type(layer).__name__ for layer in model.layers] == [
        "Conv2D", "Activation", "Conv2D", "Activation", "MaxPooling2D", "Conv2D", "Activation",
        "Flatten", "Dense", "Activation", "Dense", "Activation",
    ]
    convolutions = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [(layer.strides, layer.padding) for layer in convolutions] == [
        ((2, 2), "valid"), ((2, 2), "valid"), ((1, 1), "same")
    ]
    assert model.get_layer("pool").strides == (1, 1)
    assert model.layers[-1].dtype_policy.compute_dtype == "float32"


def test_output_is_a_probability_distribution():
    model = StrideNet.build(MINIMUM_SIZE, MINIMUM_SIZE, 1, 3)
    probabilities = model.predict(np.random.default_rng(0).random((4, MINIMUM_SIZE, MINIMUM_SIZE, 1)), verbose=0)

    assert probabilities.shape == (4, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_too_small_images_are_refused_with_the_minimum():
    with pytest.raises(errors.InvalidArgumentError, match="at least 11x11.*Received: width=10"):
        StrideNet.build(10, 32, 3, 10)


def test_channels_first(channels_first):
    model = StrideNet.build(32, 28, 3, 10)

    assert model.input_shape == (None, 3, 28, 32)
    assert model.count_params() == expected_parameter_count(32, 28, 3, 10)
