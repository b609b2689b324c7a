import cv2
import numpy as np
import pytest

from pyimagesearch.preprocessing import SimplePreprocessor


def test_resizes_to_exact_size_ignoring_aspect_ratio():
    image = np.random.default_rng(0).integers(0, 256, (10, 40, 3), dtype=np.uint8)
    resized = SimplePreprocessor(width=20, height=30).preprocess(image)
    assert resized.shape == (30, 20, 3)
    assert resized.dtype == np.uint8


def test_resizes_grayscale_images():
    image = np.full((8, 6), 7, dtype=np.uint8)
    resized = SimplePreprocessor(width=3, height=4).preprocess(image)
    assert resized.shape == (4, 3)
    assert np.all(resized == 7)


def test_uses_the_requested_interpolation():
    image = np.array([[0, 100], [200, 50]], dtype=np.uint8)
    resized = SimplePreprocessor(4, 4, interpolation=cv2.INTER_NEAREST).preprocess(image)
    expected = np.repeat(np.repeat(image, 2, axis=0), 2, axis=1)
    np.testing.assert_array_equal(resized, expected)


@pytest.mark.parametrize(
    "arguments",
    [
        {"width": 0, "height": 4},
        {"width": 4, "height": -1},
        {"width": 2.5, "height": 4},
        {"width": True, "height": 4},
        {"width": "32", "height": 4},
        {"width": 4, "height": 4, "interpolation": 99},
        {"width": 4, "height": 4, "interpolation": None},
    ],
)
def test_invalid_arguments_raise_value_error(arguments):
    with pytest.raises(ValueError, match="Received: "):
        SimplePreprocessor(**arguments)
