"""tf.data pieces shared by every input path: the batch transform and the in-memory dataset.

Images travel as uint8 BGR batches and become float32 only inside `map`, one batch at a time,
so nothing float64 is ever held in memory. The same transform serves training, validation and
test data; only training data gets the augmentation, and mean subtraction and scaling are
identical for all three.
"""

import itertools

import keras
import numpy as np
import tensorflow as tf

from pyimagesearch.utils import errors, strategy, validation

from pyimagesearch.io import hdf5format


def make_batch_transform(
    classes=None,
    scale=1.0 / 255.0,
    mean=None,
    augmentation=None,
    one_hot=True,
    data_format=None,
    preprocessors=None,
):
    """Returns `transform(images, labels) -> (images, labels)` for `tf.data` `map` on batches.

    Order: cast to float32, batch `preprocessors` (e.g. a random patch), augment (training
    only: pass `augmentation` only for the training pipeline), subtract the per-channel
    `mean` (BGR, in pixel units), multiply by `scale`, move channels first if the data format
    asks for it, and one-hot encode the labels. That is the course's order (patch, mean,
    augmentation) up to mean and augmentation swapping places, which commute for the
    geometric layers with fill_mode="nearest".

    Args:
        classes: number of classes; required when `one_hot` is True.
        scale: factor applied after mean subtraction (1/255 maps pixels into [0, 1]).
        mean: per-channel mean as a sequence (B, G, R), a dict {"R", "G", "B"} (the course's
            `*_mean.json`), or None.
        augmentation: a callable such as `build_augmentation()`, called with `training=True`.
        one_hot: one-hot labels for `categorical_crossentropy`; else integer labels.
        data_format: "channels_last" or "channels_first"; defaults to Keras' setting.
        preprocessors: batch preprocessors: objects with `preprocess_batch(images)` (Patch,
            Mean and Crop preprocessors) or callables on float32 tf.Tensor batches, such as
            `resize_batch(227, 227)`. A CropPreprocessor turns each batch into
            (N, crops, h, w, C).
    """
    if one_hot:
        validation.check_integer("classes", classes, minimum=2)
    validation.check_positive_numbers(scale=scale)
    data_format = data_format or keras.backend.image_data_format()
    validation.check_choice("data_format", data_format, ("channels_last", "channels_first"))
    mean_tensor = None if mean is None else tf.constant(hdf5format.mean_to_bgr(mean), dtype=tf.float32)
    batch_functions = _batch_functions(preprocessors)

    def transform(images, labels):
        images = tf.cast(images, tf.float32)
        for function in batch_functions:
            images = function(images)
        if augmentation is not None:
            images = augmentation(images, training=True)
        if mean_tensor is not None:
            images = images - mean_tensor
        if scale != 1.0:
            images = images * scale
        if data_format == "channels_first":
            # (N, H, W, C) -> (N, C, H, W); 10-crop batches (N, crops, H, W, C) keep crops second.
            perm = [0, 3, 1, 2] if images.shape.rank == 4 else [0, 1, 4, 2, 3]
            images = tf.transpose(images, perm=perm)
        if one_hot:
            labels = tf.one_hot(tf.cast(labels, tf.int32), classes)
        return images, labels

    return transform


def batch_bounds(rows, batch_size, replicas=None, drop_remainder=False):
    """(start, stop) of consecutive batches covering all `rows`, safe under MirroredStrategy.

    Keras splits every batch across the replicas, and two things then fail in TF 2.21:
    - a batch with fewer rows than replicas leaves a replica empty, and BatchNormalization
      fails with "Incompatible shapes" (in fit, evaluate and predict);
    - `fit` and `evaluate` reduce the FIRST batch across replicas to build the model, which
      fails unless it splits evenly ("Inputs to operation AddN must have the same shape").
    So the first batch is a multiple of `replicas`, and a too-short last batch is merged
    into the batch before it (or, if that is the first batch, takes `replicas` rows from
    it). No row is lost or repeated. `replicas`
    defaults to the number `get_strategy()` uses.
    """
    replicas = strategy.replica_count() if replicas is None else replicas
    if batch_size < replicas:
        raise errors.InvalidArgumentError(
            f"The global batch size must be at least the number of replicas ({replicas}). "
            f"Received: batch_size={batch_size}"
        )
    if drop_remainder:
        if rows < batch_size:
            raise errors.InvalidArgumentError(
                f"{rows} rows are fewer than one batch with drop_remainder=True. Received: batch_size={batch_size}"
            )
        return [(start, start + batch_size) for start in range(0, rows - batch_size + 1, batch_size)]
    stops = [min(batch_size, rows) // replicas * replicas]
    if stops[0] == 0:
        raise errors.InvalidArgumentError(
            f"Cannot split {rows} rows across {replicas} replicas: every replica needs at least "
            f"one row. Received: rows={rows}"
        )
    while stops[-1] < rows:
        stops.append(min(stops[-1] + batch_size, rows))
    if len(stops) > 2 and stops[-1] - stops[-2] < replicas:
        stops.pop(-2)  # merge the short tail into the batch before it
    elif len(stops) == 2 and stops[1] - stops[0] < replicas:
        stops[0] -= replicas  # the first batch gives rows to the tail and stays even
        if stops[0] == 0:
            raise errors.InvalidArgumentError(
                f"{rows} rows can't be batched so that each of {replicas} replicas gets rows in "
                f"every batch and the first batch splits evenly. Received: rows={rows}"
            )
    return list(zip([0] + stops[:-1], stops))


def make_array_dataset(
    images,
    labels,
    batch_size,
    transform,
    shuffle=False,
    seed=None,
    replicas=None,
):
    """A batched, prefetched `tf.data.Dataset` over in-memory arrays.

    `batch_size` is the GLOBAL batch size (per-replica size times the number of replicas);
    Keras splits each batch across replicas. With `shuffle=True` (training) the rows are
    reshuffled every epoch, reproducibly for a given `seed`; if the rows don't fill the
    batches evenly across `replicas`, fewer than `replicas` rows are left out of each epoch,
    different ones every time. Without shuffling (evaluation) every row is kept, in order,
    in batches from `batch_bounds`. `replicas` defaults to what `get_strategy()` uses.
    """
    images = np.asarray(images)
    labels = np.asarray(labels)
    if len(images) != len(labels):
        raise errors.InvalidArgumentError(
            "`images` and `labels` must have the same length. "
            f"Received: len(images)={len(images)}, len(labels)={len(labels)}"
        )
    batch_size = validation.check_positive_integer("batch_size", batch_size)
    dataset = tf.data.Dataset.from_tensor_slices((images, labels))
    if shuffle:
        dataset = _shuffled_batches(dataset, len(images), batch_size, seed, replicas)
    else:
        dataset = _batches_by_bounds(dataset, batch_bounds(len(images), batch_size, replicas))
    dataset = dataset.map(transform, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def _shuffled_batches(dataset, rows, batch_size, seed, replicas):
    """Reshuffled rows in full batches first, so the first batch splits evenly."""
    replicas = strategy.replica_count() if replicas is None else replicas
    if batch_size % replicas:
        raise errors.InvalidArgumentError(
            f"The global batch size must be a multiple of the {replicas} replicas, so that each "
            f"replica gets the same share. Received: batch_size={batch_size}"
        )
    used_rows = rows if rows >= batch_size else rows // replicas * replicas
    if used_rows == 0:
        raise errors.InvalidArgumentError(f"Cannot split {rows} rows across {replicas} replicas. Received: rows={rows}")
    tail = used_rows % batch_size
    dataset = dataset.shuffle(rows, seed=seed, reshuffle_each_iteration=True).take(used_rows)
    return dataset.batch(batch_size, drop_remainder=0 < tail < replicas)


def _batches_by_bounds(dataset, bounds):
    """Batches an unshuffled dataset into the (start, stop) bounds, a run of equal sizes at a time."""
    batched = None
    for size, group in itertools.groupby(bounds, key=lambda bound: bound[1] - bound[0]):
        group = list(group)
        start, stop = group[0][0], group[-1][1]
        piece = dataset.skip(start).take(stop - start).batch(size)
        batched = piece if batched is None else batched.concatenate(piece)
    return batched


def resize_batch(width, height, interpolation="area"):
    """Returns a batch function that resizes (N, H, W, C) images to (N, height, width, C).

    For validation and test pipelines that feed a network whose input is smaller than the
    stored images (course: `SimplePreprocessor(227, 227)` on 256x256 images). "area" matches
    OpenCV's INTER_AREA for downscaling.
    """
    width = validation.check_positive_integer("width", width)
    height = validation.check_positive_integer("height", height)
    validation.check_choice("interpolation", interpolation, ("area", "bilinear", "bicubic", "nearest", "lanczos3"))

    def resize(images):
        return tf.image.resize(images, (height, width), method=interpolation)

    return resize


def global_batch_size(per_replica_batch_size, strategy=None):
    """The batch size to give a dataset under `strategy`: per-replica size times replicas.

    Keras splits every batch of a distributed `fit` across the replicas, so a dataset must be
    batched with the global size for each replica to see `per_replica_batch_size` examples.
    """
    per_replica_batch_size = validation.check_positive_integer("per_replica_batch_size", per_replica_batch_size)
    replicas = 1 if strategy is None else strategy.num_replicas_in_sync
    return per_replica_batch_size * replicas


def _batch_functions(preprocessors):
    """Turns batch preprocessors into plain callables, checking each one early."""
    if preprocessors is None:
        return []
    functions = []
    for preprocessor in preprocessors:
        if hasattr(preprocessor, "preprocess_batch"):
            functions.append(preprocessor.preprocess_batch)
        elif callable(preprocessor) and not hasattr(preprocessor, "preprocess"):
            functions.append(preprocessor)
        else:
            raise errors.InvalidArgumentError(
                "Every preprocessor in a tf.data pipeline needs `preprocess_batch(images)` (or is "
                "a function of a batch); per-image preprocessors belong in the builder or in "
                f"HDF5DatasetGenerator. Received: {type(preprocessor).__name__}"
            )
    return functions
