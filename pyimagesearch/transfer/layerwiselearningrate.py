"""Per-layer learning rates: Keras optimizers that scale the rate of chosen layers.

Fine-tuning reports train the new head at the full rate and earlier, more general blocks at
a fraction of it (e.g. 0.4x and 0.6x). Keras 3 optimizers have one learning rate for every
variable, so `LayerwiseLearningRate` adds a multiplier per layer:

    optimizer = make_optimizer("sgd", learning_rate=1e-3,
                               layer_multipliers={"block4_conv1": 0.4, "block5_conv1": 0.6})
    model.compile(optimizer=optimizer, ...)

Each variable whose path names a layer in `layer_multipliers` (e.g. "block4_conv1/kernel")
gets `learning_rate * multiplier`; all others get the plain rate. The multiplier scales the
*step* in `update_step`, so it is exact for any optimizer (for Adam or RMSprop, scaling the
gradient instead would change nothing), and it composes with a learning-rate schedule such
as `keras.optimizers.schedules.ExponentialDecay`: the schedule's current rate is multiplied.
Decoupled weight decay (`weight_decay=`) uses the base rate, as in Keras.

A name that matches none of the trainable variables is an error when the optimizer is built
(at the first training step): a misspelt layer name would otherwise silently train that
layer at the full rate. The optimizers are registered Keras objects, so models compiled with
them save and load (import this module first).
"""

import keras

from pyimagesearch.utils import errors, validation

REGISTERED_PACKAGE = "pyimagesearch"


class LayerwiseLearningRate:
    """Mixin for a Keras optimizer: `layer_multipliers={layer_name: factor}` scales those layers' rate.

    Use the concrete classes below (`LayerwiseSGD`, `LayerwiseRMSprop`, `LayerwiseAdam`,
    `LayerwiseAdamW`) or `make_optimizer`. After the optimizer is built,
    `variable_multipliers()` says which multiplier each trainable variable got.
    """

    def __init__(self, *args, layer_multipliers=None, **kwargs):
        multipliers = validate_layer_multipliers(layer_multipliers)
        super().__init__(*args, **kwargs)
        self._layer_multipliers = multipliers
        self._variable_multiplier_list = ()

    @property
    def layer_multipliers(self):
        """The {layer_name: multiplier} this optimizer was made with (a copy)."""
        return dict(self._layer_multipliers)

    def build(self, variables):
        super().build(variables)
        multipliers, matched = [], set()
        for variable in variables:
            layer_name = _layer_for(variable.path, self._layer_multipliers)
            matched.add(layer_name)
            multipliers.append(self._layer_multipliers.get(layer_name, 1.0))
        unmatched = sorted(set(self._layer_multipliers) - matched)
        if unmatched:
            raise errors.InvalidArgumentError(
                "`layer_multipliers` names layers that have no trainable variable in this model (misspelt, "
                f"or frozen): {unmatched}. Trainable variables: {[variable.path for variable in variables][:12]}... "
                f"Received: layer_multipliers={self._layer_multipliers}"
            )
        # A tuple of floats: the optimizer's tracker only wraps lists and dicts.
        self._variable_multiplier_list = tuple(multipliers)

    def variable_multipliers(self):
        """{variable path: multiplier} for every trainable variable; empty before the first step."""
        return {
            variable.path: multiplier
            for variable, multiplier in zip(self._trainable_variables, self._variable_multiplier_list)
        }

    def update_step(self, gradient, variable, learning_rate):
        multiplier = self._variable_multiplier_list[self._get_variable_index(variable)]
        if multiplier != 1.0:
            learning_rate = learning_rate * multiplier
        return super().update_step(gradient, variable, learning_rate)

    def get_config(self):
        config = super().get_config()
        config["layer_multipliers"] = dict(self._layer_multipliers)
        return config


@keras.saving.register_keras_serializable(package=REGISTERED_PACKAGE)
class LayerwiseSGD(LayerwiseLearningRate, keras.optimizers.SGD):
    """`keras.optimizers.SGD` with per-layer learning-rate multipliers."""


@keras.saving.register_keras_serializable(package=REGISTERED_PACKAGE)
class LayerwiseRMSprop(LayerwiseLearningRate, keras.optimizers.RMSprop):
    """`keras.optimizers.RMSprop` with per-layer learning-rate multipliers."""


@keras.saving.register_keras_serializable(package=REGISTERED_PACKAGE)
class LayerwiseAdam(LayerwiseLearningRate, keras.optimizers.Adam):
    """`keras.optimizers.Adam` with per-layer learning-rate multipliers."""


@keras.saving.register_keras_serializable(package=REGISTERED_PACKAGE)
class LayerwiseAdamW(LayerwiseLearningRate, keras.optimizers.AdamW):
    """`keras.optimizers.AdamW` with per-layer learning-rate multipliers."""


# Optimizer name -> (plain Keras class, class with per-layer multipliers).
OPTIMIZERS = {
    "sgd": (keras.optimizers.SGD, LayerwiseSGD),
    "rmsprop": (keras.optimizers.RMSprop, LayerwiseRMSprop),
    "adam": (keras.optimizers.Adam, LayerwiseAdam),
    "adamw": (keras.optimizers.AdamW, LayerwiseAdamW),
}


def make_optimizer(name, learning_rate, layer_multipliers=None, **kwargs):
    """Returns a new optimizer: the plain Keras one, or its Layerwise version if any multiplier != 1.

    Args:
        name: "sgd", "rmsprop", "adam" or "adamw".
        learning_rate: a positive float or a `keras.optimizers.schedules.LearningRateSchedule`.
        layer_multipliers: {layer_name: positive factor}, or None.
        **kwargs: passed to the optimizer (momentum=, weight_decay=, ...).

    Without multipliers (or all of them 1) the plain class is used, so a saved model needs
    nothing from this package to load.
    """
    validation.check_choice("name", name, sorted(OPTIMIZERS))
    if not isinstance(learning_rate, keras.optimizers.schedules.LearningRateSchedule):
        if not validation.is_positive_number(learning_rate):
            raise errors.InvalidArgumentError(
                "`learning_rate` must be a positive number or a LearningRateSchedule. "
                f"Received: learning_rate={learning_rate!r}"
            )
    multipliers = validate_layer_multipliers(layer_multipliers)
    plain_class, layerwise_class = OPTIMIZERS[name]
    if any(value != 1.0 for value in multipliers.values()):
        return layerwise_class(learning_rate=learning_rate, layer_multipliers=multipliers, **kwargs)
    return plain_class(learning_rate=learning_rate, **kwargs)


def validate_layer_multipliers(layer_multipliers):
    """Returns {layer_name: float} if every name is a non-empty string and every factor positive."""
    if layer_multipliers is None:
        return {}
    if not isinstance(layer_multipliers, dict):
        raise errors.InvalidArgumentError(
            "`layer_multipliers` must be a dict {layer_name: factor} or None. "
            f"Received: layer_multipliers={layer_multipliers!r}"
        )
    result = {}
    for layer_name, factor in layer_multipliers.items():
        if not isinstance(layer_name, str) or not layer_name or "/" in layer_name:
            raise errors.InvalidArgumentError(
                f"`layer_multipliers` keys must be layer names (no '/'). Received: key {layer_name!r}"
            )
        if not validation.is_positive_number(factor):
            raise errors.InvalidArgumentError(
                f"`layer_multipliers` values must be positive numbers. Received: {layer_name!r}: {factor!r}"
            )
        result[layer_name] = float(factor)
    return result


def _layer_for(variable_path, layer_multipliers):
    """The innermost layer named in `layer_multipliers` that the variable belongs to, or None.

    A variable's path is "<layer>/<name>", or "<model>/<layer>/<name>" in a nested model.
    """
    for component in reversed(variable_path.split("/")[:-1]):
        if component in layer_multipliers:
            return component
    return None
