"""Datasets: image files and their labels, the in-memory loader, the catalog and the offline datasets.

The splitters live in `pyimagesearch.datasets.splits` (imported on its own: it loads scikit-learn).
"""

from pyimagesearch.datasets.catalog import CATALOG
from pyimagesearch.datasets.catalog import DatasetEntry
from pyimagesearch.datasets.catalog import catalog_names
from pyimagesearch.datasets.catalog import resolve_dataset
from pyimagesearch.datasets.digits import write_digits_dataset
from pyimagesearch.datasets.download import ChecksumMismatchError
from pyimagesearch.datasets.download import DatasetDownloadError
from pyimagesearch.datasets.download import UnsafeArchiveError
from pyimagesearch.datasets.imagefiles import ImageReadError
from pyimagesearch.datasets.imagefiles import list_images
from pyimagesearch.datasets.imagefiles import list_labelled_images
from pyimagesearch.datasets.imagefiles import read_image
from pyimagesearch.datasets.simpledatasetloader import SimpleDatasetLoader
from pyimagesearch.datasets.synthetic import generate_synthetic_flowers17

__all__ = [
    "CATALOG",
    "ChecksumMismatchError",
    "DatasetDownloadError",
    "DatasetEntry",
    "ImageReadError",
    "SimpleDatasetLoader",
    "UnsafeArchiveError",
    "catalog_names",
    "generate_synthetic_flowers17",
    "list_images",
    "list_labelled_images",
    "read_image",
    "resolve_dataset",
    "write_digits_dataset",
]
