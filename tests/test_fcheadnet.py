"""Tests for FCHeadNet, the new head for network surgery, and `build_surgery_model`."""

import keras
import numpy as np
import pytest

from pyimagesearch.nn.conv import FCHeadNet
from pyimagesearch.nn.conv import build_surgery_model
from tests import channelsfirst


def small_base(input_shape=(16, 16, 3)):
    """A tiny convolutional "backbone" standing in for VGG16 with include_top=False."""
    inputs = keras.Input(shape=input_shape)
    x = keras.layers.Conv2D(4, (3, 3), padding="same", activation="relu", name="base_conv")(inputs)
    x = keras.layers.MaxPooling2D((2, 2), name="base_pool")(x)
    return keras.Model(inputs, x, name="smallbase")


def head_parameters(flattened, dense, classes):
    return flattened * dense + dense + dense * classes + classes


def test_build_returns_the_head_tensor_like_the_course():
    base = small_base()

    head = FCHeadNet.build(base, 5, 32)

    assert not isinstance(head, keras.Model)
    assert tuple(head.shape) == (None, 5)
    model = keras.Model(inputs=base.input, outputs=head)
    assert model.count_params() == base.count_params() + head_parameters(8 * 8 * 4, 32, 5)
    assert [type(layer).__name__ for layer in model.layers[-4:]] == ["Flatten", "Dense", "Dropout", "Dense"]
    assert model.get_layer("head_dense").units == 32
    assert model.get_layer("head_dense").activation is keras.activations.relu
    assert model.get_layer("head_dropout").rate == 0.5
    assert model.get_layer("head_predictions").activation is keras.activations.softmax
    assert model.get_layer("head_predictions").dtype_policy.compute_dtype == "float32"


def test_surgery_on_vgg16():
    base = keras.applications.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))

    model = build_surgery_model(base, 17)

    assert model.name == "vgg16_fchead"
    assert model.output_shape == (None, 17)
    # VGG16's last pooling leaves 1x1x512 at 32x32; the course's head has 256 units.
    assert model.count_params() == base.count_params() + head_parameters(512, 256, 17)
    assert not model.compiled


def test_surgery_model_shares_the_base_layers_so_freezing_works():
    base = small_base()
    model = build_surgery_model(base, 3, dense=8)
    for layer in base.layers:
        layer.trainable = False
    frozen_kernel = base.get_layer("base_conv").get_weights()[0].copy()
    head_kernel = model.get_layer("head_dense").get_weights()[0].copy()

    assert model.get_layer("base_conv") is base.get_layer("base_conv")
    assert len(model.trainable_weights) == 4  # two head kernels and two head biases
    random_generator = np.random.default_rng(0)
    images = random_generator.random((4, 16, 16, 3), dtype=np.float32)
    labels = keras.utils.to_categorical([0, 1, 2, 0], 3)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="categorical_crossentropy")
    model.fit(images, labels, batch_size=4, epochs=1, verbose=0)

    np.testing.assert_array_equal(base.get_layer("base_conv").get_weights()[0], frozen_kernel)
    assert not np.array_equal(model.get_layer("head_dense").get_weights()[0], head_kernel)


def test_channels_first(channels_first):
    base = small_base(input_shape=(3, 16, 16))

    model = build_surgery_model(base, 4, dense=16)

    assert model.input_shape == (None, 3, 16, 16)
    assert model.count_params() == base.count_params() + head_parameters(4 * 8 * 8, 16, 4)
    assert tuple(channelsfirst.call(model, np.zeros((2, 3, 16, 16), dtype="float32")).shape) == (2, 4)


def test_rejects_a_model_with_several_outputs():
    inputs = keras.Input(shape=(8,))
    base = keras.Model(inputs, [keras.layers.Dense(2)(inputs), keras.layers.Dense(3)(inputs)])
    with pytest.raises(ValueError, match=r"Received: a model with 2 outputs$"):
        FCHeadNet.build(base, 2, 8)


@pytest.mark.parametrize(
    "classes, dense, message",
    [(0, 256, r"Received: classes=0$"), (10, 0, r"Received: dense=0$"), (10, 2.5, r"Received: dense=2.5$")],
)
def test_rejects_bad_sizes(classes, dense, message):
    with pytest.raises(ValueError, match=message):
        FCHeadNet.build(small_base(), classes, dense)


def test_rejects_something_that_is_not_a_model():
    with pytest.raises(ValueError, match=r"Received: base_model of type KerasTensor$"):
        FCHeadNet.build(keras.Input(shape=(4, 4, 3)), 2, 8)
