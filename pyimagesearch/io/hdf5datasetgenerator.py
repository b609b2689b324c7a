"""HDF5DatasetGenerator: the course's Python batch generator over an HDF5 file, fixed.

Kept for compatibility with course code; it is slow (per-image Python preprocessing, and
Keras 3 wraps a Python generator in `tf.data.Dataset.from_generator`). New code should use
`make_hdf5_dataset` (pyimagesearch/io/hdf5pipeline.py).

What the course's version got wrong, and this one doesn't:
- it never shuffled: here the order of the batch slices is shuffled on every pass;
- the key "images" was hard-coded: here `data_key` selects it (e.g. "features");
- one pass yielded ceil(N / batch_size) batches while training counted N // batch_size steps
  per epoch, so Keras epochs and passes over the data drifted apart; here `steps_per_epoch`
  is exactly the number of batches in one pass, and `generator(passes=k)` yields exactly k
  passes;
- the file was never checked: incomplete or foreign files are refused with a clear error.
"""

import sys

import numpy as np

from pyimagesearch.io import hdf5format
from pyimagesearch.utils import errors, validation


class HDF5DatasetGenerator:
    """Yields (images, labels) batches from an HDF5 dataset file, pass after pass.

    Args:
        db_path: a complete dataset file written by `HDF5DatasetWriter`.
        batch_size: rows per batch; the last batch of a pass may be smaller.
        preprocessors: per-image preprocessors (objects with `preprocess(image)`), applied in
            order to every image, as in the course.
        augmentation: applied to every preprocessed batch: a Keras layer or model such as
            `build_augmentation()` (called with `training=True`), any function of a batch, or
            an object with the old `flow(images, labels, batch_size)` API.
        binarize: one-hot labels (float32); else the integer labels.
        classes: number of classes for one-hot labels; must match the file's label names.
        data_key: the dataset holding the rows ("images" or "features").
        shuffle: shuffle the order of the batch slices on every pass.
        seed: seed of that order, for repeatable runs.

    Use with Keras:
        model.fit(generator.generator(), steps_per_epoch=generator.steps_per_epoch, ...)
    """

    def __init__(
        self,
        db_path,
        batch_size,
        preprocessors=None,
        augmentation=None,
        binarize=True,
        classes=2,
        data_key="images",
        shuffle=True,
        seed=None,
    ):
        validation.check_positive_integer("batch_size", batch_size)
        if binarize:
            validation.check_integer("classes", classes, minimum=2)
        for preprocessor in preprocessors or []:
            if not hasattr(preprocessor, "preprocess"):
                raise errors.InvalidArgumentError(
                    f"Every preprocessor needs a `preprocess(image)` method. Received: {type(preprocessor).__name__}"
                )
        self.db_path = str(db_path)
        self.batch_size = int(batch_size)
        self.preprocessors = list(preprocessors) if preprocessors else None
        self.augmentation = augmentation
        self.binarize = bool(binarize)
        self.classes = int(classes) if binarize else classes
        self.data_key = data_key
        self.shuffle = bool(shuffle)
        self.passes_completed = 0
        self._random = np.random.default_rng(seed)
        info = hdf5format.read_dataset_info(db_path, data_key)
        self.db = hdf5format.open_for_slices(db_path, info["compression"])
        self.num_images = int(self.db[hdf5format.LABELS_KEY].shape[0])
        self._check_classes()

    @property
    def steps_per_epoch(self):
        """Batches in one pass over the file: ceil(num_images / batch_size)."""
        return -(-self.num_images // self.batch_size)

    def __len__(self):
        return self.steps_per_epoch

    def generator(self, passes=np.inf):
        """Yields batches for `passes` full passes over the file (forever by default)."""
        if not (passes == np.inf or validation.is_positive_integer(passes)):
            raise errors.InvalidArgumentError(f"`passes` must be a positive integer or np.inf. Received: passes={passes!r}")
        completed = 0
        while completed < passes:
            starts = np.arange(0, self.num_images, self.batch_size)
            if self.shuffle:
                starts = self._random.permutation(starts)
            for start in starts:
                yield self._batch(int(start))
            completed += 1
            self.passes_completed += 1

    def close(self):
        """Closes the HDF5 file."""
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, exception_type, exception, traceback):
        self.close()
        return False

    def _batch(self, start):
        images = self.db[self.data_key][start : start + self.batch_size]
        labels = self.db[hdf5format.LABELS_KEY][start : start + self.batch_size]
        if self.binarize:
            labels = np.eye(self.classes, dtype=np.float32)[labels]
        if self.preprocessors is not None:
            images = np.array([self._preprocess(image) for image in images])
        if self.augmentation is not None:
            images, labels = self._augment(images, labels)
        return images, labels

    def _preprocess(self, image):
        for preprocessor in self.preprocessors:
            image = preprocessor.preprocess(image)
        return image

    def _augment(self, images, labels):
        if hasattr(self.augmentation, "flow"):  # the course's ImageDataGenerator API
            return next(self.augmentation.flow(images, labels, batch_size=self.batch_size, shuffle=False))
        images = images.astype(np.float32, copy=False)
        # A Keras layer needs training=True to be random. If Keras was never imported, the
        # augmentation can't be one, and we don't import TensorFlow just to find out.
        keras = sys.modules.get("keras")
        is_layer = keras is not None and isinstance(self.augmentation, keras.layers.Layer)
        augmented = self.augmentation(images, training=True) if is_layer else self.augmentation(images)
        return np.asarray(augmented), labels

    def _check_classes(self):
        names = hdf5format.read_label_names(self.db)
        if self.binarize and names is not None and len(names) != self.classes:
            self.db.close()
            raise errors.InvalidArgumentError(
                f"{self.db_path} has {len(names)} classes ({', '.join(names)}), but one-hot labels "
                f"were asked for {self.classes}. Received: classes={self.classes}"
            )
