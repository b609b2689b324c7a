"""BestModelCheckpoint: keep the best model so far in one `.keras` file, written atomically."""

import math
import pathlib

import keras

from pyimagesearch.utils import atomic, errors, validation

# Monitored names containing one of these improve upwards under mode="auto"; all others downwards.
MAXIMISED_NAME_PARTS = ("acc", "auc", "precision", "recall", "f1")
MODES = ("auto", "min", "max")


class BestModelCheckpoint(keras.callbacks.Callback):
    """Saves the full model to `filepath` whenever the monitored value improves.

    Unlike `keras.callbacks.ModelCheckpoint(save_best_only=True)`:
    - the model is written to a temporary `.keras` file beside `filepath` and moved into place
      with `os.replace`, so a crash mid-save leaves the previous best file intact;
    - a monitored name missing from the logs at the first epoch end raises a ValueError listing
      the available names (Keras only warns, then saves every epoch).

    Args:
        filepath: the `.keras` file to keep the best model in.
        monitor: the log name to watch, e.g. "val_loss" or "val_accuracy".
        mode: "min", "max", or "auto" (max for names containing "acc", "auc", "precision",
            "recall" or "f1"; min otherwise).
        verbose: 1 prints a line at every save.
        initial_value: the best value so far, when resuming; only a better value is then saved.

    Attributes:
        best: the best monitored value seen (or `initial_value`), None before the first one.
    """

    def __init__(self, filepath, monitor="val_loss", mode="auto", verbose=0, initial_value=None):
        super().__init__()
        self.filepath = pathlib.Path(filepath)
        if self.filepath.suffix != ".keras":
            raise errors.InvalidArgumentError(
                f"`filepath` must end in .keras (the full-model format). Received: filepath={filepath}"
            )
        if not isinstance(monitor, str) or not monitor:
            raise errors.InvalidArgumentError(f"`monitor` must be a non-empty log name. Received: monitor={monitor!r}")
        if initial_value is not None:
            initial_value = validation.check_number("initial_value", initial_value)
        self.monitor = monitor
        self.mode = self.mode_for(monitor, mode)
        self.verbose = verbose
        self.best = initial_value
        self._monitor_checked = False

    @staticmethod
    def mode_for(monitor, mode="auto"):
        """Returns "min" or "max": how `monitor` improves under `mode` (see the class docstring).

        Public so that code resuming a run picks the best value from a saved history the same way.
        """
        validation.check_choice("mode", mode, MODES)
        if mode != "auto":
            return mode
        name = monitor.lower()
        return "max" if any(part in name for part in MAXIMISED_NAME_PARTS) else "min"

    def on_train_begin(self, logs=None):
        self._monitor_checked = False

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.monitor not in logs:
            if not self._monitor_checked:
                raise errors.InvalidArgumentError(
                    f"BestModelCheckpoint monitors {self.monitor!r}, which is not in the logs of the first "
                    f"epoch. Available: {sorted(logs)}. (Validation names such as 'val_loss' need "
                    f"validation data, at every epoch.) Received: monitor={self.monitor}"
                )
            return
        self._monitor_checked = True
        current = float(logs[self.monitor])
        if not self._improved(current):
            return
        if self.verbose:
            previous = "none" if self.best is None else f"{self.best:.5f}"
            print(
                f"\nEpoch {epoch + 1}: {self.monitor} improved from {previous} to {current:.5f}, "
                f"saving model to {self.filepath}"
            )
        self._save()
        self.best = current

    def _improved(self, current):
        if math.isnan(current):
            return False
        if self.best is None:
            return True
        return current < self.best if self.mode == "min" else current > self.best

    def _save(self):
        atomic.save_model(self.model, self.filepath)
