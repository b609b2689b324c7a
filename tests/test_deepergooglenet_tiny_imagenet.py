"""End to end: a tiny synthetic Tiny ImageNet -> the three HDF5 files -> DeeperGoogLeNet -> rank-1/rank-5."""

import json

import pytest

from pyimagesearch.datasets import synthetictinyimagenet
from pyimagesearch.utils import strategy
from tests import inprocessscripts, scripts

CLASSES, TRAIN_PER_CLASS, VAL_PER_CLASS, HELD_OUT = 6, 4, 2, 2
EXPERIMENT = "deepergooglenet_tiny_imagenet"


def train(*arguments):
    # One replica: tracing DeeperGoogLeNet for two would add about half to this test's time, and
    # the two-replica path of the same plumbing is covered by test_minivgg_cifar10.
    environment = {strategy.CPU_REPLICAS_VARIABLE: "1"}
    return scripts.check_succeeded(
        scripts.run_experiment_script(EXPERIMENT, "train.py", arguments, environment=environment)
    )


def test_build_train_then_score_from_the_run_folder(tmp_path):
    stand_in = synthetictinyimagenet.generate_synthetic_tiny_imagenet(
        tmp_path / "synthetic-tiny-imagenet", classes=CLASSES, train_per_class=TRAIN_PER_CLASS,
        val_per_class=VAL_PER_CLASS, verbose=False,
    )

    # The scripts that only read and write files run in this process (tests/inprocessscripts.py).
    def run_in_process(script, *arguments, cwd):
        completed = inprocessscripts.run_experiment_script(EXPERIMENT, script, arguments, cwd=cwd)
        return scripts.check_succeeded(completed)

    built = run_in_process(
        "build_dataset.py", "--dataset", stand_in, "--val-per-class", HELD_OUT, "--no-progress", cwd=tmp_path
    )
    hdf5_dir = tmp_path / "datasets" / "synthetic-tiny-imagenet-hdf5"  # the default output, under the working directory
    assert f"train: {CLASSES * (TRAIN_PER_CLASS - HELD_OUT)} images" in built.stdout
    assert sorted(path.name for path in hdf5_dir.glob("*.hdf5")) == ["test.hdf5", "train.hdf5", "val.hdf5"]

    output = tmp_path / "output"
    trained = train(
        "--dataset", hdf5_dir, "--epochs", 1, "--batch-size", 4, "--checkpoint-every", 1,
        "--precision", "float32", "--output", output, "--run-id", "tiny",
    )
    run_dir = output / EXPERIMENT / "tiny"
    config = json.loads((run_dir / "config.json").read_text())
    assert config["arguments"]["dataset"] == str(hdf5_dir) and config["extra"]["classes"] == CLASSES
    assert (run_dir / "checkpoints" / "epoch_1.keras").is_file() and (run_dir / "history.json").is_file()
    recorded = json.loads((run_dir / "metrics.json").read_text())
    assert recorded["samples"] == CLASSES * VAL_PER_CLASS  # the test file is the official val folder
    assert recorded["rank1"] == pytest.approx(recorded["accuracy"]) and recorded["rank5"] >= recorded["rank1"]
    assert f"rank-5: {recorded['rank5']:.4f}" in trained.stdout

    # Both scorers read the HDF5 folder from config.json, run from another working directory.
    checkpoint = run_dir / "checkpoints" / "epoch_1.keras"
    ranked = run_in_process("rank_accuracy.py", "--run", run_dir, "--model", checkpoint, cwd=stand_in)
    result = json.loads((run_dir / "rank_accuracy.json").read_text())
    assert result["model"].endswith("epoch_1.keras") and result["samples"] == CLASSES * VAL_PER_CLASS
    assert f"rank-5: {result['rank5'] * 100:.2f}%" in ranked.stdout
    run_in_process("evaluate.py", "--run", run_dir, cwd=stand_in)
    rebuilt = json.loads((run_dir / "evaluation" / "metrics.json").read_text())
    assert rebuilt["rank1"] == pytest.approx(recorded["rank1"]) and rebuilt["rank5"] == pytest.approx(recorded["rank5"])
