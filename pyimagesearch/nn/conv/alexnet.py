"""AlexNet: Krizhevsky et al.'s 2012 ImageNet winner, in the course's version.

The course version (for 227x227 inputs) adds BatchNormalization after every activation and
Dropout after every pooling, and puts L2 weight decay on every kernel:

    INPUT => CONV(96, 11x11, stride 4) => RELU => BN => POOL 3x3/2 => DROPOUT 0.25
          => CONV(256, 5x5) => RELU => BN => POOL 3x3/2 => DROPOUT 0.25
          => (CONV(384, 3x3) => RELU => BN) * 2 => CONV(256, 3x3) => RELU => BN
          => POOL 3x3/2 => DROPOUT 0.25
          => (FC(4096) => RELU => BN => DROPOUT 0.5) * 2 => FC(classes) => SOFTMAX
"""

import keras

from pyimagesearch.nn.conv import convutils
from pyimagesearch.utils import validation


class AlexNet:
    """Builds AlexNet: `AlexNet.build(width, height, depth, classes, reg=0.0002)`."""

    # The stride-4 convolution then three 3x3/2 poolings: 57 -> 15 -> 7 -> 3 -> 1.
    MINIMUM_SIZE = 57

    @staticmethod
    def build(width, height, depth, classes, reg=0.0002):
        """Returns an uncompiled `keras.Model` named "alexnet".

        Args:
            width, height: input image size (the course uses 227x227), each at least
                `AlexNet.MINIMUM_SIZE`.
            depth: number of channels.
            classes: number of output classes.
            reg: L2 weight-decay factor for every convolution and dense kernel.

        The input layout and the BatchNormalization axis follow
        `keras.backend.image_data_format()`.
        """
        validation.check_positive_integers(width=width, height=height, depth=depth, classes=classes)
        convutils.check_minimum_size(width, height, AlexNet.MINIMUM_SIZE, "AlexNet")
        validation.check_non_negative_numbers(reg=reg)
        input_shape, channel_axis = convutils.input_shape_and_channel_axis(width, height, depth)

        def convolution(filters, kernel_size, name, strides=(1, 1)):
            # Each convolution is followed by its activation and BatchNormalization.
            return [
                keras.layers.Conv2D(
                    filters,
                    kernel_size,
                    strides=strides,
                    padding="same",
                    kernel_regularizer=keras.regularizers.L2(reg),
                    name=name,
                ),
                keras.layers.Activation("relu", name=f"{name}_relu"),
                keras.layers.BatchNormalization(axis=channel_axis, name=f"{name}_bn"),
            ]

        def pooling(block):
            return [
                keras.layers.MaxPooling2D(pool_size=(3, 3), strides=(2, 2), name=f"block{block}_pool"),
                keras.layers.Dropout(0.25, name=f"block{block}_dropout"),
            ]

        def fully_connected(name):
            return [
                keras.layers.Dense(4096, kernel_regularizer=keras.regularizers.L2(reg), name=name),
                keras.layers.Activation("relu", name=f"{name}_relu"),
                keras.layers.BatchNormalization(axis=-1, name=f"{name}_bn"),
                keras.layers.Dropout(0.5, name=f"{name}_dropout"),
            ]

        stack = [keras.Input(shape=input_shape, name="image")]
        stack += convolution(96, (11, 11), "conv1", strides=(4, 4)) + pooling(1)
        stack += convolution(256, (5, 5), "conv2") + pooling(2)
        stack += convolution(384, (3, 3), "conv3") + convolution(384, (3, 3), "conv4")
        stack += convolution(256, (3, 3), "conv5") + pooling(3)
        stack += [keras.layers.Flatten(name="flatten")]
        stack += fully_connected("fc1") + fully_connected("fc2")
        stack += [
            keras.layers.Dense(
                int(classes), kernel_regularizer=keras.regularizers.L2(reg), name="predictions"
            ),
            # float32 so that the probabilities stay exact under a mixed-precision policy.
            keras.layers.Activation("softmax", dtype="float32", name="softmax"),
        ]
        return keras.Sequential(stack, name="alexnet")
