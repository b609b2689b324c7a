"""Contracts every convolutional network of pyimagesearch.nn.conv keeps, checked for each.

Every network is built by `build(width, height, depth, classes)` and returns an uncompiled
`keras.Model` whose input follows `keras.backend.image_data_format()` and whose output is a
float32 softmax over the classes. The per-network files (tests/test_<network>.py) check what
only that network has: exact parameter counts, layer structure, volume sizes, extra arguments.

ResNet's `stages` and `filters` are fixed here to three one-module stages. FCHeadNet builds a
head on a base model rather than a whole network, so it takes part only in the contracts on the
output (probabilities, float32 under mixed precision, one training step), on a tiny base.
"""

import re
import typing

import keras
import numpy as np
import pytest

from pyimagesearch.nn.conv import AlexNet
from pyimagesearch.nn.conv import DeeperGoogLeNet
from pyimagesearch.nn.conv import LeNet
from pyimagesearch.nn.conv import MiniGoogLeNet
from pyimagesearch.nn.conv import MiniVGGNet
from pyimagesearch.nn.conv import ResNet
from pyimagesearch.nn.conv import ShallowNet
from pyimagesearch.nn.conv import StrideNet
from pyimagesearch.nn.conv import stridenet
from pyimagesearch.nn.conv import build_surgery_model
from pyimagesearch.nn.conv import convutils
from tests import channelsfirst


class Network(typing.NamedTuple):
    name: str  # the name of the model it builds
    build: typing.Callable  # build(width, height, depth, classes) -> keras.Model
    size: tuple  # (width, height, depth, classes), small enough for a quick forward pass
    minimum_size: typing.Optional[int] = None  # the network's MINIMUM_SIZE, if it has one
    batch_norm: bool = False  # whether it has BatchNormalization layers


def small_resnet(width, height, depth, classes):
    return ResNet.build(width, height, depth, classes, stages=(1, 1, 1), filters=(8, 8, 16, 32))


def fcheadnet_on_a_small_base(width, height, depth, classes):
    """FCHeadNet's head on a one-convolution base (tests/test_fcheadnet.py also uses VGG16)."""
    input_shape, _ = convutils.input_shape_and_channel_axis(width, height, depth)
    inputs = keras.Input(shape=input_shape)
    features = keras.layers.Conv2D(4, (3, 3), padding="same", activation="relu", name="base_conv")(inputs)
    return build_surgery_model(keras.Model(inputs, features, name="smallbase"), classes, dense=16)


NETWORKS = [
    Network("shallownet", ShallowNet.build, (16, 16, 3, 4)),
    Network("lenet", LeNet.build, (28, 28, 1, 10), minimum_size=LeNet.MINIMUM_SIZE),
    Network("minivggnet", MiniVGGNet.build, (32, 32, 3, 10), MiniVGGNet.MINIMUM_SIZE, batch_norm=True),
    Network("alexnet", AlexNet.build, (64, 64, 3, 10), AlexNet.MINIMUM_SIZE, batch_norm=True),
    Network("minigooglenet", MiniGoogLeNet.build, (32, 32, 3, 10), MiniGoogLeNet.MINIMUM_SIZE, batch_norm=True),
    Network(
        "deepergooglenet", DeeperGoogLeNet.build, (64, 64, 3, 200), DeeperGoogLeNet.MINIMUM_SIZE, batch_norm=True
    ),
    Network("resnet", small_resnet, (32, 32, 3, 4), batch_norm=True),
    Network("stridenet", StrideNet.build, (11, 11, 1, 3), minimum_size=stridenet.MINIMUM_SIZE),
]
WITH_MINIMUM_SIZE = [network for network in NETWORKS if network.minimum_size is not None]
WITH_BATCH_NORM = [network for network in NETWORKS if network.batch_norm]
WITH_FCHEADNET = NETWORKS + [Network("smallbase_fchead", fcheadnet_on_a_small_base, (16, 16, 3, 3))]

# Every bad size argument that one of the per-network files checked, now checked for all.
BAD_SIZES = [
    ("width", 0),
    ("height", -1),
    ("height", "28"),
    ("depth", 0),
    ("depth", 3.0),
    ("classes", 0),
    ("classes", -2),
    ("classes", 2.5),
    ("classes", True),
    ("classes", None),
]


def over(networks):
    return pytest.mark.parametrize("network", networks, ids=[network.name for network in networks])


def channel_axes(model):
    """The axes that the BatchNormalization and Concatenate layers use on 4-D image tensors."""
    layer_types = (keras.layers.BatchNormalization, keras.layers.Concatenate)
    return {
        layer.axis
        for layer in model.layers
        if isinstance(layer, layer_types) and len(layer.output.shape) == 4
    }


@pytest.fixture
def mixed_bfloat16():
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    yield
    keras.mixed_precision.set_global_policy(previous)


@over(NETWORKS)
def test_builds_an_uncompiled_model_of_the_requested_size(network):
    # Not square, one channel and 7 classes, so that a swapped width and height would show.
    width, height, _, _ = network.size
    model = network.build(width + 8, height, 1, 7)

    assert isinstance(model, keras.Model)
    assert model.name == network.name
    assert not model.compiled
    assert model.input_shape == (None, height, width + 8, 1)
    assert model.output_shape == (None, 7)


@over(NETWORKS)
def test_accepts_numpy_integers(network):
    width, height, depth, classes = network.size
    model = network.build(np.int64(width), np.int32(height), np.int64(depth), np.int64(classes))

    assert model.input_shape == (None, height, width, depth)
    assert model.output_shape == (None, classes)


@over(NETWORKS)
@pytest.mark.parametrize("argument, value", BAD_SIZES)
def test_rejects_a_bad_size_and_names_it(network, argument, value):
    sizes = dict(zip(("width", "height", "depth", "classes"), network.size))
    sizes[argument] = value

    with pytest.raises(ValueError, match=rf"Received: {argument}={re.escape(repr(value))}$"):
        network.build(**sizes)


@over(WITH_MINIMUM_SIZE)
def test_minimum_size_is_the_smallest_that_builds(network):
    minimum = network.minimum_size
    width, height, _, _ = network.size

    for depth in (1, 3):
        assert network.build(minimum, minimum, depth, 2).output_shape == (None, 2)
    # Every side below the minimum is refused before any layer is built, with the reason.
    reason = rf"at least {minimum}x{minimum} .* Received:"
    for short in range(1, minimum):
        with pytest.raises(ValueError, match=rf"{reason} width={short}, height={height}$"):
            network.build(short, height, 3, 2)
        with pytest.raises(ValueError, match=rf"{reason} width={width}, height={short}$"):
            network.build(width, short, 3, 2)


@over(WITH_FCHEADNET)
def test_outputs_one_probability_row_per_image(network):
    width, height, depth, classes = network.size
    model = network.build(width, height, depth, classes)
    one_black_image = np.zeros((1, height, width, depth), dtype="float32")
    two_random_images = np.random.default_rng(0).random((2, height, width, depth), dtype=np.float32)

    for images in (one_black_image, two_random_images):
        probabilities = np.asarray(model(images, training=False))
        assert probabilities.shape == (len(images), classes)
        assert np.all(probabilities >= 0)
        np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


@over(WITH_FCHEADNET)
def test_softmax_stays_float32_under_mixed_precision(network, mixed_bfloat16):
    # DESIGN: bfloat16 runs much faster on this CPU, but the probabilities stay float32.
    width, height, depth, classes = network.size
    model = network.build(width, height, depth, classes)

    probabilities = model(np.zeros((2, height, width, depth), dtype="float32"), training=False)

    convolutions = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert convolutions and all(layer.compute_dtype == "bfloat16" for layer in convolutions)
    assert probabilities.dtype == "float32"
    np.testing.assert_allclose(np.asarray(probabilities).sum(axis=1), 1.0, rtol=1e-5)


@over(WITH_FCHEADNET)
def test_is_uncompiled_and_one_training_step_moves_every_weight(network):
    width, height, depth, classes = network.size
    model = network.build(width, height, depth, classes)
    assert not model.compiled
    random_generator = np.random.default_rng(0)
    images = random_generator.random((8, height, width, depth), dtype=np.float32)
    labels = keras.utils.to_categorical(random_generator.integers(0, classes, 8), classes)
    before = [weights.copy() for weights in model.get_weights()]

    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="categorical_crossentropy")
    history = model.fit(images, labels, batch_size=8, epochs=1, verbose=0)

    assert np.isfinite(history.history["loss"][0])
    # Kernels and biases move by SGD, BatchNormalization's moving statistics by the update.
    assert all(not np.array_equal(old, new) for old, new in zip(before, model.get_weights()))
    probabilities = model.predict(images, verbose=0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


@over(NETWORKS)
def test_channels_first_takes_channels_first_images(network, channels_first):
    width, height, depth, classes = network.size
    model = network.build(width + 8, height, depth, classes)

    assert model.input_shape == (None, depth, height, width + 8)
    output = channelsfirst.call(model, np.zeros((1, depth, height, width + 8), dtype="float32"), training=False)
    assert tuple(output.shape) == (1, classes)


@over(WITH_BATCH_NORM)
def test_channels_last_normalizes_and_concatenates_the_last_axis(network):
    axes = channel_axes(network.build(*network.size))

    assert axes and axes <= {-1, 3}


@over(WITH_BATCH_NORM)
def test_channels_first_normalizes_and_concatenates_axis_1(network, channels_first):
    assert channel_axes(network.build(*network.size)) == {1}
