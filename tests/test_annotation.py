"""draw_label and write_image: a predicted label drawn on an image, written atomically."""

import cv2
import numpy as np
import pytest

from pyimagesearch.io import annotation


def test_small_images_are_enlarged_by_a_whole_factor_and_get_the_text_in_green():
    image = np.full((8, 8), 100, dtype=np.uint8)

    annotated = annotation.draw_label(image, "3: 97.1%")

    assert annotated.shape == (160, 160, 3) and annotated.dtype == np.uint8
    green = (annotated[..., 1] > 200) & (annotated[..., 0] < 50) & (annotated[..., 2] < 50)
    rows = np.nonzero(green.any(axis=1))[0]
    assert green.sum() > 20 and rows.max() < 40  # the text, in the top band only
    assert np.all(annotated[-1] == 100)  # below the band the image is untouched, pixels kept
    assert np.all(image == 100)  # the input is not drawn on


def test_large_images_keep_their_size_and_long_text_fits():
    image = np.zeros((300, 200, 3), dtype=np.uint8)

    annotated = annotation.draw_label(image, "a very long label that would not fit at the usual size")

    assert annotated.shape == (300, 200, 3)
    green = annotated[..., 1] > 200
    assert green[:, -3:].sum() == 0  # nothing drawn past the right edge


@pytest.mark.parametrize("image", [np.zeros((4, 4, 3)), np.zeros((4, 4, 4), dtype=np.uint8), np.zeros((0, 4), dtype=np.uint8)])
def test_rejects_what_is_not_a_uint8_image(image):
    with pytest.raises(ValueError, match=r"Received: shape="):
        annotation.draw_label(image, "x")


def test_rejects_empty_text():
    with pytest.raises(ValueError, match=r"Received: text=''$"):
        annotation.draw_label(np.zeros((4, 4), dtype=np.uint8), "")


def test_write_image_round_trips_and_leaves_no_partial_file(tmp_path):
    image = annotation.draw_label(np.zeros((10, 10, 3), dtype=np.uint8), "cat")
    path = tmp_path / "predictions" / "0001.png"

    annotation.write_image(path, image)

    np.testing.assert_array_equal(cv2.imread(str(path)), image)
    assert [child.name for child in path.parent.iterdir()] == ["0001.png"]


def test_write_image_refuses_an_unknown_extension_and_writes_nothing(tmp_path):
    with pytest.raises(ValueError, match=r"use \.png or \.jpg\. Received: path='.*out\.nope'$"):
        annotation.write_image(tmp_path / "out.nope", np.zeros((4, 4, 3), dtype=np.uint8))
    assert list(tmp_path.iterdir()) == []
