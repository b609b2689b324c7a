import keras
import numpy as np
import pytest

from pyimagesearch.preprocessing import ImageToArrayPreprocessor


def _image():
    return np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3)


def test_channels_last_keeps_layout_and_values_as_float32():
    array = ImageToArrayPreprocessor(data_format="channels_last").preprocess(_image())
    assert array.shape == (4, 5, 3)
    assert array.dtype == np.float32
    np.testing.assert_array_equal(array, _image().astype(np.float32))


def test_channels_first_moves_the_channel_axis():
    array = ImageToArrayPreprocessor(data_format="channels_first").preprocess(_image())
    assert array.shape == (3, 4, 5)
    np.testing.assert_array_equal(array[2], _image()[..., 2])


@pytest.mark.parametrize(
    ("data_format", "shape"), [("channels_last", (4, 5, 1)), ("channels_first", (1, 4, 5))]
)
def test_grayscale_images_get_a_channel_axis(data_format, shape):
    gray = np.zeros((4, 5), dtype=np.uint8)
    assert ImageToArrayPreprocessor(data_format=data_format).preprocess(gray).shape == shape


def test_default_data_format_follows_keras_at_call_time():
    preprocessor = ImageToArrayPreprocessor()
    previous = keras.backend.image_data_format()
    try:
        keras.backend.set_image_data_format("channels_first")
        assert preprocessor.preprocess(_image()).shape == (3, 4, 5)
    finally:
        keras.backend.set_image_data_format(previous)
    assert preprocessor.preprocess(_image()).shape == (4, 5, 3)


def test_dtype_is_honoured():
    array = ImageToArrayPreprocessor(data_format="channels_last", dtype="uint8").preprocess(_image())
    assert array.dtype == np.uint8


@pytest.mark.parametrize("arguments", [{"data_format": "nhwc"}, {"dtype": "not-a-dtype"}])
def test_invalid_arguments_raise_value_error(arguments):
    with pytest.raises(ValueError, match="Received: "):
        ImageToArrayPreprocessor(**arguments)
