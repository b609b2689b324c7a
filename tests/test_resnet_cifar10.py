"""End to end: a small ResNet on a tiny CIFAR-10 folder trains at a constant rate, restarts at a tenth of it
(the course's restart), evaluates from the run folder alone; a polynomial-decay run decays."""

import json
import zipfile

import pytest

from pyimagesearch.utils import strategy
from tests import cifar10folders, scripts

# Small stand-ins for the course's (9, 9, 9) and (64, 64, 128, 256), so the test takes seconds.
SMALL = ("--stages", "1", "1", "1", "--filters", "8", "8", "16", "32", "--batch-size", "4")


def run_script(name, *arguments, cwd=None):
    # One replica: tracing ResNet for two adds much of this test's time, and the two-replica path
    # of the same CIFAR-10 plumbing is covered by test_minivgg_cifar10.
    environment = {strategy.CPU_REPLICAS_VARIABLE: "1"}
    return scripts.run_experiment_script("resnet_cifar10", name, arguments, cwd=cwd, environment=environment)


def residual_blocks(model_path):
    """The names of the residual modules' Add layers in a .keras file, read without loading it."""
    with zipfile.ZipFile(model_path) as archive:
        config = json.loads(archive.read("config.json"))
    return [layer["config"]["name"] for layer in config["config"]["layers"] if layer["class_name"] == "Add"]


def test_train_restart_at_a_tenth_of_the_rate_evaluate_and_decay(tmp_path):
    dataset = cifar10folders.write_tiny_cifar10(tmp_path / "cifar10")
    run_dir = tmp_path / "resnet_cifar10" / "restart"
    scripts.check_succeeded(run_script(
        "train.py", "--dataset", dataset, *SMALL, "--epochs", "2", "--checkpoint-every", "1",
        "--output", tmp_path, "--run-id", "restart",
    ))
    config = json.loads((run_dir / "config.json").read_text())
    assert config["arguments"]["lr_schedule"] == "none" and config["arguments"]["regularization"] == 5e-4
    assert config["extra"]["augmentation"] and set(json.loads((run_dir / "mean.json").read_text())) == {"R", "G", "B"}
    assert residual_blocks(run_dir / "model.keras") == ["stage1_block1_add", "stage2_block1_add", "stage3_block1_add"]

    # The course's restart: back to epoch 1's checkpoint, on at 0.01.
    restarted = scripts.check_succeeded(run_script(
        "train.py", "--resume", run_dir, "--from-epoch", "1", "--learning-rate", "0.01", "--epochs", "2",
    ))
    assert "learning rate 0.1 -> 0.01" in restarted.stdout
    assert json.loads((run_dir / "history.json").read_text())["learning_rate"] == pytest.approx([0.1, 0.01])

    # evaluate.py finds the dataset and the mean from the run folder alone, from another working directory.
    evaluated = scripts.check_succeeded(run_script("evaluate.py", "--run", run_dir, cwd=tmp_path))
    rebuilt = json.loads((run_dir / "evaluation" / "metrics.json").read_text())
    final = json.loads((run_dir / "metrics.json").read_text())
    assert rebuilt["accuracy"] == pytest.approx(final["accuracy"]) and rebuilt["samples"] == 16
    assert f"{final['accuracy']:.4f}" in evaluated.stdout

    # The polynomial variant: 0.1 for epoch 1, 0.05 for epoch 2 (history.json shows the next epoch's rate).
    decay_dir = tmp_path / "resnet_cifar10" / "decay"
    scripts.check_succeeded(run_script(
        "train.py", "--dataset", dataset, *SMALL, "--epochs", "2", "--lr-schedule", "polynomial", "--no-augment",
        "--output", tmp_path, "--run-id", "decay",
    ))
    assert json.loads((decay_dir / "history.json").read_text())["learning_rate"] == pytest.approx([0.05, 0.05])
    assert json.loads((decay_dir / "config.json").read_text())["extra"]["augmentation"] is None
