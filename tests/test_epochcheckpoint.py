"""EpochCheckpoint: periodic atomic checkpoints, pruning, and a resume equal to an uninterrupted run."""

import keras
import numpy as np
import pytest

from pyimagesearch.callbacks import epochcheckpoint
from pyimagesearch.callbacks import schedules
from pyimagesearch.utils import strategy

STEPS_PER_EPOCH = 4
BATCH_SIZE = 8


def _data():
    generator = np.random.default_rng(0)
    features = generator.normal(size=(STEPS_PER_EPOCH * BATCH_SIZE, 4)).astype("float32")
    return features, generator.integers(0, 3, size=len(features))


def _model(decay=0.1):
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    optimizer = keras.optimizers.SGD(
        learning_rate=schedules.inverse_time_decay(0.1, decay), momentum=0.9
    )
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    return model


class _OptimizerRecorder(keras.callbacks.Callback):
    """Records the optimizer's iteration count and learning rate at each epoch end."""

    def __init__(self):
        super().__init__()
        self.states = {}

    def on_epoch_end(self, epoch, logs=None):
        optimizer = self.model.optimizer
        self.states[epoch + 1] = (int(optimizer.iterations.numpy()), float(optimizer.learning_rate.numpy()))


def _fit(model, callbacks, epochs, initial_epoch=0):
    features, labels = _data()
    model.fit(
        features,
        labels,
        batch_size=BATCH_SIZE,
        epochs=epochs,
        initial_epoch=initial_epoch,
        shuffle=False,
        verbose=0,
        callbacks=callbacks,
    )


def test_resume_continues_optimizer_and_learning_rate_schedule(tmp_path):
    recorder = _OptimizerRecorder()
    uninterrupted = _model()
    _fit(uninterrupted, [recorder, epochcheckpoint.EpochCheckpoint(tmp_path, every=2, keep=None)], epochs=4)

    resumed = keras.saving.load_model(tmp_path / "epoch_2.keras")
    iterations, learning_rate = recorder.states[2]
    assert int(resumed.optimizer.iterations.numpy()) == iterations == 2 * STEPS_PER_EPOCH
    assert float(resumed.optimizer.learning_rate.numpy()) == pytest.approx(learning_rate, rel=1e-6)
    # A restarted schedule (the course's resume) would be back at 0.1; the test can tell.
    assert learning_rate == pytest.approx(0.1 / (1 + 0.1 * 8))

    resumed_recorder = _OptimizerRecorder()
    resume_dir = tmp_path / "resumed"
    checkpoint = epochcheckpoint.EpochCheckpoint(resume_dir, every=2, start_at=2)
    _fit(resumed, [resumed_recorder, checkpoint], epochs=4, initial_epoch=2)
    for epoch in (3, 4):
        assert resumed_recorder.states[epoch][0] == recorder.states[epoch][0]
        assert resumed_recorder.states[epoch][1] == pytest.approx(recorder.states[epoch][1], rel=1e-6)
    for resumed_weight, uninterrupted_weight in zip(resumed.get_weights(), uninterrupted.get_weights()):
        np.testing.assert_allclose(resumed_weight, uninterrupted_weight, rtol=1e-5, atol=1e-6)
    # The resumed run numbers its checkpoints by absolute epoch.
    assert epochcheckpoint.latest_checkpoint(resume_dir) == (resume_dir / "epoch_4.keras", 4)


def test_resume_under_mirrored_strategy(tmp_path):
    distribution = strategy.get_strategy()
    with distribution.scope():
        model = _model()
    _fit(model, [epochcheckpoint.EpochCheckpoint(tmp_path, every=1)], epochs=1)
    path, epoch = epochcheckpoint.latest_checkpoint(tmp_path)
    with distribution.scope():
        resumed = keras.saving.load_model(path)
    assert int(resumed.optimizer.iterations.numpy()) == int(model.optimizer.iterations.numpy()) > 0
    _fit(resumed, [epochcheckpoint.EpochCheckpoint(tmp_path, every=1, start_at=epoch)], epochs=2, initial_epoch=epoch)
    assert epochcheckpoint.latest_checkpoint(tmp_path) == (tmp_path / "epoch_2.keras", 2)
    expected_rate = 0.1 / (1 + 0.1 * int(resumed.optimizer.iterations.numpy()))
    assert float(resumed.optimizer.learning_rate.numpy()) == pytest.approx(expected_rate, rel=1e-6)


def test_saves_every_n_epochs_and_keeps_the_newest(tmp_path):
    _fit(_model(), [epochcheckpoint.EpochCheckpoint(tmp_path, every=1, keep=2)], epochs=3)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["epoch_2.keras", "epoch_3.keras"]
    path, epoch = epochcheckpoint.latest_checkpoint(tmp_path)
    assert (path, epoch) == (tmp_path / "epoch_3.keras", 3)
    assert keras.saving.load_model(path).optimizer.iterations.numpy() == 3 * STEPS_PER_EPOCH


def test_course_style_start_at_without_initial_epoch(tmp_path):
    # The course resumed with a plain fit() (epochs counted from 0) and start_at to number files.
    _fit(_model(), [epochcheckpoint.EpochCheckpoint(tmp_path, every=2, start_at=4, keep=None)], epochs=2)
    assert [path.name for path in tmp_path.iterdir()] == ["epoch_6.keras"]


def test_start_at_disagreeing_with_initial_epoch_is_an_error(tmp_path):
    checkpoint = epochcheckpoint.EpochCheckpoint(tmp_path, every=1, start_at=3)
    with pytest.raises(ValueError, match="initial_epoch=2.*Received: start_at=3"):
        _fit(_model(), [checkpoint], epochs=3, initial_epoch=2)


def test_checkpoints_of_an_abandoned_run_are_removed(tmp_path, monkeypatch):
    for epoch in (2, 4, 6):
        (tmp_path / f"epoch_{epoch}.keras").write_bytes(b"old")
    model = _model()
    monkeypatch.setattr(model, "save", lambda path, **kwargs: open(path, "wb").close())
    # Resumed from epoch_2: the new epoch_4 replaces the old one, and epoch_6 is from the abandoned run.
    checkpoint = epochcheckpoint.EpochCheckpoint(tmp_path, every=2, start_at=2, keep=2)
    checkpoint.set_model(model)
    checkpoint.on_train_begin()
    checkpoint.on_epoch_begin(2)
    checkpoint.on_epoch_end(2)
    checkpoint.on_epoch_end(3)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["epoch_2.keras", "epoch_4.keras"]
    assert (tmp_path / "epoch_4.keras").read_bytes() == b""
    assert epochcheckpoint.latest_checkpoint(tmp_path)[1] == 4


def test_failed_save_keeps_older_checkpoints(tmp_path, monkeypatch):
    (tmp_path / "epoch_1.keras").write_bytes(b"good")
    model = _model()

    def partial_save(path, **kwargs):
        open(path, "wb").write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(model, "save", partial_save)
    checkpoint = epochcheckpoint.EpochCheckpoint(tmp_path, every=1, keep=1, start_at=1)
    checkpoint.set_model(model)
    checkpoint.on_train_begin()
    with pytest.raises(OSError):
        checkpoint.on_epoch_end(0)
    assert [path.name for path in tmp_path.iterdir()] == ["epoch_1.keras"]


def test_latest_checkpoint_without_checkpoints(tmp_path):
    assert epochcheckpoint.latest_checkpoint(tmp_path / "missing") == (None, 0)
    (tmp_path / ".epoch_9.partial-1-ab.keras").write_bytes(b"")
    (tmp_path / "epoch_x.keras").write_bytes(b"")
    assert epochcheckpoint.latest_checkpoint(tmp_path) == (None, 0)


def test_latest_checkpoint_compares_epochs_as_numbers(tmp_path):
    for epoch in (5, 10, 15):
        (tmp_path / f"epoch_{epoch}.keras").write_bytes(b"")
    assert epochcheckpoint.latest_checkpoint(tmp_path) == (tmp_path / "epoch_15.keras", 15)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"every": 0}, "Received: every=0"),
        ({"start_at": -1}, "Received: start_at=-1"),
        ({"keep": 0}, "Received: keep=0"),
        ({"every": 2.0}, "Received: every=2.0"),
    ],
)
def test_rejects_bad_arguments(tmp_path, arguments, message):
    with pytest.raises(ValueError, match=message):
        epochcheckpoint.EpochCheckpoint(tmp_path, **arguments)
