"""Tests for DeeperGoogLeNet: Inception structure, exact parameter counts, L2, channels_first."""

import math

import keras
import pytest

from pyimagesearch.nn.conv import DeeperGoogLeNet

# GoogLeNet's Inception filters: 1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool projection.
INCEPTION_3 = {"3a": (64, 96, 128, 16, 32, 32), "3b": (128, 128, 192, 32, 96, 64)}
INCEPTION_4 = {
    "4a": (192, 96, 208, 16, 48, 64),
    "4b": (160, 112, 224, 24, 64, 64),
    "4c": (128, 128, 256, 24, 64, 64),
    "4d": (112, 144, 288, 32, 64, 64),
    "4e": (256, 160, 320, 32, 128, 128),
}


def conv_module_parameters(kernel, inputs, filters):
    # CONV (kernel + bias) => BN (gamma, beta, moving mean, moving variance).
    return kernel * kernel * inputs * filters + filters + 4 * filters


def inception_parameters(inputs, filters):
    first, reduce_3x3, size_3x3, reduce_5x5, size_5x5, projection = filters
    return (
        conv_module_parameters(1, inputs, first)
        + conv_module_parameters(1, inputs, reduce_3x3)
        + conv_module_parameters(3, reduce_3x3, size_3x3)
        + conv_module_parameters(1, inputs, reduce_5x5)
        + conv_module_parameters(5, reduce_5x5, size_5x5)
        + conv_module_parameters(1, inputs, projection)
    )


def expected_parameter_count(width, height, depth, classes):
    parameters = (
        conv_module_parameters(5, depth, 64)
        + conv_module_parameters(1, 64, 64)
        + conv_module_parameters(3, 64, 192)
    )
    channels = 192
    for filters in list(INCEPTION_3.values()) + list(INCEPTION_4.values()):
        parameters += inception_parameters(channels, filters)
        channels = filters[0] + filters[2] + filters[4] + filters[5]
    # Four "same" 3x3/2 poolings round up at each halving, then a 4x4 average pooling.
    sizes = [math.ceil(size / 16) // 4 for size in (height, width)]
    parameters += sizes[0] * sizes[1] * channels * classes + classes
    return parameters


@pytest.mark.parametrize("width, height, depth, classes", [(64, 64, 3, 200), (64, 64, 3, 17)])
def test_shapes_and_parameter_count(width, height, depth, classes):
    model = DeeperGoogLeNet.build(width, height, depth, classes)

    assert model.name == "deepergooglenet"
    assert model.input_shape == (None, height, width, depth)
    assert model.output_shape == (None, classes)
    assert model.count_params() == expected_parameter_count(width, height, depth, classes)


def test_tiny_imagenet_volume_sizes():
    model = DeeperGoogLeNet.build(64, 64, 3, 200)

    def shape(name):
        return tuple(model.get_layer(name).output.shape[1:])

    assert shape("block1_relu") == (64, 64, 64)  # 5x5 with stride 1 keeps 64x64
    assert shape("pool2") == (16, 16, 192)
    assert shape("inception3a_mixed") == (16, 16, 256)
    assert shape("inception3b_mixed") == (16, 16, 480)
    assert shape("inception4a_mixed") == (8, 8, 512)
    assert shape("inception4e_mixed") == (8, 8, 832)
    assert shape("pool4") == (4, 4, 832)
    assert shape("pool5") == (1, 1, 832)


def test_layer_structure_and_regularization():
    model = DeeperGoogLeNet.build(64, 64, 3, 10, reg=0.001)

    def layers_of(layer_type):
        return [layer for layer in model.layers if isinstance(layer, layer_type)]

    # 3 stem convolutions + 6 per Inception module (7 modules).
    assert len(layers_of(keras.layers.Conv2D)) == 3 + 6 * 7
    assert len(layers_of(keras.layers.BatchNormalization)) == 3 + 6 * 7
    assert len(layers_of(keras.layers.Concatenate)) == 7
    # pool1-pool4 plus the pooling branch of each Inception module.
    assert len(layers_of(keras.layers.MaxPooling2D)) == 4 + 7
    assert model.get_layer("pool5").pool_size == (4, 4)
    assert model.get_layer("dropout").rate == 0.4
    first = model.get_layer("block1_conv")
    assert (first.kernel_size, first.strides) == ((5, 5), (1, 1))
    kernels = layers_of(keras.layers.Conv2D) + layers_of(keras.layers.Dense)
    for layer in kernels:
        assert layer.kernel_regularizer.get_config()["l2"] == pytest.approx(0.001), layer.name


def test_channels_first(channels_first):
    model = DeeperGoogLeNet.build(64, 64, 3, 200)

    assert model.input_shape == (None, 3, 64, 64)
    assert model.count_params() == expected_parameter_count(64, 64, 3, 200)
    normalization = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert {layer.axis for layer in normalization} == {1}
    assert tuple(model.get_layer("inception4e_mixed").output.shape[1:]) == (832, 8, 8)


def test_minimum_size():
    minimum = DeeperGoogLeNet.MINIMUM_SIZE
    assert math.ceil(minimum / 16) == 4 and math.ceil((minimum - 1) / 16) == 3
    assert DeeperGoogLeNet.build(minimum, minimum, 3, 2).output_shape == (None, 2)
    with pytest.raises(ValueError, match=r"at least 49x49 .* Received: width=48, height=64$"):
        DeeperGoogLeNet.build(48, 64, 3, 10)


def test_rejects_a_negative_reg():
    # The size arguments are checked for every network in test_conv_contracts.py.
    with pytest.raises(ValueError, match=r"Received: reg=-1$"):
        DeeperGoogLeNet.build(64, 64, 3, 10, reg=-1)
