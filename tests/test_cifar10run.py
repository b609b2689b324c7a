"""training.cifar10run: the training mean recorded and subtracted, nothing made for a missing dataset,
evaluate() rebuilding train()'s figure from the run folder."""

import argparse
import json

import keras
import pytest

from pyimagesearch.datasets import cifar10
from pyimagesearch.io import cifar10pipeline
from pyimagesearch.training import cifar10run, flags, runmean
from pyimagesearch.utils import errors
from tests import cifar10folders


def parse(*argv):
    parser = argparse.ArgumentParser()
    flags.add_run_arguments(parser, dataset="cifar10", epochs=1, batch_size=4, learning_rate=0.01, seed=1,
                            output="output", checkpoint_every=1)
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction, default=True)
    return flags.parse_run_arguments(parser, [*map(str, argv), "--precision", "float32"])


def build_and_compile(classes, steps_per_epoch):
    model = keras.Sequential([
        keras.Input((32, 32, 3)), keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(classes, "softmax"),
    ])
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def test_train_records_the_training_mean_and_evaluate_rebuilds_the_figure(tmp_path):
    dataset = cifar10folders.write_tiny_cifar10(tmp_path / "cifar10")
    # Without augmentation: the experiments' end-to-end tests train with it.
    arguments = parse("--dataset", dataset, "--output", tmp_path, "--run-id", "run", "--no-augment")
    metrics = cifar10run.train(arguments, "tiny", build_and_compile)
    run_dir = tmp_path / "tiny" / "run"
    expected_mean = cifar10pipeline.training_mean(cifar10.load_cifar10(dataset))
    assert runmean.read_mean(run_dir) == pytest.approx(expected_mean)
    extra = json.loads((run_dir / "config.json").read_text())["extra"]
    assert extra["mean"] == pytest.approx(expected_mean) and extra["augmentation"] is None
    assert extra["train_images"] == 40 and extra["steps_per_epoch"] == 40 // extra["global_batch_size"]
    rebuilt = cifar10run.evaluate(run_dir, tmp_path, "tiny", batch_size=8)
    assert rebuilt["accuracy"] == pytest.approx(metrics["accuracy"]) and rebuilt["samples"] == 16
    assert (run_dir / cifar10run.EVALUATION_FOLDER / "classification_report.txt").is_file()


def test_a_missing_dataset_leaves_no_run_folder(tmp_path):
    arguments = parse("--dataset", tmp_path / "nowhere", "--output", tmp_path, "--run-id", "run")
    with pytest.raises(errors.UserError):
        cifar10run.train(arguments, "tiny", build_and_compile)
    assert not (tmp_path / "tiny").exists()


def test_evaluate_command_refuses_a_batch_size_of_zero(tmp_path):
    with pytest.raises(errors.InvalidArgumentError, match="--batch-size"):
        cifar10run.evaluate_command("tiny", tmp_path, argv=["--batch-size", "0"])


def test_add_augment_argument_is_on_by_default_and_can_be_turned_off():
    parser = cifar10run.add_augment_argument(argparse.ArgumentParser())
    assert parser.parse_args([]).augment is True and parser.parse_args(["--no-augment"]).augment is False
    assert cifar10run.add_augment_argument(argparse.ArgumentParser(), default=False).parse_args([]).augment is False


def test_evaluate_main_shows_the_experiments_own_help(capsys):
    import types

    config = types.SimpleNamespace(EXPERIMENT="resnet_cifar10", OUTPUT="runs")
    with pytest.raises(SystemExit):
        cifar10run.evaluate_main(config, argv=["--help"])
    shown = capsys.readouterr().out
    assert "    python experiments/resnet_cifar10/evaluate.py --run output/resnet_cifar10/<run-id>" in shown
    assert "(default: the latest under --output)" in shown


def test_evaluate_main_without_a_run_is_a_user_error(tmp_path, capsys):
    import types

    config = types.SimpleNamespace(EXPERIMENT="resnet_cifar10", OUTPUT=str(tmp_path))
    assert cifar10run.evaluate_main(config, argv=[]) == 2
    assert capsys.readouterr().err.startswith("error: ")
