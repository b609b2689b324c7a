"""A learning-rate range test (Smith 2015, fastai's `lr_find`): which rate to start a run with.

    result = find_learning_rate(model, train_dataset)    # a fresh, compiled model
    write_results(result, run_dir)                       # lr_finder.json and lr_finder.png
    print(result.suggestion)

The rate grows exponentially from `start` (1e-7) to `stop` (10) over `steps` batches (100, as
fastai does; the data repeats if an epoch is shorter), one optimizer step per batch. Each batch's
loss is smoothed (an exponential moving average with bias correction, beta 0.98) and the test
stops once the smoothed loss exceeds 4 times the best seen, or is not finite: past that point the
rate is too high to train at all.

The suggested rate is the rate at the lowest smoothed loss divided by 10 (fastai's "minimum"
suggestion): at the minimum the loss is already about to blow up, and a tenth of it still
lowers the loss quickly. The steepest-descent rate is reported too. The model is trained by the
test, so it must be thrown away afterwards: build a new one for the real run.
"""

import dataclasses
import math
import pathlib

import numpy as np

from pyimagesearch.utils import atomic, errors, plots, validation

JSON_NAME = "lr_finder.json"
PLOT_NAME = "lr_finder.png"


@dataclasses.dataclass(frozen=True)
class RangeTestResult:
    rates: list
    losses: list
    smoothed_losses: list
    suggestion: float
    minimum_rate: float
    steepest_rate: float
    stopped_early: bool

    def as_json(self):
        return {
            **dataclasses.asdict(self),
            "suggestion_rule": "rate at the lowest smoothed loss / 10",
        }


def find_learning_rate(model, dataset, start=1e-7, stop=10.0, steps=100, beta=0.98, stop_factor=4.0):
    """Runs the range test on a compiled `model` over batches of `dataset` (x, y); returns a `RangeTestResult`."""
    validation.check_number("start", start, minimum=0, include_minimum=False)
    validation.check_number("stop", stop, minimum=start, include_minimum=False)
    validation.check_integer("steps", steps, minimum=2)
    validation.check_number("beta", beta, minimum=0, maximum=1, include_maximum=False)
    validation.check_number("stop_factor", stop_factor, minimum=1, include_minimum=False)
    rates, losses, smoothed_losses = [], [], []
    average, best, stopped_early = 0.0, math.inf, False
    # NumPy batches: what train_on_batch takes on every Keras backend (JAX can't read tf.Tensors).
    for step, (images, labels) in enumerate(dataset.repeat().take(steps).as_numpy_iterator()):
        rate = start * (stop / start) ** (step / (steps - 1))
        model.optimizer.learning_rate = rate
        model.reset_metrics()  # so the returned loss is this batch's, not the epoch's running mean
        loss = float(model.train_on_batch(images, labels, return_dict=True)["loss"])
        average = beta * average + (1 - beta) * loss
        smoothed = average / (1 - beta ** (step + 1))
        rates.append(rate)
        losses.append(loss)
        smoothed_losses.append(smoothed)
        if not math.isfinite(smoothed) or (step > 0 and smoothed > stop_factor * best):
            stopped_early = True
            break
        best = min(best, smoothed)
    return _result(rates, losses, smoothed_losses, stopped_early)


def _result(rates, losses, smoothed_losses, stopped_early):
    finite = [index for index, value in enumerate(smoothed_losses) if math.isfinite(value)]
    if len(finite) < 2:
        raise errors.UserError(
            "The learning-rate range test diverged in its first batches, so it can't suggest a rate; "
            f"check the model and the data. Smoothed losses: {smoothed_losses[:5]}"
        )
    lowest = min(finite, key=lambda index: smoothed_losses[index])
    return RangeTestResult(
        rates=rates,
        losses=losses,
        smoothed_losses=smoothed_losses,
        suggestion=rates[lowest] / 10,
        minimum_rate=rates[lowest],
        steepest_rate=rates[_steepest_descent(rates, smoothed_losses, [index for index in finite if index <= lowest])],
        stopped_early=stopped_early,
    )


def _steepest_descent(rates, smoothed_losses, indices, warm_up=5):
    """The index, among `indices` (up to the minimum), where the loss falls fastest per decade of
    rate; the first `warm_up` batches are left out, where the moving average is still settling."""
    indices = indices[warm_up:] if len(indices) > warm_up + 1 else indices
    if len(indices) < 2:
        return indices[0]
    losses = np.array([smoothed_losses[index] for index in indices])
    decades = np.log10([rates[index] for index in indices])
    return indices[int(np.argmin(np.diff(losses) / np.diff(decades)))]


def write_results(result, run_dir):
    """Writes lr_finder.json and lr_finder.png into `run_dir`; returns their paths."""
    run_dir = pathlib.Path(run_dir)
    json_path, plot_path = run_dir / JSON_NAME, run_dir / PLOT_NAME
    atomic.write_json_atomic(json_path, result.as_json())
    plots.plot_learning_rate_finder(result.rates, result.smoothed_losses, result.suggestion, plot_path)
    return json_path, plot_path
