"""HDF5DatasetWriter: write images or features with their labels into one HDF5 file, safely.

The course's writer stored images as float64 (8x the size of the pixels), wrote straight into
the final file, and silently overwrote an existing one. This one:
- stores raw images as uint8 and features as float32 (casting with NumPy, never through h5py);
- writes into a hidden temporary file beside `output_path` and moves it into place with
  `os.replace` only when `close()` succeeds, so a crash or SIGKILL never leaves a half-written
  file under the final name;
- records how the file was made (format version, image size, preprocessing, per-channel mean)
  and sets the `complete` flag last, which readers check;
- refuses to overwrite an existing file unless `overwrite=True`.

    with HDF5DatasetWriter((len(paths), 64, 64, 3), "train.hdf5") as writer:
        writer.store_class_labels(class_names)
        for images, labels in batches:
            writer.add(images, labels)
    # the file appears at train.hdf5 here; an exception in the block discards it
"""

import json
import os
import pathlib
import weakref

import h5py
import numpy as np

from pyimagesearch.io import hdf5format
from pyimagesearch.utils import atomic, errors, validation

_ALLOWED_DTYPES = ("uint8", "float16", "float32")
# Chunks of at most this many bytes: large enough that a batch read touches few chunks, small
# enough that the unused tail of a trimmed file's last chunk stays negligible.
_CHUNK_BYTES = 256 * 1024
# HDF5 1.10 file structures: a smaller chunk index than the 1.8-compatible default, readable
# by every h5py since 2.8.
_LIBRARY_VERSIONS = ("v110", "latest")


class HDF5DatasetWriter:
    """Writes rows (images or feature vectors) and integer labels into an HDF5 file.

    Args:
        dims: (N, H, W, C) for images or (N, D) for features. N is the capacity: at most N
            rows can be added; when fewer are added (e.g. the builder skipped bad images) the
            file is trimmed to the rows actually added.
        output_path: the final path of the file.
        data_key: name of the dataset holding the rows, "images" or "features" by convention.
        buffer_size: rows held in memory before they are flushed to disk.
        dtype: storage type; default uint8 for 4-D `dims` (raw pixels) and float32 otherwise.
            float16 is allowed and is cast with NumPy before writing.
        overwrite: replace an existing file at `output_path` (default: refuse).
        preprocessing: free text (or a list of strings) saying how the rows were made; stored
            in the `preprocessing` attribute.
        mean: the per-channel mean to record, {"R", "G", "B"} or (B, G, R). Default: for
            3-channel uint8 images, the mean of the rows added is computed and recorded. The
            builder passes the training split's mean for validation and test files.
        compression: None (default), "lzf" or "gzip". Rarely worth it for photographs: on
            64x64 JPEG-derived pixels lzf saved 1% and gzip 9%, while contiguous slices read
            40x (lzf) and 100x (gzip) slower, because every chunk a slice touches is
            decompressed whole.
    """

    def __init__(
        self,
        dims,
        output_path,
        data_key="images",
        buffer_size=1000,
        dtype=None,
        overwrite=False,
        preprocessing="",
        mean=None,
        compression=None,
    ):
        self.dims = _validate_dims(dims)
        self.output_path = pathlib.Path(output_path)
        self.data_key = _validate_data_key(data_key)
        self.buffer_size = validation.check_positive_integer("buffer_size", buffer_size)
        self.dtype = _validate_dtype(dtype, self.dims)
        self.overwrite = validation.check_flag("overwrite", overwrite)
        self.preprocessing = _validate_preprocessing(preprocessing)
        self.compression = _validate_compression(compression)
        self._given_mean = None if mean is None else hdf5format.mean_to_bgr(mean)
        if self.output_path.exists() and not self.overwrite:
            raise FileExistsError(
                f"{self.output_path} exists; pass overwrite=True to replace it. "
                f"Received: output_path={str(self.output_path)!r}"
            )
        self.output_path.parent.mkdir(parents=True, exist_ok=True)
        # A writer killed earlier (SIGKILL) left its temporary file; clear it if its process is gone.
        atomic.remove_stale_partials(self.output_path)
        self.temporary_path = atomic.temporary_sibling(self.output_path)
        self._database = h5py.File(self.temporary_path, "w", libver=_LIBRARY_VERSIONS)
        # If the writer is dropped or the interpreter exits without close(), the temporary
        # file is removed: nothing half-written stays behind (SIGKILL aside, see builder).
        self._finalizer = weakref.finalize(self, _discard, self._database, self.temporary_path)
        self._create_datasets()
        # Never more buffer than the file can hold: 1000 rows of 256x256 pixels are 196 MB.
        self.buffer_size = min(self.buffer_size, self.dims[0])
        self._buffer_rows = np.empty((self.buffer_size,) + self.dims[1:], dtype=self.dtype)
        self._buffer_labels = np.empty((self.buffer_size,), dtype=np.int64)
        self._buffered = 0
        self._written = 0
        self._channel_sums = np.zeros(self.dims[-1], dtype=np.float64) if self._tracks_mean() else None
        self._max_label = -1
        self._label_names = None
        self._closed = False
        # The per-channel mean recorded in the file, {"R", "G", "B"}; set by close().
        self.mean = None

    @property
    def rows_added(self):
        """Rows added so far (buffered or written)."""
        return self._written + self._buffered

    def add(self, rows, labels):
        """Adds a batch of rows (shape (k,) + dims[1:]) and their k integer labels."""
        self._check_open()
        rows = self._validate_rows(rows)
        labels = _validate_labels(labels, len(rows))
        if self.rows_added + len(rows) > self.dims[0]:
            raise errors.InvalidArgumentError(
                f"The file was created for {self.dims[0]} rows; adding {len(rows)} more to "
                f"{self.rows_added} would exceed it. Received: dims={self.dims}"
            )
        if len(labels):
            self._max_label = max(self._max_label, int(labels.max()))
        if self._channel_sums is not None:
            self._channel_sums += rows.reshape(-1, rows.shape[-1]).sum(axis=0, dtype=np.uint64)
        position = 0
        while position < len(rows):
            take = min(self.buffer_size - self._buffered, len(rows) - position)
            self._buffer_rows[self._buffered : self._buffered + take] = rows[position : position + take]
            self._buffer_labels[self._buffered : self._buffered + take] = labels[position : position + take]
            self._buffered += take
            position += take
            if self._buffered == self.buffer_size:
                self.flush()

    def store_class_labels(self, class_labels):
        """Stores the class names (label i is `class_labels[i]`) as UTF-8 strings."""
        self._check_open()
        names = list(class_labels) if not isinstance(class_labels, str) else None
        if not names or not all(isinstance(name, str) and name for name in names):
            raise errors.InvalidArgumentError(
                f"`class_labels` must be a non-empty list of non-empty strings. Received: class_labels={class_labels!r}"
            )
        if len(set(names)) != len(names):
            raise errors.InvalidArgumentError(f"`class_labels` must not repeat a name. Received: class_labels={names!r}")
        if hdf5format.LABEL_NAMES_KEY in self._database:
            del self._database[hdf5format.LABEL_NAMES_KEY]
        self._database.create_dataset(
            hdf5format.LABEL_NAMES_KEY,
            data=np.array(names, dtype=object),
            dtype=h5py.string_dtype("utf-8"),
        )
        self._label_names = names

    def flush(self):
        """Writes the buffered rows to the temporary file."""
        self._check_open()
        if not self._buffered:
            return
        start, stop = self._written, self._written + self._buffered
        self._database[self.data_key][start:stop] = self._buffer_rows[: self._buffered]
        self._database[hdf5format.LABELS_KEY][start:stop] = self._buffer_labels[: self._buffered]
        self._written = stop
        self._buffered = 0

    def close(self):
        """Finishes the file and moves it to `output_path`; returns that path.

        The datasets are trimmed to the rows added, the attributes and the `complete` flag are
        written, and the file is synced to disk before `os.replace`. On any error the
        temporary file is removed and nothing appears at `output_path`.
        """
        if self._closed:
            return self.output_path
        try:
            self._finish()
        except BaseException:
            self.abort()
            raise
        self._closed = True
        return self.output_path

    def abort(self):
        """Discards everything written so far; `output_path` is left untouched."""
        self._closed = True
        self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, exception_type, exception, traceback):
        if exception_type is None:
            self.close()
        else:
            self.abort()
        return False

    def _finish(self):
        self.flush()
        if self._written == 0:
            raise errors.InvalidArgumentError(f"No rows were added to {self.output_path}; an empty dataset file is refused. Received: 0 rows")
        if self._label_names is not None and self._max_label >= len(self._label_names):
            raise errors.InvalidArgumentError(
                f"Label {self._max_label} has no name: only {len(self._label_names)} class labels were "
                f"stored. Received: class_labels={self._label_names!r}"
            )
        for key in (self.data_key, hdf5format.LABELS_KEY):
            dataset = self._database[key]
            dataset.resize((self._written,) + dataset.shape[1:])
        self._write_attributes()
        # The flag goes last: a file without it was never finished.
        self._database.attrs["complete"] = True
        self._database.close()
        _fsync(self.temporary_path)
        if self.output_path.exists() and not self.overwrite:
            raise FileExistsError(
                f"{self.output_path} appeared while it was being written; pass overwrite=True to "
                f"replace it. Received: output_path={str(self.output_path)!r}"
            )
        os.replace(self.temporary_path, self.output_path)
        self._finalizer.detach()

    def _create_datasets(self):
        row_shape = self.dims[1:]
        row_bytes = int(np.prod(row_shape)) * np.dtype(self.dtype).itemsize
        chunk_rows = _chunk_rows(self.dims[0], row_bytes)
        self._database.create_dataset(
            self.data_key,
            shape=(self.dims[0],) + row_shape,
            maxshape=(None,) + row_shape,
            chunks=(chunk_rows,) + row_shape,
            dtype=self.dtype,
            compression=self.compression,
            track_times=False,
        )
        self._database.create_dataset(
            hdf5format.LABELS_KEY,
            shape=(self.dims[0],),
            maxshape=(None,),
            chunks=(min(self.dims[0], 16384),),
            dtype=np.int64,
            track_times=False,
        )
        attributes = self._database.attrs
        attributes["format_version"] = hdf5format.FORMAT_VERSION
        attributes["complete"] = False
        attributes["data_key"] = self.data_key

    def _write_attributes(self):
        # At most 8 attributes: beyond that HDF5 switches to "dense" attribute storage, which
        # costs several KB per file. Row count and shape are the datasets' own shapes.
        attributes = self._database.attrs
        attributes["preprocessing"] = self.preprocessing
        if len(self.dims) == 4:
            attributes["image_size"] = np.asarray(self.dims[1:], dtype=np.int64)
            attributes["channel_order"] = "BGR"
        mean, source = self._resolve_mean()
        if mean is not None:
            self.mean = hdf5format.mean_to_json(mean)
            attributes["mean"] = json.dumps(self.mean)
            attributes["mean_source"] = source

    def _resolve_mean(self):
        if self._given_mean is not None:
            return self._given_mean, "given by the caller (the training split's mean)"
        if self._channel_sums is not None:
            pixels = self._written * int(np.prod(self.dims[1:-1]))
            return self._channel_sums / pixels, "computed from the rows of this file"
        return None, None

    def _tracks_mean(self):
        return self._given_mean is None and len(self.dims) == 4 and self.dims[-1] == 3 and self.dtype == "uint8"

    def _validate_rows(self, rows):
        rows = np.asarray(rows)
        if rows.ndim != len(self.dims) or rows.shape[1:] != self.dims[1:]:
            raise errors.InvalidArgumentError(
                f"`rows` must have shape (k,) + {self.dims[1:]}. Received: rows.shape={rows.shape}"
            )
        if rows.dtype == self.dtype:
            return rows
        if self.dtype == "uint8":
            return _to_uint8(rows)
        if not np.issubdtype(rows.dtype, np.number):
            raise errors.InvalidArgumentError(f"`rows` must be numeric. Received: rows.dtype={rows.dtype}")
        # Cast with NumPy: letting h5py convert float32 to float16 is slow and rounds wrongly.
        return rows.astype(self.dtype)

    def _check_open(self):
        if self._closed:
            raise errors.InvalidArgumentError(f"The writer for {self.output_path} is closed. Received: a call after close()")


def _chunk_rows(capacity, row_bytes):
    """Rows per chunk: at most _CHUNK_BYTES, and wasting the fewest rows in the last chunk.

    HDF5 stores every chunk whole, so a last chunk that is only partly used still takes its
    full size; when the chunk divides the row count, nothing is wasted.
    """
    largest = max(1, min(capacity, _CHUNK_BYTES // max(1, row_bytes)))
    candidates = range(max(1, largest // 2), largest + 1)
    return min(candidates, key=lambda rows: (-(-capacity // rows) * rows - capacity, -rows))


def _discard(database, temporary_path):
    try:
        if database.id.valid:
            database.close()
    finally:
        try:
            os.unlink(temporary_path)
        except FileNotFoundError:
            pass


def _fsync(path):
    file_descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(file_descriptor)
    finally:
        os.close(file_descriptor)


def _to_uint8(rows):
    """Converts integer or float rows holding whole pixel values 0..255 to uint8, or refuses.

    Refusing beats wrapping around: -3 or 300 stored as uint8 would be silent garbage, and
    mean-subtracted or scaled rows belong in a float32 features file instead.
    """
    if not np.issubdtype(rows.dtype, np.number) or np.issubdtype(rows.dtype, np.complexfloating):
        raise errors.InvalidArgumentError(f"`rows` must hold pixel values. Received: rows.dtype={rows.dtype}")
    if rows.size and (rows.min() < 0 or rows.max() > 255):
        raise errors.InvalidArgumentError(
            "uint8 image rows must hold values 0..255; store scaled or mean-subtracted data with "
            f"dtype='float32'. Received: values from {rows.min()} to {rows.max()}"
        )
    if np.issubdtype(rows.dtype, np.floating) and not np.array_equal(rows, np.round(rows)):
        raise errors.InvalidArgumentError(
            "uint8 image rows must hold whole pixel values; store fractional data with "
            f"dtype='float32'. Received: rows.dtype={rows.dtype} with fractional values"
        )
    return rows.astype(np.uint8)


def _validate_dims(dims):
    try:
        dims = tuple(dims)
    except TypeError:
        raise errors.InvalidArgumentError(f"`dims` must be (N, H, W, C) or (N, D). Received: dims={dims!r}") from None
    valid = len(dims) in (2, 4) and all(validation.is_positive_integer(size) for size in dims)
    if not valid:
        raise errors.InvalidArgumentError(f"`dims` must be (N, H, W, C) or (N, D) of positive integers. Received: dims={dims!r}")
    return tuple(int(size) for size in dims)


def _validate_data_key(data_key):
    if not isinstance(data_key, str) or not data_key or "/" in data_key or data_key in (
        hdf5format.LABELS_KEY,
        hdf5format.LABEL_NAMES_KEY,
    ):
        raise errors.InvalidArgumentError(
            "`data_key` must be a non-empty name without '/', other than 'labels' and "
            f"'label_names'. Received: data_key={data_key!r}"
        )
    return data_key


def _validate_dtype(dtype, dims):
    if dtype is None:
        return "uint8" if len(dims) == 4 else "float32"
    try:
        name = np.dtype(dtype).name
    except TypeError:
        name = None
    if name not in _ALLOWED_DTYPES:
        raise errors.InvalidArgumentError(f"`dtype` must be one of {_ALLOWED_DTYPES}. Received: dtype={dtype!r}")
    return name


def _validate_preprocessing(preprocessing):
    if isinstance(preprocessing, str):
        return preprocessing
    if isinstance(preprocessing, (list, tuple)) and all(isinstance(step, str) for step in preprocessing):
        return "; ".join(preprocessing)
    raise errors.InvalidArgumentError(
        f"`preprocessing` must be a string or a list of strings. Received: preprocessing={preprocessing!r}"
    )


def _validate_compression(compression):
    if compression not in (None, "lzf", "gzip"):
        raise errors.InvalidArgumentError(f"`compression` must be None, 'lzf' or 'gzip'. Received: compression={compression!r}")
    return compression


def _validate_labels(labels, count):
    labels = np.asarray(labels)
    if labels.shape != (count,):
        raise errors.InvalidArgumentError(f"`labels` must have shape ({count},), one per row. Received: labels.shape={labels.shape}")
    if count and not np.issubdtype(labels.dtype, np.integer):
        raise errors.InvalidArgumentError(f"`labels` must be integers (class indices). Received: labels.dtype={labels.dtype}")
    if count and labels.min() < 0:
        raise errors.InvalidArgumentError(f"`labels` must be non-negative class indices. Received: min label={labels.min()}")
    return labels.astype(np.int64, copy=False)
