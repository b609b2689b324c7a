"""Fitting a run (pyimagesearch/training/fitting.py): build or resume, the run's callbacks, fit and save."""

import argparse
import json

import keras
import numpy as np
import pytest

from pyimagesearch.callbacks import BestModelCheckpoint, EpochCheckpoint, TerminateOnNonFinite, TrainingMonitor
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
    (tmp_path / runs.BEST_MODEL).write_bytes(b"the best model so far")

    stop, monitor, checkpoint, best = fitting.run_callbacks(tmp_path, initial_epoch=4, checkpoint_every=3)

    assert isinstance(stop, TerminateOnNonFinite) and isinstance(monitor, TrainingMonitor)
    assert isinstance(checkpoint, EpochCheckpoint) and isinstance(best, BestModelCheckpoint)
    assert checkpoint.every == 3 and checkpoint.keep is None  # every checkpoint is kept by default
    # The epochs after the resume point (0.1 at epoch 5) are dropped; None and NaN are skipped.
    assert best.best == 0.4
    assert fitting._best_so_far(tmp_path, "val_accuracy", 4) == 0.5
    assert fitting._best_so_far(tmp_path, "val_loss", 0) is None
    assert fitting.run_callbacks(tmp_path, 4, keep_checkpoints=2)[2].keep == 2


def test_without_a_best_model_the_next_epoch_writes_one(tmp_path):
    # After a restart set best.keras aside, there is no earlier best to protect.
    (tmp_path / runs.HISTORY_FILE).write_text(json.dumps({"val_loss": [0.9, 0.4]}))
    assert fitting._best_so_far(tmp_path, "val_loss", 2) is None


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


def _diverging_model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e30), loss="mse")
    return model


def test_a_non_finite_loss_stops_the_run_and_nothing_diverged_is_saved(tmp_path, monkeypatch):
    import tensorflow as tf

    from pyimagesearch.callbacks import NonFiniteLossError

    rng = np.random.default_rng(0)
    dataset = tf.data.Dataset.from_tensor_slices(
        (rng.normal(size=(64, 3)).astype("float32") * 1e3, rng.normal(size=(64, 2)).astype("float32"))
    ).batch(8)
    monkeypatch.setattr("sys.argv", ["experiments/x/train.py"])
    arguments = argparse.Namespace(epochs=3, checkpoint_every=1, learning_rate=1e30)

    with pytest.raises(NonFiniteLossError, match=r"in epoch 1 \(batch \d+\).*No checkpoint was written yet"):
        fitting.fit_and_save(_diverging_model(), dataset, dataset, arguments, tmp_path, initial_epoch=0)

    assert not (tmp_path / runs.FINAL_MODEL).exists() and not (tmp_path / runs.BEST_MODEL).exists()
    assert not list((tmp_path / runs.CHECKPOINT_FOLDER).glob("*.keras"))


def test_the_restart_hint_names_the_last_good_checkpoint(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.argv", ["experiments/x/train.py"])
    atomic.save_model(_build_and_compile(), tmp_path / runs.CHECKPOINT_FOLDER / "epoch_3.keras")
    hint = fitting._restart_hint(tmp_path, argparse.Namespace(learning_rate=0.05), lower_rate=True)
    assert hint == (
        f"The last good checkpoint is {tmp_path / runs.CHECKPOINT_FOLDER / 'epoch_3.keras'} (epoch 3); continue "
        f"with: python experiments/x/train.py --resume {tmp_path} --from-epoch 3 --learning-rate 0.005"
    )


def test_a_model_with_nan_weights_is_never_saved(tmp_path):
    from pyimagesearch.utils import errors

    model = _build_and_compile()
    model.layers[0].kernel.assign(np.full((3, 2), np.nan, "float32"))
    with pytest.raises(errors.NonFiniteModelError, match="holds NaN or infinite values"):
        atomic.save_model(model, tmp_path / "model.keras")
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_prints_how_to_resume_and_exits_130(tmp_path, monkeypatch, capsys):
    import tensorflow as tf

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 1:
                raise KeyboardInterrupt

    monkeypatch.setattr("sys.argv", ["train.py"])
    original = fitting.run_callbacks
    monkeypatch.setattr(fitting, "run_callbacks", lambda *args, **kwargs: original(*args, **kwargs) + [Interrupt()])
    dataset = tf.data.Dataset.from_tensor_slices(_data()).batch(4)
    arguments = argparse.Namespace(epochs=3, checkpoint_every=1, learning_rate=0.1)

    with pytest.raises(SystemExit) as stopped:
        fitting.fit_and_save(_build_and_compile(), dataset, dataset, arguments, tmp_path, initial_epoch=0)

    assert stopped.value.code == fitting.INTERRUPTED_EXIT_CODE == 130
    error = capsys.readouterr().err.strip().splitlines()
    assert error[-1] == (
        f"[INFO] interrupted after epoch 1 of 3. The last good checkpoint is "
        f"{tmp_path / runs.CHECKPOINT_FOLDER / 'epoch_1.keras'} (epoch 1); continue with: "
        f"python train.py --resume {tmp_path}"
    )


def test_train_builds_fits_saves_and_returns_the_model(tmp_path, capsys):
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices(_data()).batch(4)
    arguments = argparse.Namespace(epochs=1, checkpoint_every=1, batch_size=2, learning_rate=0.1)

    model = fitting.train(tmp_path, strategy.get_strategy(), _build_and_compile, dataset, dataset, arguments)

    assert "training epochs 1-1 on 2 replica(s), global batch 4" in capsys.readouterr().out
    np.testing.assert_allclose(runs.load_model(tmp_path / runs.FINAL_MODEL).get_weights()[0], model.get_weights()[0])


def test_start_run_seeds_writes_the_config_with_the_replicas_and_returns_the_global_batch(tmp_path, capsys):
    arguments = argparse.Namespace(seed=3, deterministic=False, batch_size=5, epochs=1)
    distribution, global_batch_size = fitting.start_run(tmp_path, arguments, extra={"dataset_root": "/data"})
    first_draw = np.random.random()
    replicas = distribution.num_replicas_in_sync
    assert global_batch_size == 5 * replicas
    written = runs.read_run_config(tmp_path)
    assert written["arguments"]["batch_size"] == 5 and written["seed"] == 3
    assert written["replicas"] == replicas
    assert written["extra"] == {"replicas": replicas, "dataset_root": "/data"}
    assert f"run folder: {tmp_path}" in capsys.readouterr().out
    fitting.start_run(tmp_path, arguments)
    assert np.random.random() == first_draw  # seeded with --seed again: the same first draw


def test_compile_classifier_uses_categorical_cross_entropy_and_accuracy():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    assert fitting.compile_classifier(model, keras.optimizers.SGD(learning_rate=0.1)) is model
    assert model.loss == "categorical_crossentropy"
    features, targets = _data()
    logs = model.evaluate(features, targets, verbose=0, return_dict=True)
    assert set(logs) == {"loss", "accuracy"}


def test_record_run_puts_the_replicas_before_the_extra_facts(tmp_path, capsys):
    arguments = argparse.Namespace(seed=0, batch_size=2)
    fitting.record_run(tmp_path, arguments, strategy.get_strategy(), extra={"steps_per_epoch": 7})
    written = runs.read_run_config(tmp_path)
    assert list(written["extra"]) == ["replicas", "steps_per_epoch"] and written["extra"]["steps_per_epoch"] == 7
    assert capsys.readouterr().out == f"[INFO] run folder: {tmp_path}\n"
