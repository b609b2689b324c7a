"""tf.data pieces shared by every input path: the batch transform and the in-memory dataset.

Images travel as uint8 BGR batches and become float32 only inside `map`, one batch at a time,
so nothing float64 is ever held in memory. The same transform serves training, validation and
test data; only training data gets the augmentation, and mean subtraction and scaling are
identical for all three.

Training datasets are keyed (see `pyimagesearch.utils.seeding`): the order of epoch k is a
function of (seed, k), and every image reaches the transform with its key (epoch, row), from
which the augmentation draws its parameters. A keyed dataset carries an `EpochSeeds` callback
(`epoch_callbacks(dataset)`) that tells it which epoch Keras' `fit` is in, so a run resumed with
`fit(initial_epoch=k)` sees the same batches as one that never stopped.
"""

import inspect
import itertools

import keras
import numpy as np
import tensorflow as tf

from pyimagesearch.utils import errors, seeding, strategy, validation

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

    The transform also takes `keys`, an int64 (N, 2) tensor of (epoch, row) per image, which
    keyed datasets pass as a third element; the augmentation (and any batch preprocessor with a
    `keys` parameter) draws each image's randomness from it, so the result does not depend on
    which thread of the parallel `map` gets there first. `transform.uses_keys` says whether
    any part does.

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
        augmentation: a callable such as `build_augmentation()`, called with `training=True`
            (and with `keys=` when it has a `keys` parameter).
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
    batch_functions = [(function, _takes_keys(function)) for function in _batch_functions(preprocessors)]
    augmentation_takes_keys = augmentation is not None and _takes_keys(augmentation)

    def transform(images, labels, keys=None):
        images = tf.cast(images, tf.float32)
        for function, takes_keys in batch_functions:
            images = function(images, keys=keys) if takes_keys and keys is not None else function(images)
        if augmentation is not None:
            if augmentation_takes_keys and keys is not None:
                images = augmentation(images, training=True, keys=keys)
            else:
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

    transform.uses_keys = augmentation_takes_keys or any(takes_keys for _, takes_keys in batch_functions)
    return transform


def _takes_keys(function):
    """True if `function` has a parameter named `keys` (a `**kwargs` catch-all doesn't count)."""
    try:
        return "keys" in inspect.signature(function).parameters
    except (TypeError, ValueError):  # builtins without a signature
        return False


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
    initial_epoch=0,
):
    """A batched, prefetched `tf.data.Dataset` over in-memory arrays.

    `batch_size` is the GLOBAL batch size (per-replica size times the number of replicas);
    Keras splits each batch across replicas. With `shuffle=True` (training) the rows are
    reshuffled every epoch, in an order that is a function of (`seed`, epoch); if the rows
    don't fill the batches evenly across `replicas`, fewer than `replicas` rows are left out
    of each epoch, different ones every time. Without shuffling (evaluation) every row is
    kept, in order, in batches from `batch_bounds`. `replicas` defaults to what
    `get_strategy()` uses.

    A shuffled dataset, or one whose `transform` uses keys (augmentation), is keyed: pass
    `epoch_callbacks(dataset)` to `fit` so it follows fit's epoch (also after
    `fit(initial_epoch=k)`); iterated outside `fit`, each pass is the next epoch, from
    `initial_epoch`. A seed of None is drawn from NumPy's global generator.
    """
    images = np.asarray(images)
    labels = np.asarray(labels)
    if len(images) != len(labels):
        raise errors.InvalidArgumentError(
            "`images` and `labels` must have the same length. "
            f"Received: len(images)={len(images)}, len(labels)={len(labels)}"
        )
    batch_size = validation.check_positive_integer("batch_size", batch_size)
    initial_epoch = validation.check_integer("initial_epoch", initial_epoch, minimum=0)
    if not shuffle and not getattr(transform, "uses_keys", False):
        dataset = tf.data.Dataset.from_tensor_slices((images, labels))
        dataset = _batches_by_bounds(dataset, batch_bounds(len(images), batch_size, replicas))
        return dataset.map(transform, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)
    epoch_seeds = seeding.EpochSeeds(seeding.resolve_seed(seed), initial_epoch)
    if shuffle:
        rows_of_epoch, batches = _shuffled_rows(len(images), batch_size, epoch_seeds.seed, replicas)
    else:
        rows_of_epoch, batches = _rows_by_bounds(batch_bounds(len(images), batch_size, replicas))
    images_tensor = tf.convert_to_tensor(images)
    labels_tensor = tf.convert_to_tensor(labels)

    def gather(rows, epoch):
        return tf.gather(images_tensor, rows), tf.gather(labels_tensor, rows), row_keys(rows, epoch)

    dataset = keyed_epochs(epoch_seeds, rows_of_epoch).map(gather, num_parallel_calls=tf.data.AUTOTUNE)
    dataset = dataset.map(keyed_transform(transform), num_parallel_calls=tf.data.AUTOTUNE)
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(batches)).prefetch(tf.data.AUTOTUNE)
    dataset.epoch_seeds = epoch_seeds
    return dataset


def keyed_epochs(epoch_seeds, batches_of_epoch):
    """`(batch, epoch)` pairs for one pass, with the epoch asked of `epoch_seeds` as the pass starts.

    `batches_of_epoch(epoch)` returns the dataset of one epoch (a function of the epoch and
    nothing else); each of its elements is paired with the int64 epoch.
    """

    def epoch_of_pass(unused):
        # Not stateful for TensorFlow: a stateful op would serialise every `map` of the
        # pipeline under `enable_op_determinism`. Its input keeps it from being folded.
        epoch = tf.numpy_function(lambda _: np.int64(epoch_seeds.next_epoch()), [unused], tf.int64, stateful=False)
        return tf.reshape(epoch, [])

    def one_epoch(epoch):
        return batches_of_epoch(epoch).map(lambda batch: (batch, epoch))

    return tf.data.Dataset.range(1).map(epoch_of_pass).flat_map(one_epoch)


def epoch_callbacks(dataset):
    """The callbacks `fit` needs for `dataset`: its `EpochSeeds` if it is keyed, else none."""
    epoch_seeds = getattr(dataset, "epoch_seeds", None)
    return [] if epoch_seeds is None else [epoch_seeds]


def row_keys(rows, epoch):
    """(epoch, row) for every row of a batch: the key of its augmentation."""
    rows = tf.cast(rows, tf.int64)
    return tf.stack([tf.fill(tf.shape(rows), epoch), rows], axis=1)


def keyed_transform(transform):
    """`transform` as a function of (images, labels, keys), passing the keys on if it uses them."""
    if getattr(transform, "uses_keys", False):
        return transform
    return lambda images, labels, keys: transform(images, labels)


def _shuffled_rows(rows, batch_size, seed, replicas):
    """(rows of epoch k as batches, batches per epoch): a permutation keyed on (seed, k), in
    full batches first, so the first batch splits evenly across the replicas."""
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
    drop_tail = 0 < tail < replicas

    def permutation(epoch):
        return seeding.generator(seed, seeding.SHUFFLE, epoch).permutation(rows)[:used_rows].astype(np.int64)

    def rows_of_epoch(epoch):
        order = tf.numpy_function(permutation, [epoch], tf.int64, stateful=False)
        order.set_shape([used_rows])
        return tf.data.Dataset.from_tensor_slices(order).batch(batch_size, drop_remainder=drop_tail)

    return rows_of_epoch, used_rows // batch_size + (1 if tail and not drop_tail else 0)


def _rows_by_bounds(bounds):
    """(rows of an epoch as batches, batches per epoch) for unshuffled `(start, stop)` bounds."""
    bounds_tensor = tf.constant(bounds, dtype=tf.int64)

    def rows_of_epoch(unused_epoch):
        return tf.data.Dataset.from_tensor_slices(bounds_tensor).map(lambda bound: tf.range(bound[0], bound[1]))

    return rows_of_epoch, len(bounds)


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
