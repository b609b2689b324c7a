"""LeNet: LeCun et al.'s 1998 digit recogniser, with ReLU instead of tanh as in the course.

INPUT => (CONV(20, 5x5, same) => RELU => POOL 2x2/2) => (CONV(50, 5x5, same) => RELU =>
POOL 2x2/2) => FC(500) => RELU => FC(classes) => SOFTMAX.
"""

import keras

from pyimagesearch.nn.conv import convutils
from pyimagesearch.utils import validation


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
        validation.check_positive_integers(width=width, height=height, depth=depth, classes=classes)
        convutils.check_minimum_size(width, height, LeNet.MINIMUM_SIZE, "LeNet")
        input_shape, _ = convutils.input_shape_and_channel_axis(width, height, depth)
        return keras.Sequential(
            [
                keras.Input(shape=input_shape, name="image"),
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
