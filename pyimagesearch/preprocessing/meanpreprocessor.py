"""Subtract the training set's per-channel mean from images (course: mean subtraction)."""

import json

import numpy as np
import tensorflow as tf

from pyimagesearch.utils import errors, validation


class MeanPreprocessor:
    """Subtracts per-channel means from BGR images, giving float32 values centred near zero.

    The means come from the training split only and are subtracted identically from train,
    validation and test data. `preprocess` handles one NumPy image; `preprocess_batch` does
    the same on a tf.Tensor batch, vectorised, so it can run inside `tf.data` `map`.
    """

    def __init__(self, r_mean, g_mean, b_mean):
        self.r_mean = validation.check_number("r_mean", r_mean)
        self.g_mean = validation.check_number("g_mean", g_mean)
        self.b_mean = validation.check_number("b_mean", b_mean)
        # Images are BGR, so the means are stored in that channel order.
        self._bgr_means = np.array([self.b_mean, self.g_mean, self.r_mean], dtype=np.float32)

    @classmethod
    def from_json(cls, path):
        """Reads the course's mean file `{"R": r, "G": g, "B": b}` and returns a preprocessor."""
        with open(path, encoding="utf-8") as handle:
            try:
                means = json.load(handle)
            except json.JSONDecodeError as error:
                raise errors.InvalidArgumentError(f"Mean file {path} is not valid JSON. Received: {error}") from error
        if not isinstance(means, dict) or not {"R", "G", "B"} <= means.keys():
            raise errors.InvalidArgumentError(
                f'Mean file {path} must hold an object with keys "R", "G" and "B". '
                f"Received: {means!r}"
            )
        try:
            return cls(means["R"], means["G"], means["B"])
        except ValueError as error:
            raise errors.InvalidArgumentError(f"Mean file {path} holds an invalid mean: {error}") from error

    def preprocess(self, image):
        """Returns `image` (H, W, 3) BGR as float32 with the channel means subtracted."""
        image = np.asarray(image)
        if image.ndim != 3 or image.shape[-1] != 3:
            raise errors.InvalidArgumentError(f"Expected a BGR image (H, W, 3). Received: image.shape={image.shape}")
        return image.astype(np.float32) - self._bgr_means

    def preprocess_batch(self, images):
        """Returns a float32 tf.Tensor: `images` (N, H, W, 3) BGR minus the channel means."""
        images = tf.convert_to_tensor(images)
        if not images.shape.is_compatible_with((None, None, None, 3)):
            raise errors.InvalidArgumentError(
                f"Expected a batch of BGR images (N, H, W, 3). Received: images.shape={images.shape}"
            )
        return tf.cast(images, tf.float32) - tf.constant(self._bgr_means)
