"""Seeding: one call makes Python, NumPy and TensorFlow/Keras repeatable."""

import keras

from pyimagesearch.utils import validation


def set_seed(seed):
    """Seeds Python's `random`, NumPy and the backend through `keras.utils.set_random_seed`."""
    # Not `check_seed`, which lets None through: this call is what makes a run repeatable.
    seed = validation.check_integer("seed", seed, minimum=0)
    keras.utils.set_random_seed(seed)
    return seed
