"""CIFAR-10 arrays as tf.data: scaled, one-hot, the test set whole and in order, steps per epoch exact."""

import numpy as np
import pytest

from pyimagesearch.datasets import cifar10
from pyimagesearch.io import cifar10pipeline


def tiny_data(train=20, test=7):
    random = np.random.default_rng(0)
    return cifar10.Cifar10Data(
        train_images=random.integers(0, 256, (train, 32, 32, 3), dtype=np.uint8),
        train_labels=np.arange(train) % 10,
        test_images=random.integers(0, 256, (test, 32, 32, 3), dtype=np.uint8),
        test_labels=np.arange(test) % 10,
        class_names=cifar10.CLASS_NAMES,
    )


def test_test_dataset_is_every_image_in_order_scaled_with_one_hot_labels():
    data = tiny_data()
    batches = list(cifar10pipeline.make_test_dataset(data, global_batch_size=4))
    images = np.concatenate([np.asarray(images) for images, _ in batches])
    labels = np.concatenate([np.asarray(labels) for _, labels in batches])
    assert images == pytest.approx(data.test_images / 255.0)
    assert labels.argmax(axis=1).tolist() == data.test_labels.tolist() and labels.shape == (7, 10)


def test_training_dataset_gives_the_counted_steps_and_every_row_once():
    data = tiny_data(train=22)
    train_dataset, _ = cifar10pipeline.make_cifar10_datasets(data, global_batch_size=8, seed=3)
    batches = list(train_dataset)
    assert len(batches) == cifar10pipeline.steps_per_epoch(22, 8, replicas=2) == 3
    assert sum(len(images) for images, _ in batches) == 22
    assert np.asarray(batches[0][0]).max() <= 1.0


@pytest.mark.parametrize("rows, batch, replicas, steps", [(100, 10, 1, 10), (101, 10, 1, 11), (101, 10, 2, 10),
                                                          (5, 10, 2, 1), (5000, 64, 1, 79)])
def test_steps_per_epoch(rows, batch, replicas, steps):
    assert cifar10pipeline.steps_per_epoch(rows, batch, replicas) == steps
