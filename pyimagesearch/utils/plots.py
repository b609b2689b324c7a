"""PNG plots of training histories and confusion matrices, written atomically.

The figures are drawn with `matplotlib.figure.Figure` on the Agg (PNG) canvas, never through
`pyplot`: pyplot keeps every figure in a global registry and switches the process-wide backend,
which leaks memory when a callback plots once per epoch and breaks a user's interactive session.
"""

import math
import pathlib

import numpy as np
from matplotlib.backends import backend_agg
from matplotlib import figure as matplotlib_figure

from pyimagesearch.utils import atomic, errors

# Confusion matrices with more classes than this get no per-cell numbers: they would be unreadable.
MAXIMUM_ANNOTATED_CLASSES = 30


def plot_history(history, path, title=None):
    """Plots the loss and accuracy series of a training history to a PNG file at `path`.

    Args:
        history: a dict of metric name -> list of per-epoch values (missing values may be None),
            or a `keras.callbacks.History` (its `.history` dict is used).
        path: where the PNG goes; written atomically.
        title: figure title; defaults to "Training loss and accuracy".

    Loss keys are "loss" and names ending in "_loss" (so "val_loss" too); accuracy keys are names
    containing "acc" ("accuracy", "val_sparse_categorical_accuracy", ...). Epochs are numbered
    from 1 on the x axis. Where the "learning_rate" series changes (a restart at a new rate),
    a dashed vertical line marks the first epoch at the new rate, labelled with it. Returns
    `path` as a `pathlib.Path`.
    """
    history = getattr(history, "history", history)
    if not isinstance(history, dict):
        raise errors.InvalidArgumentError(
            "`history` must be a dict of metric name -> list of values, or a keras History. "
            f"Received: history={type(history).__name__}"
        )
    path = _png_path(path)
    loss_keys = [key for key in history if key == "loss" or key.endswith("_loss")]
    accuracy_keys = [key for key in history if "acc" in key]
    if not loss_keys and not accuracy_keys:
        raise errors.InvalidArgumentError(
            "`history` has no loss or accuracy series to plot. "
            f"Received: history keys={sorted(history)}"
        )
    panels = [(name, keys) for name, keys in (("Loss", loss_keys), ("Accuracy", accuracy_keys)) if keys]
    figure = matplotlib_figure.Figure(figsize=(6 * len(panels), 4.5), layout="constrained")
    backend_agg.FigureCanvasAgg(figure)
    for index, (name, keys) in enumerate(panels):
        axes = figure.add_subplot(1, len(panels), index + 1)
        for key in keys:
            values = _as_float_array(history[key])
            epochs = np.arange(1, len(values) + 1)
            axes.plot(epochs, values, marker="o" if len(values) < 2 else None, label=key)
        for epoch, rate in learning_rate_changes(history.get("learning_rate", [])):
            axes.axvline(epoch, color="grey", linestyle="--", linewidth=1)
            axes.annotate(f"lr {rate:g}", (epoch, 1.0), xycoords=("data", "axes fraction"),
                          xytext=(2, -10), textcoords="offset points", fontsize=8, color="grey")
        axes.set_xlabel("Epoch")
        axes.set_ylabel(name)
        axes.grid(True, alpha=0.3)
        axes.legend(loc="best")
    figure.suptitle(title if title is not None else "Training loss and accuracy")
    _save_png(figure, path)
    return path


def learning_rate_changes(rates, relative_tolerance=1e-6):
    """[(epoch, new rate)] for every epoch (numbered from 1) whose rate differs from the one
    before. A smooth schedule changes every epoch, so only jumps of more than 3x (up or down)
    count, as a restart from a checkpoint at a tenth of the rate does (a linear decay never
    halves its rate from one epoch to the next before its last); None entries are skipped."""
    changes, previous = [], None
    for epoch, rate in enumerate(rates, start=1):
        if rate is None:
            continue
        if previous is not None and previous > 0 and rate > 0:
            ratio = rate / previous
            if ratio > 3 + relative_tolerance or ratio < 1 / 3 - relative_tolerance:
                changes.append((epoch, float(rate)))
        previous = rate
    return changes


def plot_confusion_matrix(matrix, label_names, path):
    """Draws a confusion matrix (rows: true class, columns: predicted class) to a PNG file.

    Args:
        matrix: square array of counts, shape (classes, classes).
        label_names: one name per class, in label order.
        path: where the PNG goes; written atomically.

    Returns `path` as a `pathlib.Path`.
    """
    matrix = np.asarray(matrix)
    label_names = [str(name) for name in label_names]
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise errors.InvalidArgumentError(f"`matrix` must be square (classes, classes). Received: matrix.shape={matrix.shape}")
    if matrix.shape[0] != len(label_names):
        raise errors.InvalidArgumentError(
            "`label_names` must have one name per row of `matrix`. "
            f"Received: matrix.shape={matrix.shape}, len(label_names)={len(label_names)}"
        )
    path = _png_path(path)
    classes = len(label_names)
    side = min(4 + 0.5 * classes, 30)
    figure = matplotlib_figure.Figure(figsize=(side, side), layout="constrained")
    backend_agg.FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    image = axes.imshow(matrix, interpolation="nearest", cmap="Blues")
    figure.colorbar(image, ax=axes, shrink=0.8)
    ticks = np.arange(classes)
    axes.set_xticks(ticks, labels=label_names, rotation=45, ha="right")
    axes.set_yticks(ticks, labels=label_names)
    axes.set_xlabel("Predicted label")
    axes.set_ylabel("True label")
    axes.set_title("Confusion matrix")
    if classes <= MAXIMUM_ANNOTATED_CLASSES:
        _annotate_cells(axes, matrix)
    _save_png(figure, path)
    return path


def _annotate_cells(axes, matrix):
    # Dark text on light cells and light text on dark cells, so every number stays readable.
    threshold = matrix.max() / 2.0 if matrix.size and matrix.max() > 0 else math.inf
    integral = np.issubdtype(matrix.dtype, np.integer)
    for row in range(matrix.shape[0]):
        for column in range(matrix.shape[1]):
            value = matrix[row, column]
            text = f"{int(value)}" if integral else f"{value:.2f}"
            colour = "white" if value > threshold else "black"
            axes.text(column, row, text, ha="center", va="center", color=colour, fontsize=8)


def _as_float_array(values):
    # JSON histories use None for epochs where a metric was not computed; NaN leaves a gap.
    return np.array([math.nan if value is None else float(value) for value in values], dtype=float)


def _png_path(path):
    path = pathlib.Path(path)
    if path.suffix.lower() != ".png":
        raise errors.InvalidArgumentError(f"Plots are written as PNG files; `path` must end in .png. Received: path={path}")
    return path


def _save_png(figure, path):
    with atomic.atomic_output_path(path) as temporary_path:
        figure.savefig(temporary_path, format="png", dpi=100)


def plot_learning_rate_finder(rates, smoothed_losses, suggestion, path):
    """Smoothed loss against learning rate (log scale), with the suggested rate marked."""
    path = _png_path(path)
    figure = matplotlib_figure.Figure(figsize=(8, 5))
    backend_agg.FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    axes.plot(_as_float_array(rates), _as_float_array(smoothed_losses), label="smoothed loss")
    axes.axvline(suggestion, color="tab:red", linestyle="--", label=f"suggested {suggestion:.2g}")
    axes.set_xscale("log")
    axes.set_xlabel("learning rate (log scale)")
    axes.set_ylabel("loss")
    axes.set_title("Learning-rate range test")
    axes.legend()
    _save_png(figure, path)
    return path
