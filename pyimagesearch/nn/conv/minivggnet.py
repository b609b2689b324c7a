"""MiniVGGNet: a two-block VGG-style network for small images such as CIFAR-10.

INPUT => [(CONV(32, 3x3) => RELU => BN) * 2 => POOL 2x2 => DROPOUT 0.25]
      => [(CONV(64, 3x3) => RELU => BN) * 2 => POOL 2x2 => DROPOUT 0.25]
      => FC(512) => RELU => BN => DROPOUT 0.5 => FC(classes) => SOFTMAX

Like VGG, it stacks 3x3 convolutions before each pooling. BatchNormalization follows the
activation, as in the course; `batch_norm=False` gives the course's no-BN comparison run.
"""

import numbers

import keras


class MiniVGGNet:
    """Builds MiniVGGNet: `MiniVGGNet.build(width, height, depth, classes, batch_norm=True)`."""

    # Two 2x2 poolings need at least 4 pixels per side to leave one.
    MINIMUM_SIZE = 4

    @staticmethod
    def build(width, height, depth, classes, batch_norm=True):
        """Returns an uncompiled `keras.Model` named "minivggnet".

        Args:
            width, height: input image size, each at least `MiniVGGNet.MINIMUM_SIZE`.
            depth: number of channels.
            classes: number of output classes.
            batch_norm: whether to add the BatchNormalization layers (course default: yes).

        The input layout and the BatchNormalization axis follow
        `keras.backend.image_data_format()`.
        """
        _check_positive_integers(width=width, height=height, depth=depth, classes=classes)
        _check_minimum_size(width, height, MiniVGGNet.MINIMUM_SIZE, "MiniVGGNet")
        if not isinstance(batch_norm, bool):
            raise ValueError(f"`batch_norm` must be True or False. Received: batch_norm={batch_norm!r}")
        input_shape, channel_axis = _input_shape_and_channel_axis(width, height, depth)

        def normalization(name):
            # With batch_norm=False the block simply has no normalisation layer.
            return [keras.layers.BatchNormalization(axis=channel_axis, name=name)] if batch_norm else []

        stack = [keras.Input(shape=input_shape, name="image")]
        for block, filters in ((1, 32), (2, 64)):
            for index in (1, 2):
                prefix = f"block{block}_conv{index}"
                stack.append(keras.layers.Conv2D(filters, (3, 3), padding="same", name=prefix))
                stack.append(keras.layers.Activation("relu", name=f"{prefix}_relu"))
                stack.extend(normalization(f"{prefix}_bn"))
            stack.append(keras.layers.MaxPooling2D(pool_size=(2, 2), name=f"block{block}_pool"))
            stack.append(keras.layers.Dropout(0.25, name=f"block{block}_dropout"))
        stack.append(keras.layers.Flatten(name="flatten"))
        stack.append(keras.layers.Dense(512, name="fc1"))
        stack.append(keras.layers.Activation("relu", name="fc1_relu"))
        stack.extend(normalization("fc1_bn"))
        stack.append(keras.layers.Dropout(0.5, name="fc1_dropout"))
        stack.append(keras.layers.Dense(int(classes), name="predictions"))
        # float32 so that the probabilities stay exact under a mixed-precision policy.
        stack.append(keras.layers.Activation("softmax", dtype="float32", name="softmax"))
        return keras.Sequential(stack, name="minivggnet")


def _check_positive_integers(**arguments):
    for name, value in arguments.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")


def _check_minimum_size(width, height, minimum, network_name):
    # Fail here with the reason rather than deep inside a pooling layer's shape check.
    if width < minimum or height < minimum:
        raise ValueError(
            f"{network_name} needs images of at least {minimum}x{minimum} pixels, or its pooling "
            f"layers shrink the feature maps to nothing. Received: width={width}, height={height}"
        )


def _input_shape_and_channel_axis(width, height, depth):
    # Keras' global image data format decides where the channels go, and BatchNormalization
    # must normalise that axis.
    if keras.backend.image_data_format() == "channels_first":
        return (int(depth), int(height), int(width)), 1
    return (int(height), int(width), int(depth)), -1
