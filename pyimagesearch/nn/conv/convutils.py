"""Keras-specific helpers shared by the networks of this package.

The generic argument checks (positive integers, non-negative numbers) live in
`pyimagesearch.utils.validation`; these are the pieces that know about Keras or about
network architectures.
"""

import keras

from pyimagesearch.utils import errors


def check_minimum_size(width, height, minimum, network_name):
    """Raises ValueError if `width` or `height` is below the network's `minimum` side length.

    This fails early with the reason, rather than deep inside a pooling layer's shape check.
    """
    if width < minimum or height < minimum:
        raise errors.InvalidArgumentError(
            f"{network_name} needs images of at least {minimum}x{minimum} pixels, or its pooling "
            f"layers shrink the feature maps to nothing. Received: width={width}, height={height}"
        )


def input_shape_and_channel_axis(width, height, depth):
    """Returns the input shape and the channel axis for Keras' global image data format.

    (height, width, depth) and -1 for "channels_last"; (depth, height, width) and 1 for
    "channels_first". BatchNormalization and concatenations must work on that axis.
    """
    if keras.backend.image_data_format() == "channels_first":
        return (int(depth), int(height), int(width)), 1
    return (int(height), int(width), int(depth)), -1


def suffixed(name, suffix):
    """Returns "<name>_<suffix>" for a layer name, or None so unnamed modules get Keras' names."""
    return None if name is None else f"{name}_{suffix}"
