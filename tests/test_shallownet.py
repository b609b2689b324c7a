"""Tests for ShallowNet: shapes, exact parameter counts, a training step, channels_first."""

import keras
import numpy as np
import pytest

from pyimagesearch.nn.conv import ShallowNet


def expected_parameter_count(width, height, depth, classes):
    # CONV(32, 3x3, same) keeps the size; the dense layer sees every pixel's 32 filters.
    convolution = 3 * 3 * depth * 32 + 32
    dense = height * width * 32 * classes + classes
    return convolution + dense


@pytest.fixture
def channels_first():
    previous = keras.backend.image_data_format()
    keras.backend.set_image_data_format("channels_first")
    yield
    keras.backend.set_image_data_format(previous)


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


def test_is_uncompiled_and_trains_one_step():
    model = ShallowNet.build(16, 16, 3, 4)
    assert not model.compiled
    random_generator = np.random.default_rng(0)
    images = random_generator.random((8, 16, 16, 3), dtype=np.float32)
    labels = keras.utils.to_categorical(random_generator.integers(0, 4, 8), 4)
    before = [weights.copy() for weights in model.get_weights()]

    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="categorical_crossentropy")
    history = model.fit(images, labels, batch_size=8, epochs=1, verbose=0)

    assert np.isfinite(history.history["loss"][0])
    assert any(not np.array_equal(old, new) for old, new in zip(before, model.get_weights()))
    probabilities = model.predict(images, verbose=0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_channels_first(channels_first):
    model = ShallowNet.build(32, 24, 3, 10)

    assert model.input_shape == (None, 3, 24, 32)
    assert model.count_params() == expected_parameter_count(32, 24, 3, 10)
    output = model(np.zeros((2, 3, 24, 32), dtype="float32"))
    assert tuple(output.shape) == (2, 10)


@pytest.mark.parametrize(
    "arguments, message",
    [
        ((0, 32, 3, 10), r"Received: width=0$"),
        ((32, -1, 3, 10), r"Received: height=-1$"),
        ((32, 32, 3.0, 10), r"Received: depth=3.0$"),
        ((32, 32, 3, 0), r"Received: classes=0$"),
        ((32, 32, 3, True), r"Received: classes=True$"),
    ],
)
def test_rejects_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        ShallowNet.build(*arguments)


def test_accepts_numpy_integers():
    model = ShallowNet.build(np.int64(8), np.int32(8), np.int64(1), np.int64(3))
    assert model.output_shape == (None, 3)
