import cv2
import numpy as np
import pytest

from pyimagesearch.preprocessing import AspectAwarePreprocessor

LEFT = (255, 0, 0)
CENTRE = (0, 255, 0)
RIGHT = (0, 0, 255)


def _wide_bands(height, band_width):
    """A wide image of three equal colour bands: left, centre, right."""
    bands = [np.full((height, band_width, 3), colour, dtype=np.uint8) for colour in (LEFT, CENTRE, RIGHT)]
    return np.concatenate(bands, axis=1)


def test_wide_image_keeps_its_centre_band_when_shrunk():
    # 30x90 -> 10x30 -> centre 10x10. Offsets computed from the pre-resize size (the public
    # port's bug) would be 40 columns into a 30-column image.
    output = AspectAwarePreprocessor(10, 10).preprocess(_wide_bands(height=30, band_width=30))
    assert output.shape == (10, 10, 3)
    assert np.all(output == CENTRE)


def test_wide_image_keeps_its_centre_band_when_enlarged():
    # 4x12 -> 12x36 -> centre 12x12. Pre-resize offsets would be 0 and keep all three bands.
    preprocessor = AspectAwarePreprocessor(12, 12, interpolation=cv2.INTER_NEAREST)
    output = preprocessor.preprocess(_wide_bands(height=4, band_width=4))
    assert output.shape == (12, 12, 3)
    assert np.all(output == CENTRE)


def test_tall_image_keeps_its_centre_band():
    tall = _wide_bands(height=30, band_width=30).transpose(1, 0, 2).copy()
    output = AspectAwarePreprocessor(10, 10).preprocess(tall)
    assert output.shape == (10, 10, 3)
    assert np.all(output == CENTRE)


def test_non_square_target_crops_the_centre_rows():
    # A 30x30 image covers a 30-wide, 10-high target without resizing: rows 10..19 remain.
    square = _wide_bands(height=30, band_width=10).transpose(1, 0, 2).copy()
    output = AspectAwarePreprocessor(width=30, height=10).preprocess(square)
    assert output.shape == (10, 30, 3)
    assert np.all(output == CENTRE)


@pytest.mark.parametrize(
    ("image_shape", "target"),
    [((7, 11), (5, 5)), ((11, 7), (5, 5)), ((3, 1000), (32, 32)), ((33, 17), (8, 20)), ((5, 5), (64, 48))],
)
def test_output_has_exactly_the_target_size(image_shape, target):
    image = np.random.default_rng(0).integers(0, 256, (*image_shape, 3), dtype=np.uint8)
    output = AspectAwarePreprocessor(*target).preprocess(image)
    assert output.shape == (target[1], target[0], 3)
    assert output.dtype == np.uint8


def test_grayscale_images_work():
    assert AspectAwarePreprocessor(4, 4).preprocess(np.zeros((6, 9), dtype=np.uint8)).shape == (4, 4)


@pytest.mark.parametrize(
    "arguments",
    [{"width": 0, "height": 4}, {"width": 4, "height": 4.0}, {"width": 4, "height": 4, "interpolation": 42}],
)
def test_invalid_arguments_raise_value_error(arguments):
    with pytest.raises(ValueError, match="Received: "):
        AspectAwarePreprocessor(**arguments)
