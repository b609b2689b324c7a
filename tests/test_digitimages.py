"""digitimages: scikit-learn's digits as resized uint8 arrays, and a split that rebuilds from its dict."""

import json

import cv2
import numpy as np
import pytest
from sklearn import datasets

from pyimagesearch.datasets import digitimages, digits


def test_images_are_uint8_in_load_digits_order_and_resized():
    reference = datasets.load_digits()

    images, labels = digitimages.load_digit_images(28)

    assert images.shape == (1797, 28, 28) and images.dtype == np.uint8
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(labels, reference.target)
    expected = cv2.resize(digits.digits_to_uint8(reference.images[7]), (28, 28), interpolation=cv2.INTER_LINEAR)
    np.testing.assert_array_equal(images[7], expected)


def test_no_size_keeps_the_8x8_digits():
    images, _ = digitimages.load_digit_images()

    np.testing.assert_array_equal(images, digits.digits_to_uint8(datasets.load_digits().images))


def test_interpolation_changes_the_strokes_and_is_checked():
    linear, _ = digitimages.load_digit_images(28, cv2.INTER_LINEAR)
    area, _ = digitimages.load_digit_images(28, cv2.INTER_AREA)
    assert not np.array_equal(linear, area)
    with pytest.raises(ValueError, match=r"Received: interpolation=99"):
        digitimages.load_digit_images(28, 99)
    with pytest.raises(ValueError, match=r"image_size"):
        digitimages.load_digit_images(0)


def test_split_is_stratified_seeded_and_rebuilds_from_its_json():
    split = digitimages.split_digit_images(28, cv2.INTER_AREA, test_size=0.25, seed=3)
    split = json.loads(json.dumps(split))  # as a run folder's split.json keeps it

    assert len(split["test"]) == 450 and len(split["train"]) == 1347
    assert set(split["train"]).isdisjoint(split["test"])
    assert split["interpolation"] == "cv2.INTER_AREA" and split["seed"] == 3
    assert split == digitimages.split_digit_images(28, cv2.INTER_AREA, test_size=0.25, seed=3)
    assert split["test"] != digitimages.split_digit_images(28, cv2.INTER_AREA, test_size=0.25, seed=4)["test"]
    images, labels = digitimages.load_split_part(split, "test")
    all_images, all_labels = digitimages.load_digit_images(28, cv2.INTER_AREA)
    np.testing.assert_array_equal(images, all_images[split["test"]])
    np.testing.assert_array_equal(labels, all_labels[split["test"]])
    # stratified: every digit keeps its share of the test part, within one image
    assert np.all(np.abs(np.bincount(labels) - 0.25 * np.bincount(all_labels)) <= 1)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"dataset": "mnist"}, r"Expected a digits split.*dataset='mnist'"),
        ({"interpolation": "bicubic"}, r"Received: interpolation='bicubic'"),
        ({"test": [0, 1797]}, r"rows must be integers from 0 to 1796"),
        ({"test": [0.5]}, r"rows must be integers"),
    ],
)
def test_a_split_that_is_not_a_digits_split_is_refused(change, message):
    split = {**digitimages.split_digit_images(28), **change}

    with pytest.raises(ValueError, match=message):
        digitimages.load_split_part(split, "test")


def test_part_must_be_train_or_test():
    with pytest.raises(ValueError, match=r"Received"):
        digitimages.load_split_part(digitimages.split_digit_images(), "val")
