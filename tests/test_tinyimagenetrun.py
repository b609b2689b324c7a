"""The Tiny ImageNet run's scoring: rank-1 and rank-5 on test.hdf5, the report, and clear errors for a missing folder."""

import json

import keras
import numpy as np
import pytest

from pyimagesearch.io import hdf5format
from pyimagesearch.training import runs, tinyimagenetrun
from pyimagesearch.utils import atomic, errors
from tests import hdf5testing

SIZE, CLASSES = 4, 6


@pytest.fixture
def hdf5_dir(tmp_path):
    folder = tmp_path / "hdf5"
    hdf5testing.write_indexed_file(folder / "train.hdf5", rows=24, size=SIZE, classes=CLASSES)
    mean = hdf5format.read_mean(folder / "train.hdf5")
    for split in ("val", "test"):
        hdf5testing.write_indexed_file(folder / f"{split}.hdf5", rows=12, size=SIZE, classes=CLASSES, mean=mean)
    return folder


def _fixed_model():
    """A small random classifier; its ranks are checked against its own predictions."""
    inputs = keras.Input((SIZE, SIZE, 3))
    x = keras.layers.Flatten()(inputs)
    outputs = keras.layers.Dense(CLASSES, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def test_evaluate_test_writes_the_report_with_rank1_and_rank5(hdf5_dir, tmp_path):
    model = _fixed_model()

    metrics = tinyimagenetrun.evaluate_test(model, hdf5_dir, 5, tmp_path / "report")

    # The test rows as training fed them: minus the training mean (rows 0..23: 11.5), unscaled.
    probabilities = model.predict((_test_rows(hdf5_dir) - 11.5).astype("float32"), verbose=0)
    labels = np.arange(12) % CLASSES
    ranks = np.argsort(-probabilities, axis=1)
    assert metrics["rank1"] == pytest.approx(np.mean(ranks[:, 0] == labels))
    assert metrics["rank5"] == pytest.approx(np.mean([label in row[:5] for label, row in zip(labels, ranks)]))
    assert metrics["accuracy"] == pytest.approx(metrics["rank1"]) and metrics["samples"] == 12
    written = json.loads((tmp_path / "report" / "metrics.json").read_text())
    assert written["rank5"] == metrics["rank5"] and written["test_file"].endswith("test.hdf5")
    assert (tmp_path / "report" / "classification_report.txt").is_file()


def _test_rows(hdf5_dir):
    with hdf5format.open_dataset_file(hdf5_dir / "test.hdf5") as handle:
        return handle["images"][...].astype("float64")


def test_rank_accuracy_scores_the_model_it_is_given_and_names_it(hdf5_dir, tmp_path):
    run_dir = tmp_path / "output" / "experiment" / "run"
    run_dir.mkdir(parents=True)
    runs.write_run_config(run_dir, {"dataset": str(hdf5_dir)})
    final, checkpoint = _fixed_model(), _fixed_model()
    atomic.save_model(final, run_dir / "model.keras")
    atomic.save_model(checkpoint, run_dir / "epoch_5.keras")

    latest = tinyimagenetrun.rank_accuracy(None, tmp_path / "output", "experiment", batch_size=5)
    chosen = tinyimagenetrun.rank_accuracy(run_dir, None, "experiment", run_dir / "epoch_5.keras", batch_size=5)

    assert latest["model"] == str(run_dir / "model.keras") and latest["samples"] == 12
    assert chosen["model"] == str(run_dir / "epoch_5.keras")
    assert json.loads((run_dir / "rank_accuracy.json").read_text()) == chosen
    assert 0 <= chosen["rank1"] <= chosen["rank5"] <= 1


def test_a_missing_or_incomplete_folder_is_a_clear_error(hdf5_dir, tmp_path):
    with pytest.raises(ValueError, match="build the Tiny ImageNet HDF5 files first.*build_dataset.py"):
        tinyimagenetrun.check_hdf5_folder(tmp_path / "nothing-here")
    (hdf5_dir / "val.hdf5").unlink()
    with pytest.raises(ValueError, match="val.hdf5 is missing"):
        tinyimagenetrun.check_hdf5_folder(hdf5_dir)


@pytest.mark.parametrize("command", [tinyimagenetrun.evaluate_command, tinyimagenetrun.rank_accuracy_command])
def test_the_commands_refuse_a_batch_size_of_zero(command, tmp_path):
    with pytest.raises(errors.InvalidArgumentError, match="--batch-size"):
        command("experiment", tmp_path, 64, argv=["--batch-size", "0"])


def test_parse_run_arguments_defaults_to_the_configs_hdf5_folder_and_augments():
    import types

    config = types.SimpleNamespace(HDF5_DIR="datasets/tiny-hdf5", EPOCHS=40, BATCH_SIZE=64, LEARNING_RATE=1e-3,
                                   SEED=42, OUTPUT="output", CHECKPOINT_EVERY=5)
    arguments = tinyimagenetrun.parse_run_arguments(config, "Train.", dataset_help="the HDF5 folder", argv=[])
    assert (arguments.dataset, arguments.epochs, arguments.augment) == ("datasets/tiny-hdf5", 40, True)
    arguments = tinyimagenetrun.parse_run_arguments(config, "Train.", dataset_help="the HDF5 folder",
                                                    epochs_help="until", argv=["--no-augment", "--epochs", "2"])
    assert (arguments.augment, arguments.epochs) == (False, 2)


def test_parse_run_arguments_adds_the_experiments_own_flags():
    import types

    from pyimagesearch.training import resnetflags

    config = types.SimpleNamespace(HDF5_DIR="datasets/tiny-hdf5", EPOCHS=75, BATCH_SIZE=64, LEARNING_RATE=0.1,
                                   SEED=42, OUTPUT="output", CHECKPOINT_EVERY=5,
                                   STAGES=(3, 4, 6), FILTERS=(64, 128, 256, 512))

    def parse(*argv):
        return tinyimagenetrun.parse_run_arguments(
            config, "Train.", dataset_help="the HDF5 folder", argv=list(argv),
            add_arguments=lambda parser: resnetflags.add_architecture_arguments(parser, config),
        )

    course = parse()
    assert (course.stages, course.filters) == ([3, 4, 6], [64, 128, 256, 512])
    small = parse("--stages", "1", "1", "--filters", "8", "8", "16")
    assert (small.stages, small.filters, small.given_flags) == ([1, 1], [8, 8, 16], ["filters", "stages"])
    mismatch = r"one entry for the stem plus one per stage .*Received: filters=\[8, 8\]$"
    with pytest.raises(errors.InvalidArgumentError, match=mismatch):
        resnetflags.check_architecture_arguments(parse("--stages", "1", "1", "--filters", "8", "8"))
