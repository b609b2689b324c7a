"""ShallowNet: the course's first CNN, a single convolution in front of a softmax classifier.

INPUT => CONV(32, 3x3, same) => RELU => FC(classes) => SOFTMAX. Small enough to train on a
CPU in seconds, it shows that even one learned filter bank beats raw pixels.
"""

import keras

from pyimagesearch.nn.conv import convutils
from pyimagesearch.utils import validation


class ShallowNet:
    """Builds ShallowNet: `ShallowNet.build(width, height, depth, classes)`."""

    @staticmethod
    def build(width, height, depth, classes):
        """Returns an uncompiled `keras.Model` named "shallownet".

        Args:
            width, height, depth: input image size; `depth` is the number of channels.
            classes: number of output classes.

        The input layout follows `keras.backend.image_data_format()`: (height, width, depth)
        for channels_last, (depth, height, width) for channels_first.
        """
        validation.check_positive_integers(width=width, height=height, depth=depth, classes=classes)
        input_shape, _ = convutils.input_shape_and_channel_axis(width, height, depth)
        return keras.Sequential(
            [
                keras.Input(shape=input_shape, name="image"),
                keras.layers.Conv2D(32, (3, 3), padding="same", name="conv1"),
                keras.layers.Activation("relu", name="conv1_relu"),
                keras.layers.Flatten(name="flatten"),
                keras.layers.Dense(int(classes), name="predictions"),
                # float32 so that the probabilities stay exact under a mixed-precision policy.
                keras.layers.Activation("softmax", dtype="float32", name="softmax"),
            ],
            name="shallownet",
        )
