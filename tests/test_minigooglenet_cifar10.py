"""End to end: MiniGoogLeNet on a tiny CIFAR-10 folder trains with polynomial decay, augmentation and the
training mean, resumes on the same schedule, and evaluates from the run folder alone."""

import json

import pytest

from pyimagesearch.datasets import cifar10
from pyimagesearch.io import cifar10pipeline
from pyimagesearch.utils import strategy
from tests import cifar10folders, inprocessscripts, scripts


def run_script(name, *arguments):
    # One replica: tracing MiniGoogLeNet for two adds much of this test's time, and the two-replica
    # path of the same CIFAR-10 plumbing is covered by test_minivgg_cifar10.
    environment = {strategy.CPU_REPLICAS_VARIABLE: "1"}
    return scripts.run_experiment_script("minigooglenet_cifar10", name, arguments, environment=environment)


def test_train_resume_on_the_schedule_and_evaluate(tmp_path):
    # 20 training images: 5 steps an epoch at batch 4.
    dataset = cifar10folders.write_tiny_cifar10(tmp_path / "cifar10", train_per_batch=4)
    run_dir = tmp_path / "minigooglenet_cifar10" / "tiny"
    scripts.check_succeeded(run_script(
        "train.py", "--dataset", dataset, "--power", "2", "--epochs", "3", "--batch-size", "4",
        "--checkpoint-every", "1", "--output", tmp_path, "--run-id", "tiny",
    ))
    config = json.loads((run_dir / "config.json").read_text())
    assert config["arguments"]["augment"] is True and config["arguments"]["power"] == 2
    # The mean of the training split alone, recorded for evaluate.py.
    expected_mean = cifar10pipeline.training_mean(cifar10.load_cifar10(dataset))
    assert json.loads((run_dir / "mean.json").read_text()) == pytest.approx(expected_mean)
    # history.json's rate is the one the next epoch uses: 5e-3 * (1 - epoch / 3) ** 2 for epochs 1, 2.
    rates = [5e-3 * (2 / 3) ** 2, 5e-3 * (1 / 3) ** 2, 5e-3 * (1 / 3) ** 2]
    assert json.loads((run_dir / "history.json").read_text())["learning_rate"] == pytest.approx(rates)

    # Back to epoch 2's checkpoint: epoch 3 trains at epoch 3's rate (a restarted schedule would
    # be at epoch 2's by its end).
    scripts.check_succeeded(run_script("train.py", "--resume", run_dir, "--from-epoch", "2"))
    history = json.loads((run_dir / "history.json").read_text())
    assert history["learning_rate"] == pytest.approx(rates) and len(history["loss"]) == 3

    # evaluate.py finds the dataset and the mean from the run folder alone, from another working directory.
    evaluated = scripts.check_succeeded(inprocessscripts.run_experiment_script(
        "minigooglenet_cifar10", "evaluate.py", ["--run", run_dir], cwd=tmp_path
    ))
    rebuilt = json.loads((run_dir / "evaluation" / "metrics.json").read_text())
    final = json.loads((run_dir / "metrics.json").read_text())
    assert rebuilt["accuracy"] == pytest.approx(final["accuracy"]) and rebuilt["samples"] == 16
    assert f"{final['accuracy']:.4f}" in evaluated.stdout
