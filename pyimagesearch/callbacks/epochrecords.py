"""EpochRecords: one JSON entry per epoch with the batch size, learning rate and parameter updates,
for runs whose batch size changes between epochs; and the plot that compares such runs.

    recorder = EpochRecords("records.json", extra={"setup": "ibs"})
    for epoch in range(epochs):
        recorder.batch_size = batch_of(epoch)
        model.fit(dataset_batched_by(batch_of(epoch)), epochs=epoch + 1, initial_epoch=epoch,
                  callbacks=[recorder])
    plot_records({"lrd": lrd_records, "ibs": ibs_records}, "study.png", title="...")

With a growing batch an epoch is no longer a fixed number of steps, so comparing runs by epoch
hides how many parameter updates each one made (arXiv 1711.00489 plots both). The update count
is read from the optimizer's `iterations` at the start and the end of every epoch, so it is
exact whatever the dataset's batching did with the last partial batch; `logs` are copied as
they are, with validation metrics renamed from "val_" to `validation_prefix`.
"""

import math
import pathlib

import keras
from matplotlib.backends import backend_agg
from matplotlib import figure as matplotlib_figure

from pyimagesearch.utils import atomic, errors

# The plot's panels: (x key, y key, y label, x label).
PANELS = (
    ("epoch", "loss", "Training loss", "Epoch"),
    ("steps", "loss", "Training loss", "Parameter updates"),
    ("epoch", "test_accuracy", "Test accuracy", "Epoch"),
)


class EpochRecords(keras.callbacks.Callback):
    """Appends {"epoch", "batch_size", "learning_rate", "steps_in_epoch", "steps", logs...} to
    `records["epochs"]` at every epoch end and writes `records` to `json_path` atomically.

    Args:
        json_path: the JSON file (e.g. "records.json"); written after every epoch.
        extra: further top-level entries of the file (setup name, schedules, ...).
        validation_prefix: what "val_" in the logs' keys becomes ("test_" when the validation
            data are the test set).

    Set `batch_size` before each `fit` (the global batch of that epoch's dataset). The same
    instance may be given to one `fit` per epoch: `epoch` is Keras' own (from `initial_epoch`).
    """

    def __init__(self, json_path, extra=None, validation_prefix="test_"):
        super().__init__()
        self.json_path = pathlib.Path(json_path)
        if extra is not None and not isinstance(extra, dict):
            raise errors.InvalidArgumentError(f"`extra` must be a dict or None. Received: extra={type(extra).__name__}")
        self.validation_prefix = validation_prefix
        self.records = {**(extra or {}), "diverged": None, "epochs": []}
        self.batch_size = None
        self._updates_at_epoch_begin = None

    def on_epoch_begin(self, epoch, logs=None):
        self._updates_at_epoch_begin = self._updates()

    def on_epoch_end(self, epoch, logs=None):
        updates = self._updates()
        entry = {
            "epoch": epoch + 1,
            "batch_size": self.batch_size,
            "learning_rate": float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)),
            "steps_in_epoch": updates - self._updates_at_epoch_begin,
            "steps": updates,
        }
        for key, value in (logs or {}).items():
            if key == "learning_rate":
                continue
            name = self.validation_prefix + key[len("val_"):] if key.startswith("val_") else key
            entry[name] = _to_float(value)
        self.records["epochs"].append(entry)
        self.write()

    def mark_diverged(self, **details):
        """Records that training stopped on a non-finite loss (epoch, batch, message, ...)."""
        self.records["diverged"] = details
        self.write()

    def write(self):
        atomic.write_json_atomic(self.json_path, self.records)

    def _updates(self):
        return int(keras.ops.convert_to_numpy(self.model.optimizer.iterations))


def plot_records(records_by_setup, path, title):
    """Plots `{name: records}` (as EpochRecords writes them) to the PNG file `path`, atomically.

    Three panels, every run on each: training loss against epochs (log scale), training loss
    against parameter updates, test accuracy against epochs. A run that diverged ends at its
    last finite epoch, marked with an x and "(diverged to NaN)" in the legend. Returns `path`.
    """
    path = pathlib.Path(path)
    if path.suffix.lower() != ".png":
        raise errors.InvalidArgumentError(f"`path` must end in .png. Received: path={path}")
    figure = matplotlib_figure.Figure(figsize=(16, 4.5), layout="constrained")
    backend_agg.FigureCanvasAgg(figure)
    for index, (x_key, y_key, y_label, x_label) in enumerate(PANELS):
        axes = figure.add_subplot(1, len(PANELS), index + 1)
        for name, records in records_by_setup.items():
            points = [(epoch[x_key], epoch.get(y_key)) for epoch in records["epochs"] if _finite(epoch.get(y_key))]
            label = name + (" (diverged to NaN)" if records.get("diverged") else "")
            (line,) = axes.plot([x for x, _ in points], [y for _, y in points],
                                marker="o" if len(points) < 2 else None, label=label)
            if records.get("diverged") and points:
                axes.plot(*points[-1], marker="x", markersize=10, color=line.get_color())
        if y_key == "loss":
            axes.set_yscale("log")
        axes.set_xlabel(x_label)
        axes.set_ylabel(y_label)
        axes.grid(True, alpha=0.3)
        axes.legend(loc="best")
    figure.suptitle(title)
    with atomic.atomic_output_path(path) as temporary_path:
        figure.savefig(temporary_path, format="png", dpi=100)
    return path


def _to_float(value):
    value = float(value)
    return value if math.isfinite(value) else None


def _finite(value):
    return value is not None and math.isfinite(value)
