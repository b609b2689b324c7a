"""CIFAR-10 arrays as tf.data: scaled, one-hot, the test set whole and in order, steps per epoch exact,
the training split's mean subtracted alike from both splits, augmentation on training batches only."""

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


def test_training_mean_is_the_per_channel_mean_of_the_training_images_only():
    data = tiny_data()
    mean = cifar10pipeline.training_mean(data)
    blue, green, red = data.train_images.reshape(-1, 3).astype(np.float64).mean(axis=0)
    assert mean == pytest.approx({"R": red, "G": green, "B": blue})
    with_test = np.concatenate([data.train_images, data.test_images]).reshape(-1, 3).mean(axis=0)
    assert [mean["B"], mean["G"], mean["R"]] != pytest.approx(with_test.tolist())


def test_training_mean_refuses_an_empty_training_split():
    data = tiny_data()
    empty = cifar10.Cifar10Data(data.train_images[:0], data.train_labels[:0], data.test_images,
                                data.test_labels, data.class_names)
    with pytest.raises(ValueError, match="Received: shape=\\(0, 32, 32, 3\\)"):
        cifar10pipeline.training_mean(empty)


def sorted_by_mean(images):
    return images[np.argsort(images.mean(axis=(1, 2, 3)))]


def test_the_mean_is_subtracted_from_training_and_test_batches_alike_and_only_training_is_augmented():
    data = tiny_data(train=8, test=8)
    # The same images in both splits, so both pipelines must give the same values for them.
    data = cifar10.Cifar10Data(data.test_images, data.test_labels, data.test_images, data.test_labels,
                               data.class_names)
    mean = cifar10pipeline.training_mean(data)
    expected = (data.test_images - np.array([mean["B"], mean["G"], mean["R"]])) / 255.0
    plain_train, test_dataset = cifar10pipeline.make_cifar10_datasets(data, 8, seed=1, mean=mean)
    augmented_train, augmented_test = cifar10pipeline.make_cifar10_datasets(
        data, 8, seed=1, mean=mean, augmentation=cifar10pipeline.shift_flip_augmentation(seed=1))
    for dataset in (test_dataset, augmented_test):
        images = np.concatenate([np.asarray(images) for images, _ in dataset])
        assert images == pytest.approx(expected, abs=1e-5)
    plain = np.asarray(next(iter(plain_train))[0])
    augmented = np.asarray(next(iter(augmented_train))[0])
    # The training batch is the rows, shuffled, minus the mean as in the test batches; the
    # same shuffle (one seed) warped is something else.
    assert sorted_by_mean(plain) == pytest.approx(sorted_by_mean(expected), abs=1e-5)
    assert not np.allclose(plain, augmented)


def test_shift_flip_augmentation_is_the_chapters_setting():
    settings = cifar10pipeline.shift_flip_augmentation(seed=3).get_config()
    assert settings == {"rotation": 0, "width_shift": 0.1, "height_shift": 0.1, "shear": 0, "zoom": 0,
                        "horizontal_flip": True, "fill_mode": "nearest", "seed": 3}
