"""Random image augmentation with Keras layers, replacing the course's `ImageDataGenerator`.

The layers run in `tf.data` `map` on training batches only. Inside a model they would turn
XLA compilation off, and they must never touch validation or test data.
"""

import math
import numbers

import keras

from pyimagesearch.preprocessing import simplepreprocessor

FILL_MODES = ("nearest", "reflect", "wrap", "constant")


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
    """Returns a `keras.Sequential` of random augmentation layers for float batches (N, H, W, C).

    The defaults reproduce the course's `ImageDataGenerator(rotation_range=30,
    width_shift_range=0.1, height_shift_range=0.1, shear_range=0.2, zoom_range=0.2,
    horizontal_flip=True, fill_mode="nearest")`. Each argument maps onto one layer:

    - `rotation` (degrees, as `rotation_range`): `RandomRotation(factor=rotation / 360)`,
      because Keras measures the angle in fractions of a full turn; 30 gives +-30 degrees.
    - `width_shift`, `height_shift` (fractions of the size, as `*_shift_range`):
      `RandomTranslation(height_factor=height_shift, width_factor=width_shift)`.
    - `shear` (radians, as `shear_range` in Keras 2.0, which the course ran on):
      `RandomShear(x_factor=tan(shear))`; 0.2 gives shear angles up to +-11.5 degrees.
      RandomShear takes the displacement per pixel, which is the tangent of the angle. Later
      Keras versions read `shear_range` in degrees, turning the course's 0.2 into a near no-op;
      we keep the course's intent. Keras shears about the top-left corner rather than the
      centre, so a sheared image is also shifted by up to tan(shear) * height / 2.
    - `zoom` (as `zoom_range`): `RandomZoom(height_factor=zoom, width_factor=zoom)`, each axis
      scaled independently by 1 - zoom to 1 + zoom, as ImageDataGenerator did.
    - `horizontal_flip`: `RandomFlip("horizontal")`.
    - `fill_mode` goes to every geometric layer; `seed` seeds each layer with its own offset,
      so the layers draw independent numbers and a seeded pipeline repeats itself.

    A zero (or False) argument leaves its layer out. The layers resample one after another,
    where the course composed a single affine transform, so results are slightly softer.
    Call it with `training=True`, e.g. `dataset.map(lambda x, y: (augmentation(x, training=True), y))`.
    """
    rotation = _validate_number("rotation", rotation, 0, 180)
    width_shift = _validate_number("width_shift", width_shift, 0, 1)
    height_shift = _validate_number("height_shift", height_shift, 0, 1)
    # RandomShear accepts factors up to 1, i.e. angles up to 45 degrees.
    shear = _validate_number("shear", shear, 0, math.pi / 4)
    # A zoom of 1 could scale an axis down to nothing.
    zoom = _validate_number("zoom", zoom, 0, 1, include_maximum=False)
    if not isinstance(horizontal_flip, bool):
        raise ValueError(
            f"`horizontal_flip` must be True or False. Received: horizontal_flip={horizontal_flip!r}"
        )
    if fill_mode not in FILL_MODES:
        raise ValueError(f"`fill_mode` must be one of {FILL_MODES}. Received: fill_mode={fill_mode!r}")
    seed = simplepreprocessor.validate_seed(seed)

    def layer_seed(offset):
        return None if seed is None else seed + offset

    layers = []
    if rotation:
        layers.append(
            keras.layers.RandomRotation(rotation / 360, fill_mode=fill_mode, seed=layer_seed(0))
        )
    if width_shift or height_shift:
        layers.append(
            keras.layers.RandomTranslation(
                height_factor=height_shift,
                width_factor=width_shift,
                fill_mode=fill_mode,
                seed=layer_seed(1),
            )
        )
    if shear:
        layers.append(
            keras.layers.RandomShear(x_factor=math.tan(shear), fill_mode=fill_mode, seed=layer_seed(2))
        )
    if zoom:
        layers.append(
            keras.layers.RandomZoom(
                height_factor=zoom, width_factor=zoom, fill_mode=fill_mode, seed=layer_seed(3)
            )
        )
    if horizontal_flip:
        layers.append(keras.layers.RandomFlip("horizontal", seed=layer_seed(4)))
    # An empty Sequential can't be called; Identity keeps "no augmentation" usable in map.
    return keras.Sequential(layers or [keras.layers.Identity()], name="augmentation")


def _validate_number(name, value, minimum, maximum, include_maximum=True):
    """Returns `value` as a float if it is a finite number within [minimum, maximum]."""
    is_number = isinstance(value, numbers.Real) and not isinstance(value, bool)
    # Written so that NaN fails every comparison and is refused.
    below_maximum = is_number and (value <= maximum if include_maximum else value < maximum)
    if not (below_maximum and value >= minimum):
        interval = f"[{minimum:g}, {maximum:g}" + ("]" if include_maximum else ")")
        raise ValueError(f"`{name}` must be a number in {interval}. Received: {name}={value!r}")
    return float(value)
