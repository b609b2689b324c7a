import numpy as np
import pytest
import tensorflow as tf

from pyimagesearch.preprocessing import build_augmentation
from pyimagesearch.preprocessing.augmentation import RandomAffineAugmentation

OFF = dict(rotation=0, width_shift=0, height_shift=0, shear=0, zoom=0, horizontal_flip=False)


def gradient_batch(count=4, height=20, width=30, channels=3, dtype=np.uint8):
    """Images whose pixel value rises left to right, so flips and shifts are visible."""
    row = np.linspace(0, 250, width)
    image = np.broadcast_to(row[None, :, None], (height, width, channels))
    return np.repeat(image[None], count, axis=0).astype(dtype)


def dot_batch(count=8, size=41):
    """A single bright pixel in the exact centre of each image."""
    images = np.zeros((count, size, size, 1), dtype=np.float32)
    images[:, size // 2, size // 2, 0] = 1.0
    return images


def test_defaults_are_the_course_settings():
    augmentation = build_augmentation()
    assert augmentation.get_config() == {
        "rotation": 30.0, "width_shift": 0.1, "height_shift": 0.1, "shear": 0.2, "zoom": 0.2,
        "horizontal_flip": True, "fill_mode": "nearest", "seed": None,
    }


def test_everything_off_is_the_identity():
    images = gradient_batch()
    np.testing.assert_array_equal(build_augmentation(**OFF)(images), images)


def test_training_false_returns_the_batch_untouched():
    images = gradient_batch()
    assert build_augmentation()(images, training=False) is images


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_shape_and_dtype_are_kept_and_images_change(dtype):
    images = gradient_batch(dtype=dtype)
    augmented = build_augmentation(seed=0)(images)
    assert augmented.shape == images.shape and augmented.dtype == images.dtype
    assert not np.array_equal(augmented, images)


def test_each_image_gets_its_own_transform():
    augmented = build_augmentation(seed=0)(gradient_batch(count=6))
    assert len({image.tobytes() for image in augmented}) == 6


def test_flip_only_mirrors_about_half_of_the_images():
    images = gradient_batch(count=200)
    augmented = build_augmentation(**dict(OFF, horizontal_flip=True), seed=1)(images)
    mirrored = [np.array_equal(image, images[0][:, ::-1]) for image in augmented]
    unchanged = [np.array_equal(image, images[0]) for image in augmented]
    assert all(left or right for left, right in zip(mirrored, unchanged))
    assert 70 < sum(mirrored) < 130


def test_rotation_shear_and_zoom_keep_the_centre_in_place():
    images = dot_batch()
    for settings in (dict(rotation=30), dict(shear=0.2), dict(zoom=0.2)):
        augmented = build_augmentation(**dict(OFF, **settings), seed=2)(images)
        centre = images.shape[1] // 2
        assert np.all(augmented[:, centre, centre, 0] > 0.5), settings


def test_shifts_stay_within_the_range():
    images = dot_batch(count=50)
    augmented = build_augmentation(**dict(OFF, width_shift=0.1, height_shift=0.2), seed=3)(images)
    centre, size = images.shape[1] // 2, images.shape[1]
    offsets = []
    for image in augmented:
        row, column = np.unravel_index(np.argmax(image[..., 0]), image.shape[:2])
        offsets.append((column - centre, row - centre))
    offsets = np.abs(np.array(offsets))
    assert offsets[:, 0].max() <= 0.1 * size + 1 and offsets[:, 1].max() <= 0.2 * size + 1
    assert offsets[:, 1].max() > 0.1 * size  # the vertical range is really used


def test_rotation_range_is_in_degrees():
    augmentation = build_augmentation(**dict(OFF, rotation=30), seed=4)
    matrices = augmentation.sample_matrices(500, 10, 10)
    angles = np.degrees(np.arctan2(matrices[:, 1, 0], matrices[:, 0, 0]))
    assert np.abs(angles).max() <= 30.0 + 1e-9 and np.abs(angles).max() > 25


def test_the_same_seed_repeats_the_same_transforms():
    images = gradient_batch()
    first = build_augmentation(seed=5)(images)
    again = build_augmentation(seed=5)(images)
    other = build_augmentation(seed=6)(images)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_it_runs_inside_tf_data_map_and_keeps_the_static_shape():
    augmentation = build_augmentation(seed=7)
    dataset = tf.data.Dataset.from_tensor_slices(gradient_batch(count=8)).batch(4)
    dataset = dataset.map(lambda images: augmentation(images, training=True), num_parallel_calls=2)
    assert dataset.element_spec.shape.as_list() == [None, 20, 30, 3]
    batches = list(dataset)
    assert [batch.shape[0] for batch in batches] == [4, 4]
    assert batches[0].dtype == tf.uint8


def test_single_channel_images_are_supported():
    augmented = build_augmentation(seed=8)(gradient_batch(channels=1))
    assert augmented.shape == (4, 20, 30, 1)


@pytest.mark.parametrize("fill_mode", ["nearest", "reflect", "wrap", "constant"])
def test_every_fill_mode_works(fill_mode):
    augmented = build_augmentation(fill_mode=fill_mode, seed=9)(gradient_batch())
    assert augmented.shape == (4, 20, 30, 3)


def test_constant_fill_is_black_and_nearest_fill_is_not():
    images = np.full((20, 16, 16, 3), 200, dtype=np.uint8)
    settings = dict(OFF, width_shift=0.4)
    constant = build_augmentation(**settings, fill_mode="constant", seed=10)(images)
    nearest = build_augmentation(**settings, fill_mode="nearest", seed=10)(images)
    assert constant.min() == 0 and nearest.min() == 200


@pytest.mark.parametrize(
    "keywords",
    [
        dict(rotation=-1), dict(rotation=181), dict(width_shift=1.5), dict(height_shift=-0.1),
        dict(shear=1.0), dict(zoom=1.0), dict(zoom=float("nan")), dict(horizontal_flip="yes"),
        dict(fill_mode="mirror"), dict(seed=-1), dict(rotation=True),
    ],
)
def test_invalid_arguments_are_refused(keywords):
    with pytest.raises(ValueError, match="Received"):
        build_augmentation(**keywords)


def test_a_batch_of_the_wrong_rank_is_refused():
    with pytest.raises(ValueError, match="Received: shape"):
        RandomAffineAugmentation().augment_batch(np.zeros((4, 4, 3), dtype=np.uint8))


def _keys(rows, epoch=0):
    rows = np.asarray(rows)
    return np.stack([np.full_like(rows, epoch), rows], axis=1)


def test_a_keyed_transform_is_a_function_of_the_seed_and_the_key_alone():
    images = gradient_batch(count=6)
    augmentation = build_augmentation(seed=5)
    batch = augmentation(images, keys=_keys(range(6)))
    # Image by image, in reverse order, after other draws: the same transforms.
    build_augmentation(seed=5)(images)
    for row in reversed(range(6)):
        alone = augmentation(images[row : row + 1], keys=_keys([row]))
        np.testing.assert_array_equal(alone[0], batch[row])
    np.testing.assert_array_equal(build_augmentation(seed=5)(images, keys=_keys(range(6))), batch)
    assert not np.array_equal(augmentation(images, keys=_keys(range(6), epoch=1)), batch)  # another epoch
    assert not np.array_equal(build_augmentation(seed=6)(images, keys=_keys(range(6))), batch)


def test_keyed_batches_do_not_depend_on_the_thread_order_of_a_parallel_map():
    images = np.random.default_rng(0).integers(0, 255, (64, 16, 16, 3), dtype=np.uint8)

    def run(parallel_calls):
        augmentation = build_augmentation(seed=7)
        dataset = tf.data.Dataset.from_tensor_slices((images, _keys(range(64)))).batch(4)
        dataset = dataset.map(
            lambda batch, keys: augmentation(batch, training=True, keys=keys),
            num_parallel_calls=parallel_calls, deterministic=False,
        )
        # Completion order may differ; the keys say which image each output is.
        return np.concatenate([batch.numpy() for batch in dataset])

    serial = run(1)
    for parallel in (run(4), run(8)):
        assert sorted(map(bytes, parallel)) == sorted(map(bytes, serial))


@pytest.mark.parametrize("keys", [np.zeros((3, 2), int), np.full((4, 2), -1), np.zeros((4, 2)), np.zeros(4, int)])
def test_keys_that_do_not_fit_the_batch_are_refused(keys):
    with pytest.raises(ValueError, match="Received: keys"):
        build_augmentation(seed=0)(gradient_batch(count=4), keys=keys)
