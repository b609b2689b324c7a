"""The parts of a training run that every train script shares.

A run folder holds everything needed to resume or evaluate it:

    output/<experiment>/<run-id>/
        config.json                 resolved arguments, seed, git commit, library versions
        split.json                  which images were trained on and held out (image folders)
        history.json, training.png  TrainingMonitor
        checkpoints/epoch_N.keras   full models with optimizer state, for resuming
        best.keras                  the best model by validation loss
        model.keras                 the final model
        classification_report.txt, metrics.json, confusion_matrix.png
"""

import json
import math
import pathlib
import sys

import keras
import numpy as np

from pyimagesearch.callbacks import epochcheckpoint
from pyimagesearch.callbacks.bestmodelcheckpoint import BestModelCheckpoint
from pyimagesearch.callbacks.epochcheckpoint import EpochCheckpoint
from pyimagesearch.callbacks.trainingmonitor import TrainingMonitor
from pyimagesearch.utils import atomic, reports, runs

CHECKPOINT_FOLDER = "checkpoints"
FINAL_MODEL = "model.keras"
BEST_MODEL = "best.keras"
HISTORY_FILE = "history.json"
HISTORY_PLOT = "training.png"


def build_or_resume_model(run_dir, strategy, build_and_compile):
    """Returns (model, initial_epoch), resuming from the run's newest epoch checkpoint.

    `build_and_compile()` builds and compiles a fresh model; it is called inside
    `strategy.scope()`, as are checkpoint loads, so variables are mirrored on every replica.
    A checkpoint carries the optimizer state, including its iteration count, so a
    step-based learning-rate schedule continues where it stopped instead of restarting.
    """
    checkpoint_path, epoch = epochcheckpoint.latest_checkpoint(pathlib.Path(run_dir) / CHECKPOINT_FOLDER)
    with strategy.scope():
        if checkpoint_path is None:
            return build_and_compile(), 0
        print(f"[INFO] resuming from {checkpoint_path} at epoch {epoch}")
        return keras.saving.load_model(checkpoint_path), epoch


def run_callbacks(run_dir, initial_epoch, checkpoint_every=5, monitor="val_loss"):
    """TrainingMonitor, EpochCheckpoint and BestModelCheckpoint, set up to resume correctly."""
    run_dir = pathlib.Path(run_dir)
    history_path = run_dir / HISTORY_FILE
    return [
        TrainingMonitor(run_dir / HISTORY_PLOT, json_path=history_path, start_at=initial_epoch),
        EpochCheckpoint(run_dir / CHECKPOINT_FOLDER, every=checkpoint_every, start_at=initial_epoch),
        BestModelCheckpoint(
            run_dir / BEST_MODEL,
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


def save_model(model, path):
    """Saves a `.keras` model atomically: a crash never leaves a partial file at `path`."""
    with atomic.atomic_output_path(path) as temporary_path:
        model.save(temporary_path)


def predict_labels(model, dataset):
    """Class indices predicted for every batch of a (images, labels) dataset."""
    probabilities = model.predict(dataset, verbose=0)
    return np.argmax(probabilities, axis=1), probabilities


def evaluate_and_report(model, dataset, true_labels, class_names, run_dir, extra_metrics=None):
    """Predicts `dataset`, writes the classification report into `run_dir`, returns metrics."""
    predicted_labels, _ = predict_labels(model, dataset)
    if len(predicted_labels) != len(true_labels):
        raise ValueError(
            "The dataset gave a different number of predictions than labels. "
            f"Received: {len(predicted_labels)} predictions, {len(true_labels)} labels"
        )
    return reports.write_classification_report(
        run_dir, true_labels, predicted_labels, class_names, extra_metrics=extra_metrics
    )


def recorded_accuracy(run_dir):
    """The test accuracy train.py wrote into the run's metrics.json, or None."""
    metrics_path = pathlib.Path(run_dir) / "metrics.json"
    if not metrics_path.is_file():
        return None
    with open(metrics_path, encoding="utf-8") as handle:
        return json.load(handle).get("accuracy")


def open_run(arguments, experiment, before_create=None):
    """Returns the run folder for a train script's parsed `arguments`.

    With `arguments.resume` set, the existing folder is reopened and its saved arguments
    replace the parsed ones, except `epochs` (a resumed run keeps its own settings; only the
    number of epochs may grow). Otherwise `before_create()` runs first, if given (e.g. to
    fetch the dataset, so a failure leaves no empty run folder), and a new folder is made
    under `arguments.output/experiment`.
    """
    if arguments.resume:
        run_dir = pathlib.Path(arguments.resume)
        saved = runs.read_run_config(run_dir)["arguments"]
        for name, value in saved.items():
            if name not in ("epochs", "resume"):
                setattr(arguments, name, value)
        return run_dir
    if before_create is not None:
        before_create()
    return runs.create_run_folder(experiment, arguments.output, arguments.run_id)


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
    save_model(model, pathlib.Path(run_dir) / FINAL_MODEL)


def open_finished_run(run, output, experiment):
    """For evaluate scripts: returns (run folder, its saved train arguments, its final model).

    The folder is `run` if given, else the latest under `output/experiment`. The model is
    loaded first, so a run that never finished fails before any image is read.
    """
    run_dir = pathlib.Path(run) if run else runs.latest_run(pathlib.Path(output) / experiment)
    saved_arguments = runs.read_run_config(run_dir)["arguments"]
    print(f"[INFO] evaluating {run_dir}")
    model = keras.saving.load_model(run_dir / FINAL_MODEL)
    return run_dir, saved_arguments, model


def print_report(report_dir, metrics, run_dir=None, what="test accuracy"):
    """Prints the classification report and the accuracy; with `run_dir`, also the accuracy
    train.py recorded there, so a re-evaluation can be checked against it."""
    print((pathlib.Path(report_dir) / "classification_report.txt").read_text(encoding="utf-8"))
    print(f"[INFO] {what}: {metrics['accuracy']:.4f} (report in {report_dir})")
    recorded = recorded_accuracy(run_dir) if run_dir is not None else None
    if recorded is not None:
        print(f"[INFO] accuracy recorded by train.py: {recorded:.4f}")
