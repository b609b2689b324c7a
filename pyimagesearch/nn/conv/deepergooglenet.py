"""DeeperGoogLeNet: the course's GoogLeNet (Szegedy et al. 2014) for 64x64 Tiny ImageNet.

Two changes from the paper, both from the course: the first convolution is 5x5 with
stride 1 (not 7x7/2), so 64x64 inputs are not shrunk too fast, and there is no stage 5.

    INPUT => CONV(64, 5x5) => POOL 3x3/2 => CONV(64, 1x1) => CONV(192, 3x3) => POOL 3x3/2
          => INCEPTION 3a, 3b => POOL 3x3/2 => INCEPTION 4a, 4b, 4c, 4d, 4e => POOL 3x3/2
          => AVERAGE POOL 4x4 => DROPOUT 0.4 => FC(classes) => SOFTMAX

Every convolution is CONV => BN => RELU with L2 weight decay `reg`; every max pooling uses
"same" padding, so each halves the size (rounding up).
"""

import keras

from pyimagesearch.nn.conv import convutils
from pyimagesearch.utils import validation


class DeeperGoogLeNet:
    """Builds DeeperGoogLeNet: `DeeperGoogLeNet.build(width, height, depth, classes, reg=0.0005)`."""

    # Four "same" poolings with stride 2 divide the size by 16 (rounding up), and the 4x4
    # average pooling then needs at least 4: 49 -> 25 -> 13 -> 7 -> 4 -> 1.
    MINIMUM_SIZE = 49

    @staticmethod
    def conv_module(
        inputs, filters, kernel_size, strides, channel_axis, padding="same", reg=0.0005, name=None
    ):
        """CONV => BN => RELU; layers are named `<name>_conv`, `<name>_bn`, `<name>_relu`."""
        x = keras.layers.Conv2D(
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            kernel_regularizer=keras.regularizers.L2(reg),
            name=convutils.suffixed(name, "conv"),
        )(inputs)
        x = keras.layers.BatchNormalization(axis=channel_axis, name=convutils.suffixed(name, "bn"))(x)
        return keras.layers.Activation("relu", name=convutils.suffixed(name, "relu"))(x)

    @staticmethod
    def inception_module(
        inputs,
        filters_1x1,
        filters_3x3_reduce,
        filters_3x3,
        filters_5x5_reduce,
        filters_5x5,
        filters_1x1_projection,
        channel_axis,
        stage,
        reg=0.0005,
    ):
        """GoogLeNet's four-branch Inception module, its layers named after `stage` ("3a").

        Branches: a 1x1 convolution; a 1x1 reduction then a 3x3; a 1x1 reduction then a
        5x5; a 3x3/1 max pooling then a 1x1 projection. Outputs are concatenated on channels.
        """
        conv = DeeperGoogLeNet.conv_module
        prefix = f"inception{stage}"
        first = conv(inputs, filters_1x1, (1, 1), (1, 1), channel_axis, reg=reg, name=f"{prefix}_first")
        second = conv(
            inputs, filters_3x3_reduce, (1, 1), (1, 1), channel_axis, reg=reg, name=f"{prefix}_second1"
        )
        second = conv(second, filters_3x3, (3, 3), (1, 1), channel_axis, reg=reg, name=f"{prefix}_second2")
        third = conv(
            inputs, filters_5x5_reduce, (1, 1), (1, 1), channel_axis, reg=reg, name=f"{prefix}_third1"
        )
        third = conv(third, filters_5x5, (5, 5), (1, 1), channel_axis, reg=reg, name=f"{prefix}_third2")
        fourth = keras.layers.MaxPooling2D(
            (3, 3), strides=(1, 1), padding="same", name=f"{prefix}_pool"
        )(inputs)
        fourth = conv(
            fourth, filters_1x1_projection, (1, 1), (1, 1), channel_axis, reg=reg, name=f"{prefix}_fourth"
        )
        branches = [first, second, third, fourth]
        return keras.layers.Concatenate(axis=channel_axis, name=f"{prefix}_mixed")(branches)

    @staticmethod
    def build(width, height, depth, classes, reg=0.0005):
        """Returns an uncompiled `keras.Model` named "deepergooglenet".

        Args:
            width, height: input image size (the course uses 64x64), each at least
                `DeeperGoogLeNet.MINIMUM_SIZE`.
            depth: number of channels.
            classes: number of output classes.
            reg: L2 weight-decay factor for every convolution and the final dense kernel.

        The input layout, BatchNormalization axis and concatenation axis follow
        `keras.backend.image_data_format()`.
        """
        validation.check_positive_integers(width=width, height=height, depth=depth, classes=classes)
        convutils.check_minimum_size(width, height, DeeperGoogLeNet.MINIMUM_SIZE, "DeeperGoogLeNet")
        validation.check_non_negative_numbers(reg=reg)
        input_shape, channel_axis = convutils.input_shape_and_channel_axis(width, height, depth)
        conv = DeeperGoogLeNet.conv_module
        inception = DeeperGoogLeNet.inception_module

        def pooling(name):
            return keras.layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=name)

        inputs = keras.Input(shape=input_shape, name="image")
        x = conv(inputs, 64, (5, 5), (1, 1), channel_axis, reg=reg, name="block1")
        x = pooling("pool1")(x)
        x = conv(x, 64, (1, 1), (1, 1), channel_axis, reg=reg, name="block2")
        x = conv(x, 192, (3, 3), (1, 1), channel_axis, reg=reg, name="block3")
        x = pooling("pool2")(x)
        x = inception(x, 64, 96, 128, 16, 32, 32, channel_axis, "3a", reg=reg)
        x = inception(x, 128, 128, 192, 32, 96, 64, channel_axis, "3b", reg=reg)
        x = pooling("pool3")(x)
        x = inception(x, 192, 96, 208, 16, 48, 64, channel_axis, "4a", reg=reg)
        x = inception(x, 160, 112, 224, 24, 64, 64, channel_axis, "4b", reg=reg)
        x = inception(x, 128, 128, 256, 24, 64, 64, channel_axis, "4c", reg=reg)
        x = inception(x, 112, 144, 288, 32, 64, 64, channel_axis, "4d", reg=reg)
        x = inception(x, 256, 160, 320, 32, 128, 128, channel_axis, "4e", reg=reg)
        x = pooling("pool4")(x)
        x = keras.layers.AveragePooling2D((4, 4), name="pool5")(x)
        x = keras.layers.Dropout(0.4, name="dropout")(x)
        x = keras.layers.Flatten(name="flatten")(x)
        x = keras.layers.Dense(
            int(classes), kernel_regularizer=keras.regularizers.L2(reg), name="predictions"
        )(x)
        # float32 so that the probabilities stay exact under a mixed-precision policy.
        outputs = keras.layers.Activation("softmax", dtype="float32", name="softmax")(x)
        return keras.Model(inputs, outputs, name="deepergooglenet")
