"""An epoch schedule over optimizer steps: the rate of every step is the epoch schedule's, and a checkpoint keeps it."""

import keras
import numpy as np
import pytest

from pyimagesearch.callbacks import perstepschedules, schedules
from pyimagesearch.utils import errors


def rate_at_step(schedule, step):
    return float(keras.ops.convert_to_numpy(schedule(step)))


@pytest.mark.parametrize("epoch_schedule", [schedules.StepDecay(0.01, factor=0.25, drop_every=5),
                                            schedules.PolynomialDecay(6, initial_learning_rate=0.1)])
def test_every_step_gets_its_epochs_rate(epoch_schedule):
    steps_per_epoch, epochs = 3, 12
    per_step = perstepschedules.epoch_schedule_per_step(epoch_schedule, steps_per_epoch, epochs)
    for step in range(steps_per_epoch * epochs):
        assert rate_at_step(per_step, step) == pytest.approx(epoch_schedule(step // steps_per_epoch)), step
    # Past the planned epochs the last epoch's rate stays.
    assert rate_at_step(per_step, steps_per_epoch * epochs + 7) == pytest.approx(epoch_schedule(epochs - 1))


def test_a_schedule_that_never_changes_is_a_plain_rate():
    step_decay = schedules.StepDecay(0.01, factor=0.5, drop_every=5)
    assert perstepschedules.epoch_schedule_per_step(step_decay, 10, 4) == pytest.approx(0.01)


def test_the_schedule_survives_a_keras_checkpoint(tmp_path):
    step_decay = schedules.StepDecay(0.01, factor=0.5, drop_every=2)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(perstepschedules.epoch_schedule_per_step(step_decay, 4, 6)), loss="mse")
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras", safe_mode=True)
    assert rate_at_step(loaded.optimizer._learning_rate, 4) == pytest.approx(0.005)  # epoch 1: the first drop


@pytest.mark.parametrize("arguments, message", [(("not callable", 3, 4), "callable"), ((np.cos, 0, 4), "steps_per_epoch"),
                                                ((np.cos, 3, 0), "epochs")])
def test_bad_arguments_are_refused(arguments, message):
    with pytest.raises((errors.InvalidArgumentError, ValueError), match=message):
        perstepschedules.epoch_schedule_per_step(*arguments)
