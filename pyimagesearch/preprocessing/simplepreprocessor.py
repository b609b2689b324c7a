"""Resize an image to a fixed size, ignoring its aspect ratio (the course's first preprocessor).

Also holds the interpolation check that the OpenCV-based preprocessors share; the generic
checks are in `pyimagesearch.utils.validation`.
"""

import cv2

from pyimagesearch.utils import errors, validation

INTERPOLATIONS = {
    cv2.INTER_NEAREST: "cv2.INTER_NEAREST",
    cv2.INTER_LINEAR: "cv2.INTER_LINEAR",
    cv2.INTER_CUBIC: "cv2.INTER_CUBIC",
    cv2.INTER_AREA: "cv2.INTER_AREA",
    cv2.INTER_LANCZOS4: "cv2.INTER_LANCZOS4",
    cv2.INTER_LINEAR_EXACT: "cv2.INTER_LINEAR_EXACT",
    cv2.INTER_NEAREST_EXACT: "cv2.INTER_NEAREST_EXACT",
}


def validate_interpolation(interpolation):
    """Returns `interpolation` if it is one of OpenCV's resize flags, else raises ValueError.

    Booleans are refused: `True` equals cv2.INTER_LINEAR but is never a meant flag.
    """
    if isinstance(interpolation, bool) or interpolation not in INTERPOLATIONS:
        raise errors.InvalidArgumentError(
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
        self.width = validation.check_positive_integer("width", width)
        self.height = validation.check_positive_integer("height", height)
        self.interpolation = validate_interpolation(interpolation)

    def preprocess(self, image):
        """Returns `image` resized to (height, width), same dtype and channels."""
        return cv2.resize(image, (self.width, self.height), interpolation=self.interpolation)
