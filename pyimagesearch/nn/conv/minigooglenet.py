"""MiniGoogLeNet: the course's small Inception network for CIFAR-10 (after Zhang et al. 2017).

Three building blocks, each CONV => BN => RELU underneath:
- `conv_module`: one convolution;
- `inception_module`: a 1x1 and a 3x3 convolution side by side, concatenated on channels;
- `downsample_module`: a 3x3/2 convolution beside a 3x3/2 max pooling, concatenated.

    INPUT => CONV(96, 3x3) => INCEPTION(32, 32) => INCEPTION(32, 48) => DOWNSAMPLE(80)
          => INCEPTION(112, 48) => INCEPTION(96, 64) => INCEPTION(80, 80) => INCEPTION(48, 96)
          => DOWNSAMPLE(96) => INCEPTION(176, 160) => INCEPTION(176, 160)
          => AVERAGE POOL 7x7 => DROPOUT 0.5 => FC(classes) => SOFTMAX

BatchNormalization keeps Keras' defaults (momentum 0.99), as the course's network does. The
moving averages used at inference start at mean 0, variance 1 and keep 0.99 of that per
training step, so after only a few hundred steps (e.g. 79: 0.99^79 = 45% left) inference-mode
accuracy can sit at chance while training-mode accuracy does not; see
experiments/minigooglenet_cifar10/README.md.
"""

import keras

from pyimagesearch.nn.conv import convutils
from pyimagesearch.utils import validation


class MiniGoogLeNet:
    """Builds MiniGoogLeNet: `MiniGoogLeNet.build(width, height, depth, classes)`."""

    # Two 3x3/2 valid downsamplings, then the 7x7 average pooling: 31 -> 15 -> 7 -> 1.
    MINIMUM_SIZE = 31

    @staticmethod
    def conv_module(inputs, filters, kernel_size, strides, channel_axis, padding="same", name=None):
        """CONV => BN => RELU; layers are named `<name>_conv`, `<name>_bn`, `<name>_relu`."""
        x = keras.layers.Conv2D(
            filters, kernel_size, strides=strides, padding=padding, name=convutils.suffixed(name, "conv")
        )(inputs)
        x = keras.layers.BatchNormalization(axis=channel_axis, name=convutils.suffixed(name, "bn"))(x)
        return keras.layers.Activation("relu", name=convutils.suffixed(name, "relu"))(x)

    @staticmethod
    def inception_module(inputs, filters_1x1, filters_3x3, channel_axis, name=None):
        """A 1x1 and a 3x3 convolution in parallel, concatenated along the channels."""
        branch_1x1 = MiniGoogLeNet.conv_module(
            inputs, filters_1x1, (1, 1), (1, 1), channel_axis, name=convutils.suffixed(name, "1x1")
        )
        branch_3x3 = MiniGoogLeNet.conv_module(
            inputs, filters_3x3, (3, 3), (1, 1), channel_axis, name=convutils.suffixed(name, "3x3")
        )
        return keras.layers.Concatenate(axis=channel_axis, name=convutils.suffixed(name, "concat"))(
            [branch_1x1, branch_3x3]
        )

    @staticmethod
    def downsample_module(inputs, filters, channel_axis, name=None):
        """Halves the spatial size: a 3x3/2 convolution beside a 3x3/2 max pooling."""
        branch_conv = MiniGoogLeNet.conv_module(
            inputs,
            filters,
            (3, 3),
            (2, 2),
            channel_axis,
            padding="valid",
            name=convutils.suffixed(name, "3x3"),
        )
        branch_pool = keras.layers.MaxPooling2D(
            (3, 3), strides=(2, 2), name=convutils.suffixed(name, "pool")
        )(inputs)
        return keras.layers.Concatenate(axis=channel_axis, name=convutils.suffixed(name, "concat"))(
            [branch_conv, branch_pool]
        )

    @staticmethod
    def build(width, height, depth, classes):
        """Returns an uncompiled `keras.Model` named "minigooglenet".

        Args:
            width, height: input image size (the course uses CIFAR-10's 32x32), each at
                least `MiniGoogLeNet.MINIMUM_SIZE`.
            depth: number of channels.
            classes: number of output classes.

        The input layout, BatchNormalization axis and concatenation axis follow
        `keras.backend.image_data_format()`.
        """
        validation.check_positive_integers(width=width, height=height, depth=depth, classes=classes)
        convutils.check_minimum_size(width, height, MiniGoogLeNet.MINIMUM_SIZE, "MiniGoogLeNet")
        input_shape, channel_axis = convutils.input_shape_and_channel_axis(width, height, depth)
        inception = MiniGoogLeNet.inception_module
        downsample = MiniGoogLeNet.downsample_module

        inputs = keras.Input(shape=input_shape, name="image")
        x = MiniGoogLeNet.conv_module(inputs, 96, (3, 3), (1, 1), channel_axis, name="stem")
        x = inception(x, 32, 32, channel_axis, name="inception1a")
        x = inception(x, 32, 48, channel_axis, name="inception1b")
        x = downsample(x, 80, channel_axis, name="downsample1")
        x = inception(x, 112, 48, channel_axis, name="inception2a")
        x = inception(x, 96, 64, channel_axis, name="inception2b")
        x = inception(x, 80, 80, channel_axis, name="inception2c")
        x = inception(x, 48, 96, channel_axis, name="inception2d")
        x = downsample(x, 96, channel_axis, name="downsample2")
        x = inception(x, 176, 160, channel_axis, name="inception3a")
        x = inception(x, 176, 160, channel_axis, name="inception3b")
        x = keras.layers.AveragePooling2D((7, 7), name="average_pool")(x)
        x = keras.layers.Dropout(0.5, name="dropout")(x)
        x = keras.layers.Flatten(name="flatten")(x)
        x = keras.layers.Dense(int(classes), name="predictions")(x)
        # float32 so that the probabilities stay exact under a mixed-precision policy.
        outputs = keras.layers.Activation("softmax", dtype="float32", name="softmax")(x)
        return keras.Model(inputs, outputs, name="minigooglenet")
