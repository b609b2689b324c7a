"""Load one part of an image-folder split into uint8 arrays, the course way (aspect-aware)."""

import numpy as np

from pyimagesearch.datasets import splits
from pyimagesearch.datasets.simpledatasetloader import SimpleDatasetLoader
from pyimagesearch.preprocessing.aspectawarepreprocessor import AspectAwarePreprocessor
from pyimagesearch.utils import validation


def load_split_images(split, part, image_size, verbose=True):
    """Returns (images, labels, skipped) for the "train" or "test" part of `split`.

    Images are uint8 BGR (N, image_size, image_size, 3), resized aspect-aware (shorter side
    to size, centre crop) as the course does for Flowers-17. Labels are integers indexing
    `split["class_names"]`. Unreadable files are left out and returned in `skipped` as
    (path, reason) pairs, so train and evaluate drop the same images.
    """
    image_size = validation.check_integer("image_size", image_size, minimum=8)
    loader = SimpleDatasetLoader(
        preprocessors=[AspectAwarePreprocessor(image_size, image_size)],
        target_size=(image_size, image_size),
    )
    images, names = loader.load(splits.split_paths(split, part), verbose=verbose)
    index = {name: position for position, name in enumerate(split["class_names"])}
    labels = np.asarray([index[name] for name in names], dtype=np.int64)
    return images.astype(np.uint8, copy=False), labels, loader.skipped
