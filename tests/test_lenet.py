"""Tests for LeNet: shapes, exact parameter counts, layer structure, channels_first.

The contracts every network keeps (bad sizes, minimum size, a training step) are checked in
test_conv_contracts.py.
"""

import numpy as np
import pytest

from pyimagesearch.nn.conv import LeNet
from tests import channelsfirst


def expected_parameter_count(width, height, depth, classes):
    # Two "same" 5x5 convolutions keep the size; two 2x2/2 poolings divide it by 4 (floor).
    convolution1 = 5 * 5 * depth * 20 + 20
    convolution2 = 5 * 5 * 20 * 50 + 50
    flattened = (height // 2 // 2) * (width // 2 // 2) * 50
    dense1 = flattened * 500 + 500
    dense2 = 500 * classes + classes
    return convolution1 + convolution2 + dense1 + dense2


@pytest.mark.parametrize(
    "width, height, depth, classes", [(32, 32, 3, 10), (64, 64, 3, 17), (28, 28, 1, 10), (30, 21, 1, 2)]
)
def test_shapes_and_parameter_count(width, height, depth, classes):
    model = LeNet.build(width, height, depth, classes)

    assert model.name == "lenet"
    assert model.input_shape == (None, height, width, depth)
    assert model.output_shape == (None, classes)
    assert model.count_params() == expected_parameter_count(width, height, depth, classes)


def test_course_mnist_parameter_count():
    # The course's LeNet on MNIST (28x28x1, 10 classes): 1,256,080 parameters.
    assert LeNet.build(28, 28, 1, 10).count_params() == 1_256_080


def test_layer_structure():
    model = LeNet.build(28, 28, 1, 10)

    assert [type(layer).__name__ for layer in model.layers] == [
        "Conv2D",
        "Activation",
        "MaxPooling2D",
        "Conv2D",
        "Activation",
        "MaxPooling2D",
        "Flatten",
        "Dense",
        "Activation",
        "Dense",
        "Activation",
    ]
    for name, filters in (("conv1", 20), ("conv2", 50)):
        layer = model.get_layer(name)
        assert (layer.filters, layer.kernel_size, layer.padding) == (filters, (5, 5), "same")
    for name in ("pool1", "pool2"):
        assert model.get_layer(name).pool_size == (2, 2)
        assert model.get_layer(name).strides == (2, 2)
    assert model.get_layer("fc1").units == 500
    assert model.get_layer("softmax").dtype_policy.compute_dtype == "float32"


def test_channels_first(channels_first):
    model = LeNet.build(32, 28, 1, 10)

    assert model.input_shape == (None, 1, 28, 32)
    assert model.count_params() == expected_parameter_count(32, 28, 1, 10)
    output = channelsfirst.call(model, np.zeros((2, 1, 28, 32), dtype="float32"))
    assert tuple(output.shape) == (2, 10)
