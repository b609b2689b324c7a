"""End to end: a small ResNet on a tiny CIFAR-10 folder trains at a constant rate, restarts at a tenth of it
(the course's restart), evaluates from the run folder alone; the polynomial-decay flags give the decay."""

import json
import sys

import pytest

from pyimagesearch.training import cifar10run
from pyimagesearch.utils import strategy
from tests import cifar10folders, inprocessscripts, kerasfiles, scripts

EXPERIMENT = "resnet_cifar10"
# Small stand-ins for the course's (9, 9, 9) and (64, 64, 128, 256), so the test takes seconds.
SMALL = ("--stages", "1", "1", "1", "--filters", "8", "8", "16", "32", "--batch-size", "4")


def run_script(name, *arguments):
    # One replica: tracing ResNet for two adds much of this test's time, and the two-replica path
    # of the same CIFAR-10 plumbing is covered by test_minivgg_cifar10.
    environment = {strategy.CPU_REPLICAS_VARIABLE: "1"}
    return scripts.run_experiment_script(EXPERIMENT, name, arguments, environment=environment)


def test_train_restart_at_a_tenth_of_the_rate_and_evaluate(tmp_path):
    # 20 training images: 5 steps an epoch at batch 4.
    dataset = cifar10folders.write_tiny_cifar10(tmp_path / "cifar10", train_per_batch=4)
    run_dir = tmp_path / EXPERIMENT / "restart"
    scripts.check_succeeded(run_script(
        "train.py", "--dataset", dataset, *SMALL, "--epochs", "2", "--checkpoint-every", "1",
        "--output", tmp_path, "--run-id", "restart",
    ))
    config = json.loads((run_dir / "config.json").read_text())
    assert config["arguments"]["lr_schedule"] == "none" and config["arguments"]["regularization"] == 5e-4
    assert config["extra"]["augmentation"] == cifar10run.AUGMENTATION
    assert set(json.loads((run_dir / "mean.json").read_text())) == {"R", "G", "B"}
    assert kerasfiles.residual_blocks(run_dir / "model.keras") == [
        "stage1_block1_add", "stage2_block1_add", "stage3_block1_add",
    ]

    # The course's restart: back to epoch 1's checkpoint, on at 0.01.
    restarted = scripts.check_succeeded(run_script(
        "train.py", "--resume", run_dir, "--from-epoch", "1", "--learning-rate", "0.01", "--epochs", "2",
    ))
    assert "learning rate 0.1 -> 0.01" in restarted.stdout
    assert json.loads((run_dir / "history.json").read_text())["learning_rate"] == pytest.approx([0.1, 0.01])

    # evaluate.py finds the dataset and the mean from the run folder alone, from another working directory.
    evaluated = scripts.check_succeeded(inprocessscripts.run_experiment_script(
        EXPERIMENT, "evaluate.py", ["--run", run_dir], cwd=tmp_path
    ))
    rebuilt = json.loads((run_dir / "evaluation" / "metrics.json").read_text())
    final = json.loads((run_dir / "metrics.json").read_text())
    assert rebuilt["accuracy"] == pytest.approx(final["accuracy"]) and rebuilt["samples"] == 16
    assert f"{final['accuracy']:.4f}" in evaluated.stdout


def test_the_polynomial_schedule_and_no_augment_flags(monkeypatch):
    # train.py's own parsing and schedule, in this process: the run above trains through the same
    # build_and_compile with the constant rate, so a training run of the decay would only repeat it.
    train = inprocessscripts.load_experiment_module(monkeypatch, EXPERIMENT, "train.py")
    decay = ["--epochs", "2", "--lr-schedule", "polynomial", "--no-augment"]
    monkeypatch.setattr(sys, "argv", ["train.py", *SMALL, *decay])
    arguments = train.parse_arguments()
    assert (arguments.stages, arguments.filters, arguments.augment) == ([1, 1, 1], [8, 8, 16, 32], False)
    # 0.1 for epoch 1's 5 steps, 0.05 for epoch 2's, and after it (a run resumed to more epochs).
    schedule = train.learning_rate_for(arguments, steps_per_epoch=5)
    assert [float(schedule(step)) for step in range(12)] == pytest.approx([0.1] * 5 + [0.05] * 7)
    monkeypatch.setattr(sys, "argv", ["train.py"])
    course = train.parse_arguments()
    assert (course.stages, course.filters, course.lr_schedule) == ([9, 9, 9], [64, 64, 128, 256], "none")
    assert train.learning_rate_for(course, steps_per_epoch=5) == 0.1
