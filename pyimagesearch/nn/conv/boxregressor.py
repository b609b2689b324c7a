"""BoxRegressor: one object's bounding box from an image, as four numbers in [0, 1].

PyImageSearch's bounding-box regression tutorial puts a small fully connected head on a
frozen VGG16 (ImageNet weights, `include_top=False`):

    backbone output => FLATTEN => FC(128) => RELU => FC(64) => RELU => FC(32) => RELU
                    => FC(4) => SIGMOID

The four outputs are the box corners (start_x, start_y, end_x, end_y) divided by the image's
width and height, and the loss is the mean squared error on them.

    backbone = BoxRegressor.backbone("minivggnet", image_size=64)              # trained from scratch
    backbone = BoxRegressor.backbone("vgg16", image_size=224, weights="imagenet")  # frozen
    model = BoxRegressor.build(backbone)
    transform = pipeline.make_batch_transform(one_hot=False, **BoxRegressor.input_scaling("vgg16"))
"""

import keras

from pyimagesearch.nn import applications
from pyimagesearch.nn.conv.minivggnet import MiniVGGNet
from pyimagesearch.utils import errors, validation

BACKBONES = ("vgg16", "minivggnet")
HIDDEN_UNITS = (128, 64, 32)
# MiniVGGNet's convolutional part ends here: the classifier (FC 512, softmax) is cut off.
MINIVGGNET_LAST_CONV_LAYER = "block2_dropout"
# VGG16's five poolings need 32 pixels to leave one; MiniVGGNet's two need 4.
MINIMUM_SIZES = {"vgg16": 32, "minivggnet": MiniVGGNet.MINIMUM_SIZE}


class BoxRegressor:
    """`BoxRegressor.build(backbone)`, with `backbone(...)` and `input_scaling(...)` to match."""

    @staticmethod
    def build(backbone, hidden_units=HIDDEN_UNITS):
        """Returns an uncompiled `keras.Model` named "<backbone>_box_regressor": the backbone
        with the regression head on its output. The sigmoid runs in float32, so the corners
        stay exact under a mixed-precision policy."""
        if not isinstance(backbone, keras.Model) or len(backbone.outputs) != 1:
            raise errors.InvalidArgumentError(
                f"`backbone` must be a keras.Model with one output. Received: {type(backbone).__name__}"
            )
        for units in hidden_units:
            validation.check_positive_integer("hidden_units", units)
        x = keras.layers.Flatten(name="box_flatten")(backbone.outputs[0])
        for index, units in enumerate(hidden_units, start=1):
            x = keras.layers.Dense(int(units), activation="relu", name=f"box_dense{index}")(x)
        corners = keras.layers.Dense(4, activation="sigmoid", dtype="float32", name="box_corners")(x)
        return keras.Model(inputs=backbone.inputs, outputs=corners, name=f"{backbone.name}_box_regressor")

    @staticmethod
    def backbone(name, image_size, weights=None, trainable=None):
        """The convolutional part of a network, for square BGR images of `image_size`.

        - "vgg16": `keras.applications.VGG16(include_top=False)` through
          `applications.build_application`, so `weights` is "imagenet", None/"none" or a
          weights file; frozen unless `trainable=True` (the tutorial freezes it).
        - "minivggnet": MiniVGGNet's two convolutional blocks, randomly initialised and
          trained (`weights` must be None: there are no pre-trained ones).
        """
        validation.check_choice("backbone", name, BACKBONES)
        size = validation.check_integer("image_size", image_size, minimum=MINIMUM_SIZES[name])
        if trainable is not None:
            validation.check_flag("trainable", trainable)
        if name == "vgg16":
            model = applications.build_application("vgg16", weights=weights, include_top=False, image_size=size)
            model.trainable = bool(trainable)
            return model
        if applications.parse_weights(weights) is not None:
            raise errors.InvalidArgumentError(
                f"MiniVGGNet is trained from scratch here; it has no pre-trained weights. Received: weights={weights!r}"
            )
        if trainable is False:
            raise errors.InvalidArgumentError(
                "A frozen MiniVGGNet would keep its random weights; it must be trained. Received: trainable=False"
            )
        full = MiniVGGNet.build(width=size, height=size, depth=3, classes=2)
        return keras.Model(
            inputs=full.inputs, outputs=full.get_layer(MINIVGGNET_LAST_CONV_LAYER).output, name="minivggnet_conv"
        )

    @staticmethod
    def input_scaling(name):
        """The `pipeline.make_batch_transform` arguments that turn BGR pixels into the
        backbone's inputs: VGG16's own preprocessing (RGB order, ImageNet mean), or pixels
        / 255 for MiniVGGNet, as the course trains it."""
        validation.check_choice("backbone", name, BACKBONES)
        if name == "vgg16":
            return {"scale": 1.0, "preprocessors": [applications.batch_preprocessor("vgg16")]}
        return {"scale": 1.0 / 255.0, "preprocessors": None}
