"""FCHeadNet: the fully connected head that replaces a pre-trained network's top ("surgery").

For fine-tuning, the course cuts the classifier off a network trained on ImageNet (such as
VGG16 with `include_top=False`) and puts a new, randomly initialised head on its last
convolutional output:

    base output => FLATTEN => FC(dense) => RELU => DROPOUT 0.5 => FC(classes) => SOFTMAX

`FCHeadNet.build` keeps the course API and returns the head's output tensor; the helper
`build_surgery_model` returns the whole model.
"""

import keras

from pyimagesearch.utils import errors, validation


class FCHeadNet:
    """Builds the head: `FCHeadNet.build(base_model, classes, dense)` returns a tensor."""

    @staticmethod
    def build(base_model, classes, dense):
        """Returns the head's output tensor, built on `base_model.output`.

        Wrap it as `keras.Model(inputs=base_model.input, outputs=...)`, or call
        `build_surgery_model`.

        Args:
            base_model: a `keras.Model` with a single output, usually built with
                `include_top=False`.
            classes: number of output classes.
            dense: units in the hidden fully connected layer (the course's `D`, e.g. 256).
        """
        if not isinstance(base_model, keras.Model):
            raise errors.InvalidArgumentError(
                "`base_model` must be a keras.Model. "
                f"Received: base_model of type {type(base_model).__name__}"
            )
        validation.check_positive_integers(classes=classes, dense=dense)
        outputs = base_model.outputs
        if len(outputs) != 1:
            raise errors.InvalidArgumentError(
                "`base_model` must have exactly one output for the head to sit on. "
                f"Received: a model with {len(outputs)} outputs"
            )
        x = keras.layers.Flatten(name="head_flatten")(outputs[0])
        x = keras.layers.Dense(int(dense), activation="relu", name="head_dense")(x)
        x = keras.layers.Dropout(0.5, name="head_dropout")(x)
        # float32 so that the probabilities stay exact under a mixed-precision policy.
        return keras.layers.Dense(
            int(classes), activation="softmax", dtype="float32", name="head_predictions"
        )(x)


def build_surgery_model(base_model, classes, dense=256):
    """Returns `base_model` with an FCHeadNet head: a new, uncompiled `keras.Model`.

    The base's layers are shared, not copied: freeze them (`layer.trainable = False`) for
    the warm-up phase of fine-tuning, then unfreeze the top ones.
    """
    head = FCHeadNet.build(base_model, classes, dense)
    return keras.Model(inputs=base_model.input, outputs=head, name=f"{base_model.name}_fchead")
