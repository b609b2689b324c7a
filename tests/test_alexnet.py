"""Tests for the course's AlexNet: structure, exact parameter counts, L2 on every kernel."""

import math

import keras
import numpy as np
import pytest

from pyimagesearch.nn.conv import AlexNet
from tests import channelsfirst


def convolution_parameters(kernel, inputs, filters):
    return kernel * kernel * inputs * filters + filters


def dense_parameters(inputs, units):
    return inputs * units + units


def final_feature_size(size):
    size = math.ceil(size / 4)  # CONV 11x11, stride 4, "same"
    for _ in range(3):
        size = (size - 3) // 2 + 1  # POOL 3x3/2, "valid"
    return size


def expected_parameter_count(width, height, depth, classes):
    convolutions = (
        convolution_parameters(11, depth, 96)
        + convolution_parameters(5, 96, 256)
        + convolution_parameters(3, 256, 384)
        + convolution_parameters(3, 384, 384)
        + convolution_parameters(3, 384, 256)
    )
    flattened = final_feature_size(height) * final_feature_size(width) * 256
    dense = dense_parameters(flattened, 4096) + dense_parameters(4096, 4096) + dense_parameters(4096, classes)
    # BatchNormalization: gamma, beta, moving mean and moving variance per channel.
    normalization = 4 * (96 + 256 + 384 + 384 + 256 + 4096 + 4096)
    return convolutions + dense + normalization


def test_course_size_parameter_count_and_forward_pass():
    model = AlexNet.build(227, 227, 3, 1000)

    assert model.name == "alexnet"
    assert model.input_shape == (None, 227, 227, 3)
    assert model.output_shape == (None, 1000)
    # 227 -> 57 -> 28 -> 13 -> 6: a 6x6x256 volume feeds the first FC layer.
    assert model.get_layer("flatten").output.shape[-1] == 6 * 6 * 256
    assert model.count_params() == expected_parameter_count(227, 227, 3, 1000) == 62_416_616
    probabilities = model(np.zeros((1, 227, 227, 3), dtype="float32"), training=False)
    assert tuple(probabilities.shape) == (1, 1000)
    np.testing.assert_allclose(float(np.sum(probabilities)), 1.0, rtol=1e-5)


@pytest.mark.parametrize("width, height, depth, classes", [(64, 64, 3, 17), (96, 80, 1, 2)])
def test_parameter_count_at_other_sizes(width, height, depth, classes):
    model = AlexNet.build(width, height, depth, classes)

    assert model.input_shape == (None, height, width, depth)
    assert model.output_shape == (None, classes)
    assert model.count_params() == expected_parameter_count(width, height, depth, classes)


def test_layer_structure():
    model = AlexNet.build(64, 64, 3, 10)

    convolution = ["Conv2D", "Activation", "BatchNormalization"]
    pooling = ["MaxPooling2D", "Dropout"]
    fully_connected = ["Dense", "Activation", "BatchNormalization", "Dropout"]
    expected = (
        convolution + pooling
        + convolution + pooling
        + convolution * 3 + pooling
        + ["Flatten"] + fully_connected * 2
        + ["Dense", "Activation"]
    )  # fmt: skip
    assert [type(layer).__name__ for layer in model.layers] == expected
    convolutions = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [(layer.filters, layer.kernel_size, layer.strides) for layer in convolutions] == [
        (96, (11, 11), (4, 4)),
        (256, (5, 5), (1, 1)),
        (384, (3, 3), (1, 1)),
        (384, (3, 3), (1, 1)),
        (256, (3, 3), (1, 1)),
    ]
    assert all(layer.padding == "same" for layer in convolutions)
    pools = [layer for layer in model.layers if isinstance(layer, keras.layers.MaxPooling2D)]
    assert all(layer.pool_size == (3, 3) and layer.strides == (2, 2) for layer in pools)
    rates = [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert rates == [0.25, 0.25, 0.25, 0.5, 0.5]


@pytest.mark.parametrize("reg", [0.0002, 0.001])
def test_l2_on_every_kernel(reg):
    model = AlexNet.build(64, 64, 3, 10, reg=reg)

    kernel_types = (keras.layers.Conv2D, keras.layers.Dense)
    kernels = [layer for layer in model.layers if isinstance(layer, kernel_types)]
    assert len(kernels) == 8
    for layer in kernels:
        assert isinstance(layer.kernel_regularizer, keras.regularizers.L2), layer.name
        assert layer.kernel_regularizer.get_config()["l2"] == pytest.approx(reg)
    assert len(model.losses) == 8


def test_default_reg_is_the_course_value():
    model = AlexNet.build(64, 64, 3, 10)
    assert model.get_layer("conv1").kernel_regularizer.get_config()["l2"] == pytest.approx(0.0002)


def test_channels_first(channels_first):
    model = AlexNet.build(64, 64, 3, 10)

    assert model.input_shape == (None, 3, 64, 64)
    assert model.count_params() == expected_parameter_count(64, 64, 3, 10)
    for name in ("conv1_bn", "conv2_bn", "conv3_bn", "conv4_bn", "conv5_bn"):
        assert model.get_layer(name).axis == 1
    output = channelsfirst.call(model, np.zeros((1, 3, 64, 64), dtype="float32"), training=False)
    assert tuple(output.shape) == (1, 10)


def test_minimum_size():
    minimum = AlexNet.MINIMUM_SIZE
    assert final_feature_size(minimum) == 1 and final_feature_size(minimum - 1) == 0
    assert AlexNet.build(minimum, minimum, 3, 2).output_shape == (None, 2)
    with pytest.raises(ValueError, match=r"at least 57x57 .* Received: width=56, height=227$"):
        AlexNet.build(56, 227, 3, 10)


@pytest.mark.parametrize(
    "reg, message",
    [(-0.1, r"Received: reg=-0.1$"), (float("nan"), r"Received: reg=nan$"), ("0.0002", r"Received: reg='0.0002'$")],
)
def test_rejects_a_bad_reg(reg, message):
    # The size arguments are checked for every network in test_conv_contracts.py.
    with pytest.raises(ValueError, match=message):
        AlexNet.build(227, 227, 3, 10, reg=reg)
