"""MNIST from Keras' `mnist.npz`, read without unpickling.

    (train_images, train_labels), (test_images, test_labels) = load_mnist("mnist")
    train_images.shape      # (60000, 28, 28) uint8, 0 background .. 255 ink

The catalog name `mnist` downloads `mnist.npz` (sha256 checked) into `datasets/mnist/mnist.npz`;
`catalog.resolve_dataset("mnist")` returns that folder. The file holds `x_train` (60000, 28, 28)
uint8, `y_train` (60000,), `x_test` (10000, 28, 28) and `y_test` (10000,); it is opened with
`np.load(allow_pickle=False)`, so a file holding pickled objects is refused instead of run.
"""

import os
import pathlib
import zipfile

import numpy as np

from pyimagesearch.datasets import download as download_module
from pyimagesearch.utils import errors

FILENAME = "mnist.npz"
IMAGE_SHAPE = (28, 28)
NUM_CLASSES = 10
KEYS = ("x_train", "y_train", "x_test", "y_test")


def load_mnist(name_or_path="mnist", datasets_root=None, download=True, verbose=True):
    """Returns ((train_images, train_labels), (test_images, test_labels)).

    Images are (N, 28, 28) uint8, labels (N,) int64 in 0..9. `name_or_path` is a catalog name
    (`mnist`), a `DatasetEntry`, an existing `.npz` file or a folder holding `mnist.npz`.
    Raises a user error naming the file when a key is missing or has the wrong shape or dtype.
    """
    return read_mnist_npz(npz_path(name_or_path, datasets_root, download, verbose))


def npz_path(name_or_path="mnist", datasets_root=None, download=True, verbose=True):
    """The `.npz` file of a catalog name, an entry, a file or a folder (see `load_mnist`)."""
    if isinstance(name_or_path, (str, os.PathLike)) and pathlib.Path(name_or_path).is_file():
        return pathlib.Path(name_or_path)
    if isinstance(name_or_path, (str, os.PathLike)) and pathlib.Path(name_or_path).is_dir():
        folder = pathlib.Path(name_or_path)
    else:
        from pyimagesearch.datasets import catalog  # imported here: the catalog imports this module

        folder = catalog.resolve_dataset(name_or_path, datasets_root, download=download, verbose=verbose)
    path = folder / FILENAME
    if not path.is_file():
        raise errors.MissingFileError(f"{folder} holds no {FILENAME}. Received: name_or_path={str(name_or_path)!r}")
    return path


def read_mnist_npz(path):
    """Reads and checks an MNIST `.npz` file; returns ((x_train, y_train), (x_test, y_test)).

    Labels are converted to int64. Refuses, naming the file: a file that is not an `.npz`
    archive or holds pickled objects, a missing key, images that are not (N, 28, 28) uint8,
    labels that are not N integers in 0..9.
    """
    path = pathlib.Path(path)
    arrays = _load_arrays(path)
    parts = []
    for images_key, labels_key in (("x_train", "y_train"), ("x_test", "y_test")):
        images, labels = arrays[images_key], arrays[labels_key]
        if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
            _refuse(path, f"'{images_key}' is {images.dtype} {images.shape}, expected uint8 (N, 28, 28)")
        if labels.shape != (len(images),) or not np.issubdtype(labels.dtype, np.integer):
            _refuse(path, f"'{labels_key}' is {labels.dtype} {labels.shape}, expected {len(images)} integers")
        if labels.size and (labels.min() < 0 or labels.max() >= NUM_CLASSES):
            _refuse(path, f"'{labels_key}' holds labels from {labels.min()} to {labels.max()}, expected 0..9")
        parts.append((images, labels.astype(np.int64)))
    return tuple(parts)


def _load_arrays(path):
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [key for key in KEYS if key not in archive.files]
            if missing:
                _refuse(path, f"the keys {', '.join(missing)} are missing (keys present: {', '.join(archive.files) or 'none'})")
            return {key: archive[key] for key in KEYS}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
        if isinstance(error, errors.UserError):
            raise
        _refuse(path, f"it can't be read as an .npz archive without pickles ({type(error).__name__}: {error})", error)


def _refuse(path, why, cause=None):
    raise errors.InvalidFileError(
        f"{errors.display_path(path)} is not an MNIST file: {why}. Received: {errors.display_path(path)}"
    ) from cause


def place_download(archive_path, output_dir, verbose=True):
    """The catalog's "extraction" of mnist.npz: copies the verified file into the new folder `output_dir`.

    An .npz file is a zip archive, but it is kept whole (readers open it with np.load).
    """
    import shutil

    output_dir = pathlib.Path(output_dir)
    output_dir.mkdir(parents=True)
    shutil.copyfile(archive_path, output_dir / FILENAME)
    return output_dir


def arrange(extracted_dir, output_dir):
    """Checks the copied mnist.npz (keys, shapes, dtypes) and moves it into `output_dir`."""
    source = pathlib.Path(extracted_dir) / FILENAME
    try:
        read_mnist_npz(source)
    except errors.InvalidFileError as error:
        raise download_module.DatasetDownloadError(str(error)) from error
    os.replace(source, pathlib.Path(output_dir) / FILENAME)
