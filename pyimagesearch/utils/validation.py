"""Argument checks shared by the networks and the preprocessors, with Keras-style messages.

Each check raises ValueError ending in "Received: name=value", so a bad argument is
reported where it is passed rather than deep inside NumPy, OpenCV or Keras. Booleans are
refused wherever a number is expected: `True` is an int in Python but never a meant size.

This module imports neither TensorFlow nor Keras, so the per-image preprocessors (which the
HDF5 builder's worker processes use) stay light.
"""

import math
import numbers


def is_number(value):
    """Whether `value` is a real number and not a boolean (NaN and infinities included)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_positive_integer(value):
    """Whether `value` is an integer of at least 1 and not a boolean."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 1


def check_positive_integer(name, value):
    """Returns `value` as an int if it is a positive integer, else raises ValueError."""
    if not is_positive_integer(value):
        raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
    return int(value)


def check_positive_integers(**arguments):
    """Raises ValueError for the first keyword argument that is not a positive integer."""
    for name, value in arguments.items():
        check_positive_integer(name, value)


def check_non_negative_numbers(**arguments):
    """Raises ValueError for the first keyword argument that is not a finite number >= 0."""
    for name, value in arguments.items():
        # Written so that NaN fails the comparison and is refused.
        if not is_number(value) or not 0 <= value < math.inf:
            raise ValueError(f"`{name}` must be a finite non-negative number. Received: {name}={value!r}")


def check_positive_numbers(**arguments):
    """Raises ValueError for the first keyword argument that is not a finite number > 0."""
    for name, value in arguments.items():
        if not is_number(value) or not 0 < value < math.inf:
            raise ValueError(f"`{name}` must be a finite number > 0. Received: {name}={value!r}")


def check_booleans(**arguments):
    """Raises ValueError for the first keyword argument that is not True or False.

    Truthy stand-ins such as 1 or "no" are refused, because "no" would silently mean True.
    """
    for name, value in arguments.items():
        if not isinstance(value, bool):
            raise ValueError(f"`{name}` must be True or False. Received: {name}={value!r}")


def check_seed(seed):
    """Returns `seed` as an int, or None, if it is None or a non-negative integer.

    Raises ValueError otherwise; None means "not seeded" to the random generators.
    """
    if seed is None:
        return None
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"`seed` must be None or a non-negative integer. Received: seed={seed!r}")
    return int(seed)
