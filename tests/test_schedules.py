"""Learning-rate schedules: known values, LearningRateScheduler use, plots, and the SGD decay replacement."""

import warnings

import keras
import numpy as np
import pytest

from pyimagesearch.callbacks import schedules


@pytest.mark.parametrize(
    ("epoch", "expected"),
    [(0, 0.01), (25, 0.0075), (50, 0.005), (99, 0.0001), (100, 0.0), (150, 0.0)],
)
def test_polynomial_decay_linear(epoch, expected):
    assert schedules.PolynomialDecay(max_epochs=100)(epoch) == pytest.approx(expected, abs=1e-12)


def test_polynomial_decay_power():
    schedule = schedules.PolynomialDecay(max_epochs=10, initial_learning_rate=0.1, power=2.0)
    assert schedule(5) == pytest.approx(0.1 * 0.5**2)
    assert isinstance(schedule(5), float)


@pytest.mark.parametrize(
    ("epoch", "expected"),
    [(0, 0.01), (8, 0.01), (9, 0.0025), (18, 0.0025), (19, 0.000625), (29, 0.01 * 0.25**3)],
)
def test_step_decay_course_formula(epoch, expected):
    # The course: initial * factor ** floor((1 + epoch) / drop_every).
    assert schedules.StepDecay(initial_learning_rate=0.01, factor=0.25, drop_every=10)(epoch) == pytest.approx(expected)


def test_schedules_drive_learning_rate_scheduler():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0), loss="mse")
    schedule = schedules.StepDecay(initial_learning_rate=0.1, factor=0.5, drop_every=1)
    history = model.fit(
        np.zeros((4, 2), "float32"),
        np.zeros((4, 1), "float32"),
        epochs=3,
        verbose=0,
        callbacks=[keras.callbacks.LearningRateScheduler(schedule)],
    )
    assert history.history["learning_rate"] == pytest.approx([0.05, 0.025, 0.0125])


def test_inverse_time_decay_matches_keras2_sgd_decay():
    decay = 0.01 / 40
    schedule = schedules.inverse_time_decay(0.01, decay)
    assert isinstance(schedule, keras.optimizers.schedules.InverseTimeDecay)
    for step in (0, 1, 100, 5000):
        # Keras 2's SGD: lr = lr0 / (1 + decay * iterations), applied every step.
        assert float(schedule(step)) == pytest.approx(0.01 / (1 + decay * step), rel=1e-6)


def test_keras3_sgd_ignores_decay_which_is_why_inverse_time_decay_exists():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        optimizer = keras.optimizers.SGD(learning_rate=0.01, decay=0.5)
    assert any("decay" in str(warning.message) for warning in caught)
    optimizer.iterations.assign(100)
    assert float(optimizer.learning_rate.numpy()) == pytest.approx(0.01)


@pytest.mark.parametrize(
    "schedule",
    [schedules.PolynomialDecay(max_epochs=20), schedules.StepDecay()],
)
def test_plot_writes_png(tmp_path, schedule):
    path = schedule.plot(20, tmp_path / "schedule.png")
    assert path.read_bytes()[:4] == b"\x89PNG"
    assert [entry.name for entry in tmp_path.iterdir()] == ["schedule.png"]


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: schedules.PolynomialDecay(max_epochs=0), "Received: max_epochs=0"),
        (
            lambda: schedules.PolynomialDecay(max_epochs=10, initial_learning_rate=-1),
            "Received: initial_learning_rate=-1",
        ),
        (lambda: schedules.PolynomialDecay(max_epochs=10, power=0), "Received: power=0"),
        (lambda: schedules.StepDecay(factor=0), "Received: factor=0"),
        (lambda: schedules.StepDecay(drop_every=0), "Received: drop_every=0"),
        (lambda: schedules.inverse_time_decay(0.01, -0.1), "Received: decay=-0.1"),
        (lambda: schedules.StepDecay()(-1), "Received: epoch=-1"),
        (lambda: schedules.StepDecay().plot(0, "schedule.png"), "Received: epochs=0"),
        (lambda: schedules.StepDecay().plot(5, "schedule.jpg"), "Received: path=schedule.jpg"),
    ],
)
def test_rejects_bad_arguments(factory, message):
    with pytest.raises(ValueError, match=message):
        factory()
