"""MiniVGGNet: a two-block VGG-style network for small images such as CIFAR-10.

INPUT => [(CONV(32, 3x3) => RELU => BN) * 2 => POOL 2x2 => DROPOUT 0.25]
      => [(CONV(64, 3x3) => RELU => BN) * 2 => POOL 2x2 => DROPOUT 0.25]
      => FC(512) => RELU => BN => DROPOUT 0.5 => FC(classes) => SOFTMAX

Like VGG, it stacks 3x3 convolutions before each pooling. BatchNormalization follows the
activation, as in the course; `batch_norm=False` gives the course's no-BN comparison run.
"""

import keras

from pyimagesearch.nn.conv import convutils
from pyimagesearch.utils import validation


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
        validation.check_positive_integers(width=width, height=height, depth=depth, classes=classes)
        convutils.check_minimum_size(width, height, MiniVGGNet.MINIMUM_SIZE, "MiniVGGNet")
        validation.check_booleans(batch_norm=batch_norm)
        input_shape, channel_axis = convutils.input_shape_and_channel_axis(width, height, depth)

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
