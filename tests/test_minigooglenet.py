"""Tests for MiniGoogLeNet: module structure, exact parameter counts, channels_first."""

import keras
import numpy as np
import pytest

from pyimagesearch.nn.conv import MiniGoogLeNet
from tests import channelsfirst

# (1x1 filters, 3x3 filters) of the inception modules, and the downsample filters, in order.
ARCHITECTURE = [
    ("inception", 32, 32),
    ("inception", 32, 48),
    ("downsample", 80),
    ("inception", 112, 48),
    ("inception", 96, 64),
    ("inception", 80, 80),
    ("inception", 48, 96),
    ("downsample", 96),
    ("inception", 176, 160),
    ("inception", 176, 160),
]


def conv_module_parameters(kernel, inputs, filters):
    # CONV (kernel + bias) => BN (gamma, beta, moving mean, moving variance).
    return kernel * kernel * inputs * filters + filters + 4 * filters


def expected_parameters_and_output(width, height, depth, classes):
    """Walks the network by formula; returns (parameters, final spatial size, channels)."""
    parameters = conv_module_parameters(3, depth, 96)
    channels, sizes = 96, [height, width]
    for module in ARCHITECTURE:
        if module[0] == "inception":
            _, filters_1x1, filters_3x3 = module
            parameters += conv_module_parameters(1, channels, filters_1x1)
            parameters += conv_module_parameters(3, channels, filters_3x3)
            channels = filters_1x1 + filters_3x3
        else:
            _, filters = module
            parameters += conv_module_parameters(3, channels, filters)
            channels = filters + channels  # the max-pooling branch keeps its channels
            sizes = [(size - 3) // 2 + 1 for size in sizes]  # 3x3/2, "valid"
    sizes = [size // 7 for size in sizes]  # 7x7 average pooling
    parameters += sizes[0] * sizes[1] * channels * classes + classes
    return parameters, sizes, channels


@pytest.mark.parametrize("width, height, depth, classes", [(32, 32, 3, 10), (64, 64, 3, 17)])
def test_shapes_and_parameter_count(width, height, depth, classes):
    model = MiniGoogLeNet.build(width, height, depth, classes)

    assert model.name == "minigooglenet"
    assert model.input_shape == (None, height, width, depth)
    assert model.output_shape == (None, classes)
    parameters, sizes, channels = expected_parameters_and_output(width, height, depth, classes)
    assert model.count_params() == parameters
    assert tuple(model.get_layer("average_pool").output.shape[1:]) == (*sizes, channels)


def test_cifar_volume_sizes():
    model = MiniGoogLeNet.build(32, 32, 3, 10)

    # 32x32 -> 15x15 -> 7x7 -> 1x1, with 336 channels (176 + 160) at the end.
    assert tuple(model.get_layer("inception1b_concat").output.shape[1:]) == (32, 32, 80)
    assert tuple(model.get_layer("downsample1_concat").output.shape[1:]) == (15, 15, 160)
    assert tuple(model.get_layer("downsample2_concat").output.shape[1:]) == (7, 7, 240)
    assert tuple(model.get_layer("flatten").output.shape[1:]) == (336,)


def test_layer_structure():
    model = MiniGoogLeNet.build(32, 32, 3, 10)

    def count(layer_type):
        return sum(isinstance(layer, layer_type) for layer in model.layers)

    # Stem + 2 per inception module (8) + 1 per downsample module (2).
    assert count(keras.layers.Conv2D) == 19
    assert count(keras.layers.BatchNormalization) == 19
    assert count(keras.layers.Concatenate) == 10
    assert count(keras.layers.MaxPooling2D) == 2
    assert model.get_layer("average_pool").pool_size == (7, 7)
    assert model.get_layer("dropout").rate == 0.5
    downsample = model.get_layer("downsample1_3x3_conv")
    assert (downsample.strides, downsample.padding) == ((2, 2), "valid")
    # conv_module is CONV => BN => RELU, in that order.
    assert model.get_layer("stem_bn").input is model.get_layer("stem_conv").output
    assert model.get_layer("stem_relu").input is model.get_layer("stem_bn").output


def test_modules_can_be_used_on_their_own():
    inputs = keras.Input(shape=(16, 16, 8))
    inception = MiniGoogLeNet.inception_module(inputs, 4, 6, -1)
    downsample = MiniGoogLeNet.downsample_module(inception, 5, -1)

    assert tuple(inception.shape[1:]) == (16, 16, 10)
    assert tuple(downsample.shape[1:]) == (7, 7, 15)


def test_channels_first(channels_first):
    model = MiniGoogLeNet.build(32, 32, 3, 10)

    assert model.input_shape == (None, 3, 32, 32)
    assert model.count_params() == expected_parameters_and_output(32, 32, 3, 10)[0]
    normalization = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert {layer.axis for layer in normalization} == {1}
    concatenations = [layer for layer in model.layers if isinstance(layer, keras.layers.Concatenate)]
    assert {layer.axis for layer in concatenations} == {1}
    assert tuple(model.get_layer("downsample1_concat").output.shape[1:]) == (160, 15, 15)
    output = channelsfirst.call(model, np.zeros((1, 3, 32, 32), dtype="float32"))
    assert tuple(output.shape) == (1, 10)
