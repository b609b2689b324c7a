"""Cut a random fixed-size patch out of an image (course: random-crop augmentation)."""

import numpy as np
import tensorflow as tf

from pyimagesearch.utils import errors, validation


class PatchPreprocessor:
    """Returns a random `width` x `height` crop of each image, a cheap training augmentation.

    The course drew the patch with scikit-learn's `extract_patches_2d(max_patches=1)`; a random
    offset picks from the same set of patches, uniformly, without enumerating them.
    `preprocess` takes one NumPy image; `preprocess_batch` draws a separate offset for every
    image of a tf.Tensor batch and can run inside `tf.data` `map`. With a `seed`, both give
    the same patches every run (each from its own random stream).
    """

    def __init__(self, width, height, seed=None):
        self.width = validation.check_positive_integer("width", width)
        self.height = validation.check_positive_integer("height", height)
        self.seed = validation.check_seed(seed)
        self._numpy_random = np.random.default_rng(seed)
        # A tf.random.Generator keeps its state in a variable, so every batch that passes through
        # a traced `tf.data` function still gets fresh offsets.
        if seed is None:
            self._tensorflow_random = tf.random.Generator.from_non_deterministic_state()
        else:
            self._tensorflow_random = tf.random.Generator.from_seed(seed)

    def preprocess(self, image):
        """Returns a random (height, width) patch of `image` (H, W[, C]), same dtype."""
        image_height, image_width = image.shape[:2]
        self._check_fits(image_height, image_width, f"image.shape={image.shape}")
        top = self._numpy_random.integers(0, image_height - self.height + 1)
        left = self._numpy_random.integers(0, image_width - self.width + 1)
        return image[top : top + self.height, left : left + self.width].copy()

    def preprocess_batch(self, images):
        """Returns a tf.Tensor (N, height, width, C): one random patch of each image (N, H, W, C)."""
        images = tf.convert_to_tensor(images)
        if images.shape.rank is not None and images.shape.rank != 4:
            raise errors.InvalidArgumentError(f"Expected a batch (N, H, W, C). Received: images.shape={images.shape}")
        image_height, image_width = images.shape[1], images.shape[2]
        if image_height is not None and image_width is not None:
            self._check_fits(image_height, image_width, f"images.shape={images.shape}")
        shape = tf.shape(images)
        count = shape[0]
        tops = self._tensorflow_random.uniform([count], 0, shape[1] - self.height + 1, dtype=tf.int32)
        lefts = self._tensorflow_random.uniform([count], 0, shape[2] - self.width + 1, dtype=tf.int32)
        # Row and column indices per image; two batched gathers cut every patch at once.
        rows = tops[:, None] + tf.range(self.height)[None, :]
        columns = lefts[:, None] + tf.range(self.width)[None, :]
        patches = tf.gather(images, rows, axis=1, batch_dims=1)
        return tf.gather(patches, columns, axis=2, batch_dims=1)

    def _check_fits(self, image_height, image_width, received):
        if image_height < self.height or image_width < self.width:
            raise errors.InvalidArgumentError(
                f"The patch ({self.width}x{self.height}, width x height) must fit inside the image "
                f"({image_width}x{image_height}). Received: {received}"
            )
