"""Tiny ImageNet pipelines: the training mean subtracted from every split, unscaled; augmentation on train only."""

import numpy as np
import pytest

from pyimagesearch.io import hdf5format, tinyimagenetpipeline
from tests import hdf5testing

SIZE, CLASSES = 16, 3


@pytest.fixture
def hdf5_dir(tmp_path):
    """train (30 rows), val (9) and test (12) files whose pixels are the row index; val/test get the train mean."""
    hdf5testing.write_indexed_file(tmp_path / "train.hdf5", rows=30, size=SIZE, classes=CLASSES)
    mean = hdf5format.read_mean(tmp_path / "train.hdf5")
    hdf5testing.write_indexed_file(tmp_path / "val.hdf5", rows=9, size=SIZE, classes=CLASSES, mean=mean)
    hdf5testing.write_indexed_file(tmp_path / "test.hdf5", rows=12, size=SIZE, classes=CLASSES, mean=mean)
    return tmp_path


def _batches(dataset):
    images, labels = zip(*[(np.asarray(batch), np.asarray(one_hot)) for batch, one_hot in dataset])
    return np.concatenate(images), np.concatenate(labels)


def test_every_split_is_minus_the_training_mean_unscaled_and_only_train_is_augmented(hdf5_dir):
    train_mean = 14.5  # of rows 0..29, every pixel its row index
    train, val = tinyimagenetpipeline.make_tiny_imagenet_datasets(hdf5_dir, 6, seed=3)
    plain_train, _ = tinyimagenetpipeline.make_tiny_imagenet_datasets(hdf5_dir, 6, seed=3, augment=False)
    test = tinyimagenetpipeline.make_split_dataset(hdf5_dir, "test", 6)

    val_images, val_labels = _batches(val)
    test_images, _ = _batches(test)
    assert val_images[:, 0, 0, 0] + train_mean == pytest.approx(np.arange(9))  # in order, not scaled by 1/255
    assert test_images[:, 5, 5, 2] + train_mean == pytest.approx(np.arange(12))
    assert val_labels.argmax(axis=1).tolist() == [row % CLASSES for row in range(9)]
    train_images, _ = _batches(train)
    assert train_images.shape == (30, SIZE, SIZE, 3)
    # Every image is one flat value, which an affine warp with nearest fill keeps: each row's
    # value comes through, minus the mean and unscaled, augmentation or not.
    assert sorted(np.round(train_images[:, 8, 8, 0] + train_mean).astype(int).tolist()) == list(range(30))
    assert plain_train.element_spec[0].shape[1:] == (SIZE, SIZE, 3)


def test_augmentation_changes_training_images_but_never_val(tmp_path):
    # Images with a gradient, so that a geometric transform shows.
    from pyimagesearch.io.hdf5datasetwriter import HDF5DatasetWriter

    ramp = np.tile(np.linspace(0, 255, SIZE).astype(np.uint8)[None, :, None], (SIZE, 1, 3))
    for split, rows in (("train", 12), ("val", 6)):
        with HDF5DatasetWriter((rows, SIZE, SIZE, 3), tmp_path / f"{split}.hdf5", mean=None if split == "train" else (0, 0, 0)) as writer:
            writer.store_class_labels(["a", "b"])
            writer.add(np.repeat(ramp[None], rows, axis=0), np.arange(rows) % 2)
    train, val = tinyimagenetpipeline.make_tiny_imagenet_datasets(tmp_path, 4, seed=1)
    plain_train, _ = tinyimagenetpipeline.make_tiny_imagenet_datasets(tmp_path, 4, seed=1, augment=False)
    augmented, _ = _batches(train)
    plain, _ = _batches(plain_train)
    assert not np.allclose(augmented, plain)
    val_images, _ = _batches(val)
    assert np.allclose(val_images, ramp.astype(np.float32))  # mean (0, 0, 0): the raw pixels, untouched


def test_steps_per_epoch_counts_the_batches_of_an_epoch(hdf5_dir):
    for batch_size in (4, 6, 7, 30, 64):
        train, _ = tinyimagenetpipeline.make_tiny_imagenet_datasets(hdf5_dir, batch_size, seed=0, augment=False)
        assert tinyimagenetpipeline.steps_per_epoch(hdf5_dir, batch_size) == sum(1 for _ in train)


def test_predict_split_returns_rows_in_file_order_with_their_labels(hdf5_dir):
    import keras

    # A model that reads the (mean-subtracted) pixel back: softmax over [x, 0, -x] is monotone in x.
    inputs = keras.Input((SIZE, SIZE, 3))
    pixel = keras.layers.Lambda(lambda images: images[:, 0, :1, 0])(inputs)
    outputs = keras.layers.Softmax()(keras.layers.Concatenate()([pixel, pixel * 0, -pixel]))
    model = keras.Model(inputs, outputs)

    probabilities, labels = tinyimagenetpipeline.predict_split(model, hdf5_dir, "test", 5, verbose=0)

    assert labels.tolist() == [row % CLASSES for row in range(12)]
    assert probabilities.shape == (12, 3)
    centred = np.arange(12) - 14.5  # the row index minus the training mean, unscaled
    logits = np.stack([centred, 0 * centred, -centred], axis=1)
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert probabilities == pytest.approx(expected, rel=1e-5)
    with pytest.raises(ValueError, match="Received: split='holdout'"):
        tinyimagenetpipeline.split_path(hdf5_dir, "holdout")
