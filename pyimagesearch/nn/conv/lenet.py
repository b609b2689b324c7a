"""LeNet: LeCun et al.'s 1998 digit recogniser, with ReLU instead of tanh as in the course.

INPUT => (CONV(20, 5x5, same) => RELU => POOL 2x2/2) => (CONV(50, 5x5, same) => RELU =>
POOL 2x2/2) => FC(500) => RELU => FC(classes) => SOFTMAX.
"""

import numbers

import keras


class LeNet:
    """Builds LeNet: `LeNet.build(width, height, depth, classes)`."""

    # Two 2x2 poolings with stride 2 need at least 4 pixels per side to leave one.
    MINIMUM_SIZE = 4

    @staticmethod
    def build(width, height, depth, classes):
        """Returns an uncompiled `keras.Model` named "lenet".

        Args:
            width, height: input image size, each at least `LeNet.MINIMUM_SIZE`.
            depth: number of channels.
            classes: number of output classes.

        The input layout follows `keras.backend.image_data_format()`.
        """
        _check_positive_integers(width=width, height=height, depth=depth, classes=classes)
        _check_minimum_size(width, height, LeNet.MINIMUM_SIZE, "LeNet")
        return keras.Sequential(
            [
                keras.Input(shape=_input_shape(width, height, depth), name="image"),
                keras.layers.Conv2D(20, (5, 5), padding="same", name="conv1"),
                keras.layers.Activation("relu", name="conv1_relu"),
                keras.layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2), name="pool1"),
                keras.layers.Conv2D(50, (5, 5), padding="same", name="conv2"),
                keras.layers.Activation("relu", name="conv2_relu"),
                keras.layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2), name="pool2"),
                keras.layers.Flatten(name="flatten"),
                keras.layers.Dense(500, name="fc1"),
                keras.layers.Activation("relu", name="fc1_relu"),
                keras.layers.Dense(int(classes), name="predictions"),
                # float32 so that the probabilities stay exact under a mixed-precision policy.
                keras.layers.Activation("softmax", dtype="float32", name="softmax"),
            ],
            name="lenet",
        )


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


def _input_shape(width, height, depth):
    # Keras' global image data format decides where the channels go.
    if keras.backend.image_data_format() == "channels_first":
        return (int(depth), int(height), int(width))
    return (int(height), int(width), int(depth))
