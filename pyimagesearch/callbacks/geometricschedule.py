"""GeometricSchedule: a value multiplied by a constant factor after every epoch, with a cap.

    learning_rate = GeometricSchedule(0.1, 0.9)                       # 0.1, 0.09, 0.081, ...
    keras.callbacks.LearningRateScheduler(learning_rate)
    batch_size = GeometricSchedule(128, 1.037, maximum=5000, integer=True)
    batch_size.value_at(epoch)                                        # 128, 133, 138, 142, ...

The two schedules of "Don't Decay the Learning Rate, Increase the Batch Size" (arXiv
1711.00489) are this one shape: the learning rate decays by a factor below 1, or the batch size
grows by a factor above 1 up to a limit. Epoch 0 (Keras counts epochs from 0) gets the initial
value, so "multiplied after every epoch" means epoch k gets `initial * factor ** k`.

An integer schedule (a batch size) rounds the exact value `initial * factor ** k`, half up,
rather than multiplying the previous rounded value: then epoch k's batch depends on k alone
(a resumed or restarted run gets the same batches), and rounding errors don't compound.

Not `keras.optimizers.schedules.ExponentialDecay`, which counts optimizer steps: with a growing
batch an epoch has fewer and fewer steps, so a per-step schedule would not be per epoch.
"""

import math

from pyimagesearch.utils import errors, validation


class GeometricSchedule:
    """`value_at(epoch) = min(initial_value * factor ** epoch, maximum)`, optionally rounded.

    Args:
        initial_value: the value of epoch 0; positive.
        factor: the multiplier applied after every epoch; positive (below 1 decays).
        maximum: the cap, or None for none. With `integer=True`, a whole number.
        integer: round the value half up to an int (for batch sizes).

    Callable as `schedule(epoch, learning_rate=None)` for `keras.callbacks.LearningRateScheduler`,
    which passes the current rate too; the value depends on the epoch only.
    """

    def __init__(self, initial_value, factor, maximum=None, integer=False):
        validation.check_positive_numbers(initial_value=initial_value, factor=factor)
        validation.check_booleans(integer=integer)
        if maximum is not None:
            validation.check_positive_numbers(maximum=maximum)
            if integer and int(maximum) != maximum:
                raise errors.InvalidArgumentError(
                    f"An integer schedule needs a whole-number maximum. Received: maximum={maximum}"
                )
            if maximum < initial_value:
                raise errors.InvalidArgumentError(
                    "`maximum` must be at least `initial_value`. "
                    f"Received: initial_value={initial_value}, maximum={maximum}"
                )
        if integer and int(initial_value) != initial_value:
            raise errors.InvalidArgumentError(
                f"An integer schedule needs a whole-number initial value. Received: initial_value={initial_value}"
            )
        self.initial_value = initial_value
        self.factor = float(factor)
        self.maximum = maximum
        self.integer = integer

    def value_at(self, epoch):
        """The value for `epoch` (0-based): an int if the schedule is an integer one, else a float."""
        epoch = validation.check_integer("epoch", epoch, minimum=0)
        exact = float(self.initial_value) * self.factor**epoch
        if self.maximum is not None:
            exact = min(exact, float(self.maximum))
        if self.integer:
            return int(math.floor(exact + 0.5))
        return exact

    def __call__(self, epoch, learning_rate=None):
        return float(self.value_at(epoch))

    def first_capped_epoch(self, limit=10_000):
        """The first epoch whose value is the maximum, or None (no maximum, or not within `limit`)."""
        if self.maximum is None:
            return None
        for epoch in range(limit):
            if self.value_at(epoch) >= self.maximum:
                return epoch
        return None

    def describe(self):
        """One line for config files and READMEs, e.g. "128 * 1.037**epoch, rounded half up, at most 5000"
        (or "0.1, fixed" for a factor of 1)."""
        if self.factor == 1.0 and self.maximum is None:
            return f"{self.initial_value:g}, fixed"
        text = f"{self.initial_value:g} * {self.factor:g}**epoch"
        if self.integer:
            text += ", rounded half up"
        if self.maximum is not None:
            text += f", at most {self.maximum:g}"
        return text
