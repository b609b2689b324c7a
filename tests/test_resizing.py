"""make_resizer: one resize mode table for the HDF5 builder and feature extraction."""

import inspect

import numpy as np
import pytest

from pyimagesearch.cli import build_hdf5, extract_features
from pyimagesearch.io import builder
from pyimagesearch.preprocessing import AspectAwarePreprocessor, SimplePreprocessor, resizing
from pyimagesearch.transfer import features


def _wide_image():
    """40 x 20, left quarter black, the rest white: a centre crop cuts the black off."""
    image = np.full((20, 40, 3), 255, np.uint8)
    image[:, :10] = 0
    return image


def test_aspect_scales_then_crops_the_centre():
    resizer = resizing.make_resizer("aspect", 10, 10)
    assert isinstance(resizer, AspectAwarePreprocessor)
    assert (resizer.width, resizer.height) == (10, 10)
    resized = resizer.preprocess(_wide_image())
    assert resized.shape == (10, 10, 3)
    assert resized.min() == 255  # the black quarter fell outside the centre crop


def test_stretch_resizes_to_the_size_ignoring_the_aspect_ratio():
    resizer = resizing.make_resizer("stretch", 12, 6)
    assert isinstance(resizer, SimplePreprocessor)
    resized = resizer.preprocess(_wide_image())
    assert resized.shape == (6, 12, 3)
    assert resized[:, 0].max() == 0  # the black quarter is squeezed, not cut
    np.testing.assert_array_equal(resized, SimplePreprocessor(12, 6).preprocess(_wide_image()))


@pytest.mark.parametrize("mode", ["crop", "Aspect", None, True, 1])
def test_an_unknown_mode_is_refused(mode):
    with pytest.raises(ValueError, match=rf"one of 'aspect', 'stretch'\. Received: resize={mode!r}$"):
        resizing.make_resizer(mode, 8, 8)


def test_sizes_are_checked_by_the_preprocessors():
    with pytest.raises(ValueError, match=r"Received: width=0$"):
        resizing.make_resizer("aspect", 0, 8)
    with pytest.raises(ValueError, match=r"Received: height=True$"):
        resizing.make_resizer("stretch", 8, True)


def test_one_mode_table_and_each_callers_default():
    assert resizing.RESIZE_MODES == ("aspect", "stretch")
    # The builder keeps the course's aspect-aware resize, feature extraction its stretch.
    assert inspect.signature(builder.build_hdf5_dataset).parameters["resize"].default == "aspect"
    assert inspect.signature(features.extract_features).parameters["resize"].default == "stretch"
    build_flags = build_hdf5.argument_parser(dataset="x", output_dir="y").parse_args([])
    extract_flags = extract_features.argument_parser(source="x", output_path="y").parse_args([])
    assert (build_flags.resize, extract_flags.resize) == ("aspect", "stretch")
