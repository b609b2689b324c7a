"""End to end: ResNet on a tiny synthetic Tiny ImageNet, the polynomial decay kept across a restart, the report rebuilt."""

import json

import pytest

from pyimagesearch.datasets import synthetictinyimagenet
from pyimagesearch.utils import strategy
from tests import scripts

CLASSES = 6


def run_script(experiment, name, *arguments, cwd=None):
    environment = {strategy.CPU_REPLICAS_VARIABLE: "1"}  # as in test_deepergooglenet_tiny_imagenet
    return scripts.run_experiment_script(experiment, name, arguments, cwd=cwd, environment=environment)


def test_train_restart_on_the_decay_and_evaluate(tmp_path):
    stand_in = synthetictinyimagenet.generate_synthetic_tiny_imagenet(
        tmp_path / "stand-in", classes=CLASSES, train_per_class=6, val_per_class=2, verbose=False
    )
    hdf5_dir = tmp_path / "hdf5"
    # The DeeperGoogLeNet experiment's build serves both.
    scripts.check_succeeded(run_script(
        "deepergooglenet_tiny_imagenet", "build_dataset.py", "--dataset", stand_in, "--output", hdf5_dir,
        "--val-per-class", 2, "--no-progress",
    ))
    output = tmp_path / "output"
    scripts.check_succeeded(run_script(
        "resnet_tiny_imagenet", "train.py", "--dataset", hdf5_dir, "--epochs", 3, "--batch-size", 4,
        "--checkpoint-every", 1, "--precision", "float32", "--output", output, "--run-id", "tiny",
    ))
    run_dir = output / "resnet_tiny_imagenet" / "tiny"
    # poly_decay over 3 epochs: 0.1, 0.0667, 0.0333; the history holds the rate of the step after each epoch.
    decayed = [0.1 * 2 / 3, 0.1 / 3, 0.1 / 3]
    assert json.loads((run_dir / "history.json").read_text())["learning_rate"] == pytest.approx(decayed, rel=1e-5)

    # Back to epoch 1's checkpoint: the schedule and its step count come with it (not 0.1 again).
    scripts.check_succeeded(run_script("resnet_tiny_imagenet", "train.py", "--resume", run_dir, "--from-epoch", 1))
    assert json.loads((run_dir / "history.json").read_text())["learning_rate"] == pytest.approx(decayed, rel=1e-5)
    refused = run_script("resnet_tiny_imagenet", "train.py", "--resume", run_dir, "--learning-rate", 0.01)
    assert refused.returncode == 2 and "follows a learning-rate schedule" in refused.stderr

    recorded = json.loads((run_dir / "metrics.json").read_text())
    assert recorded["samples"] == CLASSES * 2 and 0 <= recorded["rank1"] <= recorded["rank5"] <= 1
    evaluated = scripts.check_succeeded(run_script("resnet_tiny_imagenet", "evaluate.py", "--run", run_dir, cwd=tmp_path))
    rebuilt = json.loads((run_dir / "evaluation" / "metrics.json").read_text())
    assert rebuilt["rank5"] == pytest.approx(recorded["rank5"]) and rebuilt["accuracy"] == pytest.approx(recorded["accuracy"])
    assert f"rank-5 recorded by train.py: {recorded['rank5']:.4f}" in evaluated.stdout
