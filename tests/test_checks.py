"""Pre-flight checks: the --overfit subset and verdict, the augmentation preview."""

import cv2
import numpy as np
import pytest
import tensorflow as tf

from pyimagesearch.training import checks
from pyimagesearch.utils import errors


def _dataset(count=30, size=8):
    images = np.arange(count, dtype=np.float32)[:, None, None, None] * np.ones((1, size, size, 3), np.float32)
    labels = np.eye(3, dtype=np.float32)[np.arange(count) % 3]
    return tf.data.Dataset.from_tensor_slices((images, labels)).shuffle(count).batch(4)


def test_overfit_dataset_is_the_same_n_images_every_epoch_in_the_given_batches():
    subset = checks.overfit_dataset(_dataset(), 10, batch_size=4)
    first = np.concatenate([images[:, 0, 0, 0] for images, _ in subset])
    second = np.concatenate([images[:, 0, 0, 0] for images, _ in subset])
    assert len(first) == 10 and np.array_equal(first, second)
    assert [len(images) for images, _ in subset] == [4, 4, 2]


def test_overfit_dataset_refuses_more_images_than_the_training_split_has():
    with pytest.raises(errors.InvalidArgumentError, match=r"\(30\). Received: --overfit 31"):
        checks.overfit_dataset(_dataset(), 31, batch_size=4)


def test_the_verdict_names_the_first_epoch_at_099_or_says_what_to_check():
    reached, message = checks.overfit_verdict({"accuracy": [0.5, 0.98, 0.995, 1.0], "loss": [1, 0.5, 0.1, 0.01]}, 20)
    assert reached and "reached 0.99 in epoch 3" in message
    reached, message = checks.overfit_verdict({"accuracy": [0.3, 0.6], "loss": [1, 0.9]}, 20)
    assert not reached and "did NOT reach 0.99 in 2 epochs (best 0.600)" in message
    reached, message = checks.overfit_verdict({"loss": [1.0, 0.25]}, 20)
    assert not reached and "no accuracy" in message and "0.25" in message


def test_the_preview_is_a_grid_of_the_first_images_stretched_to_full_range(tmp_path):
    path = checks.write_augmentation_preview(_dataset(size=8), tmp_path / "augmentation.png", count=6)
    grid = cv2.imread(str(path))
    tile = 8 * 16  # 8-pixel images enlarged to the 128-pixel tile side
    assert grid.shape == (2 * tile + 2, 3 * tile + 4, 3)  # 6 images: 3 columns, 2 rows, 2-pixel gaps
    assert not list(tmp_path.glob(".*partial*"))


def test_an_empty_training_dataset_has_nothing_to_preview(tmp_path):
    empty = _dataset().take(0)
    with pytest.raises(errors.InvalidArgumentError, match="empty"):
        checks.write_augmentation_preview(empty, tmp_path / "augmentation.png")
    assert not (tmp_path / "augmentation.png").exists()
