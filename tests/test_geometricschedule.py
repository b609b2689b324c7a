"""Tests for GeometricSchedule: per-epoch values, rounding, the cap, Keras' scheduler, bad input."""

import keras
import numpy as np
import pytest

from pyimagesearch.callbacks.geometricschedule import GeometricSchedule
from pyimagesearch.utils import errors


def test_a_decaying_learning_rate_is_multiplied_after_every_epoch():
    schedule = GeometricSchedule(0.1, 0.9)

    assert [schedule.value_at(epoch) for epoch in range(3)] == pytest.approx([0.1, 0.09, 0.081])
    assert schedule(10) == pytest.approx(0.1 * 0.9**10)
    assert schedule.first_capped_epoch() is None


def test_a_batch_size_rounds_the_exact_value_half_up_and_stops_at_the_maximum():
    schedule = GeometricSchedule(128, 1.037, maximum=140, integer=True)
    values = [schedule.value_at(epoch) for epoch in range(5)]

    # 128, 132.736, 137.647, 142.74: rounded from the exact value, then capped.
    assert values == [128, 133, 138, 140, 140]
    assert all(isinstance(value, int) for value in values)
    assert schedule.first_capped_epoch() == 3


def test_rounding_does_not_compound():
    # Multiplying the rounded value each epoch drifts away from initial * factor**k.
    schedule = GeometricSchedule(8, 1.06, integer=True)
    compounded = [8]
    for _ in range(30):
        compounded.append(int(np.floor(compounded[-1] * 1.06 + 0.5)))

    assert schedule.value_at(30) == int(np.floor(8 * 1.06**30 + 0.5)) == 46
    assert compounded[30] != 46


def test_keras_learning_rate_scheduler_sets_the_rate_of_each_epoch():
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0), loss="mse")
    rates = []
    record = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: rates.append(float(model.optimizer.learning_rate))
    )
    scheduler = keras.callbacks.LearningRateScheduler(GeometricSchedule(0.1, 0.5))
    model.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=3, verbose=0, callbacks=[scheduler, record])

    assert rates == pytest.approx([0.1, 0.05, 0.025])


def test_describe_names_the_rule():
    assert GeometricSchedule(128, 1.037, maximum=5000, integer=True).describe() == (
        "128 * 1.037**epoch, rounded half up, at most 5000"
    )
    assert GeometricSchedule(0.1, 0.9).describe() == "0.1 * 0.9**epoch"
    assert GeometricSchedule(128, 1.0, integer=True).describe() == "128, fixed"


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"initial_value": 0, "factor": 0.9}, "initial_value"),
        ({"initial_value": 0.1, "factor": -1}, "factor"),
        ({"initial_value": 128, "factor": 1.1, "maximum": 100}, "at least `initial_value`"),
        ({"initial_value": 128, "factor": 1.1, "maximum": 200.5, "integer": True}, "whole-number maximum"),
        ({"initial_value": 12.5, "factor": 1.1, "integer": True}, "whole-number initial value"),
    ],
)
def test_bad_arguments_are_refused(arguments, message):
    with pytest.raises(errors.InvalidArgumentError, match=message):
        GeometricSchedule(**arguments)


def test_a_negative_epoch_is_refused():
    with pytest.raises(ValueError, match="epoch"):
        GeometricSchedule(0.1, 0.9).value_at(-1)
