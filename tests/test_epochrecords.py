"""Tests for EpochRecords (per-epoch batch size, rate and exact update counts) and plot_records."""

import json
import math

import keras
import numpy as np
import pytest

from pyimagesearch.callbacks.epochrecords import EpochRecords, plot_records
from pyimagesearch.utils import errors


def small_model():
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def test_one_fit_per_epoch_with_a_growing_batch_counts_every_update(tmp_path):
    random = np.random.default_rng(0)
    images, labels = random.random((10, 3)), keras.utils.to_categorical(random.integers(0, 2, 10), 2)
    model = small_model()
    recorder = EpochRecords(tmp_path / "records.json", extra={"setup": "ibs"})
    for epoch, batch_size in enumerate([3, 4, 10]):
        recorder.batch_size = batch_size
        model.fit(images, labels, batch_size=batch_size, epochs=epoch + 1, initial_epoch=epoch,
                  validation_data=(images, labels), callbacks=[recorder], verbose=0)

    written = json.loads((tmp_path / "records.json").read_text())
    assert written["setup"] == "ibs" and written["diverged"] is None
    epochs = written["epochs"]
    assert [epoch["epoch"] for epoch in epochs] == [1, 2, 3]
    assert [epoch["steps_in_epoch"] for epoch in epochs] == [4, 3, 1]  # ceil(10 / batch)
    assert [epoch["steps"] for epoch in epochs] == [4, 7, 8]
    assert [epoch["batch_size"] for epoch in epochs] == [3, 4, 10]
    assert epochs[0]["learning_rate"] == pytest.approx(0.1)
    assert {"loss", "accuracy", "test_loss", "test_accuracy"} <= set(epochs[0])
    assert not any(key.startswith("val_") for key in epochs[0])


def test_a_divergence_is_written_and_the_prefix_can_be_chosen(tmp_path):
    recorder = EpochRecords(tmp_path / "records.json", validation_prefix="after_epoch_")
    model = small_model()
    recorder.batch_size = 5
    model.fit(np.zeros((5, 3)), keras.utils.to_categorical([0, 1, 0, 1, 0], 2), epochs=1,
              validation_data=(np.zeros((5, 3)), keras.utils.to_categorical([0, 1, 0, 1, 0], 2)),
              callbacks=[recorder], verbose=0)
    recorder.mark_diverged(epoch=2, batch=1, message="The training loss became nan")

    written = json.loads((tmp_path / "records.json").read_text())
    assert written["diverged"] == {"epoch": 2, "batch": 1, "message": "The training loss became nan"}
    assert "after_epoch_accuracy" in written["epochs"][0]


def records_of(losses, steps_per_epoch, accuracy=0.5, diverged=None):
    epochs = [{"epoch": index + 1, "steps": (index + 1) * steps_per_epoch, "loss": loss, "test_accuracy": accuracy}
              for index, loss in enumerate(losses)]
    return {"epochs": epochs, "diverged": diverged}


def test_plot_records_draws_every_run_on_three_panels(tmp_path):
    path = plot_records(
        {"lrd": records_of([2.0, 1.0, 0.5], 10), "ibs": records_of([2.0, math.nan], 8, diverged={"epoch": 2})},
        tmp_path / "study.png", title="study",
    )
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(tmp_path.glob(".*partial*"))


def test_plot_records_wants_a_png_and_records_want_a_dict(tmp_path):
    with pytest.raises(errors.InvalidArgumentError, match="must end in .png"):
        plot_records({"lrd": records_of([1.0], 1)}, tmp_path / "study.jpg", title="study")
    with pytest.raises(errors.InvalidArgumentError, match="`extra` must be a dict"):
        EpochRecords(tmp_path / "records.json", extra=["setup"])
