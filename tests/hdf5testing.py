"""Helpers for the HDF5 tests: tiny dataset files whose pixels say which row they are."""

import numpy as np

from pyimagesearch.io.hdf5datasetwriter import HDF5DatasetWriter


def write_indexed_file(path, rows=40, size=4, classes=2, label_names=True, **writer_arguments):
    """Writes `rows` images whose every pixel equals the row index (mod 256); labels i % classes.

    Returns (images, labels) as written.
    """
    images = np.broadcast_to(
        (np.arange(rows) % 256).astype(np.uint8)[:, None, None, None], (rows, size, size, 3)
    ).copy()
    labels = np.arange(rows) % classes
    with HDF5DatasetWriter((rows, size, size, 3), path, **writer_arguments) as writer:
        if label_names:
            writer.store_class_labels([f"class{index}" for index in range(classes)])
        writer.add(images, labels)
    return images, labels


def row_ids(images):
    """The row index each image of a batch came from (its first pixel, channel last)."""
    return np.asarray(images)[:, 0, 0, -1].astype(int).tolist()
