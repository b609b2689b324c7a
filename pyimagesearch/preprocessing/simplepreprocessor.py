"""Resize an image to a fixed size, ignoring its aspect ratio (the course's first preprocessor).

Also holds the argument checks that every preprocessor in this package shares.
"""

import numbers

import cv2

INTERPOLATIONS = {
    cv2.INTER_NEAREST: "cv2.INTER_NEAREST",
    cv2.INTER_LINEAR: "cv2.INTER_LINEAR",
    cv2.INTER_CUBIC: "cv2.INTER_CUBIC",
    cv2.INTER_AREA: "cv2.INTER_AREA",
    cv2.INTER_LANCZOS4: "cv2.INTER_LANCZOS4",
    cv2.INTER_LINEAR_EXACT: "cv2.INTER_LINEAR_EXACT",
    cv2.INTER_NEAREST_EXACT: "cv2.INTER_NEAREST_EXACT",
}


def validate_size(name, value):
    """Returns `value` as an int if it is a positive integer, else raises ValueError.

    `True` is an int in Python but never a meant size, so booleans are refused.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
    return int(value)


def validate_seed(seed):
    """Returns `seed` if it is None or a non-negative integer, else raises ValueError."""
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0
    ):
        raise ValueError(f"`seed` must be None or a non-negative integer. Received: seed={seed!r}")
    return None if seed is None else int(seed)


def validate_interpolation(interpolation):
    """Returns `interpolation` if it is one of OpenCV's resize flags, else raises ValueError."""
    if isinstance(interpolation, bool) or interpolation not in INTERPOLATIONS:
        raise ValueError(
            f"`interpolation` must be one of {', '.join(INTERPOLATIONS.values())}. "
            f"Received: interpolation={interpolation!r}"
        )
    return int(interpolation)


class SimplePreprocessor:
    """Resizes images to exactly `width` x `height` pixels.

    The aspect ratio is not kept, so objects may look stretched; use `AspectAwarePreprocessor`
    when that matters. `cv2.INTER_AREA` (the default) gives the cleanest downscaling.
    """

    def __init__(self, width, height, interpolation=cv2.INTER_AREA):
        self.width = validate_size("width", width)
        self.height = validate_size("height", height)
        self.interpolation = validate_interpolation(interpolation)

    def preprocess(self, image):
        """Returns `image` resized to (height, width), same dtype and channels."""
        return cv2.resize(image, (self.width, self.height), interpolation=self.interpolation)
