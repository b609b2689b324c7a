"""Fitting a run (pyimagesearch/training/fitting.py): build or resume, the run's callbacks, fit and save."""

import argparse
import json

import keras
import numpy as np

from pyimagesearch.callbacks import BestModelCheckpoint, EpochCheckpoint, TrainingMonitor
from pyimagesearch.training import fitting, runs
from pyimagesearch.utils import atomic, strategy


def _build_and_compile():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="categorical_crossentropy")
    return model


def _data(rows=8):
    rng = np.random.default_rng(0)
    features = rng.normal(size=(rows, 3)).astype("float32")
    targets = keras.utils.to_categorical(rng.integers(0, 2, rows), 2)
    return features, targets


def test_a_new_run_builds_a_fresh_model_at_epoch_zero(tmp_path):
    model, initial_epoch = fitting.build_or_resume_model(tmp_path, strategy.get_strategy(), _build_and_compile)
    assert initial_epoch == 0 and model.output_shape == (None, 2)


def test_a_run_with_checkpoints_resumes_from_the_newest_with_its_optimizer_state(tmp_path):
    trained = _build_and_compile()
    trained.fit(*_data(), epochs=1, verbose=0)
    folder = tmp_path / runs.CHECKPOINT_FOLDER
    atomic.save_model(_build_and_compile(), folder / "epoch_2.keras")
    atomic.save_model(trained, folder / "epoch_4.keras")

    model, initial_epoch = fitting.build_or_resume_model(tmp_path, strategy.get_strategy(), _build_and_compile)

    assert initial_epoch == 4
    assert int(model.optimizer.iterations.numpy()) == int(trained.optimizer.iterations.numpy()) > 0
    np.testing.assert_allclose(model.get_weights()[0], trained.get_weights()[0])


def test_run_callbacks_start_at_the_resume_epoch_and_keep_the_best_value(tmp_path):
    history = {"val_loss": [0.9, None, 0.4, float("nan"), 0.1], "val_accuracy": [0.1, 0.5, 0.3, 0.2, 0.9]}
    (tmp_path / runs.HISTORY_FILE).write_text(json.dumps(history))

    monitor, checkpoint, best = fitting.run_callbacks(tmp_path, initial_epoch=4, checkpoint_every=3)

    assert isinstance(monitor, TrainingMonitor) and isinstance(checkpoint, EpochCheckpoint)
    assert isinstance(best, BestModelCheckpoint)
    assert checkpoint.every == 3
    # The epochs after the resume point (0.1 at epoch 5) are dropped; None and NaN are skipped.
    assert best.best == 0.4
    assert fitting._best_so_far(tmp_path / runs.HISTORY_FILE, "val_accuracy", 4) == 0.5
    assert fitting._best_so_far(tmp_path / runs.HISTORY_FILE, "val_loss", 0) is None


def test_fit_and_save_writes_the_history_checkpoints_and_final_model(tmp_path):
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices(_data()).batch(4)
    arguments = argparse.Namespace(epochs=2, checkpoint_every=1)
    model = _build_and_compile()

    fitting.fit_and_save(model, dataset, dataset, arguments, tmp_path, initial_epoch=0)

    assert len(json.loads((tmp_path / runs.HISTORY_FILE).read_text())["loss"]) == 2
    assert sorted(path.name for path in (tmp_path / runs.CHECKPOINT_FOLDER).iterdir()) == [
        "epoch_1.keras", "epoch_2.keras"
    ]
    assert (tmp_path / runs.BEST_MODEL).is_file()
    reloaded = runs.load_model(tmp_path / runs.FINAL_MODEL)
    np.testing.assert_allclose(reloaded.get_weights()[0], model.get_weights()[0])
