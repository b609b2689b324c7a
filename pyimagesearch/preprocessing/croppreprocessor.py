"""10-crop oversampling for evaluation: four corners, the centre, and their mirror images.

Averaging a network's predictions over the crops usually adds a point or two of accuracy
(course: AlexNet on Dogs vs Cats).
"""

import cv2
import numpy as np
import tensorflow as tf

from pyimagesearch.preprocessing import simplepreprocessor
from pyimagesearch.utils import errors, validation


class CropPreprocessor:
    """Cuts the four corner crops and the centre crop of `width` x `height` from an image.

    The crops come in the course's order: top-left, top-right, bottom-right, bottom-left,
    centre; with `horizontal_flip` the five mirror images follow in the same order, giving 10.
    Crops are cut exactly (the centre one rounds its offset down), so nothing is resized;
    `interpolation` is validated and kept only so that course code passing it still runs.
    """

    def __init__(self, width, height, horizontal_flip=True, interpolation=cv2.INTER_AREA):
        self.width = validation.check_positive_integer("width", width)
        self.height = validation.check_positive_integer("height", height)
        validation.check_booleans(horizontal_flip=horizontal_flip)
        self.horizontal_flip = horizontal_flip
        self.interpolation = simplepreprocessor.validate_interpolation(interpolation)

    @property
    def crop_count(self):
        """The number of crops per image: 10 with horizontal flips, else 5."""
        return 10 if self.horizontal_flip else 5

    def preprocess(self, image):
        """Returns an array (crop_count, height, width[, C]) of crops of `image` (H, W[, C])."""
        image_height, image_width = image.shape[:2]
        self._check_fits(image_height, image_width, f"image.shape={image.shape}")
        crops = [
            image[top : top + self.height, left : left + self.width]
            for top, left in self._offsets(image_height, image_width)
        ]
        if self.horizontal_flip:
            crops += [crop[:, ::-1] for crop in crops]
        return np.stack(crops)

    def preprocess_batch(self, images):
        """Returns a tf.Tensor (N, crop_count, height, width, C) of crops of `images` (N, H, W, C)."""
        images = tf.convert_to_tensor(images)
        if images.shape.rank is not None and images.shape.rank != 4:
            raise errors.InvalidArgumentError(f"Expected a batch (N, H, W, C). Received: images.shape={images.shape}")
        image_height, image_width = images.shape[1], images.shape[2]
        if image_height is not None and image_width is not None:
            self._check_fits(image_height, image_width, f"images.shape={images.shape}")
        else:
            # Sizes known only when the graph runs; static sizes keep the crops' shape static.
            image_height, image_width = tf.shape(images)[1], tf.shape(images)[2]
        crops = [
            images[:, top : top + self.height, left : left + self.width, :]
            for top, left in self._offsets(image_height, image_width)
        ]
        crops = tf.stack(crops, axis=1)
        if self.horizontal_flip:
            crops = tf.concat([crops, tf.reverse(crops, axis=[3])], axis=1)
        return crops

    def _offsets(self, image_height, image_width):
        """(top, left) of each crop; works on ints and on scalar tensors alike."""
        bottom = image_height - self.height
        right = image_width - self.width
        return [(0, 0), (0, right), (bottom, right), (bottom, 0), (bottom // 2, right // 2)]

    def _check_fits(self, image_height, image_width, received):
        if image_height < self.height or image_width < self.width:
            raise errors.InvalidArgumentError(
                f"The crops ({self.width}x{self.height}, width x height) must fit inside the image "
                f"({image_width}x{image_height}). Received: {received}"
            )
