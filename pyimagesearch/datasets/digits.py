"""scikit-learn's bundled handwritten digits written as an image folder, with no download.

`sklearn.datasets.load_digits()` ships 1,797 real 8x8 handwritten digits (ten classes, pixel
values 0..16). Writing them as PNG files in class folders lets every folder-based tool
(SimpleDatasetLoader, the HDF5 builder, the catalog) run on real data offline.
"""

import pathlib

import cv2
import numpy as np

from pyimagesearch.utils import atomic, errors

# load_digits stores 17 grey levels, 0 (background) .. 16 (ink).
_MAX_DIGIT_VALUE = 16


def write_digits_dataset(output_dir):
    """Writes `output_dir/<digit>/<index>.png` for the 1,797 digits; returns the path.

    Pixel values 0..16 are scaled to 0..255 (8-bit grayscale PNG, 8x8). File names are the
    sample's index in `load_digits()`, zero-padded, so the order is reproducible. The files are
    written into a temporary sibling folder that replaces `output_dir` only when complete.
    """
    output_dir = pathlib.Path(output_dir)
    if output_dir.exists() and (not output_dir.is_dir() or any(output_dir.iterdir())):
        raise errors.InvalidArgumentError(
            f"`output_dir` must be a new (or empty) folder. Received: output_dir={str(output_dir)!r}"
        )
    from sklearn import datasets  # imported here: scikit-learn is slow to import

    digits = datasets.load_digits()
    images = digits_to_uint8(digits.images)
    with atomic.atomic_output_path(output_dir) as temporary_dir:
        for digit in np.unique(digits.target):
            (temporary_dir / str(int(digit))).mkdir(parents=True)
        for index, (image, digit) in enumerate(zip(images, digits.target)):
            path = temporary_dir / str(int(digit)) / f"{index:04d}.png"
            if not cv2.imwrite(str(path), image):
                raise OSError(f"OpenCV could not write {path}")
    return output_dir


def digits_to_uint8(images):
    """Scales load_digits values 0..16 to uint8 0..255 (16 -> 255), rounding to nearest."""
    images = np.asarray(images, dtype=np.float64)
    if images.size and (images.min() < 0 or images.max() > _MAX_DIGIT_VALUE):
        raise errors.InvalidArgumentError(
            f"Expected digit pixel values in [0, {_MAX_DIGIT_VALUE}]. "
            f"Received: values in [{images.min()}, {images.max()}]"
        )
    return np.round(images * (255.0 / _MAX_DIGIT_VALUE)).astype(np.uint8)
