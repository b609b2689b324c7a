"""The default way to train from an HDF5 dataset file: a tf.data pipeline of contiguous slices.

Rows were shuffled once when the file was written, so a batch can be one contiguous slice
(`images[start:stop]`), the cheapest read HDF5 offers. Every epoch the ORDER of the slices is
shuffled again; the rows inside a slice stay together. Reading goes through
`tf.numpy_function` mapped with AUTOTUNE; h5py holds a global lock, so reads don't overlap
each other, but they overlap the batch transform (cast, preprocessors, augmentation, mean,
scale, one-hot; see `pipeline.make_batch_transform`) and the training step thanks to
`prefetch`. Only uint8 rows cross from NumPy into TensorFlow.

A training dataset is keyed (see `pipeline.make_array_dataset`): the slice order of epoch k is a
function of (seed, k), each image's augmentation of (seed, k, row), and the dataset carries the
`EpochSeeds` callback that `fit` needs (`pipeline.epoch_callbacks(dataset)`) so that a resumed
run sees the batches of an uninterrupted one.

    train = make_hdf5_dataset("train.hdf5", 128, training=True, mean="file",
                              preprocessors=[PatchPreprocessor(227, 227)],
                              augmentation=build_augmentation())
    val = make_hdf5_dataset("val.hdf5", 128, mean="file", preprocessors=[resize_batch(227, 227)])
    model.fit(train, validation_data=val, epochs=75, callbacks=pipeline.epoch_callbacks(train))
"""

import os
import threading
import weakref

import numpy as np
import tensorflow as tf

from pyimagesearch.io import hdf5format, pipeline
from pyimagesearch.utils import errors, seeding, validation


def make_hdf5_dataset(
    db_path,
    batch_size,
    data_key="images",
    training=False,
    shuffle=None,
    seed=None,
    preprocessors=None,
    augmentation=None,
    mean=None,
    scale=1.0 / 255.0,
    one_hot=True,
    classes=None,
    data_format=None,
    drop_remainder=False,
    replicas=None,
    initial_epoch=0,
):
    """Returns a batched, prefetched `tf.data.Dataset` of (images, labels) from an HDF5 file.

    Args:
        db_path: a complete dataset file (see `HDF5DatasetWriter`); incomplete or foreign
            files raise `InvalidDatasetFileError`.
        batch_size: the GLOBAL batch size; under a distribution strategy use
            `pipeline.global_batch_size(per_replica, strategy)`. Keras splits each batch
            across the replicas.
        data_key: the dataset holding the rows ("images" or "features").
        training: True for the training pipeline. It turns shuffling on by default and is
            required for `augmentation`, which never touches validation or test data.
        shuffle: shuffle the order of the slices every epoch (default: `training`).
        seed: seed of the slice order: epoch k's order is a function of (seed, k), so every
            run, resumed or not, sees the same order in epoch k. None: drawn from NumPy's
            global generator (which `seeding.set_seed` seeds).
        preprocessors: batch preprocessors (see `pipeline.make_batch_transform`).
        augmentation: random layers such as `build_augmentation()`, training only.
        mean: None, "file" (the per-channel mean stored in the file: the training split's
            mean, also in validation and test files), a dict {"R", "G", "B"} or (B, G, R).
        scale: factor after mean subtraction (1/255 maps raw pixels into [0, 1]).
        one_hot: one-hot labels (`categorical_crossentropy`), else integer labels.
        classes: number of classes for one-hot labels; default: the file's label names.
        data_format: "channels_last" or "channels_first"; default: Keras' setting.
        drop_remainder: leave out the last, smaller batch.
        replicas: no batch is smaller than this (default: the replicas `get_strategy()`
            uses); a shorter last slice is merged into the one before it (see
            `pipeline.batch_bounds`).
        initial_epoch: the epoch of the first pass when the dataset is iterated outside
            `fit`; inside `fit`, its `pipeline.epoch_callbacks(dataset)` follow fit's epoch.
    """
    batch_size = validation.check_positive_integer("batch_size", batch_size)
    validation.check_flag("training", training)
    if augmentation is not None and not training:
        raise errors.InvalidArgumentError(
            "Augmentation is for training data only; validation and test data must not be "
            "augmented. Pass training=True for the training pipeline. Received: training=False"
        )
    shuffle = training if shuffle is None else shuffle
    info = hdf5format.read_dataset_info(db_path, data_key)
    if mean == "file":
        if info["mean"] is None:
            raise hdf5format.InvalidDatasetFileError(db_path, "mean='file' was asked for but the attribute 'mean' is missing")
        mean = info["mean"]
    if one_hot and classes is None:
        classes = info["classes"]
    transform = pipeline.make_batch_transform(
        classes=classes,
        scale=scale,
        mean=mean,
        augmentation=augmentation,
        one_hot=one_hot,
        data_format=data_format,
        preprocessors=preprocessors,
    )
    keyed = shuffle or transform.uses_keys
    dataset, epoch_seeds = _slice_dataset(
        info, batch_size, shuffle, seed, drop_remainder, replicas, keyed, initial_epoch
    )
    transform = pipeline.keyed_transform(transform) if keyed else transform
    dataset = dataset.map(transform, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)
    if epoch_seeds is not None:
        dataset.epoch_seeds = epoch_seeds
    return dataset


def make_hdf5_slices(
    db_path, batch_size, data_key="images", shuffle=False, seed=None, drop_remainder=False, replicas=None,
    initial_epoch=0,
):
    """The raw stage of `make_hdf5_dataset`: uint8 (or float32) row batches and int64 labels.

    For callers that bring their own transform (benchmarks, feature extraction). Shuffled, it
    is keyed like `make_hdf5_dataset` and carries its `pipeline.epoch_callbacks`.
    """
    batch_size = validation.check_positive_integer("batch_size", batch_size)
    info = hdf5format.read_dataset_info(db_path, data_key)
    dataset, epoch_seeds = _slice_dataset(
        info, batch_size, shuffle, seed, drop_remainder, replicas, shuffle, initial_epoch
    )
    if epoch_seeds is None:
        return dataset
    dataset = dataset.map(lambda batch, labels, keys: (batch, labels))
    dataset.epoch_seeds = epoch_seeds
    return dataset


def predict_hdf5(
    model,
    db_path,
    batch_size=64,
    data_key="images",
    preprocessors=None,
    mean=None,
    scale=1.0 / 255.0,
    data_format=None,
    verbose="auto",
):
    """Predicts every row of an HDF5 file in order; returns (probabilities, labels).

    With a CropPreprocessor among `preprocessors`, each image becomes 10 (or 5) crops that
    are predicted together and averaged: the course's oversampling. Otherwise one prediction
    per image, e.g. with `resize_batch(227, 227)` or a centre crop.
    `probabilities` is (N, classes); `labels` are the file's integer labels, in the same order.
    """
    dataset = make_hdf5_dataset(
        db_path,
        batch_size,
        data_key=data_key,
        preprocessors=preprocessors,
        mean=mean,
        scale=scale,
        one_hot=False,
        data_format=data_format,
    )
    # Crops travel as extra rows: (N, crops, ...) -> (N * crops, ...), averaged afterwards.
    images_only = dataset.map(
        lambda images, labels: tf.reshape(images, tf.concat([[-1], tf.shape(images)[-3:]], axis=0)),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    probabilities = np.asarray(model.predict(images_only, verbose=verbose))
    with hdf5format.open_dataset_file(db_path, data_key) as handle:
        labels = handle[hdf5format.LABELS_KEY][...]
    if len(probabilities) % len(labels):
        raise errors.InvalidArgumentError(
            f"Got {len(probabilities)} predictions for {len(labels)} images; a preprocessor changed "
            f"the batch size. Received: preprocessors={preprocessors!r}"
        )
    crops = len(probabilities) // len(labels)
    return probabilities.reshape(len(labels), crops, -1).mean(axis=1), labels


def _slice_dataset(info, batch_size, shuffle, seed, drop_remainder, replicas=None, keyed=False, initial_epoch=0):
    """(dataset, EpochSeeds or None): (batch, labels) slices, or (batch, labels, keys) if `keyed`."""
    try:
        bounds = pipeline.batch_bounds(info["rows"], batch_size, replicas, drop_remainder)
    except ValueError as error:
        raise errors.InvalidArgumentError(f"{info['path']}: {error}") from error
    initial_epoch = validation.check_integer("initial_epoch", initial_epoch, minimum=0)
    slices = len(bounds)
    reader = _SliceReader(info["path"], info["data_key"], bounds, info["compression"])
    data_dtype = tf.as_dtype(np.dtype(info["dtype"]))
    row_shape = info["row_shape"]
    same_size = all(stop - start == batch_size for start, stop in bounds)
    batch_dimension = batch_size if same_size else None

    def read(index):
        batch, labels = tf.numpy_function(reader, [index], [data_dtype, tf.int64], stateful=False)
        batch.set_shape((batch_dimension,) + row_shape)
        labels.set_shape((batch_dimension,))
        return batch, labels

    if not keyed:
        return tf.data.Dataset.range(slices).map(read, num_parallel_calls=tf.data.AUTOTUNE), None
    epoch_seeds = seeding.EpochSeeds(seeding.resolve_seed(seed), initial_epoch)
    starts = tf.constant([start for start, _ in bounds], dtype=tf.int64)
    stops = tf.constant([stop for _, stop in bounds], dtype=tf.int64)

    def slice_order(epoch):
        # The last slice may be odd-sized; it stays last, because the first batch of a
        # distributed fit must split evenly (see `pipeline.batch_bounds`).
        order = seeding.generator(epoch_seeds.seed, seeding.SHUFFLE, epoch).permutation(slices - 1)
        return np.append(order, slices - 1).astype(np.int64)

    def slices_of_epoch(epoch):
        if not shuffle:
            return tf.data.Dataset.range(slices)
        order = tf.numpy_function(slice_order, [epoch], tf.int64, stateful=False)
        order.set_shape([slices])
        return tf.data.Dataset.from_tensor_slices(order)

    def read_with_keys(index, epoch):
        batch, labels = read(index)
        return batch, labels, pipeline.row_keys(tf.range(starts[index], stops[index]), epoch)

    dataset = pipeline.keyed_epochs(epoch_seeds, slices_of_epoch)
    dataset = dataset.map(read_with_keys, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.apply(tf.data.experimental.assert_cardinality(slices)), epoch_seeds


class _SliceReader:
    """Reads slice `index` of a file; opens the file lazily, once per process.

    The handle is reopened when `os.getpid()` changes: an HDF5 handle inherited through fork
    must not be used by the child. The labels (8 bytes a row) are read into memory once, which
    halves the number of HDF5 calls per batch.
    """

    def __init__(self, path, data_key, bounds, compression=None):
        self.path = str(path)
        self.data_key = data_key
        self.bounds = bounds
        self.compression = compression
        self._lock = threading.Lock()
        self._state = {"pid": None, "handle": None}
        weakref.finalize(self, _close_handle, self._state)

    def __call__(self, index):
        data, labels = self._datasets()
        start, stop = self.bounds[int(index)]
        return data[start:stop], labels[start:stop]

    def _datasets(self):
        state = self._state
        if state["pid"] != os.getpid():
            with self._lock:
                if state["pid"] != os.getpid():
                    handle = hdf5format.open_for_slices(self.path, self.compression)
                    state.update(
                        handle=handle,
                        data=handle[self.data_key],
                        labels=handle[hdf5format.LABELS_KEY][...],
                        pid=os.getpid(),
                    )
        return state["data"], state["labels"]


def _close_handle(state):
    handle = state.get("handle")
    if handle is not None and state.get("pid") == os.getpid():
        try:
            handle.close()
        except Exception:  # noqa: BLE001 - closing at exit must never raise
            pass

