"""TrainingMonitor: JSON history and PNG plot every epoch, trimmed on resume."""

import json

import keras
import numpy as np
import pytest

from pyimagesearch.callbacks import trainingmonitor


def _tiny_model(learning_rate=0.01):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def _data(samples=32):
    generator = np.random.default_rng(0)
    return generator.normal(size=(samples, 4)).astype("float32"), generator.integers(0, 3, size=samples)


def test_writes_json_and_png_every_epoch(tmp_path):
    features, labels = _data()
    monitor = trainingmonitor.TrainingMonitor(tmp_path / "training.png", json_path=tmp_path / "history.json")
    _tiny_model().fit(features, labels, validation_split=0.25, epochs=3, batch_size=8, verbose=0, callbacks=[monitor])

    history = json.loads((tmp_path / "history.json").read_text())
    assert set(history) >= {"loss", "val_loss", "accuracy", "val_accuracy", "learning_rate"}
    assert all(len(series) == 3 for series in history.values())
    assert all(isinstance(value, float) for value in history["loss"])
    assert history["learning_rate"] == pytest.approx([0.01] * 3)
    assert (tmp_path / "training.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["history.json", "training.png"]


def test_resume_trims_history_to_start_at(tmp_path):
    json_path = tmp_path / "history.json"
    # Five epochs were recorded, but training resumes from the checkpoint at epoch 2.
    old = {"loss": [5.0, 4.0, 3.0, 2.0, 1.0], "accuracy": [0.1, 0.2, 0.3, 0.4, 0.5]}
    json_path.write_text(json.dumps(old))
    features, labels = _data()
    monitor = trainingmonitor.TrainingMonitor(tmp_path / "training.png", json_path=json_path, start_at=2)
    _tiny_model().fit(features, labels, initial_epoch=2, epochs=4, batch_size=8, verbose=0, callbacks=[monitor])

    history = json.loads(json_path.read_text())
    assert history["loss"][:2] == [5.0, 4.0]
    assert history["accuracy"][:2] == [0.1, 0.2]
    assert len(history["loss"]) == 4
    assert history["loss"][2] != 3.0
    # learning_rate was not in the old file: its first two epochs are unknown, not shifted.
    assert history["learning_rate"][:2] == [None, None]
    assert history["learning_rate"][2:] == pytest.approx([0.01, 0.01])


def test_start_at_zero_starts_a_fresh_history(tmp_path):
    json_path = tmp_path / "history.json"
    json_path.write_text(json.dumps({"loss": [9.0, 8.0]}))
    features, labels = _data()
    monitor = trainingmonitor.TrainingMonitor(tmp_path / "training.png", json_path=json_path)
    _tiny_model().fit(features, labels, epochs=1, batch_size=8, verbose=0, callbacks=[monitor])
    assert len(json.loads(json_path.read_text())["loss"]) == 1


def test_history_shorter_than_start_at_names_the_file(tmp_path):
    json_path = tmp_path / "history.json"
    json_path.write_text(json.dumps({"loss": [1.0, 0.9]}))
    monitor = trainingmonitor.TrainingMonitor(tmp_path / "training.png", json_path=json_path, start_at=3)
    with pytest.raises(ValueError, match=r"history\.json.*too short.*Received: start_at=3"):
        monitor.on_train_begin()


def test_corrupt_history_names_the_file(tmp_path):
    json_path = tmp_path / "history.json"
    json_path.write_text("{not json")
    monitor = trainingmonitor.TrainingMonitor(tmp_path / "training.png", json_path=json_path, start_at=1)
    with pytest.raises(ValueError, match=r"history\.json"):
        monitor.on_train_begin()


def test_second_fit_keeps_appending(tmp_path):
    # The fine-tuning pattern: warm up the head, then fit again with the same monitor.
    features, labels = _data()
    json_path = tmp_path / "history.json"
    monitor = trainingmonitor.TrainingMonitor(tmp_path / "training.png", json_path=json_path)
    model = _tiny_model()
    model.fit(features, labels, epochs=2, batch_size=8, verbose=0, callbacks=[monitor])
    model.fit(features, labels, epochs=1, batch_size=8, verbose=0, callbacks=[monitor])
    assert len(json.loads(json_path.read_text())["loss"]) == 3


def test_metric_missing_in_some_epochs_keeps_series_aligned(tmp_path):
    monitor = trainingmonitor.TrainingMonitor(tmp_path / "training.png")
    monitor.on_train_begin()
    monitor.on_epoch_end(0, {"loss": 1.0})
    monitor.on_epoch_end(1, {"loss": 0.8, "val_loss": 0.9})
    monitor.on_epoch_end(2, {"loss": 0.7})
    assert monitor.history == {"loss": [1.0, 0.8, 0.7], "val_loss": [None, 0.9, None]}
    assert (tmp_path / "training.png").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"fig_path": "plot.png", "start_at": -1}, "Received: start_at=-1"),
        ({"fig_path": "plot.png", "start_at": 1.5}, "Received: start_at=1.5"),
        ({"fig_path": "plot.jpg"}, "Received: fig_path=plot.jpg"),
    ],
)
def test_rejects_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        trainingmonitor.TrainingMonitor(**arguments)


def test_nan_and_infinite_values_are_stored_as_null_so_the_file_stays_json(tmp_path):
    monitor = trainingmonitor.TrainingMonitor(tmp_path / "training.png", json_path=tmp_path / "history.json")
    monitor.set_model(_tiny_model())
    monitor.on_train_begin()
    monitor.on_epoch_end(0, {"loss": 0.5, "val_loss": 0.7})
    monitor.on_epoch_end(1, {"loss": float("nan"), "val_loss": float("inf")})

    text = (tmp_path / "history.json").read_text()
    history = json.loads(text, parse_constant=lambda name: pytest.fail(f"bare {name} in history.json"))
    assert history["loss"] == [0.5, None] and history["val_loss"] == [0.7, None]
    assert history["learning_rate"] == [pytest.approx(0.01)] * 2
