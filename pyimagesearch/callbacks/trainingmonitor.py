"""TrainingMonitor: a per-epoch JSON history and loss/accuracy plot that survive a resume."""

import json
import math
import pathlib

import keras

from pyimagesearch.utils import atomic, errors, plots, validation

LEARNING_RATE_KEY = "learning_rate"


class TrainingMonitor(keras.callbacks.Callback):
    """Writes the training history to JSON and plots it to PNG at the end of every epoch.

    Args:
        fig_path: the PNG plot of loss and accuracy (train and validation), e.g. "training.png".
        json_path: optional JSON file holding the history, e.g. "history.json". Needed to resume.
        start_at: the epoch training resumes at (0 for a fresh run). When `json_path` exists at
            the start of training, every series in it is trimmed to its first `start_at` entries:
            entries after that came from epochs that are about to be run again.

    Every epoch appends all logs (as floats; NaN and infinities as None, so the file stays valid
    JSON) and the optimizer's current learning rate (when the logs don't already carry one). The series stay aligned: a metric missing from an epoch's logs
    (e.g. validation with `validation_freq > 1`) gets None, so entry `i` is always epoch `i + 1`.

    The history is loaded and trimmed once, at the first `fit()` this callback sees; further
    `fit()` calls with the same instance (e.g. fine-tuning after a warm-up) keep appending.
    """

    def __init__(self, fig_path, json_path=None, start_at=0):
        super().__init__()
        start_at = validation.check_integer("start_at", start_at, minimum=0)
        self.fig_path = pathlib.Path(fig_path)
        if self.fig_path.suffix.lower() != ".png":
            raise errors.InvalidArgumentError(f"`fig_path` must end in .png. Received: fig_path={fig_path}")
        self.json_path = pathlib.Path(json_path) if json_path is not None else None
        self.start_at = start_at
        self.history = {}
        self._loaded = False

    def on_train_begin(self, logs=None):
        if self._loaded:
            return
        self.history = {}
        if self.json_path is not None and self.json_path.exists():
            self.history = self._trimmed(self._read_history())
        self._loaded = True

    def on_epoch_end(self, epoch, logs=None):
        values = {key: _to_float(value) for key, value in (logs or {}).items()}
        if LEARNING_RATE_KEY not in values:
            learning_rate = self._current_learning_rate()
            if learning_rate is not None:
                values[LEARNING_RATE_KEY] = learning_rate
        self._append(values)
        if self.json_path is not None:
            atomic.write_json_atomic(self.json_path, self.history)
        plots.plot_history(self.history, self.fig_path, title=f"Training history [Epoch {self.epochs}]")

    @property
    def epochs(self):
        """The number of epochs recorded in `history`."""
        return max((len(series) for series in self.history.values()), default=0)

    def _append(self, values):
        recorded = self.epochs
        for key, value in values.items():
            # A metric first seen now gets None for the earlier epochs, keeping the series aligned.
            self.history.setdefault(key, [None] * recorded).append(value)
        for key, series in self.history.items():
            if key not in values:
                series.append(None)

    def _read_history(self):
        try:
            history = json.loads(self.json_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise errors.InvalidArgumentError(f"Cannot read the training history {self.json_path}: {error}") from error
        if not isinstance(history, dict) or not all(isinstance(series, list) for series in history.values()):
            raise errors.InvalidArgumentError(
                f"The training history {self.json_path} must be a JSON object of metric name -> list of "
                f"per-epoch values. Received: a {type(history).__name__}"
            )
        return history

    def _trimmed(self, history):
        for key, series in history.items():
            if len(series) < self.start_at:
                raise errors.InvalidArgumentError(
                    f"The training history {self.json_path} is too short to resume at epoch {self.start_at}: "
                    f"series {key!r} has {len(series)} entries. Check `start_at` (or `initial_epoch`) "
                    f"against the checkpoint you resume from. Received: start_at={self.start_at}"
                )
        return {key: series[: self.start_at] for key, series in history.items()}

    def _current_learning_rate(self):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None or not hasattr(optimizer, "learning_rate"):
            return None
        try:
            return float(keras.ops.convert_to_numpy(optimizer.learning_rate))
        except (TypeError, ValueError):
            return None


def _to_float(value):
    # Logs hold Python or NumPy scalars; anything that is not a number is recorded as missing,
    # and so is NaN or an infinity: JSON has no such values (json.dump would write bare NaN).
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
