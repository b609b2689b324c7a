"""The course's `ImageDataGenerator` augmentation as one random affine warp per image.

Keras 3 dropped `ImageDataGenerator`. Its replacement here composes rotation, shift, shear,
zoom and flip into ONE 2x3 matrix per image and resamples each image once with
`cv2.warpAffine`, as ImageDataGenerator did. Chaining Keras' RandomRotation, RandomTranslation,
RandomShear, RandomZoom and RandomFlip layers instead resamples every batch five times with
TensorFlow's CPU image-transform op: measured on this project's 2-core machine, that ran at
about an eighth of this warp's speed (772 against 6,298 images/s, medians; benchmarks/README.md).

It runs in `tf.data` `map`, on training batches only:

    augmentation = build_augmentation()
    train = train.map(lambda images, labels: (augmentation(images, training=True), labels))

It is not a layer to put inside a model: the warp runs in NumPy/OpenCV through
`tf.numpy_function`, which TensorFlow can't compile or save with a model.

Inside the project's pipelines (`pyimagesearch.io.pipeline.make_batch_transform`) each image
comes with a key (epoch, row), and its transform is drawn from a generator made for
(seed, epoch, row) alone (`seeding.generator`): the same in every run with that seed, whichever
thread of the parallel `map` warps it, and in a resumed run as in one that never stopped.
Called without keys (on a NumPy batch, or in a `map` of your own) the transforms come from one
seeded generator in call order, which parallel calls make unrepeatable.
"""

import math
import threading

import cv2
import numpy as np
import tensorflow as tf

from pyimagesearch.utils import errors, seeding, validation

# ImageDataGenerator's fill modes and the OpenCV borders that behave the same way.
FILL_MODES = {
    "nearest": cv2.BORDER_REPLICATE,
    "reflect": cv2.BORDER_REFLECT,
    "wrap": cv2.BORDER_WRAP,
    "constant": cv2.BORDER_CONSTANT,
}


def build_augmentation(
    rotation=30,
    width_shift=0.1,
    height_shift=0.1,
    shear=0.2,
    zoom=0.2,
    horizontal_flip=True,
    fill_mode="nearest",
    seed=None,
):
    """Returns a `RandomAffineAugmentation` with the course's settings as defaults.

    The defaults reproduce `ImageDataGenerator(rotation_range=30, width_shift_range=0.1,
    height_shift_range=0.1, shear_range=0.2, zoom_range=0.2, horizontal_flip=True,
    fill_mode="nearest")`:

    - `rotation`: degrees, as `rotation_range`; the angle is drawn from [-30, 30].
    - `width_shift`, `height_shift`: fractions of the image size, as `*_shift_range`.
    - `shear`: radians, as `shear_range` in Keras 2.0, which the course ran on (later
      Keras read degrees, turning the course's 0.2 into a near no-op); 0.2 is up to 11.5
      degrees.
    - `zoom`: as `zoom_range`; each axis is scaled independently by 1 - zoom to 1 + zoom.
    - `horizontal_flip`: mirror half of the images.
    - `fill_mode`: how pixels from outside the image are filled: nearest, reflect, wrap or
      constant (black).

    Zero (or False) turns a part off. `seed` makes the transforms repeatable: keyed ones
    (see the module docstring) are a function of (seed, key); unkeyed ones repeat when
    batches are augmented one after another.
    """
    return RandomAffineAugmentation(
        rotation=rotation,
        width_shift=width_shift,
        height_shift=height_shift,
        shear=shear,
        zoom=zoom,
        horizontal_flip=horizontal_flip,
        fill_mode=fill_mode,
        seed=seed,
    )


# Numbers drawn per image: rotation, shear, zoom x, zoom y, flip, shift x, shift y.
_DRAWS = 7


def _scaled(uniform, limit):
    """Maps numbers in [0, 1) onto [-limit, limit)."""
    return (2.0 * uniform - 1.0) * limit


class RandomAffineAugmentation:
    """Warps every image of a batch (N, H, W, C) with its own random affine transform.

    Call it on a tf.Tensor inside `tf.data` `map` or on a NumPy batch; the result has the
    input's shape and dtype. `training=False` returns the batch unchanged, so validation and
    test data can pass through the same code untouched. `keys` (N, K) non-negative integers,
    one row per image such as (epoch, row), make each image's transform a function of
    (seed, its key). See `build_augmentation`.
    """

    def __init__(
        self,
        rotation=30,
        width_shift=0.1,
        height_shift=0.1,
        shear=0.2,
        zoom=0.2,
        horizontal_flip=True,
        fill_mode="nearest",
        seed=None,
    ):
        self.rotation = validation.check_number("rotation", rotation, minimum=0, maximum=180)
        self.width_shift = validation.check_number("width_shift", width_shift, minimum=0, maximum=1)
        self.height_shift = validation.check_number("height_shift", height_shift, minimum=0, maximum=1)
        self.shear = validation.check_number("shear", shear, minimum=0, maximum=math.pi / 4)
        # A zoom of 1 could scale an axis down to nothing.
        self.zoom = validation.check_number("zoom", zoom, minimum=0, maximum=1, include_maximum=False)
        validation.check_booleans(horizontal_flip=horizontal_flip)
        validation.check_choice("fill_mode", fill_mode, tuple(FILL_MODES))
        self.horizontal_flip = horizontal_flip
        self.fill_mode = fill_mode
        self.seed = validation.check_seed(seed)
        # The seed of keyed transforms; None draws one from NumPy's global generator.
        self._key_seed = seeding.resolve_seed(self.seed)
        self._random = np.random.default_rng(self.seed)
        # tf.data calls the warp from several threads; a NumPy Generator is not thread-safe.
        self._random_lock = threading.Lock()

    def __call__(self, images, training=True, keys=None):
        if not training:
            return images
        if not tf.is_tensor(images):
            return self.augment_batch(np.asarray(images), None if keys is None else np.asarray(keys))
        if keys is None:
            augmented = tf.numpy_function(self.augment_batch, [images], images.dtype, stateful=True)
        else:
            # A function of its inputs: tf.data may run it on any thread, in any order.
            augmented = tf.numpy_function(self.augment_batch, [images, keys], images.dtype, stateful=False)
        augmented.set_shape(images.shape)
        return augmented

    def augment_batch(self, images, keys=None):
        """Returns a new NumPy batch (N, H, W, C) with each image warped by its own transform."""
        if images.ndim != 4 or not 1 <= images.shape[-1] <= 4:
            raise errors.InvalidArgumentError(
                "Augmentation expects a batch (N, height, width, channels) with 1 to 4 channels. "
                f"Received: shape={images.shape}"
            )
        count, height, width = images.shape[:3]
        matrices = self.sample_matrices(count, height, width, keys)
        border = FILL_MODES[self.fill_mode]
        augmented = np.empty_like(images)
        for index in range(count):
            # warpAffine drops a channel axis of size 1; write through a view that has none.
            target = augmented[index, ..., 0] if images.shape[-1] == 1 else augmented[index]
            source = images[index, ..., 0] if images.shape[-1] == 1 else images[index]
            cv2.warpAffine(
                source, matrices[index], (width, height), dst=target,
                flags=cv2.INTER_LINEAR, borderMode=border,
            )
        return augmented

    def sample_matrices(self, count, height, width, keys=None):
        """Draws `count` forward affine matrices (count, 2, 3) mapping input to output pixels.

        Each is, about the image centre: flip, zoom, shear, rotation, then the shift. With
        `keys` (count, K), image i's matrix is a function of (seed, keys[i]) alone.
        """
        uniform = self._uniform_draws(count, keys)
        angle = np.radians(_scaled(uniform[:, 0], self.rotation))
        shear = _scaled(uniform[:, 1], self.shear)
        zoom_x = 1 + _scaled(uniform[:, 2], self.zoom)
        zoom_y = 1 + _scaled(uniform[:, 3], self.zoom)
        flip = np.where(uniform[:, 4] < 0.5, -1.0, 1.0) if self.horizontal_flip else np.ones(count)
        shift_x = _scaled(uniform[:, 5], self.width_shift) * width
        shift_y = _scaled(uniform[:, 6], self.height_shift) * height
        # Rotation by `angle` after a shear by `shear` is [[cos a, -sin(a + s)], [sin a, cos(a + s)]].
        linear = np.empty((count, 2, 2))
        linear[:, 0, 0] = np.cos(angle) * zoom_x * flip
        linear[:, 0, 1] = -np.sin(angle + shear) * zoom_y
        linear[:, 1, 0] = np.sin(angle) * zoom_x * flip
        linear[:, 1, 1] = np.cos(angle + shear) * zoom_y
        centre = np.array([(width - 1) / 2.0, (height - 1) / 2.0])
        matrices = np.empty((count, 2, 3))
        matrices[:, :, :2] = linear
        # x' = L (x - c) + c + shift
        matrices[:, :, 2] = centre - linear @ centre + np.stack([shift_x, shift_y], axis=1)
        return matrices

    def _uniform_draws(self, count, keys):
        """(count, 7) numbers in [0, 1): one row per image, from its key or in call order."""
        if keys is None:
            with self._random_lock:
                return self._random.random((count, _DRAWS))
        keys = np.asarray(keys)
        if keys.ndim != 2 or len(keys) != count or not np.issubdtype(keys.dtype, np.integer) or (keys < 0).any():
            raise errors.InvalidArgumentError(
                "`keys` must be non-negative integers, one row per image (count, K). "
                f"Received: keys with shape {keys.shape} and dtype {keys.dtype} for {count} images"
            )
        return np.stack([
            seeding.generator(self._key_seed, seeding.AUGMENTATION, *key).random(_DRAWS) for key in keys.tolist()
        ]) if count else np.empty((0, _DRAWS))

    def get_config(self):
        return {
            "rotation": self.rotation,
            "width_shift": self.width_shift,
            "height_shift": self.height_shift,
            "shear": self.shear,
            "zoom": self.zoom,
            "horizontal_flip": self.horizontal_flip,
            "fill_mode": self.fill_mode,
            "seed": self.seed,
        }
