"""write_digits_dataset: scikit-learn's 1,797 digits as 8-bit PNGs in class folders."""

import cv2
import numpy as np
import pytest
from sklearn import datasets

from pyimagesearch.datasets import digits


def test_digits_are_written_with_the_right_counts_and_values(tmp_path):
    reference = datasets.load_digits()
    output = tmp_path / "digits"

    assert digits.write_digits_dataset(output) == output

    assert sorted(path.name for path in output.iterdir()) == [str(digit) for digit in range(10)]
    counts = [len(list((output / str(digit)).glob("*.png"))) for digit in range(10)]
    assert counts == np.bincount(reference.target).tolist()
    assert sum(counts) == 1797
    index = 5
    path = output / str(reference.target[index]) / f"{index:04d}.png"
    pixels = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    assert pixels.dtype == np.uint8 and pixels.shape == (8, 8)
    np.testing.assert_array_equal(pixels, digits.digits_to_uint8(reference.images[index]))
    assert [name for name in (tmp_path).iterdir() if ".partial-" in name.name] == []


def test_digit_values_are_scaled_from_0_16_to_0_255():
    np.testing.assert_array_equal(digits.digits_to_uint8(np.array([0, 1, 8, 16])), [0, 16, 128, 255])
    with pytest.raises(ValueError, match=r"Received: values in"):
        digits.digits_to_uint8(np.array([0, 17]))


def test_a_non_empty_output_folder_is_refused(tmp_path):
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")

    with pytest.raises(ValueError, match=r"Received: output_dir="):
        digits.write_digits_dataset(tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == ["keep.txt"]
