"""BestModelCheckpoint: atomic saves on improvement only, and a misspelt monitor is an error."""

import keras
import numpy as np
import pytest

from pyimagesearch.callbacks import bestmodelcheckpoint


def _tiny_model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _feed(checkpoint, model, logs_per_epoch):
    """Drives the callback with scripted logs, so "improved" is known exactly."""
    checkpoint.set_model(model)
    checkpoint.on_train_begin()
    for epoch, logs in enumerate(logs_per_epoch):
        checkpoint.on_epoch_end(epoch, logs)


def test_saves_only_on_improvement(tmp_path, monkeypatch):
    model = _tiny_model()
    saved_at = []
    original_save = model.save
    monkeypatch.setattr(model, "save", lambda path, **kwargs: (saved_at.append(len(saved_at)), original_save(path)))
    checkpoint = bestmodelcheckpoint.BestModelCheckpoint(tmp_path / "best.keras")
    _feed(checkpoint, model, [{"val_loss": 1.0}, {"val_loss": 1.2}, {"val_loss": 0.5}, {"val_loss": 0.5}])
    assert len(saved_at) == 2
    assert checkpoint.best == 0.5
    assert keras.saving.load_model(tmp_path / "best.keras").count_params() == model.count_params()
    assert [path.name for path in tmp_path.iterdir()] == ["best.keras"]


def test_auto_mode_maximises_accuracy(tmp_path, monkeypatch):
    model = _tiny_model()
    saves = []
    monkeypatch.setattr(model, "save", lambda path, **kwargs: (saves.append(path), open(path, "wb").close()))
    checkpoint = bestmodelcheckpoint.BestModelCheckpoint(tmp_path / "best.keras", monitor="val_accuracy")
    assert checkpoint.mode == "max"
    _feed(checkpoint, model, [{"val_accuracy": 0.5}, {"val_accuracy": 0.4}, {"val_accuracy": 0.7}])
    assert len(saves) == 2
    assert checkpoint.best == 0.7


@pytest.mark.parametrize(
    ("monitor", "mode"),
    [("val_loss", "min"), ("val_auc", "max"), ("val_precision", "max"), ("recall", "max"), ("val_f1_score", "max"),
     ("val_mae", "min")],
)
def test_auto_mode_by_name(monitor, mode):
    assert bestmodelcheckpoint.BestModelCheckpoint("best.keras", monitor=monitor).mode == mode


def test_mode_for_is_public_for_resuming_code():
    assert bestmodelcheckpoint.BestModelCheckpoint.mode_for("val_accuracy") == "max"
    assert bestmodelcheckpoint.BestModelCheckpoint.mode_for("val_loss") == "min"
    assert bestmodelcheckpoint.BestModelCheckpoint.mode_for("val_accuracy", mode="min") == "min"
    with pytest.raises(ValueError, match="Received: mode='best'"):
        bestmodelcheckpoint.BestModelCheckpoint.mode_for("val_loss", mode="best")


def test_initial_value_from_a_resumed_run(tmp_path, monkeypatch):
    model = _tiny_model()
    saves = []
    monkeypatch.setattr(model, "save", lambda path, **kwargs: (saves.append(path), open(path, "wb").close()))
    checkpoint = bestmodelcheckpoint.BestModelCheckpoint(tmp_path / "best.keras", initial_value=0.3)
    _feed(checkpoint, model, [{"val_loss": 0.4}, {"val_loss": 0.2}])
    assert len(saves) == 1
    assert checkpoint.best == 0.2


def test_misspelt_monitor_is_a_clear_error_during_fit(tmp_path):
    generator = np.random.default_rng(0)
    features, labels = generator.normal(size=(16, 4)).astype("float32"), generator.integers(0, 2, size=16)
    checkpoint = bestmodelcheckpoint.BestModelCheckpoint(tmp_path / "best.keras", monitor="val_acc")
    with pytest.raises(ValueError, match=r"'val_accuracy'.*Received: monitor=val_acc$"):
        _tiny_model().fit(
            features, labels, validation_split=0.25, epochs=2, verbose=0, callbacks=[checkpoint]
        )
    assert not (tmp_path / "best.keras").exists()


def test_real_fit_keeps_the_best_model(tmp_path):
    generator = np.random.default_rng(0)
    features, labels = generator.normal(size=(32, 4)).astype("float32"), generator.integers(0, 2, size=32)
    checkpoint = bestmodelcheckpoint.BestModelCheckpoint(tmp_path / "best.keras")
    history = _tiny_model().fit(
        features, labels, validation_split=0.25, epochs=3, batch_size=8, verbose=0, callbacks=[checkpoint]
    )
    assert checkpoint.best == pytest.approx(min(history.history["val_loss"]))
    assert keras.saving.load_model(tmp_path / "best.keras").optimizer is not None


def test_crash_mid_save_keeps_previous_best_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    model = _tiny_model()
    checkpoint = bestmodelcheckpoint.BestModelCheckpoint(tmp_path / "best.keras")
    _feed(checkpoint, model, [{"val_loss": 1.0}])
    previous = (tmp_path / "best.keras").read_bytes()

    def partial_save(path, **kwargs):
        with open(path, "wb") as handle:
            handle.write(b"PK\x03\x04 half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(model, "save", partial_save)
    with pytest.raises(OSError, match="disk full"):
        checkpoint.on_epoch_end(1, {"val_loss": 0.5})
    assert (tmp_path / "best.keras").read_bytes() == previous
    assert [path.name for path in tmp_path.iterdir()] == ["best.keras"]
    assert checkpoint.best == 1.0
    keras.saving.load_model(tmp_path / "best.keras")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"filepath": "best.h5"}, "Received: filepath=best.h5"),
        ({"filepath": "best.weights.h5"}, "Received: filepath=best.weights.h5"),
        ({"filepath": "best.keras", "mode": "maximum"}, "Received: mode='maximum'"),
        ({"filepath": "best.keras", "monitor": ""}, "Received: monitor=''"),
        ({"filepath": "best.keras", "initial_value": float("nan")}, "Received: initial_value=nan"),
    ],
)
def test_rejects_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        bestmodelcheckpoint.BestModelCheckpoint(**arguments)


def test_a_boolean_initial_value_is_refused():
    # True is a numbers.Real, and was once taken as a best value of 1.0.
    with pytest.raises(ValueError, match=r"Received: initial_value=True$"):
        bestmodelcheckpoint.BestModelCheckpoint("best.keras", initial_value=True)
