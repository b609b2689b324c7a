"""History and confusion-matrix plots: PNG files written atomically, without pyplot."""

import sys

import numpy as np
import pytest

from pyimagesearch.utils import atomic
from pyimagesearch.utils import plots

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_plot_history_writes_png(tmp_path):
    history = {"loss": [1.0, 0.8, 0.6], "val_loss": [1.1, None, 0.7], "accuracy": [0.3, 0.5, 0.6],
               "learning_rate": [0.01, 0.01, 0.01]}
    path = plots.plot_history(history, tmp_path / "training.png", title="Run 1")
    assert path == tmp_path / "training.png"
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    assert [entry.name for entry in tmp_path.iterdir()] == ["training.png"]


def test_plot_history_accepts_a_keras_history_object(tmp_path):
    class History:
        history = {"loss": [0.5]}

    assert plots.plot_history(History(), tmp_path / "one.png").read_bytes()[:8] == PNG_SIGNATURE


def test_plot_history_without_loss_or_accuracy_is_an_error(tmp_path):
    with pytest.raises(ValueError, match=r"Received: history keys=\['mae'\]"):
        plots.plot_history({"mae": [0.1]}, tmp_path / "training.png")


def test_plot_confusion_matrix_writes_png(tmp_path):
    matrix = np.array([[5, 1, 0], [0, 3, 2], [0, 0, 0]])
    path = plots.plot_confusion_matrix(matrix, ["cat", "dog", "panda"], tmp_path / "confusion.png")
    assert path.read_bytes()[:8] == PNG_SIGNATURE


@pytest.mark.parametrize(
    ("matrix", "names", "message"),
    [
        (np.zeros((2, 3)), ["a", "b"], r"Received: matrix.shape=\(2, 3\)"),
        (np.zeros((2, 2)), ["a"], r"len\(label_names\)=1"),
    ],
)
def test_plot_confusion_matrix_rejects_bad_shapes(tmp_path, matrix, names, message):
    with pytest.raises(ValueError, match=message):
        plots.plot_confusion_matrix(matrix, names, tmp_path / "confusion.png")


def test_non_png_path_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="Received: path="):
        plots.plot_history({"loss": [1.0]}, tmp_path / "training.jpg")


def test_failed_save_keeps_the_previous_plot(tmp_path, monkeypatch):
    path = plots.plot_history({"loss": [1.0]}, tmp_path / "training.png")
    previous = path.read_bytes()

    def failing_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", failing_replace)
    with pytest.raises(OSError):
        plots.plot_history({"loss": [1.0, 0.5]}, path)
    assert path.read_bytes() == previous
    assert [entry.name for entry in tmp_path.iterdir()] == ["training.png"]


def test_pyplot_is_not_needed(tmp_path):
    # pyplot keeps a global figure registry; plotting once per epoch must not grow it.
    pyplot = sys.modules.get("matplotlib.pyplot")
    before = len(pyplot.get_fignums()) if pyplot else 0
    for _ in range(3):
        plots.plot_history({"loss": [1.0, 0.5]}, tmp_path / "training.png")
    pyplot = sys.modules.get("matplotlib.pyplot")
    assert (len(pyplot.get_fignums()) if pyplot else 0) == before


def test_learning_rate_changes_finds_restarts_not_smooth_decay():
    assert plots.learning_rate_changes([0.05] * 3 + [0.005] * 2 + [None, 0.0005]) == [(4, 0.005), (7, 0.0005)]
    linear = [0.1 * (1 - epoch / 10) for epoch in range(10)]
    assert plots.learning_rate_changes(linear) == []
    assert plots.learning_rate_changes([]) == []


def test_a_learning_rate_drop_is_marked_on_the_plot(tmp_path):
    history = {"loss": [1.0, 0.8, 0.7, 0.5], "learning_rate": [0.05, 0.05, 0.005, 0.005]}
    plots.plot_history(history, tmp_path / "marked.png")
    plots.plot_history({"loss": history["loss"]}, tmp_path / "plain.png")
    assert (tmp_path / "marked.png").read_bytes() != (tmp_path / "plain.png").read_bytes()
