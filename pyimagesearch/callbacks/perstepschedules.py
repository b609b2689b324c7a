"""A per-epoch learning-rate schedule (`schedules.StepDecay`, ...) as one that counts optimizer steps.

    step_decay = schedules.StepDecay(0.01, factor=0.25, drop_every=5)
    learning_rate = perstepschedules.epoch_schedule_per_step(step_decay, steps_per_epoch=782, epochs=40)
    optimizer = keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.9, nesterov=True)

`keras.callbacks.LearningRateScheduler` applies an epoch schedule from outside the model, so a
checkpoint does not carry it and a resumed run must be given it again. A
`keras.optimizers.schedules.PiecewiseConstantDecay` over steps lives in the optimizer: a `.keras`
checkpoint saves it with the iteration count, and a resumed run continues on it as it stood.
"""

import keras

from pyimagesearch.utils import errors, validation


def epoch_schedule_per_step(epoch_schedule, steps_per_epoch, epochs):
    """`epoch_schedule(epoch) -> rate` for epochs 0 .. `epochs` - 1, as a schedule over steps.

    Epoch e covers steps e * steps_per_epoch .. (e + 1) * steps_per_epoch - 1. Each epoch whose
    rate differs from the epoch before adds a boundary at e * steps_per_epoch - 1, since
    PiecewiseConstantDecay switches to the next value after its boundary. Returns a plain float
    when the rate never changes within `epochs`. After the last epoch the rate stays at epoch
    `epochs` - 1's (so a run resumed to more epochs keeps its last rate).
    """
    if not callable(epoch_schedule):
        raise errors.InvalidArgumentError(
            f"`epoch_schedule` must be a callable epoch -> learning rate. Received: {epoch_schedule!r}"
        )
    steps_per_epoch = validation.check_positive_integer("steps_per_epoch", steps_per_epoch)
    epochs = validation.check_positive_integer("epochs", epochs)
    rates = [float(epoch_schedule(epoch)) for epoch in range(epochs)]
    changes = [epoch for epoch in range(1, epochs) if rates[epoch] != rates[epoch - 1]]
    if not changes:
        return rates[0]
    return keras.optimizers.schedules.PiecewiseConstantDecay(
        boundaries=[epoch * steps_per_epoch - 1 for epoch in changes],
        values=[rates[0]] + [rates[epoch] for epoch in changes],
    )
