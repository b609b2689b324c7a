import numpy as np
import pytest
import tensorflow as tf

from pyimagesearch.preprocessing import CropPreprocessor

# A 7x9 image whose pixels encode their position, cut into 4-wide, 3-high crops.
IMAGE_HEIGHT, IMAGE_WIDTH, CROP_WIDTH, CROP_HEIGHT = 7, 9, 4, 3
# top-left, top-right, bottom-right, bottom-left, centre (the centre offset rounds down).
EXPECTED_OFFSETS = [(0, 0), (0, 5), (4, 5), (4, 0), (2, 2)]


def _position_image():
    rows, columns = np.mgrid[0:IMAGE_HEIGHT, 0:IMAGE_WIDTH]
    return np.stack([rows, columns, rows * 10 + columns], axis=-1).astype(np.int32)


def _expected_crops(image):
    crops = [image[top : top + CROP_HEIGHT, left : left + CROP_WIDTH] for top, left in EXPECTED_OFFSETS]
    return np.stack(crops + [crop[:, ::-1] for crop in crops])


def test_crops_are_the_four_corners_the_centre_and_their_mirrors():
    image = _position_image()
    crops = CropPreprocessor(CROP_WIDTH, CROP_HEIGHT).preprocess(image)
    assert crops.shape == (10, CROP_HEIGHT, CROP_WIDTH, 3)
    assert crops.dtype == image.dtype
    np.testing.assert_array_equal(crops, _expected_crops(image))


def test_without_flip_only_the_five_crops_are_returned():
    preprocessor = CropPreprocessor(CROP_WIDTH, CROP_HEIGHT, horizontal_flip=False)
    crops = preprocessor.preprocess(_position_image())
    assert preprocessor.crop_count == 5
    np.testing.assert_array_equal(crops, _expected_crops(_position_image())[:5])


def test_crops_of_the_full_size_are_the_image_and_its_mirror():
    image = _position_image()
    crops = CropPreprocessor(IMAGE_WIDTH, IMAGE_HEIGHT).preprocess(image)
    np.testing.assert_array_equal(crops[:5], np.stack([image] * 5))
    np.testing.assert_array_equal(crops[5:], np.stack([image[:, ::-1]] * 5))


def test_batch_form_agrees_with_single_image_form():
    images = np.stack([_position_image() + offset for offset in (0, 100, 200)]).astype(np.float32)
    preprocessor = CropPreprocessor(CROP_WIDTH, CROP_HEIGHT)
    batch = preprocessor.preprocess_batch(tf.constant(images))
    assert batch.shape == (3, 10, CROP_HEIGHT, CROP_WIDTH, 3)
    expected = np.stack([preprocessor.preprocess(image) for image in images])
    np.testing.assert_array_equal(batch.numpy(), expected)


def test_batch_form_works_when_image_sizes_are_known_only_at_run_time():
    preprocessor = CropPreprocessor(CROP_WIDTH, CROP_HEIGHT)
    dataset = tf.data.Dataset.from_generator(
        lambda: iter([_position_image()[None].astype(np.float32)]),
        output_signature=tf.TensorSpec((None, None, None, 3), tf.float32),
    ).map(preprocessor.preprocess_batch)
    (batch,) = list(dataset)
    np.testing.assert_array_equal(batch.numpy()[0], _expected_crops(_position_image()))


def test_crop_larger_than_image_raises_value_error():
    preprocessor = CropPreprocessor(width=10, height=3)
    with pytest.raises(ValueError, match="Received: image.shape"):
        preprocessor.preprocess(_position_image())
    with pytest.raises(ValueError, match="Received: images.shape"):
        preprocessor.preprocess_batch(tf.zeros((1, IMAGE_HEIGHT, IMAGE_WIDTH, 3)))


@pytest.mark.parametrize(
    "arguments",
    [{"width": 0, "height": 3}, {"width": 3, "height": 3, "horizontal_flip": "yes"},
     {"width": 3, "height": 3, "interpolation": -1}],
)
def test_invalid_arguments_raise_value_error(arguments):
    with pytest.raises(ValueError, match="Received: "):
        CropPreprocessor(**arguments)
