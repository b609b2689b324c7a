"""Seeding: one call makes Python, NumPy and TensorFlow/Keras repeatable."""

import keras

from pyimagesearch.utils import errors


def set_seed(seed):
    """Seeds Python's `random`, NumPy and the backend through `keras.utils.set_random_seed`."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise errors.InvalidArgumentError(f"`seed` must be a non-negative integer. Received: seed={seed!r}")
    keras.utils.set_random_seed(seed)
    return seed
