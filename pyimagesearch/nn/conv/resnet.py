"""ResNet: He et al.'s residual network with pre-activation bottleneck modules, as in the course.

Each `residual_module` is BN => RELU => CONV(filters/4, 1x1) => BN => RELU =>
CONV(filters/4, 3x3, stride) => BN => RELU => CONV(filters, 1x1), added to a shortcut: the
input itself, or (for the first module of a stage) a strided 1x1 projection of the first
activation. Convolutions have no bias, because a BatchNormalization follows each one.

    INPUT => BN => stem => stage 1 ... stage N => BN => RELU => AVERAGE POOL 8x8
          => FC(classes) => SOFTMAX

The stem is CONV(filters[0], 3x3) for "cifar", and CONV(filters[0], 5x5) => BN => RELU =>
ZERO PAD 1 => POOL 3x3/2 for "tiny_imagenet". Stage i has `stages[i]` modules with
`filters[i + 1]` output channels; every stage but the first halves the spatial size.
ResNet-56 for CIFAR-10 is `stages=(9, 9, 9), filters=(64, 64, 128, 256)`.

One deliberate difference from the course code: the course forgot to pass `reg` on to the
residual modules, so they always used 0.0001 whatever was asked for. Here `reg` reaches every
kernel; with the default value the two are identical.
"""

import math

import keras

from pyimagesearch.nn.conv import convutils
from pyimagesearch.utils import errors, validation

DATASETS = ("cifar", "tiny_imagenet")

# The final average pooling is 8x8, so the last stage must leave at least 8x8.
_FINAL_POOL_SIZE = 8


class ResNet:
    """Builds ResNet: `ResNet.build(width, height, depth, classes, stages, filters, ...)`."""

    @staticmethod
    def residual_module(
        inputs,
        filters,
        strides,
        channel_axis,
        reduce=False,
        reg=0.0001,
        bn_epsilon=2e-5,
        bn_momentum=0.9,
        name=None,
    ):
        """One pre-activation bottleneck module; returns its output tensor.

        Args:
            inputs: the input tensor.
            filters: output channels; the bottleneck convolutions use a quarter of them.
            strides: stride of the 3x3 convolution (and of the projection shortcut).
            channel_axis: the channel axis, for BatchNormalization.
            reduce: use a strided 1x1 projection as the shortcut, needed whenever the module
                changes the number of channels or the spatial size.
            reg: L2 weight-decay factor for every kernel.
            bn_epsilon, bn_momentum: BatchNormalization settings.
            name: prefix for the layer names, or None for Keras' automatic names.
        """

        def normalize_and_activate(tensor, index):
            tensor = keras.layers.BatchNormalization(
                axis=channel_axis,
                epsilon=bn_epsilon,
                momentum=bn_momentum,
                name=convutils.suffixed(name, f"bn{index}"),
            )(tensor)
            return keras.layers.Activation("relu", name=convutils.suffixed(name, f"relu{index}"))(tensor)

        def convolution(tensor, count, kernel_size, suffix, convolution_strides=(1, 1), padding="valid"):
            return keras.layers.Conv2D(
                count,
                kernel_size,
                strides=convolution_strides,
                padding=padding,
                use_bias=False,
                kernel_regularizer=keras.regularizers.L2(reg),
                name=convutils.suffixed(name, suffix),
            )(tensor)

        bottleneck = int(filters * 0.25)
        activation1 = normalize_and_activate(inputs, 1)
        x = convolution(activation1, bottleneck, (1, 1), "conv1")
        x = normalize_and_activate(x, 2)
        x = convolution(x, bottleneck, (3, 3), "conv2", convolution_strides=strides, padding="same")
        x = normalize_and_activate(x, 3)
        x = convolution(x, filters, (1, 1), "conv3")
        shortcut = inputs
        if reduce:
            # The projection starts from the activated input, as in the pre-activation paper.
            shortcut = convolution(activation1, filters, (1, 1), "shortcut", convolution_strides=strides)
        return keras.layers.Add(name=convutils.suffixed(name, "add"))([x, shortcut])

    @staticmethod
    def build(
        width,
        height,
        depth,
        classes,
        stages,
        filters,
        reg=0.0001,
        bn_epsilon=2e-5,
        bn_momentum=0.9,
        dataset="cifar",
    ):
        """Returns an uncompiled `keras.Model` named "resnet".

        Args:
            width, height: input image size (32x32 for CIFAR, 64x64 for Tiny ImageNet); it
                must leave at least 8x8 after the stem and the strided stages.
            depth: number of channels.
            classes: number of output classes.
            stages: modules per stage, e.g. (9, 9, 9).
            filters: the stem's filters, then each stage's output channels, so
                `len(filters) == len(stages) + 1`; stage filters must be at least 4 for the
                quarter-width bottleneck.
            reg: L2 weight-decay factor for every kernel.
            bn_epsilon, bn_momentum: BatchNormalization settings.
            dataset: "cifar" or "tiny_imagenet", which picks the stem.

        The input layout and the BatchNormalization axis follow
        `keras.backend.image_data_format()`.
        """
        validation.check_positive_integers(width=width, height=height, depth=depth, classes=classes)
        stages, filters = check_stages_and_filters(stages, filters)
        _check_settings(reg, bn_epsilon, bn_momentum, dataset)
        minimum = _minimum_size(len(stages), dataset)
        if width < minimum or height < minimum:
            raise errors.InvalidArgumentError(
                f"ResNet with {len(stages)} stages on {dataset!r} needs images of at least "
                f"{minimum}x{minimum} pixels to leave 8x8 for the final average pooling. "
                f"Received: width={width}, height={height}"
            )
        input_shape, channel_axis = convutils.input_shape_and_channel_axis(width, height, depth)
        normalization = {"axis": channel_axis, "epsilon": bn_epsilon, "momentum": bn_momentum}
        settings = {"reg": reg, "bn_epsilon": bn_epsilon, "bn_momentum": bn_momentum}

        inputs = keras.Input(shape=input_shape, name="image")
        x = keras.layers.BatchNormalization(**normalization, name="stem_input_bn")(inputs)
        x = _stem(x, filters[0], dataset, reg, normalization)
        for stage_index, (modules, stage_filters) in enumerate(zip(stages, filters[1:])):
            # The first stage keeps the stem's size; every later one halves it.
            strides = (1, 1) if stage_index == 0 else (2, 2)
            for module_index in range(modules):
                x = ResNet.residual_module(
                    x,
                    stage_filters,
                    strides if module_index == 0 else (1, 1),
                    channel_axis,
                    reduce=module_index == 0,
                    name=f"stage{stage_index + 1}_block{module_index + 1}",
                    **settings,
                )
        x = keras.layers.BatchNormalization(**normalization, name="final_bn")(x)
        x = keras.layers.Activation("relu", name="final_relu")(x)
        x = keras.layers.AveragePooling2D((_FINAL_POOL_SIZE, _FINAL_POOL_SIZE), name="average_pool")(x)
        x = keras.layers.Flatten(name="flatten")(x)
        x = keras.layers.Dense(
            int(classes), kernel_regularizer=keras.regularizers.L2(reg), name="predictions"
        )(x)
        # float32 so that the probabilities stay exact under a mixed-precision policy.
        outputs = keras.layers.Activation("softmax", dtype="float32", name="softmax")(x)
        return keras.Model(inputs, outputs, name="resnet")


def _stem(x, filters, dataset, reg, normalization):
    if dataset == "cifar":
        return keras.layers.Conv2D(
            filters,
            (3, 3),
            padding="same",
            use_bias=False,
            kernel_regularizer=keras.regularizers.L2(reg),
            name="stem_conv",
        )(x)
    # Tiny ImageNet's 64x64 images are halved before the first stage.
    x = keras.layers.Conv2D(
        filters,
        (5, 5),
        padding="same",
        use_bias=False,
        kernel_regularizer=keras.regularizers.L2(reg),
        name="stem_conv",
    )(x)
    x = keras.layers.BatchNormalization(**normalization, name="stem_bn")(x)
    x = keras.layers.Activation("relu", name="stem_relu")(x)
    x = keras.layers.ZeroPadding2D((1, 1), name="stem_padding")(x)
    return keras.layers.MaxPooling2D((3, 3), strides=(2, 2), name="stem_pool")(x)


def _minimum_size(stage_count, dataset):
    """The smallest side length that still leaves 8x8 before the final average pooling."""

    def final_size(size):
        if dataset == "tiny_imagenet":
            size = (size + 2 - 3) // 2 + 1  # zero padding 1, then 3x3/2 pooling
        for _ in range(stage_count - 1):
            size = math.ceil(size / 2)  # a strided "same" convolution
        return size

    size = _FINAL_POOL_SIZE
    while final_size(size) < _FINAL_POOL_SIZE:
        size += 1
    return size


def check_stages_and_filters(stages, filters):
    """Returns `stages` and `filters` as lists of ints, or raises a user error saying what
    `ResNet.build` can't use; public so a train script can check its flags before it starts."""
    is_positive_integer = validation.is_positive_integer
    if not isinstance(stages, (list, tuple)) or not stages or not all(map(is_positive_integer, stages)):
        raise errors.InvalidArgumentError(
            f"`stages` must be a non-empty list or tuple of positive integers. Received: stages={stages!r}"
        )
    if not isinstance(filters, (list, tuple)) or len(filters) != len(stages) + 1:
        raise errors.InvalidArgumentError(
            "`filters` must be a list or tuple with one entry for the stem plus one per stage "
            f"({len(stages) + 1} in all). Received: filters={filters!r}"
        )
    if not all(map(is_positive_integer, filters)) or any(count < 4 for count in filters[1:]):
        raise errors.InvalidArgumentError(
            "`filters` must be integers: at least 1 for the stem and at least 4 for each stage "
            f"(the bottleneck uses a quarter of them). Received: filters={filters!r}"
        )
    return [int(count) for count in stages], [int(count) for count in filters]


def _check_settings(reg, bn_epsilon, bn_momentum, dataset):
    validation.check_non_negative_numbers(reg=reg)
    if not validation.is_number(bn_epsilon) or not 0 < bn_epsilon < math.inf:
        raise errors.InvalidArgumentError(f"`bn_epsilon` must be a positive number. Received: bn_epsilon={bn_epsilon!r}")
    if not validation.is_number(bn_momentum) or not 0 <= bn_momentum < 1:
        raise errors.InvalidArgumentError(f"`bn_momentum` must be in [0, 1). Received: bn_momentum={bn_momentum!r}")
    if dataset not in DATASETS:
        raise errors.InvalidArgumentError(f"`dataset` must be one of {DATASETS}. Received: dataset={dataset!r}")
