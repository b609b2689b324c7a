"""Cut a random fixed-size patch out of an image (course: random-crop augmentation)."""

import numpy as np
import tensorflow as tf

from pyimagesearch.utils import errors, seeding, validation


class PatchPreprocessor:
    """Returns a random `width` x `height` crop of each image, a cheap training augmentation.

    The course drew the patch with scikit-learn's `extract_patches_2d(max_patches=1)`; a random
    offset picks from the same set of patches, uniformly, without enumerating them.
    `preprocess` takes one NumPy image; `preprocess_batch` draws a separate offset for every
    image of a tf.Tensor batch and can run inside `tf.data` `map`. With a `seed`, both give
    the same patches every run (each from its own random stream). Given `keys` (one row of
    non-negative integers per image, such as (epoch, row), which the training pipelines pass),
    `preprocess_batch` draws each image's offset from (seed, keys[i]) alone
    (`seeding.generator`), so the patches don't depend on thread order and repeat after a resume.
    """

    def __init__(self, width, height, seed=None):
        self.width = validation.check_positive_integer("width", width)
        self.height = validation.check_positive_integer("height", height)
        self.seed = validation.check_seed(seed)
        # The seed of keyed patches; None draws one from NumPy's global generator.
        self._key_seed = seeding.resolve_seed(self.seed)
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

    def preprocess_batch(self, images, keys=None):
        """Returns a tf.Tensor (N, height, width, C): one random patch of each image (N, H, W, C).

        With `keys` (N, K) the offsets are keyed (see the class docstring); without, they come
        from one stateful generator.
        """
        images = tf.convert_to_tensor(images)
        if images.shape.rank is not None and images.shape.rank != 4:
            raise errors.InvalidArgumentError(f"Expected a batch (N, H, W, C). Received: images.shape={images.shape}")
        image_height, image_width = images.shape[1], images.shape[2]
        if image_height is not None and image_width is not None:
            self._check_fits(image_height, image_width, f"images.shape={images.shape}")
        shape = tf.shape(images)
        count = shape[0]
        top_choices, left_choices = shape[1] - self.height + 1, shape[2] - self.width + 1
        if keys is None:
            tops = self._tensorflow_random.uniform([count], 0, top_choices, dtype=tf.int32)
            lefts = self._tensorflow_random.uniform([count], 0, left_choices, dtype=tf.int32)
        else:
            tops, lefts = tf.numpy_function(
                self._keyed_offsets, [keys, top_choices, left_choices], [tf.int32, tf.int32], stateful=False
            )
            tops.set_shape([None])
            lefts.set_shape([None])
        # Row and column indices per image; two batched gathers cut every patch at once.
        rows = tops[:, None] + tf.range(self.height)[None, :]
        columns = lefts[:, None] + tf.range(self.width)[None, :]
        patches = tf.gather(images, rows, axis=1, batch_dims=1)
        return tf.gather(patches, columns, axis=2, batch_dims=1)

    def _keyed_offsets(self, keys, top_choices, left_choices):
        offsets = [
            seeding.generator(self._key_seed, seeding.PATCHES, *key).integers(0, [top_choices, left_choices])
            for key in np.asarray(keys).tolist()
        ]
        offsets = np.asarray(offsets, dtype=np.int32).reshape(-1, 2)
        return offsets[:, 0], offsets[:, 1]

    def _check_fits(self, image_height, image_width, received):
        if image_height < self.height or image_width < self.width:
            raise errors.InvalidArgumentError(
                f"The patch ({self.width}x{self.height}, width x height) must fit inside the image "
                f"({image_width}x{image_height}). Received: {received}"
            )
