"""HDF5PyDataset: a `keras.utils.PyDataset` over an HDF5 file, readable from several processes.

h5py holds a global lock, so threads never read one file in parallel; processes do. With
`workers=k, use_multiprocessing=True`, Keras forks k worker processes that call
`__getitem__`; each one reopens the file the first time it runs (the handle is keyed by
`os.getpid()`, since an HDF5 handle inherited through fork must not be used).

The work per batch is NumPy only (contiguous slice, cast, mean, scale, one-hot), so worker
processes never touch TensorFlow. Augmentation belongs in the tf.data pipeline
(`make_hdf5_dataset`), where Keras layers run vectorised.

Which reader is faster depends on the machine; `benchmarks/input_pipeline.py` measures both.
Keras feeds a PyDataset to `fit` through `tf.data.Dataset.from_generator`, which costs a
Python round trip per batch, and batches cross process boundaries by pickling.
"""

import numbers
import os

import keras
import numpy as np

from pyimagesearch.io import hdf5format


class HDF5PyDataset(keras.utils.PyDataset):
    """Batches (images, labels) from an HDF5 dataset file, slice order shuffled every epoch.

    Args:
        db_path: a complete dataset file (see `HDF5DatasetWriter`).
        batch_size: the GLOBAL batch size (per-replica size times replicas).
        data_key: the dataset holding the rows ("images" or "features").
        shuffle: shuffle the order of the contiguous slices, anew every epoch.
        seed: seed of that order.
        mean: None, "file" (the stored training mean), {"R", "G", "B"} or (B, G, R).
        scale: factor after mean subtraction.
        one_hot: one-hot float32 labels, else int64 labels.
        classes: number of classes for one-hot labels; default: the file's label names.
        workers, use_multiprocessing, max_queue_size: as for `keras.utils.PyDataset`.
    """

    def __init__(
        self,
        db_path,
        batch_size,
        data_key="images",
        shuffle=True,
        seed=None,
        mean=None,
        scale=1.0 / 255.0,
        one_hot=True,
        classes=None,
        workers=1,
        use_multiprocessing=False,
        max_queue_size=10,
    ):
        super().__init__(workers=workers, use_multiprocessing=use_multiprocessing, max_queue_size=max_queue_size)
        if not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"`batch_size` must be a positive integer. Received: batch_size={batch_size!r}")
        if not isinstance(scale, numbers.Real) or isinstance(scale, bool) or not scale > 0:
            raise ValueError(f"`scale` must be a positive number. Received: scale={scale!r}")
        info = hdf5format.read_dataset_info(db_path, data_key)
        if mean == "file":
            if info["mean"] is None:
                raise hdf5format.InvalidDatasetFileError(db_path, "mean='file' was asked for but the attribute 'mean' is missing")
            mean = info["mean"]
        self.db_path = str(db_path)
        self.data_key = data_key
        self.batch_size = int(batch_size)
        self.rows = info["rows"]
        self.shuffle = bool(shuffle)
        self.scale = np.float32(scale)
        self.one_hot = bool(one_hot)
        self.classes = info["classes"] if classes is None else int(classes)
        if self.one_hot and self.classes < 2:
            raise ValueError(f"`classes` must be >= 2 for one-hot labels. Received: classes={self.classes}")
        self._mean = None if mean is None else hdf5format.mean_to_bgr(mean).astype(np.float32)
        self._random = np.random.default_rng(seed)
        self._order = np.arange(len(self))
        if self.shuffle:
            self._order = self._random.permutation(self._order)
        self.compression = info["compression"]
        self._handle = None
        self._handle_pid = None

    def __len__(self):
        return -(-self.rows // self.batch_size)

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"Batch {index} is out of range. Received: index={index}, batches={len(self)}")
        database = self._database()
        start = int(self._order[index]) * self.batch_size
        stop = min(start + self.batch_size, self.rows)
        images = database[self.data_key][start:stop].astype(np.float32)
        labels = database[hdf5format.LABELS_KEY][start:stop]
        if self._mean is not None:
            images -= self._mean
        if self.scale != 1:
            images *= self.scale
        if self.one_hot:
            labels = np.eye(self.classes, dtype=np.float32)[labels]
        return images, labels

    def on_epoch_end(self):
        if self.shuffle:
            self._order = self._random.permutation(self._order)

    def close(self):
        """Closes this process's file handle (workers' handles close when they exit)."""
        if self._handle is not None and self._handle_pid == os.getpid():
            self._handle.close()
        self._handle = None
        self._handle_pid = None

    def _database(self):
        if self._handle_pid != os.getpid():
            # A new process (or the first call): never use a handle inherited through fork.
            self._handle = hdf5format.open_for_slices(self.db_path, self.compression)
            self._handle_pid = os.getpid()
        return self._handle

    def __getstate__(self):
        # Pickled (spawn-based pools): the handle stays behind and the copy reopens the file.
        state = self.__dict__.copy()
        state["_handle"] = None
        state["_handle_pid"] = None
        return state
