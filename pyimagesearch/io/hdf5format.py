"""The HDF5 dataset file format shared by the writer, the builder and every reader.

One file per split holds:
- `images` (N, H, W, C) uint8 BGR pixels, or `features` (N, D) float32 (the data key);
- `labels` (N,) int64;
- `label_names` (K,) UTF-8 strings, when the writer was given them.

File attributes say how the file was made and whether it is finished:
- `format_version`: FORMAT_VERSION;
- `complete`: True only once the writer closed the file successfully;
- `data_key`, `image_size` ([height, width, channels], images only), `channel_order` ("BGR",
  images only), `preprocessing` (free text);
- `mean`: the per-channel mean as JSON in the course's format `{"R": r, "G": g, "B": b}`. In a
  file made by the builder it is always the TRAINING split's mean, also in the validation and
  test files, so that every split is mean-subtracted identically; `mean_source` says where the
  value came from.

Readers open files through `open_dataset_file`, which refuses incomplete and foreign files with
an error naming the file and the missing key or flag.
"""

import json
import pathlib

import h5py
import numpy as np

from pyimagesearch.utils import errors

FORMAT_VERSION = 1
LABELS_KEY = "labels"
LABEL_NAMES_KEY = "label_names"
DATA_KEYS = ("images", "features")
MEAN_CHANNELS = ("R", "G", "B")


class InvalidDatasetFileError(errors.UserError, ValueError):
    """An HDF5 file that is not a complete dataset file. `path` names it, `reason` says why."""

    def __init__(self, path, reason):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"Cannot use HDF5 dataset file {self.path}: {reason}")


def open_dataset_file(path, data_key="images"):
    """Opens `path` read-only after checking that it is a complete dataset file.

    Returns the open `h5py.File`; the caller closes it. Raises `InvalidDatasetFileError` when
    the file is missing, not HDF5, lacks the `complete` flag (a build that was interrupted, or
    a file written by other code) or lacks `data_key` or `labels`.
    """
    path = pathlib.Path(path)
    if not path.is_file():
        raise InvalidDatasetFileError(path, "the file does not exist")
    try:
        handle = h5py.File(path, "r")
    except OSError as error:
        raise InvalidDatasetFileError(path, f"it is not a readable HDF5 file ({error})") from error
    try:
        _check_dataset_file(path, handle, data_key)
    except BaseException:
        handle.close()
        raise
    return handle


def _check_dataset_file(path, handle, data_key):
    attributes = handle.attrs
    if "format_version" not in attributes:
        raise InvalidDatasetFileError(
            path,
            "the attribute 'format_version' is missing: the file was not written by "
            "pyimagesearch.io.HDF5DatasetWriter (rebuild it with pyimagesearch.io.builder)",
        )
    if "complete" not in attributes or not bool(attributes["complete"]):
        raise InvalidDatasetFileError(
            path,
            "the 'complete' flag is not set: the writer never closed the file, so it may be "
            "half-written (rebuild it)",
        )
    version = int(attributes["format_version"])
    if version > FORMAT_VERSION:
        raise InvalidDatasetFileError(
            path, f"format_version {version} is newer than this library reads ({FORMAT_VERSION})"
        )
    for key in (data_key, LABELS_KEY):
        if key not in handle:
            present = ", ".join(sorted(handle.keys())) or "none"
            raise InvalidDatasetFileError(path, f"the dataset key '{key}' is missing (keys present: {present})")
    if handle[data_key].shape[0] != handle[LABELS_KEY].shape[0]:
        raise InvalidDatasetFileError(
            path,
            f"'{data_key}' has {handle[data_key].shape[0]} rows but '{LABELS_KEY}' has "
            f"{handle[LABELS_KEY].shape[0]}",
        )


def read_dataset_info(path, data_key="images"):
    """Returns a dict describing a complete dataset file, without reading its rows.

    Keys: path, data_key, rows, row_shape, dtype, compression, label_names (list or None), classes (number
    of label names, or the largest label + 1 when the file has no names), mean (dict
    {"R", "G", "B"} or None), image_size, preprocessing, format_version.
    """
    with open_dataset_file(path, data_key) as handle:
        data = handle[data_key]
        label_names = read_label_names(handle)
        if label_names is not None:
            classes = len(label_names)
        else:
            labels = handle[LABELS_KEY]
            classes = int(np.max(labels[...])) + 1 if labels.shape[0] else 0
        attributes = handle.attrs
        return {
            "path": str(path),
            "data_key": data_key,
            "rows": int(data.shape[0]),
            "row_shape": tuple(int(size) for size in data.shape[1:]),
            "dtype": str(data.dtype),
            "compression": data.compression,
            "label_names": label_names,
            "classes": classes,
            "mean": parse_mean(attributes.get("mean")),
            "image_size": _optional_tuple(attributes.get("image_size")),
            "preprocessing": _as_text(attributes.get("preprocessing", "")),
            "format_version": int(attributes["format_version"]),
        }


def open_for_slices(path, compression=None):
    """Opens a checked dataset file for reading contiguous slices, as fast as HDF5 allows.

    Without compression the chunk cache is switched off: HDF5 then copies just the rows asked
    for straight from the file, instead of first reading every chunk the slice touches into
    its 1 MB cache (which made a 32-row read up to 3x slower for 1 MB chunks). Compressed
    chunks must be decompressed whole, so they keep the default cache.
    """
    if compression is None:
        return h5py.File(path, "r", rdcc_nbytes=0)
    return h5py.File(path, "r")


def read_label_names(handle):
    """The file's label names as a list of str, or None when it has none."""
    if LABEL_NAMES_KEY not in handle:
        return None
    return [_as_text(name) for name in handle[LABEL_NAMES_KEY][...]]


def read_mean(path, data_key="images"):
    """The per-channel mean stored in a dataset file, as {"R": r, "G": g, "B": b}.

    Raises `InvalidDatasetFileError` when the file holds no mean (e.g. a features file).
    """
    mean = read_dataset_info(path, data_key)["mean"]
    if mean is None:
        raise InvalidDatasetFileError(path, "the attribute 'mean' is missing")
    return mean


def mean_to_bgr(mean):
    """Converts a mean given as {"R", "G", "B"} or as a (B, G, R) sequence to a float64 array."""
    if isinstance(mean, dict):
        missing = [channel for channel in MEAN_CHANNELS if channel not in mean]
        if missing:
            raise errors.InvalidArgumentError(f"A mean dict needs the keys 'R', 'G' and 'B'. Received: mean={mean!r}")
        return np.array([mean["B"], mean["G"], mean["R"]], dtype=np.float64)
    values = np.asarray(mean, dtype=np.float64)
    if values.shape != (3,) or not np.all(np.isfinite(values)):
        raise errors.InvalidArgumentError(f"A mean must be 3 finite numbers in BGR order. Received: mean={mean!r}")
    return values


def mean_to_json(bgr_mean):
    """The course's mean format {"R": r, "G": g, "B": b} from a (B, G, R) sequence."""
    blue, green, red = (float(value) for value in bgr_mean)
    return {"R": red, "G": green, "B": blue}


def parse_mean(text):
    """Parses the `mean` attribute (JSON text) into a dict, or None when it is absent."""
    if text is None:
        return None
    return json.loads(_as_text(text))


def _as_text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _optional_tuple(value):
    return None if value is None else tuple(int(item) for item in np.asarray(value).ravel())
