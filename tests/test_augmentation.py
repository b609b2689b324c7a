import math

import numpy as np
import pytest
import tensorflow as tf

from pyimagesearch.preprocessing import build_augmentation

ALL_OFF = {"rotation": 0, "width_shift": 0, "height_shift": 0, "shear": 0, "zoom": 0, "horizontal_flip": False}


def _batch(count=4, size=16):
    return np.random.default_rng(0).uniform(0, 255, (count, size, size, 3)).astype(np.float32)


def _layer_names(augmentation):
    return [type(layer).__name__ for layer in augmentation.layers]


def test_defaults_build_the_course_layers_with_the_documented_mapping():
    augmentation = build_augmentation()
    assert _layer_names(augmentation) == [
        "RandomRotation", "RandomTranslation", "RandomShear", "RandomZoom", "RandomFlip",
    ]
    rotation, translation, shear, zoom, flip = (layer.get_config() for layer in augmentation.layers)
    np.testing.assert_allclose(rotation["factor"], (-30 / 360, 30 / 360))
    assert (translation["height_factor"], translation["width_factor"]) == (0.1, 0.1)
    np.testing.assert_allclose(shear["x_factor"], (-math.tan(0.2), math.tan(0.2)))
    np.testing.assert_allclose(shear["y_factor"], (0.0, 0.0))
    assert (zoom["height_factor"], zoom["width_factor"]) == (0.2, 0.2)
    assert flip["mode"] == "horizontal"
    assert {config["fill_mode"] for config in (rotation, translation, shear, zoom)} == {"nearest"}


@pytest.mark.parametrize(
    ("disabled", "missing"),
    [
        ({"rotation": 0}, "RandomRotation"),
        ({"width_shift": 0, "height_shift": 0}, "RandomTranslation"),
        ({"shear": 0}, "RandomShear"),
        ({"zoom": 0}, "RandomZoom"),
        ({"horizontal_flip": False}, "RandomFlip"),
    ],
)
def test_disabled_parameters_produce_no_layer(disabled, missing):
    names = _layer_names(build_augmentation(**disabled))
    assert missing not in names
    assert len(names) == 4


def test_one_shift_alone_keeps_the_translation_layer():
    (translation,) = build_augmentation(**{**ALL_OFF, "width_shift": 0.2}).layers
    assert (translation.get_config()["height_factor"], translation.get_config()["width_factor"]) == (0, 0.2)


def test_everything_disabled_passes_images_through():
    augmentation = build_augmentation(**ALL_OFF)
    assert _layer_names(augmentation) == ["Identity"]
    np.testing.assert_array_equal(augmentation(_batch(), training=True), _batch())


def test_preserves_shape_and_dtype_and_changes_the_images():
    images = _batch()
    augmented = build_augmentation(seed=1)(images, training=True)
    assert augmented.shape == images.shape
    assert augmented.dtype == tf.float32
    assert not np.allclose(augmented, images)


def test_horizontal_flip_mirrors_left_to_right_only():
    images = np.stack([_batch(1)[0]] * 32)
    flipped = build_augmentation(**{**ALL_OFF, "horizontal_flip": True}, seed=3)(images, training=True)
    mirrored = [np.array_equal(output, images[0, :, ::-1]) for output in flipped.numpy()]
    unchanged = [np.array_equal(output, images[0]) for output in flipped.numpy()]
    assert all(a or b for a, b in zip(mirrored, unchanged))
    assert any(mirrored) and any(unchanged)


def test_inference_mode_leaves_images_unchanged():
    np.testing.assert_array_equal(build_augmentation(seed=1)(_batch(), training=False), _batch())


def test_seeded_builds_are_reproducible_and_seeds_differ():
    images = _batch()
    first = build_augmentation(seed=5)(images, training=True)
    second = build_augmentation(seed=5)(images, training=True)
    other = build_augmentation(seed=6)(images, training=True)
    np.testing.assert_array_equal(first, second)
    assert not np.allclose(first, other)


def _augment_dataset(seed):
    augmentation = build_augmentation(seed=seed)
    dataset = tf.data.Dataset.from_tensor_slices((_batch(6), np.arange(6))).batch(3)
    dataset = dataset.map(lambda x, y: (augmentation(x, training=True), y))
    images, labels = zip(*[(x.numpy(), y.numpy()) for x, y in dataset])
    return np.concatenate(images), np.concatenate(labels)


def test_runs_inside_tf_data_map_reproducibly():
    images, labels = _augment_dataset(seed=9)
    assert images.shape == (6, 16, 16, 3)
    assert images.dtype == np.float32
    np.testing.assert_array_equal(labels, np.arange(6))
    assert not np.allclose(images, _batch(6))
    np.testing.assert_array_equal(images, _augment_dataset(seed=9)[0])


@pytest.mark.parametrize(
    "arguments",
    [
        {"rotation": -1},
        {"rotation": 181},
        {"rotation": "30"},
        {"width_shift": 1.5},
        {"height_shift": -0.1},
        {"shear": 1.0},
        {"shear": float("nan")},
        {"zoom": 1.0},
        {"zoom": -0.2},
        {"horizontal_flip": "yes"},
        {"fill_mode": "mirror"},
        {"seed": -1},
        {"seed": 1.5},
    ],
)
def test_invalid_arguments_raise_value_error(arguments):
    with pytest.raises(ValueError, match="Received: "):
        build_augmentation(**arguments)
