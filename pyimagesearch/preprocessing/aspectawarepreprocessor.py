"""Resize an image to a fixed size without stretching it: scale, then cut out the centre."""

import cv2
import numpy as np

from pyimagesearch.preprocessing import simplepreprocessor
from pyimagesearch.utils import validation


class AspectAwarePreprocessor:
    """Resizes images to `width` x `height` keeping their aspect ratio, by centre-cropping.

    The image is scaled so that it just covers the target: for a square target its shorter
    side becomes the target size, as in the course. The excess of the longer side is then cut
    equally from both ends, so the centre of the image is kept.
    """

    def __init__(self, width, height, interpolation=cv2.INTER_AREA):
        self.width = validation.check_positive_integer("width", width)
        self.height = validation.check_positive_integer("height", height)
        self.interpolation = simplepreprocessor.validate_interpolation(interpolation)

    def preprocess(self, image):
        """Returns the centre `height` x `width` region of `image` after an aspect-kept resize."""
        height, width = image.shape[:2]
        scale = max(self.width / width, self.height / height)
        # Rounding may fall one pixel short of the target; never resize below it.
        resized_width = max(self.width, round(width * scale))
        resized_height = max(self.height, round(height * scale))
        image = cv2.resize(image, (resized_width, resized_height), interpolation=self.interpolation)
        # The offsets come from the sizes AFTER the resize. A public port of the course code used
        # the sizes from before it, which cuts the wrong region (or an empty one).
        top = (resized_height - self.height) // 2
        left = (resized_width - self.width) // 2
        return np.ascontiguousarray(image[top : top + self.height, left : left + self.width])
