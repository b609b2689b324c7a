"""StrideNet: the small network of one reader's reproduction of "Don't Decay the Learning Rate,
Increase the Batch Size" (Smith, Kindermans, Ying and Le, arXiv 1711.00489).

INPUT => CONV(32, 3x3, stride 2, valid) => RELU => CONV(32, 3x3, stride 2, valid) => RELU
=> MAXPOOL(2x2, stride 1) => CONV(16, 1x1, same) => RELU => FLATTEN => FC(512) => RELU
=> FC(classes) => SOFTMAX

The strided convolutions shrink a 32x32 image to 7x7 in two layers, so the network has few
parameters (about 311,000 on CIFAR-10, 295,000 of them in the dense layer) and an epoch over
tens of thousands of images takes seconds on a CPU: small enough to train a study of several
schedules, big enough to fit 1,000 images exactly. No BatchNormalization and no Dropout, so the
learning rate and the batch size alone set the noise of SGD, which is what the study varies.
"""

import keras

from pyimagesearch.nn.conv import convutils
from pyimagesearch.utils import validation

# The smallest side that leaves the 2x2 pooling a 2x2 input: 11 -> 5 -> 2 -> 1.
MINIMUM_SIZE = 11


class StrideNet:
    """Builds StrideNet: `StrideNet.build(width, height, depth, classes)`."""

    @staticmethod
    def build(width, height, depth, classes):
        """Returns an uncompiled `keras.Model` named "stridenet".

        Args:
            width, height, depth: input image size; `depth` is the number of channels. Both
                sides must be at least `MINIMUM_SIZE`.
            classes: number of output classes.

        The input layout follows `keras.backend.image_data_format()`.
        """
        validation.check_positive_integers(width=width, height=height, depth=depth, classes=classes)
        convutils.check_minimum_size(width, height, MINIMUM_SIZE, "StrideNet")
        input_shape, _ = convutils.input_shape_and_channel_axis(width, height, depth)
        return keras.Sequential(
            [
                keras.Input(shape=input_shape, name="image"),
                keras.layers.Conv2D(32, (3, 3), strides=2, padding="valid", name="conv1"),
                keras.layers.Activation("relu", name="conv1_relu"),
                keras.layers.Conv2D(32, (3, 3), strides=2, padding="valid", name="conv2"),
                keras.layers.Activation("relu", name="conv2_relu"),
                keras.layers.MaxPooling2D(pool_size=(2, 2), strides=1, name="pool"),
                keras.layers.Conv2D(16, (1, 1), padding="same", name="conv3"),
                keras.layers.Activation("relu", name="conv3_relu"),
                keras.layers.Flatten(name="flatten"),
                keras.layers.Dense(512, name="fc1"),
                keras.layers.Activation("relu", name="fc1_relu"),
                keras.layers.Dense(int(classes), name="predictions"),
                # float32 so that the probabilities stay exact under a mixed-precision policy.
                keras.layers.Activation("softmax", dtype="float32", name="softmax"),
            ],
            name="stridenet",
        )
