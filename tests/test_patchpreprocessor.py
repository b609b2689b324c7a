import numpy as np
import pytest
import tensorflow as tf

from pyimagesearch.preprocessing import PatchPreprocessor


def _position_image(height, width):
    """Float32 image whose channel 0 holds row * width + column and channel 1 its negative."""
    position = np.arange(height * width, dtype=np.float32).reshape(height, width)
    return np.stack([position, -position], axis=-1)


def _offset_of(patch, image_width):
    """(top, left) of a patch of a position image, checking that it is one contiguous crop."""
    top, left = divmod(int(patch[0, 0, 0]), image_width)
    height, width = patch.shape[:2]
    expected = _position_image(top + height, image_width)[top:, left : left + width]
    np.testing.assert_array_equal(patch, expected)
    return top, left


def test_patch_is_a_crop_of_the_requested_size():
    patch = PatchPreprocessor(width=4, height=3, seed=0).preprocess(_position_image(8, 10))
    assert patch.shape == (3, 4, 2)
    assert patch.dtype == np.float32
    _offset_of(patch, image_width=10)


def test_offsets_cover_every_position_including_the_last():
    preprocessor = PatchPreprocessor(width=4, height=4, seed=1)
    image = _position_image(6, 7)
    offsets = {_offset_of(preprocessor.preprocess(image), 7) for _ in range(300)}
    assert offsets == {(top, left) for top in range(3) for left in range(4)}


def test_patch_of_the_full_size_is_the_image():
    image = _position_image(5, 6)
    np.testing.assert_array_equal(PatchPreprocessor(6, 5).preprocess(image), image)


def test_seeded_preprocessors_repeat_their_patches():
    image = _position_image(12, 12)
    first, second = PatchPreprocessor(4, 4, seed=7), PatchPreprocessor(4, 4, seed=7)
    for _ in range(5):
        np.testing.assert_array_equal(first.preprocess(image), second.preprocess(image))
    batch = tf.constant(np.stack([image] * 8))
    np.testing.assert_array_equal(first.preprocess_batch(batch), second.preprocess_batch(batch))


def test_batch_draws_one_offset_per_image_over_the_full_range():
    images = tf.constant(np.stack([_position_image(6, 6)] * 200))
    patches = PatchPreprocessor(width=4, height=4, seed=2).preprocess_batch(images)
    assert patches.shape == (200, 4, 4, 2)
    assert patches.dtype == tf.float32
    offsets = [_offset_of(patch, image_width=6) for patch in patches.numpy()]
    assert set(offsets) == {(top, left) for top in range(3) for left in range(3)}


def test_batch_form_runs_inside_tf_data_map():
    preprocessor = PatchPreprocessor(width=3, height=2, seed=3)
    images = np.stack([_position_image(5, 8)] * 6)
    dataset = tf.data.Dataset.from_tensor_slices(images).batch(3).map(preprocessor.preprocess_batch)
    batches = [batch.numpy() for batch in dataset]
    assert [batch.shape for batch in batches] == [(3, 2, 3, 2), (3, 2, 3, 2)]
    offsets = [_offset_of(patch, image_width=8) for patch in np.concatenate(batches)]
    assert len(set(offsets)) > 1


def test_patch_larger_than_image_raises_value_error():
    preprocessor = PatchPreprocessor(width=8, height=4)
    with pytest.raises(ValueError, match="Received: image.shape"):
        preprocessor.preprocess(np.zeros((6, 7, 3), dtype=np.uint8))
    with pytest.raises(ValueError, match="Received: images.shape"):
        preprocessor.preprocess_batch(tf.zeros((2, 6, 7, 3)))


@pytest.mark.parametrize(
    "arguments",
    [{"width": 0, "height": 2}, {"width": 2, "height": "2"}, {"width": 2, "height": 2, "seed": -1},
     {"width": 2, "height": 2, "seed": 1.5}],
)
def test_invalid_arguments_raise_value_error(arguments):
    with pytest.raises(ValueError, match="Received: "):
        PatchPreprocessor(**arguments)


def test_keyed_patches_are_a_function_of_seed_and_key_alone():
    images = tf.constant(np.stack([_position_image(8, 10)] * 3))
    keys = tf.constant([[0, 5], [0, 6], [1, 5]], dtype=tf.int64)
    first = PatchPreprocessor(width=4, height=3, seed=11).preprocess_batch(images, keys=keys).numpy()
    # Another instance, after other draws, and the same keys in another order.
    second = PatchPreprocessor(width=4, height=3, seed=11)
    second.preprocess_batch(images)
    reordered = second.preprocess_batch(tf.gather(images, [2, 0, 1]), keys=tf.gather(keys, [2, 0, 1])).numpy()
    np.testing.assert_array_equal(first, reordered[[1, 2, 0]])
    assert first.shape == (3, 3, 4, 2)
    offsets = [_offset_of(patch, 10) for patch in first]  # each is a real window of the image
    other_seed = PatchPreprocessor(width=4, height=3, seed=12).preprocess_batch(images, keys=keys).numpy()
    assert offsets != [_offset_of(patch, 10) for patch in other_seed]
