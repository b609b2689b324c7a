"""Fitting a run: build or resume the model, the callbacks a run uses, fit and save.

Resuming continues at the saved epoch with the optimizer state (and so a step-based
learning-rate schedule) intact; the callbacks are set up so that the history is trimmed
to the resume epoch and `best.keras` is only replaced by a better model.
"""

import json
import math
import pathlib
import sys


from pyimagesearch.callbacks import epochcheckpoint
from pyimagesearch.callbacks.bestmodelcheckpoint import BestModelCheckpoint
from pyimagesearch.callbacks.epochcheckpoint import EpochCheckpoint
from pyimagesearch.callbacks.trainingmonitor import TrainingMonitor
from pyimagesearch.training import runs
from pyimagesearch.utils import atomic


def build_or_resume_model(run_dir, strategy, build_and_compile):
    """Returns (model, initial_epoch), resuming from the run's newest epoch checkpoint.

    `build_and_compile()` builds and compiles a fresh model; it is called inside
    `strategy.scope()`, as are checkpoint loads, so variables are mirrored on every replica.
    A checkpoint carries the optimizer state, including its iteration count, so a
    step-based learning-rate schedule continues where it stopped instead of restarting.
    """
    checkpoint_path, epoch = epochcheckpoint.latest_checkpoint(pathlib.Path(run_dir) / runs.CHECKPOINT_FOLDER)
    with strategy.scope():
        if checkpoint_path is None:
            return build_and_compile(), 0
        print(f"[INFO] resuming from {checkpoint_path} at epoch {epoch}")
        return runs.load_model(checkpoint_path), epoch


def run_callbacks(run_dir, initial_epoch, checkpoint_every=5, monitor="val_loss"):
    """TrainingMonitor, EpochCheckpoint and BestModelCheckpoint, set up to resume correctly."""
    run_dir = pathlib.Path(run_dir)
    history_path = run_dir / runs.HISTORY_FILE
    return [
        TrainingMonitor(run_dir / runs.HISTORY_PLOT, json_path=history_path, start_at=initial_epoch),
        EpochCheckpoint(run_dir / runs.CHECKPOINT_FOLDER, every=checkpoint_every, start_at=initial_epoch),
        BestModelCheckpoint(
            run_dir / runs.BEST_MODEL,
            monitor=monitor,
            initial_value=_best_so_far(history_path, monitor, initial_epoch),
        ),
    ]


def _best_so_far(history_path, monitor, initial_epoch):
    """The best monitored value in the epochs a resumed run keeps, so `best.keras` isn't
    replaced by a worse model after resuming."""
    if initial_epoch == 0 or not history_path.is_file():
        return None
    with open(history_path, encoding="utf-8") as handle:
        series = json.load(handle).get(monitor, [])[:initial_epoch]
    # Epochs without the metric are stored as None; a diverged epoch may be NaN.
    values = [value for value in series if value is not None and not math.isnan(value)]
    if not values:
        return None
    return max(values) if BestModelCheckpoint.mode_for(monitor) == "max" else min(values)


def fit_verbosity():
    """Keras' progress bar on a terminal; one line an epoch in logs and CI."""
    return "auto" if sys.stdout.isatty() else 2


def fit_and_save(model, train_dataset, validation_dataset, arguments, run_dir, initial_epoch):
    """Fits with the run's callbacks from `initial_epoch`, then saves the final model."""
    model.fit(
        train_dataset,
        validation_data=validation_dataset,
        epochs=arguments.epochs,
        initial_epoch=initial_epoch,
        callbacks=run_callbacks(run_dir, initial_epoch, arguments.checkpoint_every),
        verbose=fit_verbosity(),
    )
    atomic.save_model(model, pathlib.Path(run_dir) / runs.FINAL_MODEL)
