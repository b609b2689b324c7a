"""Tests for ShallowNet: shapes, exact parameter counts, layer structure, channels_first.

The contracts every network keeps (bad sizes, probabilities, a training step) are checked in
test_conv_contracts.py.
"""

import numpy as np
import pytest

from pyimagesearch.nn.conv import ShallowNet
from tests import channelsfirst


def expected_parameter_count(width, height, depth, classes):
    # CONV(32, 3x3, same) keeps the size; the dense layer sees every pixel's 32 filters.
    convolution = 3 * 3 * depth * 32 + 32
    dense = height * width * 32 * classes + classes
    return convolution + dense


@pytest.mark.parametrize("width, height, depth, classes", [(32, 32, 3, 10), (64, 64, 3, 17), (40, 24, 1, 2)])
def test_shapes_and_parameter_count(width, height, depth, classes):
    model = ShallowNet.build(width, height, depth, classes)

    assert model.name == "shallownet"
    assert model.input_shape == (None, height, width, depth)
    assert model.output_shape == (None, classes)
    assert model.count_params() == expected_parameter_count(width, height, depth, classes)


def test_course_summary_parameter_count():
    # The course's ShallowNet on CIFAR-10 (32x32x3, 10 classes) has 328,586 parameters.
    assert ShallowNet.build(32, 32, 3, 10).count_params() == 328_586


def test_layer_structure():
    model = ShallowNet.build(32, 32, 3, 10)

    assert [type(layer).__name__ for layer in model.layers] == [
        "Conv2D",
        "Activation",
        "Flatten",
        "Dense",
        "Activation",
    ]
    convolution = model.get_layer("conv1")
    assert (convolution.filters, convolution.kernel_size, convolution.padding) == (32, (3, 3), "same")
    assert model.get_layer("softmax").dtype_policy.compute_dtype == "float32"


def test_channels_first(channels_first):
    model = ShallowNet.build(32, 24, 3, 10)

    assert model.input_shape == (None, 3, 24, 32)
    assert model.count_params() == expected_parameter_count(32, 24, 3, 10)
    output = channelsfirst.call(model, np.zeros((2, 3, 24, 32), dtype="float32"))
    assert tuple(output.shape) == (2, 10)
