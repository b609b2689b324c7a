"""BoxRegressor: the tutorial's head on either backbone, frozen or trained, saved and loaded safely."""

import numpy as np
import pytest

from pyimagesearch.nn.conv.boxregressor import BoxRegressor
from pyimagesearch.training import runs
from pyimagesearch.utils import atomic


def test_minivggnet_regressor_outputs_four_corners_in_the_unit_interval():
    model = BoxRegressor.build(BoxRegressor.backbone("minivggnet", image_size=16))
    assert [layer.name for layer in model.layers[-5:]] == [
        "box_flatten", "box_dense1", "box_dense2", "box_dense3", "box_corners"
    ]
    assert [model.get_layer(f"box_dense{index}").units for index in (1, 2, 3)] == [128, 64, 32]
    assert "fc1" not in [layer.name for layer in model.layers]  # MiniVGGNet's classifier is cut off
    corners = model.predict(np.random.default_rng(0).random((3, 16, 16, 3), dtype=np.float32), verbose=0)
    assert corners.shape == (3, 4) and corners.dtype == np.float32
    assert np.all((corners > 0) & (corners < 1))


def test_vgg16_backbone_is_frozen_unless_asked():
    frozen = BoxRegressor.build(BoxRegressor.backbone("vgg16", image_size=32, weights="none"))
    trainable_names = {weight.path.split("/")[0] for weight in frozen.trainable_weights}
    assert trainable_names == {"box_dense1", "box_dense2", "box_dense3", "box_corners"}
    trained = BoxRegressor.build(BoxRegressor.backbone("vgg16", image_size=32, weights=None, trainable=True))
    assert len(trained.trainable_weights) == len(frozen.trainable_weights) + 26  # 13 conv layers


def test_the_model_saves_and_loads_in_safe_mode(tmp_path):
    model = BoxRegressor.build(BoxRegressor.backbone("minivggnet", image_size=8))
    atomic.save_model(model, tmp_path / "model.keras")
    loaded = runs.load_model(tmp_path / "model.keras", compile=False)
    inputs = np.full((2, 8, 8, 3), 0.5, np.float32)
    np.testing.assert_allclose(loaded.predict(inputs, verbose=0), model.predict(inputs, verbose=0), rtol=1e-6)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"name": "resnet", "image_size": 32}, "backbone"),
        ({"name": "vgg16", "image_size": 16}, "image_size"),
        ({"name": "minivggnet", "image_size": 16, "weights": "imagenet"}, "no pre-trained weights"),
        ({"name": "minivggnet", "image_size": 16, "trainable": False}, "must be trained"),
    ],
)
def test_bad_backbones_are_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        BoxRegressor.backbone(**arguments)


def test_input_scaling_matches_the_backbone():
    assert BoxRegressor.input_scaling("minivggnet") == {"scale": 1.0 / 255.0, "preprocessors": None}
    vgg = BoxRegressor.input_scaling("vgg16")
    # VGG16's own preprocessing: BGR pixels minus the ImageNet mean (after the RGB round trip).
    blue_pixel = np.zeros((1, 1, 1, 3), np.float32)
    blue_pixel[..., 0] = 255
    processed = np.asarray(vgg["preprocessors"][0](blue_pixel))
    np.testing.assert_allclose(processed[0, 0, 0], [255 - 103.939, -116.779, -123.68], rtol=1e-5)
