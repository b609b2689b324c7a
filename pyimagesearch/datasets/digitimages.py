"""scikit-learn's bundled handwritten digits as uint8 image arrays in memory, resized, with no files.

    images, labels = load_digit_images(image_size=28)   # (1797, 28, 28) uint8, (1797,) int64
    split = split_digit_images(28, test_size=0.25, seed=0)   # row indices, JSON-serialisable
    test_images, test_labels = load_split_part(split, "test")

`pyimagesearch.datasets.digits` writes the same 1,797 real 8x8 digits as PNG files for the
folder-based tools; this is the in-memory route for a network that wants MNIST-sized inputs
(LeNet at 28x28). Rows stay in `load_digits()` order, so a split is a list of row indices that a
run folder can keep (split.json) and rebuild its images from later.
"""

import cv2
import numpy as np

from pyimagesearch.datasets import digits, splits
from pyimagesearch.preprocessing import simplepreprocessor
from pyimagesearch.utils import errors, validation

# load_digits' own side, in pixels.
DIGIT_SIZE = 8


def load_digit_images(image_size=None, interpolation=cv2.INTER_LINEAR):
    """Returns (images, labels): (1797, image_size, image_size) uint8 grayscale and int64 digits.

    Pixel values 0..16 become 0..255 (`digits.digits_to_uint8`), white ink on black as in MNIST.
    `image_size` None keeps 8x8. Upsampling 8x8 to 28x28 with `cv2.INTER_LINEAR` (the default)
    gives smooth strokes; `cv2.INTER_AREA` (the project's resizer) gives the blocky 3.5x3.5
    pixels of nearest-neighbour. Rows are in `load_digits()` order.
    """
    interpolation = simplepreprocessor.validate_interpolation(interpolation)
    if image_size is not None:
        image_size = validation.check_image_size("image_size", image_size, minimum=1)
    from sklearn import datasets  # imported here: scikit-learn is slow to import

    loaded = datasets.load_digits()
    images = digits.digits_to_uint8(loaded.images)
    if image_size is not None and image_size != DIGIT_SIZE:
        images = np.stack([
            cv2.resize(image, (image_size, image_size), interpolation=interpolation) for image in images
        ])
    return images, np.asarray(loaded.target, dtype=np.int64)


def split_digit_images(image_size=None, interpolation=cv2.INTER_LINEAR, test_size=0.25, seed=42):
    """Returns a stratified, seeded train/test split of the digits as a serialisable dict.

    The dict holds the row indices of each part (in `load_digits()` order, sorted) and how the
    images are made (`image_size`, the interpolation's name), so `load_split_part` rebuilds
    either part from the dict alone, e.g. from a run folder's split.json. The same seed gives
    the same split (`splits.stratified_split`).
    """
    interpolation = simplepreprocessor.validate_interpolation(interpolation)
    _, labels = load_digit_images()  # the labels don't depend on the size
    rows = list(range(len(labels)))
    train_rows, test_rows, _, _ = splits.stratified_split(rows, labels, test_size, seed)
    return {
        "dataset": "digits",
        "source": "sklearn.datasets.load_digits",
        "image_size": image_size,
        "interpolation": simplepreprocessor.INTERPOLATIONS[interpolation],
        "test_size": test_size,
        "seed": seed,
        "train": sorted(int(row) for row in train_rows),
        "test": sorted(int(row) for row in test_rows),
    }


def load_split_part(split, part):
    """Returns (images, labels) of the "train" or "test" part of a `split_digit_images` dict.

    A dict that doesn't describe a digits split (another dataset, an unknown interpolation,
    rows outside the 1,797) is a user error naming what is wrong.
    """
    validation.check_choice("part", part, ("train", "test"))
    if not isinstance(split, dict) or split.get("dataset") != "digits" or part not in split:
        raise errors.InvalidArgumentError(
            f"Expected a digits split (a dict with dataset 'digits' and a {part!r} list of rows). "
            f"Received: {_describe(split)}"
        )
    flags = {name: flag for flag, name in simplepreprocessor.INTERPOLATIONS.items()}
    if split.get("interpolation") not in flags:
        raise errors.InvalidArgumentError(
            f"The split's interpolation must be one of {', '.join(flags)}. "
            f"Received: interpolation={split.get('interpolation')!r}"
        )
    images, labels = load_digit_images(split.get("image_size"), flags[split["interpolation"]])
    rows = np.asarray(split[part])
    if rows.ndim != 1 or not np.issubdtype(rows.dtype, np.integer) or (rows < 0).any() or (rows >= len(labels)).any():
        raise errors.InvalidArgumentError(
            f"The split's {part!r} rows must be integers from 0 to {len(labels) - 1}. "
            f"Received: {len(rows)} values of dtype {rows.dtype}"
        )
    return images[rows], labels[rows]


def _describe(split):
    if isinstance(split, dict):
        return f"a dict with keys {sorted(split)} and dataset={split.get('dataset')!r}"
    return f"a {type(split).__name__}"
