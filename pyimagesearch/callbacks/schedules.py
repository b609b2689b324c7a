"""Learning-rate schedules: the course's per-epoch polynomial and step decays, and the old SGD decay.

`PolynomialDecay` and `StepDecay` are callables `schedule(epoch) -> float` for
`keras.callbacks.LearningRateScheduler`, which sets the optimizer's rate at each epoch start.

Two Keras 3 facts that bite:
- `keras.optimizers.schedules.PolynomialDecay` counts optimizer steps, not epochs, and ends at
  `end_learning_rate=1e-4` by default; the course's `poly_decay` is per epoch and ends at 0.
- `SGD(decay=...)` (Keras 2's per-step time decay) is ignored with only a warning in Keras 3.
  `inverse_time_decay(lr, decay)` gives the exact replacement.
"""

import math
import pathlib

import keras
import numpy as np
from matplotlib.backends import backend_agg
from matplotlib import figure as matplotlib_figure

from pyimagesearch.utils import atomic, errors, validation


class _EpochSchedule:
    """Shared parts: argument checks, `__call__` for LearningRateScheduler, and `plot`."""

    def __call__(self, epoch, learning_rate=None):
        # LearningRateScheduler passes the current rate too; these schedules depend only on the epoch.
        epoch = validation.check_integer("epoch", epoch, minimum=0)
        return float(self.learning_rate_at(epoch))

    def learning_rate_at(self, epoch):
        raise NotImplementedError

    def plot(self, epochs, path):
        """Plots the learning rate for epochs 0 .. `epochs` - 1 to the PNG file `path` (atomically)."""
        epochs = validation.check_positive_integer("epochs", epochs)
        path = _png_path(path)
        epoch_numbers = np.arange(epochs)
        rates = [self(int(epoch)) for epoch in epoch_numbers]
        figure = matplotlib_figure.Figure(figsize=(6, 4), layout="constrained")
        backend_agg.FigureCanvasAgg(figure)
        axes = figure.add_subplot(1, 1, 1)
        axes.plot(epoch_numbers, rates, marker="o" if epochs < 50 else None)
        axes.set_title(self._title())
        axes.set_xlabel("Epoch")
        axes.set_ylabel("Learning rate")
        axes.grid(True, alpha=0.3)
        with atomic.atomic_output_path(path) as temporary_path:
            figure.savefig(temporary_path, format="png", dpi=100)
        return path

    def _title(self):
        return type(self).__name__


class PolynomialDecay(_EpochSchedule):
    """The course's `poly_decay`: `initial_learning_rate * (1 - epoch / max_epochs) ** power`.

    Per epoch, reaching 0 at `epoch == max_epochs` (and staying there); `power=1.0` is linear.
    Not `keras.optimizers.schedules.PolynomialDecay`, which counts steps and ends at 1e-4.
    """

    def __init__(self, max_epochs, initial_learning_rate=0.01, power=1.0):
        self.max_epochs = validation.check_positive_integer("max_epochs", max_epochs)
        validation.check_positive_numbers(initial_learning_rate=initial_learning_rate, power=power)
        self.initial_learning_rate = float(initial_learning_rate)
        self.power = float(power)

    def learning_rate_at(self, epoch):
        remaining = max(0.0, 1.0 - epoch / float(self.max_epochs))
        return self.initial_learning_rate * remaining**self.power

    def _title(self):
        return f"Polynomial decay (power={self.power:g})"


class StepDecay(_EpochSchedule):
    """The course's step decay: `initial_learning_rate * factor ** floor((1 + epoch) / drop_every)`.

    As in the course, `1 + epoch` is the 1-based epoch number, so the first drop applies from
    the epoch with index `drop_every - 1` (the `drop_every`-th epoch) onwards.
    """

    def __init__(self, initial_learning_rate=0.01, factor=0.25, drop_every=10):
        validation.check_positive_numbers(initial_learning_rate=initial_learning_rate, factor=factor)
        self.drop_every = validation.check_positive_integer("drop_every", drop_every)
        self.initial_learning_rate = float(initial_learning_rate)
        self.factor = float(factor)

    def learning_rate_at(self, epoch):
        return self.initial_learning_rate * self.factor ** math.floor((1 + epoch) / self.drop_every)

    def _title(self):
        return f"Step decay (factor={self.factor:g}, every {self.drop_every} epochs)"


def inverse_time_decay(initial_learning_rate, decay):
    """The exact replacement for Keras 2's `SGD(learning_rate=lr, decay=decay)`.

    Keras 2 applied `lr / (1 + decay * iterations)` at every optimizer step. Keras 3 ignores
    `decay=` with just a warning, so a course script ported as is trains with a constant rate.
    `InverseTimeDecay(lr, decay_steps=1, decay_rate=decay)` computes the same per-step formula:

        optimizer = keras.optimizers.SGD(learning_rate=inverse_time_decay(0.01, 0.01 / 40))

    The schedule reads the optimizer's iteration count, which `.keras` checkpoints save, so it
    continues correctly after a resume.
    """
    validation.check_positive_numbers(initial_learning_rate=initial_learning_rate)
    validation.check_non_negative_numbers(decay=decay)
    return keras.optimizers.schedules.InverseTimeDecay(
        initial_learning_rate=float(initial_learning_rate), decay_steps=1, decay_rate=float(decay)
    )


def _png_path(path):
    path = pathlib.Path(path)
    if path.suffix.lower() != ".png":
        raise errors.InvalidArgumentError(f"Plots are written as PNG files; `path` must end in .png. Received: path={path}")
    return path
