"""Argument checks shared by the whole package, with Keras-style messages.

Each check raises ValueError ending in "Received: name=value", so a bad argument is
reported where it is passed rather than deep inside NumPy, OpenCV or Keras. Booleans are
refused wherever a number is expected: `True` is an int in Python but never a meant size.

This module imports neither TensorFlow nor Keras, so the per-image preprocessors (which the
HDF5 builder's worker processes use) stay light.
"""

import math
import numbers

from pyimagesearch.utils import errors


def is_number(value):
    """Whether `value` is a real number and not a boolean (NaN and infinities included)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_positive_number(value):
    """Whether `value` is a finite real number > 0 and not a boolean."""
    # Written so that NaN fails the comparison and is refused.
    return is_number(value) and 0 < value < math.inf


def is_positive_integer(value):
    """Whether `value` is an integer of at least 1 and not a boolean."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 1


def check_positive_integer(name, value):
    """Returns `value` as an int if it is a positive integer, else raises ValueError."""
    if not is_positive_integer(value):
        raise errors.InvalidArgumentError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
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
            raise errors.InvalidArgumentError(f"`{name}` must be a finite non-negative number. Received: {name}={value!r}")


def check_positive_numbers(**arguments):
    """Raises ValueError for the first keyword argument that is not a finite number > 0."""
    for name, value in arguments.items():
        if not is_positive_number(value):
            raise errors.InvalidArgumentError(f"`{name}` must be a finite number > 0. Received: {name}={value!r}")


def check_booleans(**arguments):
    """Raises ValueError for the first keyword argument that is not True or False.

    Truthy stand-ins such as 1 or "no" are refused, because "no" would silently mean True.
    """
    for name, value in arguments.items():
        if not isinstance(value, bool):
            raise errors.InvalidArgumentError(f"`{name}` must be True or False. Received: {name}={value!r}")


def check_seed(seed):
    """Returns `seed` as an int, or None, if it is None or a non-negative integer.

    Raises ValueError otherwise; None means "not seeded" to the random generators.
    """
    if seed is None:
        return None
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0:
        raise errors.InvalidArgumentError(f"`seed` must be None or a non-negative integer. Received: seed={seed!r}")
    return int(seed)


# Image sides beyond this are refused up front: a typo such as 100000 would otherwise end in an
# out-of-memory error from OpenCV or h5py's "chunk must be < 4gb", long after the start.
MAXIMUM_IMAGE_SIZE = 4096


def check_integer(name, value, minimum=None, maximum=None):
    """Returns `value` as an int if it is an integer (not a boolean) in [minimum, maximum]."""
    valid = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if valid and (minimum is not None and value < minimum or maximum is not None and value > maximum):
        valid = False
    if not valid:
        raise errors.InvalidArgumentError(
            f"`{name}` must be an integer{_range_text(minimum, maximum)}. Received: {name}={value!r}"
        )
    return int(value)


def check_number(name, value, minimum=None, maximum=None, include_minimum=True, include_maximum=True):
    """Returns `value` as a float if it is a finite number (not a boolean) within the bounds."""
    valid = is_number(value) and math.isfinite(value)
    if valid and minimum is not None:
        valid = value >= minimum if include_minimum else value > minimum
    if valid and maximum is not None:
        valid = value <= maximum if include_maximum else value < maximum
    if not valid:
        low = "" if minimum is None else f"{'>=' if include_minimum else '>'} {minimum}"
        high = "" if maximum is None else f"{'<=' if include_maximum else '<'} {maximum}"
        bounds = " and ".join(part for part in (low, high) if part)
        raise errors.InvalidArgumentError(
            f"`{name}` must be a finite number{' ' + bounds if bounds else ''}. Received: {name}={value!r}"
        )
    return float(value)


def check_choice(name, value, choices):
    """Returns `value` if it is one of `choices` (compared exactly, so 1 never passes for True)."""
    if not any(type(value) is type(choice) and value == choice for choice in choices):
        raise errors.InvalidArgumentError(
            f"`{name}` must be one of {', '.join(repr(choice) for choice in choices)}. Received: {name}={value!r}"
        )
    return value


def check_flag(name, value):
    """Returns `value` if it is True or False (see `check_booleans`)."""
    check_booleans(**{name: value})
    return value


def check_image_size(name, value, minimum=1):
    """Returns `value` as an int if it is an image side in [minimum, MAXIMUM_IMAGE_SIZE] pixels."""
    return check_integer(name, value, minimum, MAXIMUM_IMAGE_SIZE)


def _range_text(minimum, maximum):
    if minimum is not None and maximum is not None:
        return f" from {minimum} to {maximum}"
    if minimum is not None:
        return f" >= {minimum}"
    if maximum is not None:
        return f" <= {maximum}"
    return ""
